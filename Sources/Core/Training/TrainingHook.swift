// The open training step: hooks that add penalties, act after updates, epochs and rounds, and report what they did.

/// A value a hook reports: numbers, counts, text, flags, lists and nested reports. The language
/// shows it as the matching value (`opt.last_step.hooks.cs.beta`).
public indirect enum ReportValue: Equatable, Sendable {
    case number(Double)
    case int(Int)
    case text(String)
    case bool(Bool)
    case list([ReportValue])
    case report(Report)
}

/// What a hook did in one call, as named values in order, e.g. [("penalty", 0.12), ("beta", 4.5)].
public struct Report: Equatable, Sendable {
    public var entries: [(name: String, value: ReportValue)]

    public init(_ entries: [(name: String, value: ReportValue)] = []) { self.entries = entries }

    /// The entry `name`, if present.
    public subscript(name: String) -> ReportValue? {
        get { entries.first { $0.name == name }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.name == name }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((name, newValue))
            }
        }
    }

    /// Entries of `other` added after these (an existing name is replaced).
    public func merging(_ other: Report) -> Report {
        var out = self
        for (k, v) in other.entries { out[k] = v }
        return out
    }

    public var isEmpty: Bool { entries.isEmpty }

    public static func == (a: Report, b: Report) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Where in training a hook is called, and what it may look at.
public struct HookContext<Scalar: TensorScalar> {
    /// The network being trained.
    public var net: any Layer<Scalar>
    /// The optimizer's step count after this step's update (before it, in `penalty`).
    public var step: Int
    /// The epoch of `fit` (1 for the first), or 0 outside `fit`.
    public var epoch: Int
    /// The batch within the epoch (1 for the first), or 0 outside `fit`.
    public var batch: Int
    /// Batches per epoch of the running `fit`; nil outside `fit`.
    public var batchesPerEpoch: Int?
    /// The data loss of this step (without penalties), once known.
    public var loss: Double?

    public init(net: any Layer<Scalar>, step: Int, epoch: Int = 0, batch: Int = 0,
                batchesPerEpoch: Int? = nil, loss: Double? = nil) {
        self.net = net
        self.step = step
        self.epoch = epoch
        self.batch = batch
        self.batchesPerEpoch = batchesPerEpoch
        self.loss = loss
    }
}

/// Something that takes part in training without `fit` or `step` knowing what it is: a gate, a
/// layer or an optimizer (a method's controller) conforming to this protocol is found by
/// `trainingHooks(net:optimizer:)` and called at every step, epoch and round.
///
/// - `penalty` adds a term to the loss on the step's own tape (CS's λΣσ(βs), SMOL's bit penalty),
///   so its gradient flows with the data loss';
/// - `afterUpdate` acts after each optimizer update (a projection, a u-update, an anneal, a kill rule);
/// - `epochEnded` and `roundEnded` act at the end of an epoch of `fit` and of a round
///   (`next_round`).
/// Each returns what it did as a `Report`; `opt.last_step` and `run.history` carry the reports under
/// `hookName`. Every method has a default that does nothing.
public protocol TrainingHook<Scalar>: AnyTrainingHook {
    associatedtype Scalar: TensorScalar
    /// The key of this hook's reports, e.g. "cs", "shrink"; unique among the hooks of one step.
    var hookName: String { get }
    /// A term to add to the loss, recorded on `tape`; nil for none.
    func penalty(on tape: Tape<Scalar>, context: HookContext<Scalar>) throws -> Variable<Scalar>?
    /// Called after each optimizer update.
    func afterUpdate(_ context: HookContext<Scalar>) throws -> Report
    /// Called at the end of each epoch of `fit`, after the optimizer's schedule.
    func epochEnded(_ context: HookContext<Scalar>) throws -> Report
    /// Called by `endRound` (`next_round` in scripts).
    func roundEnded(_ context: HookContext<Scalar>) throws -> Report
}

