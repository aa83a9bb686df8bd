// The Optimizer protocol, element-wise rules, parameter groups by role, per-path state, step records.

/// Optimizer state of one parameter, created on its first step and stored under its path.
public final class ParamState<Scalar: TensorScalar> {
    /// Steps taken on this parameter.
    public var step = 0
    /// Named state tensors ("momentum_buffer", "exp_avg", "exp_avg_sq"), each the parameter's shape.
    public var slots: [String: Tensor<Scalar>] = [:]

    public init() {}

    /// The slot `name`, created as zeros of `shape` on first use.
    public func slot(_ name: String, shape: [Int]) -> Tensor<Scalar> {
        slots[name] ?? Tensor(uncheckedShape: shape, repeating: 0)
    }
}

/// The parameters of one role with the settings that apply to them.
public struct ParamGroup<Scalar: TensorScalar> {
    /// The role shared by the group.
    public var role: Role
    /// The group's parameters with their paths, in network order.
    public var params: [(path: String, param: Param<Scalar>)]
    /// Weight decay for this group (the optimizer's for `weight`, 0 for every other role unless
    /// configured in `OptimizerCore.decayRoles`).
    public var weightDecay: Double
}

/// What the last step did: `opt.last_step` in scripts.
public struct StepRecord: Equatable, Sendable {
    /// The step number (1 for the first step).
    public var step: Int
    /// The training loss of the batch, when the step ran a forward pass.
    public var loss: Double?
    /// The learning rate used.
    public var lr: Double
    /// The L2 norm of all gradients (over the parameters updated).
    public var gradNorm: Double
    /// The L2 norm of the change of all parameters.
    public var updateNorm: Double
    /// What each training hook reported for this step (penalties, β, kills, support changes).
    public var hooks: [HookReport] = []

    public init(step: Int, loss: Double? = nil, lr: Double, gradNorm: Double, updateNorm: Double,
                hooks: [HookReport] = []) {
        self.step = step
        self.loss = loss
        self.lr = lr
        self.gradNorm = gradNorm
        self.updateNorm = updateNorm
        self.hooks = hooks
    }
}

/// One hook's report, named: the element of `StepRecord.hooks` and `EpochRecord.hooks`.
public struct HookReport: Equatable, Sendable {
    public var hook: String
    public var report: Report
    public init(hook: String, report: Report) {
        self.hook = hook
        self.report = report
    }
}

/// A learning-rate schedule, applied at the end of each epoch of `fit` (or by `epochEnded()`).
public protocol Schedule: CustomStringConvertible {
    /// The learning rate for `epoch` (0 for the first epoch) given the base rate.
    func lr(base: Double, epoch: Int) -> Double
}

/// Where an optimizer takes its parameters from.
public enum ParamSource<Scalar: TensorScalar> {
    /// A network, re-enumerated at every step so parameters added later (masks, gates) are included.
    case network(any Layer<Scalar>)
    /// A fixed list of parameters.
    case params([Param<Scalar>])
}

/// The machinery every optimizer shares (composed, not inherited): parameter source, groups by
/// role, learning rate and schedule, state by path, the last step record.
public final class OptimizerCore<Scalar: TensorScalar> {
    public let source: ParamSource<Scalar>
    /// The learning rate of the next step.
    public var lr: Double
    /// The rate the schedule starts from (the `lr` given at construction, or set by the user).
    public var baseLR: Double
    /// Weight decay coefficient, applied to the groups whose role is in `decayRoles`.
    public var weightDecay: Double { didSet { enumeration = nil } }
    /// The roles weight decay applies to (by default `weight` and soft sharing's `template`, the
    /// bank's weights: no decay on biases, BN, mask logits, sharing coefficients).
    public var decayRoles: Set<Role> = [.weight, .template] { didSet { enumeration = nil } }
    /// The schedule in force, if any.
    public var schedule: (any Schedule)?
    /// Epochs completed (advanced by `epochEnded`).
    public private(set) var epoch = 0
    /// Steps taken.
    public internal(set) var steps = 0
    /// Per-parameter state by path, created lazily.
    public var state: [String: ParamState<Scalar>] = [:]
    /// What the last step did.
    public internal(set) var lastStep: StepRecord?
    /// The roles this optimizer updates (`only:`), nil for every role: several optimizers can
    /// share one net, each on its own roles (`combine`).
    public var roles: Set<Role>? { didSet { enumeration = nil } }
    /// The training hooks of the last step (see `trainingHooks(net:optimizer:)`).
    let hookCache = TrainingHookCache<Scalar>()

