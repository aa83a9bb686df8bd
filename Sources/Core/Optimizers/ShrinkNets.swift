// shrink(opt): the ShrinkNets controller around any optimizer — the L1 pull on the switches, λ₂‖W‖ₚᵖ, kill rules, garbage collection.

/// The settings of a ShrinkNets run, with the spec's defaults (§4.1, §4.6).
public struct ShrinkSettings: Sendable {
    /// λ of λ‖g(θ)‖₁ over every switch: it sets how many units survive (range 1e-4 … 1e-1).
    public var lambda = 1e-3
    /// λ₂ of λ₂·Σ‖W‖ₚᵖ over the non-switch weights; must be > 0 (Prop. A.3: without it θ → 0 while W → ∞).
    public var lambda2 = 1e-5
    /// p ∈ {1, 2}: 2 is weight decay, 1 adds weight sparsity.
    public var p = 2
    public var rule = KillRule.signVariance
    public var kill = KillSettings()
    /// Collect dead units every this many epochs of `fit` (0: only when `collect` is called).
    public var collectEvery = 1
    /// Units every switch keeps, however dead the rest.
    public var minUnits = 1

    public init() {}
}

/// One unit killed: the kill log's line.
public struct KillRecord: Sendable, Equatable {
    public var step: Int
    /// The switch's path and the unit's index when the switch was made.
    public var layer: String
    public var unit: Int
    public var rule: KillRule
    /// θ when it was killed.
    public var theta: Double
}

/// ShrinkNets around an optimizer: `shrink(adam(net), lambda: 1e-3, lambda2: 1e-5)` (seed 004's
/// draft, completed in the spec's §4). It steps like the optimizer it wraps and takes part in
/// training as a hook: λ‖g(θ)‖₁ + λ₂Σ‖W‖ₚᵖ joins the loss; after each step the kill rule looks at
/// every switch's θ and kills units (θ = 0, masked, so no optimizer moves them again), always
/// leaving `minUnits` per switch; at the end of every `collectEvery` epochs the dead units are
/// sliced out of the net and the optimizer state (`collectDeadUnits`), so the next epoch is
/// cheaper. It logs every kill and every collection, and the cost proxy Σ live inputs per epoch.
public final class ShrinkNets<Scalar: TensorScalar>: OptimizerWrapper, TrainingHook {
    public let inner: any Optimizer<Scalar>
    public let net: any Layer<Scalar>
    public let settings: ShrinkSettings
    public private(set) var kills: [KillRecord] = []
    public private(set) var collections: [CollectionRecord] = []
    /// Σ over Dense/Conv2D layers of their live inputs, at the end of each epoch.
    public private(set) var cost: [Int] = []
    /// The last terms added: λ‖g(θ)‖₁ and λ₂Σ‖W‖ₚᵖ.
    public private(set) var lastSwitchPenalty = 0.0
    public private(set) var lastWeightPenalty = 0.0
    private var stepsSeen = 0

    /// - Throws: `CoreError.badArgument` for bad settings, an optimizer not made from a net, a net
    ///   without switches or with a switch collection could not handle (when collecting), an
    ///   optimizer that does not update the switches, or one whose state cannot be cut.
    public init(_ inner: any Optimizer<Scalar>, settings: ShrinkSettings) throws {
        let net = try inner.controlledNetwork(op: "shrink", example: "shrink(adam(net))")
        for (name, v) in [("lambda", settings.lambda), ("lambda2", settings.lambda2)] where !(v.isFinite && v >= 0) {
            throw CoreError.badArgument(op: "shrink", message: "\(name) must be a finite number >= 0, got \(v)")
        }
        guard settings.p == 1 || settings.p == 2 else {
            throw CoreError.badArgument(op: "shrink", message: "p must be 1 or 2, got \(settings.p)")
        }
        let k = settings.kill
        guard k.gamma.isFinite, k.gamma >= 0, k.gamma <= 1 else {
            throw CoreError.badArgument(op: "shrink", message: "gamma must be in [0, 1] (the sign variance 1 − m² is), got \(k.gamma)")
        }
        guard k.mu.isFinite, k.mu >= 0, k.mu < 1 else { throw CoreError.badArgument(op: "shrink", message: "mu must be in [0, 1), got \(k.mu)") }
        guard k.threshold.isFinite, k.threshold >= 0 else {
            throw CoreError.badArgument(op: "shrink", message: "threshold must be a finite number >= 0, got \(k.threshold)")
        }
        guard k.warmup >= 0 else { throw CoreError.badArgument(op: "shrink", message: "warmup must be >= 0 steps, got \(k.warmup)") }
        guard settings.collectEvery >= 0 else {
            throw CoreError.badArgument(op: "shrink", message: "collect_every must be >= 0 epochs (0: only by collect), got \(settings.collectEvery)")
        }
        guard settings.minUnits >= 1 else { throw CoreError.badArgument(op: "shrink", message: "min_units must be at least 1, got \(settings.minUnits)") }
        let switches = shrinkSwitches(net)
        guard !switches.isEmpty else {
            throw CoreError.badArgument(op: "shrink", message: "the net has no switches; put switch(units) after its hidden Dense or Conv2D layers")
        }
        guard inner.updatesAny(of: switches.map(\.layer.theta)) else {
            throw CoreError.badArgument(op: "shrink", message: "\(inner.name) does not update the switches (role switch); leave out `only:` or include \"switch\"")
        }
        if settings.collectEvery > 0 {
            _ = try switchSites(net, op: "shrink")
            if let flat = inner.optimizersTakingPart.first(where: { $0 is KeepsFlatIndexState }) {
                throw CoreError.badArgument(op: "shrink", message: "\(flat.name) keeps its state over the flat vector of all parameters, so units cannot be collected under it; give collect_every: 0")
            }
        }
        self.inner = inner
        self.net = net
        self.settings = settings
    }