extension TrainingHook {
    public func penalty(on tape: Tape<Scalar>, context: HookContext<Scalar>) throws -> Variable<Scalar>? { nil }
    public func afterUpdate(_ context: HookContext<Scalar>) throws -> Report { Report() }
    public func epochEnded(_ context: HookContext<Scalar>) throws -> Report { Report() }
    public func roundEnded(_ context: HookContext<Scalar>) throws -> Report { Report() }
}

/// What every training hook also is: `trainingHooks` rules out the layers and gates that are not
/// hooks with this plain conformance check first, since a cast to the parameterised
/// `any TrainingHook<S>` costs about a microsecond each and a step looks at every layer and gate.
public protocol AnyTrainingHook: AnyObject {}

/// Every hook of a training step, each once, in a fixed order: the net's layers (depth first), the
/// gates on their parameters, then the optimizer's (and its parts').
@_specialize(where S == Float)
public func trainingHooks<S: TensorScalar>(net: (any Layer<S>)?, optimizer: (any Optimizer<S>)?) -> [any TrainingHook<S>] {
    var out: [any TrainingHook<S>] = []
    var seen = Set<ObjectIdentifier>()
    func add(_ candidate: AnyObject) {
        guard candidate is any AnyTrainingHook, let hook = candidate as? any TrainingHook<S>,
              seen.insert(ObjectIdentifier(candidate)).inserted else { return }
        out.append(hook)
    }
    if let net {
        for (_, layer) in net.namedLayers {
            add(layer)
            for (_, p) in layer.localParams { for g in p.gates { add(g) } }
        }
    }
    if let optimizer { for o in optimizer.hookProviders { add(o) } }
    return out
}

/// The hooks of the last step of one optimizer core, for the net and optimizer they were found
/// for: found again when `StructureRevision` moved (a layer or gate added), or the step is for
/// another net or another optimizer on the same core (a wrapper and its inner optimizer).
///
/// Finding them walks the tree and casts every candidate to `any TrainingHook<S>`, which was a
/// fifth of a small net's step. Everything is held weakly: the optimizer is usually one of its own
/// hooks, and the cache lives in its core.
final class TrainingHookCache<S: TensorScalar> {
    private struct WeakHook {
        weak var hook: (any TrainingHook<S>)?
    }

    private var revision: UInt64?
    private weak var net: AnyObject?
    private weak var optimizer: AnyObject?
    private var hooks: [WeakHook] = []

    /// `trainingHooks(net:optimizer:)`, from the cache while nothing changed.
    func hooks(net: any Layer<S>, optimizer: any Optimizer<S>) -> [any TrainingHook<S>] {
        let now = StructureRevision.current
        if revision == now, self.net === net, self.optimizer === optimizer {
            var out: [any TrainingHook<S>] = []
            out.reserveCapacity(hooks.count)
            for h in hooks {
                guard let hook = h.hook else { break }
                out.append(hook)
            }
            if out.count == hooks.count {
                assert(out.map { ObjectIdentifier($0) } == trainingHooks(net: net, optimizer: optimizer).map { ObjectIdentifier($0) },
                       "the layer tree changed without advancing StructureRevision")
                return out
            }
        }
        let found = trainingHooks(net: net, optimizer: optimizer)
        revision = now
        self.net = net
        self.optimizer = optimizer
        hooks = found.map { WeakHook(hook: $0) }
        return found
    }
}

/// Calls `body` on every hook and collects the non-empty reports under their hook names.
func collectReports<S: TensorScalar>(_ hooks: [any TrainingHook<S>],
                                     _ body: (any TrainingHook<S>) throws -> Report) throws -> [HookReport] {
    var out: [HookReport] = []
    for h in hooks {
        let r = try body(h)
        if !r.isEmpty { out.append(HookReport(hook: h.hookName, report: r)) }
    }
    return out
}

/// Ends a round (`next_round(opt)`): calls every hook's `roundEnded` and returns their reports.
/// - Throws: whatever a hook throws.
@discardableResult
public func endRound<S: TensorScalar>(net: any Layer<S>, optimizer: any Optimizer<S>) throws -> [HookReport] {
    let context = HookContext(net: net, step: optimizer.core.steps)
    return try collectReports(trainingHooks(net: net, optimizer: optimizer)) { try $0.roundEnded(context) }
}