    /// - Throws: `CoreError.badArgument` for a negative or non-finite rate or decay.
    public init(_ source: ParamSource<Scalar>, lr: Double, weightDecay: Double, op: String,
                roles: Set<Role>? = nil) throws {
        guard lr.isFinite, lr >= 0 else { throw CoreError.badArgument(op: op, message: "lr must be a non-negative number, got \(lr)") }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw CoreError.badArgument(op: op, message: "weight_decay must be a non-negative number, got \(weightDecay)")
        }
        self.source = source
        self.lr = lr
        self.baseLR = lr
        self.weightDecay = weightDecay
        self.roles = roles
    }

    /// The network the optimizer was made from, if any.
    public var network: (any Layer<Scalar>)? {
        if case .network(let net) = source { return net }
        return nil
    }

    /// The parameters it updates by path, in order (only the chosen roles').
    public var namedParams: [(path: String, param: Param<Scalar>)] {
        if let stepSnapshot { return stepSnapshot.chosen }
        if let current = currentEnumeration { return current.chosen }
        let all = sourceParams
        guard let roles else { return all }
        return all.filter { roles.contains($0.param.role) }
    }

    /// Every parameter of the source by path (all roles), enumerated afresh.
    private var sourceParams: [(path: String, param: Param<Scalar>)] {
        switch source {
        case .network(let net): return net.namedParams
        case .params(let ps):
            var seen = Set<ObjectIdentifier>()
            return ps.enumerated().filter { seen.insert(ObjectIdentifier($0.element)).inserted }
                .map { ($0.element.path.isEmpty ? String($0.offset) : $0.element.path, $0.element) }
        }
    }

    /// What one enumeration of the source found: every parameter, the chosen roles' ones, and
    /// their groups (made on first use).
    private final class Enumeration {
        let revision: UInt64
        let all: [(path: String, param: Param<Scalar>)]
        let chosen: [(path: String, param: Param<Scalar>)]
        var groups: [ParamGroup<Scalar>]?

        init(revision: UInt64, all: [(path: String, param: Param<Scalar>)], roles: Set<Role>?) {
            self.revision = revision
            self.all = all
            chosen = roles.map { roles in all.filter { roles.contains($0.param.role) } } ?? all
        }
    }

    /// The network's last enumeration. Walking the tree was most of a small net's step (the IRIS
    /// nets) and the tree rarely changes, so it is kept until `StructureRevision` moves or the
    /// roles or decay settings change. A list of parameters is enumerated afresh every time: its
    /// paths are whatever the parameters hold, which another net's walk may change.
    private var enumeration: Enumeration?

    /// The network's enumeration, walking again when the structure changed since the last one.
    private var currentEnumeration: Enumeration? {
        guard case .network(let net) = source else { return nil }
        let revision = StructureRevision.current
        if let enumeration, enumeration.revision == revision {
            // A walk assigns every parameter its path under the net walked; another net holding
            // the same layers may have assigned its own since.
            for (path, param) in enumeration.all where param.path != path { param.path = path }
            assert(Self.samePaths(enumeration.all, net.namedParams),
                   "the layer tree changed without advancing StructureRevision")
            return enumeration
        }
        let fresh = Enumeration(revision: revision, all: net.namedParams, roles: roles)
        enumeration = fresh
        return fresh
    }

    /// True when both lists hold the same parameters under the same paths, in the same order.
    private static func samePaths(_ a: [(path: String, param: Param<Scalar>)],
                                  _ b: [(path: String, param: Param<Scalar>)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.path == $1.path && $0.param === $1.param }
    }

    /// The source's parameters while one training step runs (see `duringStep`).
    private var stepSnapshot: Enumeration?

    /// Runs one step's forward pass, backward pass and update with one enumeration of the
    /// parameters: nothing changes the tree between the forward pass and the update, and hooks
    /// that change it (a kill rule, a collection) run after `body`.
    public func duringStep<T>(_ body: () throws -> T) rethrows -> T {
        if stepSnapshot != nil { return try body() }
        stepSnapshot = currentEnumeration ?? Enumeration(revision: StructureRevision.current, all: sourceParams, roles: roles)
        defer { stepSnapshot = nil }
        return try body()
    }

    /// Every parameter of the net the optimizer was made from (all roles); the step's snapshot
    /// while `duringStep` runs.
    public var networkParams: [Param<Scalar>]? {
        guard case .network = source else { return nil }
        return (stepSnapshot ?? currentEnumeration)?.all.map { $0.param }
    }

    /// The parameters grouped by role, in order of first appearance.
    public var groups: [ParamGroup<Scalar>] {
        guard let enumeration = stepSnapshot ?? currentEnumeration else { return Self.groups(of: namedParams, decay: decay) }
        if let groups = enumeration.groups { return groups }
        let groups = Self.groups(of: enumeration.chosen, decay: decay)
        enumeration.groups = groups
        return groups
    }

    /// The weight decay of a group of `role`.
    private func decay(_ role: Role) -> Double { decayRoles.contains(role) ? weightDecay : 0 }

    private static func groups(of params: [(path: String, param: Param<Scalar>)],
                               decay: (Role) -> Double) -> [ParamGroup<Scalar>] {
        var order: [Role] = []
        var byRole: [Role: [(String, Param<Scalar>)]] = [:]
        for (path, p) in params {
            if byRole[p.role] == nil { order.append(p.role) }
            byRole[p.role, default: []].append((path, p))
        }
        return order.map { role in ParamGroup(role: role, params: byRole[role] ?? [], weightDecay: decay(role)) }
    }

    /// The state of the parameter at `path`, created on first use.
    public func state(for path: String) -> ParamState<Scalar> {
        if let s = state[path] { return s }
        let s = ParamState<Scalar>()
        state[path] = s
        return s
    }

    /// Marks an epoch done and applies the schedule.
    public func epochEnded() {
        epoch += 1
        if let schedule { lr = schedule.lr(base: baseLR, epoch: epoch) }
    }

    /// Starts the schedule over (epoch 0, the base rate): a method that works in rounds restarts its
    /// per-round schedule at each round.
    public func restartSchedule() {
        epoch = 0
        lr = baseLR
    }

    /// All state as (`<path>.<slot>`, tensor) for checkpoints, including each parameter's step
    /// count as the 0-d slot `step`.
    public func stateTensors() -> [(name: String, tensor: Tensor<Scalar>)] {
        state.keys.sorted().flatMap { path -> [(name: String, tensor: Tensor<Scalar>)] in
            guard let s = state[path] else { return [] }
            let slots = s.slots.sorted { $0.key < $1.key }.map { (name: path + "." + $0.key, tensor: $0.value) }
            return slots + [(name: path + ".step", tensor: Tensor(scalar: Scalar(s.step)))]
        }
    }

    /// Restores state saved by `stateTensors()`, replacing the current state.
    /// - Throws: `CoreError.badArgument` for a name without a slot part or a bad step count.
    public func restoreState(_ tensors: [(name: String, tensor: Tensor<Scalar>)]) throws {
        var restored: [String: ParamState<Scalar>] = [:]
        for (name, tensor) in tensors {
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else {
                throw CoreError.badArgument(op: "optimizer state", message: "\"\(name)\" is not <path>.<slot>")
            }
            let path = String(name[..<dot]), slot = String(name[name.index(after: dot)...])
            let s = restored[path] ?? ParamState<Scalar>()
            restored[path] = s
            if slot == "step" {
                let v = Double(tensor.scalars.first ?? -1)
                guard tensor.count == 1, v >= 0, v < 1e15, v == v.rounded() else {
                    throw CoreError.badArgument(op: "optimizer state", message: "bad step count in \"\(name)\"")
                }
                s.step = Int(v)
            } else {
                s.slots[slot] = tensor
            }
        }
        state = restored
    }
}

