// imp(opt): iterative magnitude pruning with rewinding (and IMP-C without), the lottery-ticket baseline, around any optimizer.

/// Iterative magnitude pruning around an optimizer (Frankle & Carbin, "The Lottery Ticket
/// Hypothesis", ICLR 2019; with rewinding to an early epoch, Frankle et al. 2020; the thesis'
/// Algorithm 3).
///
/// It puts a hard mask on the chosen Dense / Conv2D layers and steps like the optimizer it wraps.
/// `next_round` prunes the fraction `rate` of the weights still kept, smallest |w| first (over
/// all layers with the `global` scope, per layer with `layer` or `rates`; ties broken by position,
/// as `prune` does), then rewinds the survivors — every tensor the layers own, BatchNorm
/// statistics included — to the end of epoch k of round 1, dropping the optimizer state and
/// restarting its schedule. With `continues` (IMP-C) it keeps training the trained weights instead.
/// After r rounds (1 − rate)^r of the weights remain.
public final class IterativeMagnitudePruning<Scalar: TensorScalar>: OptimizerWrapper, TrainingHook {
    public let inner: any Optimizer<Scalar>
    public let net: any Layer<Scalar>
    /// The fraction of the kept weights each round removes, in [0, 1).
    public let rate: Double
    public let scope: PruningScope
    /// Per-layer rates by layer path (they replace `rate` and `scope`).
    public let rates: [(path: String, rate: Double)]?
    /// The layers pruned, by path (nil: every Dense and Conv2D layer).
    public let only: [String]?
    /// True for IMP-C: no rewinding between rounds.
    public let continues: Bool
    public let rewindPoint: RewindPoint<Scalar>
    public private(set) var round = 1
    public private(set) var epochInRound = 0
    public private(set) var epochsSpent = 0

    /// - Throws: `CoreError.badArgument` for a rate outside [0, 1), a bad layer path, a negative
    ///   rewind epoch or an optimizer not made from a net.
    public init(_ inner: any Optimizer<Scalar>, rate: Double = 0.2, scope: PruningScope = .global,
                rates: [(path: String, rate: Double)]? = nil, only: [String]? = nil, rewindEpoch: Int = 0,
                continues: Bool = false) throws {
        let net = try inner.controlledNetwork(op: "imp", example: "imp(sgd(net))")
        for r in [rate] + (rates ?? []).map(\.rate) where !(r >= 0 && r < 1) {
            throw CoreError.badArgument(op: "imp", message: "a pruning rate must be in [0, 1) (the fraction of the kept weights each round removes), got \(r)")
        }
        let layers = only ?? rates?.map(\.path)
        try addMasks(to: net, only: layers, op: "imp")
        self.inner = inner
        self.net = net
        self.rate = rate
        self.scope = scope
        self.rates = rates
        self.only = layers
        self.continues = continues
        rewindPoint = try RewindPoint(epoch: rewindEpoch, net: net, op: "imp")
    }

    public var name: String { continues ? "imp-c" : "imp" }
    public var hookName: String { "imp" }




    /// The hard masks this controller prunes, with their weights.
    public var masks: [(path: String, weight: Param<Scalar>, mask: HardMask<Scalar>)] { hardMasks(of: net, only: only) }

    /// Weights kept and all masked weights.
    public var counts: (kept: Int, total: Int) { keptCounts(masks) }

    public func epochEnded(_ context: HookContext<Scalar>) throws -> Report {
        epochInRound += 1
        epochsSpent += 1
        let saved = rewindPoint.epochEnded(round: round, epochInRound: epochInRound, net: net)
        return Report([("round", .int(round)), ("epoch", .int(epochInRound)), ("rewind_saved", .bool(saved))])
    }

    public func roundEnded(_ context: HookContext<Scalar>) throws -> Report {
        // Check the rewind point first, so a failing round changes nothing.
        let snapshot = continues ? nil : try rewindPoint.saved(op: "next_round")
        var removed = 0
        if let rates {
            for (path, r) in rates { removed += try prune(net, amount: r, scope: .layer, only: [path]).removed }
        } else {
            removed = try prune(net, amount: rate, scope: scope, only: only).removed
        }
        if let snapshot {
            try snapshot.restore(into: net, op: "next_round")
            inner.resetState()
        }
        inner.restartSchedules()
        let ended = round
        round += 1
        epochInRound = 0
        let (kept, total) = counts
        return Report([("round", .int(round)), ("ended", .int(ended)), ("removed", .int(removed)), ("kept", .int(kept)),
                       ("remaining", .number(total == 0 ? 0 : Double(kept) / Double(total))), ("rewound", .bool(snapshot != nil))])
    }

    /// The ticket: the current masks and the weights at the rewind point.
    /// - Throws: `CoreError.badArgument` before the rewind epoch was reached.
    public func ticket() throws -> Ticket<Scalar> {
        let weights = try rewindPoint.saved(op: "ticket")
        _ = net.namedParams
        return Ticket(masks: masks.map { ($0.weight.path, $0.mask.mask.value) }, weights: weights, method: name,
                      round: round, rewindEpoch: rewindPoint.epoch)
    }

    public var description: String {
        let how = rates.map { "rates: {" + $0.map { "\($0.path): \($0.rate)" }.joined(separator: ", ") + "}" }
            ?? "rate: \(rate), scope: \"\(scope.rawValue)\""
        return "imp(\(inner.description), \(how), rewind: \(rewindPoint.epoch), continued: \(continues))"
    }
}
