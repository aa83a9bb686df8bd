// cs(opt): the continuous-sparsification controller around any optimizer — penalty, β anneal, round resets, tickets.

/// When β grows: after every step (the thesis' Algorithm 1) or once per epoch (the reference code).
public enum BetaSchedule: String, Sendable, CaseIterable {
    case step
    case epoch
}

/// The settings of a CS run, with the thesis' defaults.
public struct CSSettings: Sendable {
    /// λ of the penalty λΣσ(βs), summed over every gate of every layer (1e-8 in the thesis).
    public var lambda = 1e-8
    /// β at the end of a round (200 in the thesis; 150–200 recommended).
    public var betaFinal = 200.0
    /// Epochs of `fit` per round (T in epochs), or nil when `roundSteps` is given.
    public var roundEpochs: Int?
    /// Steps per round (T in iterations); takes precedence over `roundEpochs`.
    public var roundSteps: Int?
    /// k: the epoch of round 1 whose weights a ticket rewinds to (0: the initial weights).
    public var rewindEpoch = 0
    public var schedule = BetaSchedule.step
    /// True: the round reset multiplies by the old β (the thesis); false: s ← min(s, s_init) (the
    /// reference code, which sets β ← 1 first).
    public var resetUsesFinalBeta = true
    /// Drop the logits' optimizer state at a round reset (it refers to the old scale).
    public var resetsMomentum = true

    public init() {}
}

/// Continuous sparsification around an optimizer: `cs(adam(net), lambda: 1e-8, beta_final: 200,
/// round_epochs: 5)` (Savarese, Silva & Maire, NeurIPS 2020; the thesis' Algorithms 1 and 2).
///
/// It steps like the optimizer it wraps (same rate, state and step count) and takes part in
/// training as a hook: the penalty λ·Σ c·σ(βs) over the net's CS gates joins the loss;
/// after each step β = β_final^{t/T} in closed form (t the step of the round, T its length), or
/// once per epoch with the `epoch` schedule (β_final^{e/(E−1)}); the weights and BatchNorm
/// statistics at the end of epoch k of round 1 are kept for the ticket; `next_round` resets the
/// logits s ← min(β·s, s_init), sets β ← 1, drops the logits' momentum and restarts the rate schedule.
public final class ContinuousSparsification<Scalar: TensorScalar>: OptimizerWrapper, TrainingHook {
    public let inner: any Optimizer<Scalar>
    public let net: any Layer<Scalar>
    public var settings: CSSettings
    /// The round in progress (1 for the first).
    public private(set) var round = 1
    /// Steps and epochs done in this round.
    public private(set) var stepInRound = 0
    public private(set) var epochInRound = 0
    /// The current β (1 at the start of every round).
    public private(set) var beta = 1.0
    /// Epochs of the rounds before this one, and steps of every round (the cost of the search).
    public private(set) var epochsSpent = 0
    /// The last penalty added, λ·Σ c·σ(βs).
    public private(set) var lastPenalty: Double?
    public let rewindPoint: RewindPoint<Scalar>
    private var batchesPerEpoch: Int?

    /// - Throws: `CoreError.badArgument` for bad settings, an optimizer not made from a net, a net
    ///   without CS gates, or an optimizer that does not update the gates' logits.
    public init(_ inner: any Optimizer<Scalar>, settings: CSSettings) throws {
        let net = try inner.controlledNetwork(op: "cs", example: "cs(adam(net))")
        guard settings.lambda.isFinite, settings.lambda >= 0 else {
            throw CoreError.badArgument(op: "cs", message: "lambda must be a finite number >= 0, got \(settings.lambda)")
        }
        guard settings.betaFinal.isFinite, settings.betaFinal >= 1 else {
            throw CoreError.badArgument(op: "cs", message: "beta_final must be a finite number >= 1, got \(settings.betaFinal)")
        }
        guard settings.roundEpochs != nil || settings.roundSteps != nil else {
            throw CoreError.badArgument(op: "cs", message: "give the round's length: round_epochs: (epochs of fit) or round_steps: (steps)")
        }
        if let e = settings.roundEpochs, e < 1 { throw CoreError.badArgument(op: "cs", message: "round_epochs must be at least 1, got \(e)") }
        if let s = settings.roundSteps, s < 1 { throw CoreError.badArgument(op: "cs", message: "round_steps must be at least 1, got \(s)") }
        if settings.schedule == .epoch, (settings.roundEpochs ?? 0) < 2 {
            throw CoreError.badArgument(op: "cs", message: "schedule \"epoch\" needs round_epochs: of at least 2 (β_final^(e/(E−1)))")
        }
        let gates = csGates(net)
        guard !gates.isEmpty else {
            throw CoreError.badArgument(op: "cs", message: "the net has no cs gates; add them first with masked(net, gate: \"cs\", s_init: 0)")
        }
        guard inner.updatesAny(of: gates.map(\.gate.logits)) else {
            throw CoreError.badArgument(op: "cs", message: "\(inner.name) does not update the mask logits (role mask_logit); leave out `only:` or include \"mask_logit\"")
        }
        self.inner = inner
        self.net = net
        self.settings = settings
        rewindPoint = try RewindPoint(epoch: settings.rewindEpoch, net: net, op: "cs")
        setBeta(1)
    }