/// An optimizer: `step()` updates the parameters from their `grad`.
///
/// Most optimizers are `ElementwiseOptimizer`s: they state a per-parameter rule and inherit the
/// step. Optimizers that act on all their parameters at once (IHT's projection over one vector,
/// AvaGrad's group-wide γ, `combine`'s routing) implement `step` themselves. A method's
/// controller wrapped around an optimizer is an optimizer that is also a `TrainingHook`.
public protocol Optimizer<Scalar>: AnyObject, CustomStringConvertible {
    associatedtype Scalar: TensorScalar
    /// The shared machinery.
    var core: OptimizerCore<Scalar> { get }
    /// The script-facing name, e.g. "adam".
    var name: String { get }
    /// One update of every parameter that has a gradient (frozen ones are skipped).
    @discardableResult
    func step() throws -> StepRecord
    /// The learning rate of the next step (setting it also resets the schedule's base).
    var lr: Double { get set }
    /// Marks an epoch done (applies the schedule).
    func epochEnded()
    /// The objects whose `TrainingHook` conformance takes part in training: this optimizer, and a
    /// wrapper's or a combination's parts.
    var hookProviders: [AnyObject] { get }
}

extension Optimizer {
    public var lr: Double {
        get { core.lr }
        set { core.lr = newValue; core.baseLR = newValue }
    }