    public var name: String { "shrink" }
    public var hookName: String { "shrink" }

    /// The switches this controller drives, by path.
    public var switches: [(path: String, layer: Switch<Scalar>)] { shrinkSwitches(net) }

    // MARK: - Hooks

    /// λ‖g(θ)‖₁ (left out under the prox rule, which applies it as a proximal step) + λ₂Σ‖W‖ₚᵖ over
    /// the parameters of role `weight`.
    @_specialize(where Scalar == Float)
    public func penalty(on tape: Tape<Scalar>, context: HookContext<Scalar>) throws -> Variable<Scalar>? {
        var total: Variable<Scalar>?
        func add(_ v: Variable<Scalar>) throws { total = try total.map { try $0.adding(v) } ?? v }
        lastSwitchPenalty = 0
        if settings.lambda > 0 {
            var sum: Variable<Scalar>?
            for (_, sw) in switches {
                let t = tape.variable(for: sw.theta)
                let term = try (sw.gate == .relu ? t.relu() : t.abs()).sum()
                sum = try sum.map { try $0.adding(term) } ?? term
            }
            if let sum {
                let p = sum.scaled(by: Scalar(settings.lambda))
                lastSwitchPenalty = Double(p.value.scalars[0])
                if settings.rule != .prox { try add(p) }
            }
        }
        lastWeightPenalty = 0
        if settings.lambda2 > 0 {
            var sum: Variable<Scalar>?
            for (_, p) in context.net.namedParams where p.role == .weight && !p.isFrozen {
                let w = tape.variable(for: p)
                let term = try w.powerSum(settings.p)
                sum = try sum.map { try $0.adding(term) } ?? term
            }
            if let sum {
                let p = sum.scaled(by: Scalar(settings.lambda2))
                lastWeightPenalty = Double(p.value.scalars[0])
                try add(p)
            }
        }
        return total
    }

    @_specialize(where Scalar == Float)
    public func afterUpdate(_ context: HookContext<Scalar>) throws -> Report {
        stepsSeen += 1
        let killed = applyKillRule(step: context.step)
        return Report([("switch_penalty", .number(lastSwitchPenalty)), ("weight_penalty", .number(lastWeightPenalty)),
                       ("killed", .int(killed)), ("alive", .int(alive.alive))])
    }