    public var name: String { "cs" }
    public var hookName: String { "cs" }




    /// The gates this controller drives.
    public var gates: [(path: String, weight: Param<Scalar>, gate: CSGate<Scalar>)] { csGates(net) }

    private func setBeta(_ b: Double) {
        beta = b
        for g in gates { g.gate.beta = b }
    }

    /// β_final^{t/T}, t clamped to T.
    public static func beta(final: Double, step: Int, of total: Int) -> Double {
        guard total > 0 else { return final }
        return Double.pow(final, Double(Swift.min(step, total)) / Double(total))
    }

    /// T in steps: `round_steps`, or `round_epochs` × the batches of an epoch of `fit`.
    private func roundLength() throws -> Int {
        if let s = settings.roundSteps { return s }
        guard let e = settings.roundEpochs, let b = batchesPerEpoch else {
            throw CoreError.badArgument(op: "cs",
                message: "round_epochs counts epochs of fit, and this step is not in one; train with fit, or give cs(…, round_steps: n) to step by hand")
        }
        return e * b
    }

    // MARK: - Hooks

    public func penalty(on tape: Tape<Scalar>, context: HookContext<Scalar>) throws -> Variable<Scalar>? {
        if let b = context.batchesPerEpoch { batchesPerEpoch = b }
        guard settings.lambda > 0 else { lastPenalty = 0; return nil }
        var total: Variable<Scalar>?
        for g in gates where g.gate.mode == .soft {
            let term = try g.gate.penaltySum(on: tape)
            total = try total.map { try $0.adding(term) } ?? term
        }
        let p = total.map { $0.scaled(by: Scalar(settings.lambda)) }
        lastPenalty = p.map { Double($0.value.scalars[0]) }
        return p
    }

    public func afterUpdate(_ context: HookContext<Scalar>) throws -> Report {
        if let b = context.batchesPerEpoch { batchesPerEpoch = b }
        stepInRound += 1
        if settings.schedule == .step {
            setBeta(Self.beta(final: settings.betaFinal, step: stepInRound, of: try roundLength()))
        }
        return Report([("beta", .number(beta)), ("round", .int(round))])
    }

    public func epochEnded(_ context: HookContext<Scalar>) throws -> Report {
        if let b = context.batchesPerEpoch { batchesPerEpoch = b }
        epochInRound += 1
        epochsSpent += 1
        if settings.schedule == .epoch, let e = settings.roundEpochs {
            setBeta(Self.beta(final: settings.betaFinal, step: epochInRound, of: e - 1))
        }
        let saved = rewindPoint.epochEnded(round: round, epochInRound: epochInRound, net: net)
        let (kept, total) = counts
        return Report([("round", .int(round)), ("epoch", .int(epochInRound)), ("beta", .number(beta)),
                       ("density", .number(total == 0 ? 0 : Double(kept) / Double(total))),
                       ("soft_density", .number(softDensity)), ("rewind_saved", .bool(saved))])
    }

    public func roundEnded(_ context: HookContext<Scalar>) throws -> Report {
        let used = settings.resetUsesFinalBeta ? beta : 1
        var paths: Set<String> = []
        for g in gates {
            g.gate.logits.value = CSGate.roundReset(g.gate.logits.value, beta: used, sInit: g.gate.sInit)
            paths.insert(g.gate.logits.path)
        }
        if settings.resetsMomentum { inner.resetState(paths: paths) }
        inner.restartSchedules()
        let ended = round
        round += 1
        stepInRound = 0
        epochInRound = 0
        setBeta(1)
        let (kept, total) = counts
        return Report([("round", .int(round)), ("ended", .int(ended)), ("reset_beta", .number(used)),
                       ("kept", .int(kept)), ("density", .number(total == 0 ? 0 : Double(kept) / Double(total)))])
    }

    // MARK: - Queries

    /// Weights kept by H(s) and all gated weights.
    public var counts: (kept: Int, total: Int) {
        gates.reduce((0, 0)) { ($0.0 + $1.gate.kept, $0.1 + $1.weight.count) }
    }

    /// The mean gate c·σ(βs) over all gated weights.
    public var softDensity: Double {
        let stats = gates.map { GateStatistics($0.gate) }
        let n = stats.reduce(0) { $0 + $1.weights }
        return n == 0 ? 0 : stats.reduce(0.0) { $0 + $1.softDensity * Double($1.weights) } / Double(n)
    }

    /// The ticket: H(s) of every gate and the weights at the rewind point.
    /// - Throws: `CoreError.badArgument` before the rewind epoch was reached.
    public func ticket() throws -> Ticket<Scalar> {
        let weights = try rewindPoint.saved(op: "ticket")
        _ = net.namedParams
        return Ticket(masks: gates.map { ($0.weight.path, $0.gate.binaryMask) }, weights: weights, method: "cs",
                      round: round, rewindEpoch: rewindPoint.epoch)
    }

    public var description: String {
        let length = settings.roundSteps.map { "round_steps: \($0)" } ?? "round_epochs: \(settings.roundEpochs ?? 0)"
        return "cs(\(inner.description), lambda: \(settings.lambda), beta_final: \(settings.betaFinal), \(length), rewind: \(settings.rewindEpoch))"
    }
}