    /// What the last step did.
    public var lastStep: StepRecord? { core.lastStep }

    public func epochEnded() { core.epochEnded() }

    public var hookProviders: [AnyObject] { [self] }

    /// Records the batch loss and the hooks' reports on the last step (called by `trainStep`).
    func note(loss: Double?, hooks: [HookReport]) {
        if let loss { core.lastStep?.loss = loss }
        core.lastStep?.hooks = hooks
    }

    /// Counts a step that updated with `lr` and records it (for optimizers with their own `step`).
    public func recordStep(lr: Double, gradNorm: Double, updateNorm: Double) -> StepRecord {
        core.steps += 1
        let record = StepRecord(step: core.steps, loss: nil, lr: lr, gradNorm: gradNorm, updateNorm: updateNorm)
        core.lastStep = record
        return record
    }
}

/// A method's controller around another optimizer (`cs(adam(net))`, `imp(…)`, `recurrence(…)`):
/// it steps, rates and schedules through `inner` and takes part in training as a hook, so a
/// conforming type writes only what it adds.
public protocol OptimizerWrapper<Scalar>: Optimizer {
    /// The optimizer that does the updates.
    var inner: any Optimizer<Scalar> { get }
}

extension OptimizerWrapper {
    public var core: OptimizerCore<Scalar> { inner.core }

    @discardableResult
    public func step() throws -> StepRecord { try inner.step() }

    public var lr: Double {
        get { inner.lr }
        set { inner.lr = newValue }
    }

    public func epochEnded() { inner.epochEnded() }

    public var hookProviders: [AnyObject] { [self] + inner.hookProviders }
}

/// An optimizer given by a per-parameter rule: (parameter, gradient, state, group) → new parameter
/// and state, usually one `UpdateLanes.apply` call. Its `step` runs the rule over every group and
/// keeps entries removed by gates (and their state) at exactly zero.
public protocol ElementwiseOptimizer<Scalar>: Optimizer {
    /// Updates `value` in place from `grad`, the parameter's `state` and its group's settings, and
    /// returns what `UpdateLanes.apply` measured. Anything that can throw (a script's schedule)
    /// must run before `value` is written: the parameter is not copied first.
    func update(_ value: inout Tensor<Scalar>, grad: Tensor<Scalar>, state: ParamState<Scalar>,
                group: ParamGroup<Scalar>, lr: Double) throws -> UpdateSize
}

extension ElementwiseOptimizer {
    @discardableResult
    public func step() throws -> StepRecord { try elementwiseStep() }

    /// The per-parameter loop behind `step()`, callable by optimizers that add to it.
    public func elementwiseStep() throws -> StepRecord {
        var gradSq = 0.0, updateSq = 0.0
        let lr = core.lr
        for group in core.groups {
            for (path, param) in group.params where !param.isFrozen {
                guard let grad = param.grad else { continue }
                guard grad.shape == param.value.shape else {
                    throw CoreError.shapeMismatch(op: name, shapes: [param.value.shape, grad.shape],
                        message: "gradient of \(path) has shape \(Tensor<Float>.describe(grad.shape)), the parameter \(Tensor<Float>.describe(param.value.shape))")
                }
                let state = core.state(for: path)
                state.step += 1
                // Read before the placeholder below: the gates size their masks by the value, and
                // a mask read afterwards was skipped, so a weight pruned while its moments were
                // nonzero (IMP-C, GMP, a mask added mid-training) moved again.
                try OptimizerKernels.updateInPlace(param, grad: grad, state: state, gradSq: &gradSq, updateSq: &updateSq) { value in
                    try update(&value, grad: grad, state: state, group: group, lr: lr)
                }
            }
        }
        return recordStep(lr: lr, gradNorm: gradSq.squareRoot(), updateNorm: updateSq.squareRoot())
    }
}