    /// After a step: the prox step (prox rule), the sign statistics, the kills (past the warm-up),
    /// at least `minUnits` left per switch. Returns the number of units killed.
    @_specialize(where Scalar == Float)
    func applyKillRule(step: Int) -> Int {
        let armed = stepsSeen > settings.kill.warmup
        let tau = inner.lr * settings.lambda
        var count = 0
        for (path, sw) in switches {
            let keep = sw.killMask?.mask.value.scalars ?? []
            var candidates: [Int] = []
            let beforeProx = sw.theta.value.scalars
            for c in 0..<sw.units where keep.isEmpty || keep[c] != 0 {
                if settings.rule == .prox {
                    sw.theta.value.scalars[c] = Scalar(KillRule.prox(Double(sw.theta.value.scalars[c]), tau: tau, gate: sw.gate))
                }
                let t = Double(sw.theta.value.scalars[c])
                let factor = sw.gate == .relu ? Swift.max(t, 0) : t
                let decided = settings.rule.observe(theta: t, factor: factor, mean: &sw.signMean[c], lastSign: &sw.lastSign[c],
                                                    settings: settings.kill)
                // A unit whose factor is exactly 0 is dead whatever the rule (a relu gate at θ ≤ 0).
                if factor == 0 || (armed && decided) { candidates.append(c) }
            }
            let living = keep.isEmpty ? sw.units : keep.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            let spare = Swift.max(0, settings.minUnits - (living - candidates.count))
            if spare > 0 {
                // The largest factors are spared, so a switch never loses its last units.
                let f = sw.factors
                let g = sw.gate
                let strength = { (c: Int) in Swift.abs(Double(f[c])) + (g == .relu ? Swift.max(Double(beforeProx[c]), 0) : Swift.abs(Double(beforeProx[c]))) }
                candidates.sort { strength($0) > strength($1) }
                // A spared unit the proximal step just zeroed gets its θ back, so it stays alive.
                for c in candidates.prefix(spare) where settings.rule == .prox { sw.theta.value.scalars[c] = beforeProx[c] }
                candidates.removeFirst(Swift.min(spare, candidates.count))
            }
            for c in candidates.sorted() {
                kills.append(KillRecord(step: step, layer: path, unit: sw.originalIndex[c], rule: settings.rule,
                                        theta: Double(sw.theta.value.scalars[c])))
                sw.kill(c)
                count += 1
            }
        }
        return count
    }

    public func epochEnded(_ context: HookContext<Scalar>) throws -> Report {
        cost.append(liveInputs(net))
        var report = Report([("alive", .int(alive.alive)), ("initial", .int(alive.initial)), ("cost", .int(cost.last ?? 0))])
        if settings.collectEvery > 0, context.epoch > 0, context.epoch % settings.collectEvery == 0 {
            let r = try collect()
            report["removed"] = .int(r.removed)
            report["params"] = .int(r.paramsAfter)
        }
        report["widths"] = .list(switches.map { .int($0.layer.units) })
        return report
    }

    /// Collects now (`collect(net, opt)`), logging what it did.
    /// - Throws: as `collectDeadUnits`.
    @discardableResult
    public func collect() throws -> CollectionRecord {
        let r = try collectDeadUnits(net, optimizer: self)
        collections.append(r)
        return r
    }

    // MARK: - Queries

    /// Alive and initial units over every switch.
    public var alive: (alive: Int, initial: Int) {
        switches.reduce((0, 0)) { ($0.0 + $1.layer.alive, $0.1 + $1.layer.initialUnits) }
    }

    public var description: String {
        "shrink(\(inner.description), lambda: \(settings.lambda), lambda2: \(settings.lambda2), p: \(settings.p), kill: \(settings.rule.rawValue))"
    }
}

/// Every switch of `net` by path, each once.
public func shrinkSwitches<S: TensorScalar>(_ net: any Layer<S>) -> [(path: String, layer: Switch<S>)] {
    var seen = Set<ObjectIdentifier>()
    return net.namedLayers.compactMap { entry in
        guard let s = entry.layer as? Switch<S>, seen.insert(ObjectIdentifier(s)).inserted else { return nil }
        return (entry.path, s)
    }
}

/// The training cost proxy of the draft: Σ over the Dense and Conv2D layers of their inputs that
/// come from live units (an input fed by a dead, not yet collected unit does not count).
public func liveInputs<S: TensorScalar>(_ net: any Layer<S>) -> Int {
    var total = 0
    var deadInputs: [ObjectIdentifier: Int] = [:]
    if let sites = try? switchSites(net, op: "cost", needsConsumer: false) {
        for site in sites {
            guard let k = site.consumer else { continue }
            let consumer = site.container.layers[k]
            let sw = site.theSwitch
            let dead = sw.units - sw.alive
            let block = (consumer as? Dense<S>).map { site.flattens ? $0.inputs / Swift.max(sw.units, 1) : 1 } ?? 1
            deadInputs[ObjectIdentifier(consumer), default: 0] += dead * block
        }
    }
    for (_, layer) in gatedLayers(net) {
        let inputs = (layer as? Dense<S>)?.inputs ?? (layer as? Conv2D<S>)?.inChannels ?? 0
        total += inputs - (deadInputs[ObjectIdentifier(layer)] ?? 0)
    }
    return total
}
