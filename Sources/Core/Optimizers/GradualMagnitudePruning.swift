// gmp(opt): gradual magnitude pruning on a cubic schedule (Zhu & Gupta 2017), around any optimizer, on the hard-mask machinery of imp.
import Foundation

/// Gradual magnitude pruning around an optimizer (Zhu & Gupta, "To prune, or not to prune", 2017;
/// a baseline of the thesis' chapter 4).
///
/// It puts a hard mask on the chosen Dense / Conv2D layers and steps like the optimizer it wraps.
/// At steps t = t₀, t₀ + Δt, …, t₀ + nΔt it masks the smallest |w| of each layer until the layer's
/// sparsity reaches s_t = s_f + (s_i − s_f)·(1 − (t − t₀)/(nΔt))³; masks only ever lose entries, and
/// the removed weights and their optimizer state stay exactly zero.
public final class GradualMagnitudePruning<Scalar: TensorScalar>: OptimizerWrapper, TrainingHook {
    public let inner: any Optimizer<Scalar>
    public let net: any Layer<Scalar>
    /// s_i and s_f: the sparsity at the first and at the last pruning step.
    public let initialSparsity: Double
    public let finalSparsity: Double
    /// t₀, Δt and n, in optimizer steps (the first update is step 1).
    public let start: Int
    public let every: Int
    public let count: Int
    /// The layers pruned, by path (nil: every Dense and Conv2D layer).
    public let only: [String]?
    /// The pruning steps taken: the step, the target sparsity and the weights it removed.
    public private(set) var log: [(step: Int, target: Double, removed: Int)] = []

    /// - Throws: `CoreError.badArgument` for sparsities outside [0, 1) or s_f < s_i, a negative
    ///   start, an interval or count below 1, a bad layer path, or an optimizer not made from a net.
    public init(_ inner: any Optimizer<Scalar>, initialSparsity: Double = 0, finalSparsity: Double,
                start: Int = 0, every: Int, count: Int, only: [String]? = nil) throws {
        let net = try inner.controlledNetwork(op: "gmp", example: "gmp(sgd(net), …)")
        for (name, s) in [("initial", initialSparsity), ("final", finalSparsity)] where !(s >= 0 && s < 1) {
            throw CoreError.badArgument(op: "gmp", message: "\(name) must be a sparsity in [0, 1), got \(s)")
        }
        guard finalSparsity >= initialSparsity else {
            throw CoreError.badArgument(op: "gmp", message: "final (\(finalSparsity)) must be at least initial (\(initialSparsity)): masks only lose entries")
        }
        guard start >= 0 else { throw CoreError.badArgument(op: "gmp", message: "start must be a step ≥ 0, got \(start)") }
        guard every >= 1, count >= 1 else {
            throw CoreError.badArgument(op: "gmp", message: "every and steps must be at least 1, got every: \(every), steps: \(count)")
        }
        guard count.multipliedReportingOverflow(by: every).overflow == false,
              start.addingReportingOverflow(count * every).overflow == false else {
            throw CoreError.badArgument(op: "gmp", message: "start + steps × every is too large")
        }
        try addMasks(to: net, only: only, op: "gmp")
        self.inner = inner
        self.net = net
        self.initialSparsity = initialSparsity
        self.finalSparsity = finalSparsity
        self.start = start
        self.every = every
        self.count = count
        self.only = only
    }

    public var name: String { "gmp" }
    public var hookName: String { "gmp" }

    /// s_t of the cubic schedule: s_i before t₀, s_f from t₀ + nΔt on, the cubic in between
    /// (evaluated at any step, though pruning happens only on the schedule's steps).
    public func targetSparsity(atStep t: Int) -> Double {
        if t <= start { return initialSparsity }
        let progress = min(1, Double(t - start) / Double(count * every))
        let left = 1 - progress
        return finalSparsity + (initialSparsity - finalSparsity) * left * left * left
    }

    /// True when step t is one of t₀, t₀ + Δt, …, t₀ + nΔt.
    public func prunes(atStep t: Int) -> Bool {
        t >= start && t <= start + count * every && (t - start) % every == 0
    }

    /// The hard masks this controller prunes, with their weights.
    public var masks: [(path: String, weight: Param<Scalar>, mask: HardMask<Scalar>)] { hardMasks(of: net, only: only) }

    /// Weights kept and all masked weights.
    public var counts: (kept: Int, total: Int) { keptCounts(masks) }

    /// Masks each layer down to `target` sparsity (never back up); returns the weights removed.
    @discardableResult
    public func prune(toSparsity target: Double) throws -> Int {
        var removed = 0
        for (path, weight, mask) in masks {
            let keep = Int((Double(weight.count) * (1 - target)).rounded())
            let kept = mask.kept
            guard keep < kept, kept > 0 else { continue }
            removed += try Core.prune(net, amount: Double(kept - keep) / Double(kept), scope: .layer, only: [path]).removed
        }
        return removed
    }

    public func afterUpdate(_ context: HookContext<Scalar>) throws -> Report {
        let t = context.step
        guard prunes(atStep: t) else { return Report() }
        let target = targetSparsity(atStep: t)
        let removed = try prune(toSparsity: target)
        log.append((t, target, removed))
        let (kept, total) = counts
        return Report([("step", .int(t)), ("target", .number(target)), ("removed", .int(removed)),
                       ("sparsity", .number(total == 0 ? 0 : 1 - Double(kept) / Double(total)))])
    }

    public var description: String {
        "gmp(\(inner.description), initial: \(initialSparsity), final: \(finalSparsity), start: \(start), every: \(every), steps: \(count))"
    }
}

extension GradualMagnitudePruning: Explainable {
    public var explanation: Explanation {
        let (kept, total) = counts
        let done = core.steps < start ? 0 : (core.steps - start) / every + 1
        let next: Int? = done > count ? nil : start + done * every
        return Explanation("gmp", summary: "gradual magnitude pruning around \(inner.name): the smallest weights of each layer are masked on a cubic schedule while training goes on (Zhu & Gupta, 2017).",
                           formula: ["s_t = s_f + (s_i − s_f)·(1 − (t − t₀)/(nΔt))³  at t = t₀, t₀+Δt, …, t₀+nΔt",
                                     "each pruning step masks the smallest |w| of each layer until its sparsity is s_t"],
                           numbers: [ExplainedValue("steps", core.steps), ExplainedValue("initial", initialSparsity),
                                     ExplainedValue("final", finalSparsity), ExplainedValue("start", start),
                                     ExplainedValue("every", every), ExplainedValue("pruning steps taken", log.count),
                                     ExplainedValue("target now", targetSparsity(atStep: core.steps)),
                                     ExplainedValue("next pruning step", next.map(String.init) ?? "none (schedule done)"),
                                     ExplainedValue("kept", "\(kept) of \(total)"),
                                     ExplainedValue("sparsity", total == 0 ? 0 : 1 - Double(kept) / Double(total))],
                           parts: (inner as? any Explainable).map { [$0.explanation] } ?? [])
    }
}