/// Loops shared by optimizers: the in-place update, mask enforcement and norms.
public enum OptimizerKernels {
    /// Updates `param` with `rule`, the one way an optimizer changes a parameter. The keep-mask is
    /// read first: the gates size it by the value, which is a placeholder while `rule` runs (read
    /// afterwards it was skipped, and weights pruned while their moments were nonzero moved
    /// again). The value is kept unique so `rule` writes into its storage; a rule that throws (a
    /// script's ε schedule, before it writes) leaves the parameter as it was; removed entries and
    /// their state end at exactly zero; the gradient and update norms are accumulated.
    ///
    /// The norms come from the lanes (`UpdateSize`), with no copy of the parameter, except under
    /// a keep-mask: the mask then undoes part of what the lanes moved, so that update is measured
    /// against a copy, after the mask.
    @inline(__always)
    public static func updateInPlace<S: TensorScalar>(_ param: Param<S>, grad: Tensor<S>, state: ParamState<S>,
                                                       gradSq: inout Double, updateSq: inout Double,
                                                       _ rule: (inout Tensor<S>) throws -> UpdateSize) rethrows {
        let keep = param.keepMask
        var value = param.value
        param.value = Tensor(uncheckedShape: [], scalars: [0])
        let before = keep == nil ? nil : value
        let size: UpdateSize
        do {
            size = try rule(&value)
        } catch {
            param.value = before ?? value
            throw error
        }
        if let keep, let before {
            applyMask(keep, to: &value, state: state)
            accumulateNorms(grad: grad, before: before, after: value, gradSq: &gradSq, updateSq: &updateSq)
        } else {
            gradSq += size.gradSquares
            updateSq += size.updateSquares
        }
        param.value = value
    }

    /// value ⊙= mask, and every state slot ⊙= mask, so masked entries stay exactly zero.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public static func applyMask<S: TensorScalar>(_ mask: Tensor<S>, to value: inout Tensor<S>, state: ParamState<S>) {
        guard mask.count == value.count else { return }
        multiply(&value, by: mask)
        for key in Array(state.slots.keys) {
            guard var slot = state.slots.removeValue(forKey: key) else { continue }
            if slot.count == mask.count { multiply(&slot, by: mask) }
            state.slots[key] = slot
        }
    }

    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func multiply<S: TensorScalar>(_ a: inout Tensor<S>, by mask: Tensor<S>) {
        a.scalars.withUnsafeMutableBufferPointer { pa in
            mask.scalars.withUnsafeBufferPointer { pm in
                for i in 0..<min(pa.count, pm.count) where pm[i] == 0 { pa[i] = 0 }
            }
        }
    }

    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public static func accumulateNorms<S: TensorScalar>(grad: Tensor<S>, before: Tensor<S>, after: Tensor<S>,
                                                  gradSq: inout Double, updateSq: inout Double) {
        var g = 0.0, u = 0.0
        grad.scalars.withUnsafeBufferPointer { pg in
            guard let base = pg.baseAddress else { return }
            g = squaredDistance(base, nil, pg.count)
        }
        before.scalars.withUnsafeBufferPointer { pb in
            after.scalars.withUnsafeBufferPointer { pa in
                guard let a = pa.baseAddress, let b = pb.baseAddress else { return }
                u = squaredDistance(a, b, min(pa.count, pb.count))
            }
        }
        gradSq += g
        updateSq += u
    }

    /// Σ (a[i] − b[i])² (b nil: Σ a[i]²): eight lanes of Float sums over blocks of 1,024, each block
    /// added in Double. (One running Double sum is a chain of dependent adds, and it was the
    /// larger part of an Adam step.)
    @inline(__always)
    static func squaredDistance<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>?, _ count: Int) -> Double {
        var total = 0.0
        var start = 0
        while start < count {
            let end = Swift.min(count, start &+ 1024)
            var acc = SIMD8<S>()
            var i = start
            while i &+ 8 <= end {
                var d = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<S>.self)
                if let b { d -= UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<S>.self) }
                acc += d * d
                i &+= 8
            }
            var block = acc.sum().doubleValue
            while i < end { let d = (a[i] - (b?[i] ?? 0)).doubleValue; block += d * d; i &+= 1 }
            total += block
            start = end
        }
        return total
    }
}

/// An optimizer with figures of its own beyond `lr` and `last_step`, read as fields in scripts
/// (`opt.support` of IHT, `opt.zeros` of RVSM), so a method adds fields without the language's
/// optimizer type knowing it.
public protocol OptimizerFields: AnyObject {
    /// The field names, for completion and "did you mean".
    var fieldNames: [String] { get }
    /// The field's current value; nil when there is no such field.
    func field(_ name: String) -> ReportValue?
}
