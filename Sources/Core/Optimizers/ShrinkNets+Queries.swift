// What a ShrinkNet looks like now (spec §4.11): per-switch counts, θ histograms, sign statistics, size, FLOPs, and explain.

/// One switch's state, as `switches(net)` shows it.
public struct SwitchStatistics: Sendable, Equatable {
    public var path: String
    public var units: Int
    public var initial: Int
    public var alive: Int
    public var gate: SwitchGate
    /// θ of the live units: `bins` equal bins between their minimum and maximum (edges has bins + 1).
    public var histogramEdges: [Double]
    public var histogramCounts: [Int]
    /// Over the live units: the mean sign EMA m, and the mean and largest sign variance 1 − m².
    public var signMean: Double
    public var signVarianceMean: Double
    public var signVarianceMax: Double
}

/// The statistics of every switch of `net`.
public func switchStatistics<S: TensorScalar>(_ net: any Layer<S>, bins: Int = 10) -> [SwitchStatistics] {
    shrinkSwitches(net).map { path, sw in
        let f = sw.factors
        let live = f.indices.filter { f[$0] != 0 }
        let thetas = live.map { Double(sw.theta.value.scalars[$0]) }
        let means = live.map { sw.signMean[$0] }
        let variances = means.map { 1 - $0 * $0 }
        var edges: [Double] = [], counts: [Int] = []
        if let lo = thetas.min(), let hi = thetas.max(), bins > 0 {
            let width = hi > lo ? (hi - lo) / Double(bins) : 1
            edges = (0...bins).map { lo + Double($0) * width }
            counts = [Int](repeating: 0, count: bins)
            for t in thetas { counts[Swift.min(bins - 1, Swift.max(0, Int((t - lo) / width)))] += 1 }
        }
        let n = Double(Swift.max(live.count, 1))
        return SwitchStatistics(path: path, units: sw.units, initial: sw.initialUnits, alive: live.count, gate: sw.gate,
                                histogramEdges: edges, histogramCounts: counts,
                                signMean: means.reduce(0, +) / n, signVarianceMean: variances.reduce(0, +) / n,
                                signVarianceMax: variances.max() ?? 0)
    }
}

/// Multiply-adds ×2 of the Dense and Conv2D layers for one sample, switches excluded (they are
/// folded away for inference). Conv2D needs the spatial sizes, so it is counted only when
/// `inputShape` (one sample's, e.g. [1, 28, 28]) is given and the root is a Sequential.
/// - Returns: nil when a Conv2D cannot be counted.
public func estimatedFLOPs<S: TensorScalar>(_ net: any Layer<S>, inputShape: [Int]?) throws -> Int? {
    if let inputShape, let seq = net as? Sequential<S> {
        let rows = try net.summary(inputShape: inputShape)
        var total = 0
        for (row, layer) in zip(rows, seq.layers) {
            if let d = layer as? Dense<S> { total += 2 * d.inputs * d.outputs }
            if let c = layer as? Conv2D<S> {
                total += 2 * c.inChannels * c.kernel * c.kernel * row.outputShape.dropFirst().reduce(1, *)
            }
        }
        return total
    }
    var total = 0
    for (_, layer) in gatedLayers(net) {
        guard let d = layer as? Dense<S> else { return nil }
        total += 2 * d.inputs * d.outputs
    }
    return total
}

extension ShrinkNets: Explainable {
    public var explanation: Explanation {
        let (live, initial) = alive
        let widths = switches.map { "\($0.layer.alive)/\($0.layer.initialUnits)" }.joined(separator: ", ")
        let k = settings.kill
        let rule: String
        switch settings.rule {
        case .signVariance: rule = "sign variance: m ← \(Explanation.format(k.mu))·m + \(Explanation.format(1 - k.mu))·sgn θ; kill when 1 − m² > γ = \(Explanation.format(k.gamma))"
        case .signChange: rule = "sign change: kill when sgn θ differs from the last step's"
        case .threshold: rule = "threshold: kill when |g(θ)| < \(Explanation.format(k.threshold))"
        case .prox: rule = "prox: θ ← sgn θ · max(|θ| − lr·λ, 0) after each step; kill at θ = 0"
        }
        return Explanation("shrink", summary: "ShrinkNets around \(inner.name): switches learn each layer's width; dead units are removed while training (seed 004, spec §4).",
                           formula: ["loss = task loss + λ·Σ|g(θ)| + λ₂·Σ‖W‖_\(settings.p)^\(settings.p)" + (settings.rule == .prox ? "  (the λ term as a proximal step)" : ""),
                                     rule + (k.warmup > 0 ? " (after \(k.warmup) warm-up steps)" : ""),
                                     settings.collectEvery > 0 ? "every \(settings.collectEvery) epoch(s): slice dead units out of the layers and the optimizer state"
                                                               : "dead units are sliced out by collect(net, opt)"],
                           numbers: [ExplainedValue("lambda", settings.lambda), ExplainedValue("lambda2", settings.lambda2),
                                     ExplainedValue("alive units", "\(live) of \(initial)"), ExplainedValue("widths", widths),
                                     ExplainedValue("switch penalty", lastSwitchPenalty), ExplainedValue("weight penalty", lastWeightPenalty),
                                     ExplainedValue("kills", kills.count), ExplainedValue("collections", collections.count),
                                     ExplainedValue("parameters", net.countParams), ExplainedValue("live inputs", liveInputs(net)),
                                     ExplainedValue("steps", core.steps)],
                           parts: (inner as? any Explainable).map { [$0.explanation] } ?? [])
    }
}

extension ShrinkNets: OptimizerFields {
    public var fieldNames: [String] { ["alive", "collections", "cost", "kills", "widths"] }

    public func field(_ name: String) -> ReportValue? {
        switch name {
        case "alive": return .int(alive.alive)
        case "widths": return .list(switches.map { .int($0.layer.units) })
        case "cost": return .list(cost.map { .int($0) })
        case "kills": return .list(kills.map(\.report).map { .report($0) })
        case "collections": return .list(collections.map(\.report).map { .report($0) })
        default: return nil
        }
    }
}

extension KillRecord {
    public var report: Report {
        Report([("step", .int(step)), ("layer", .text(layer)), ("unit", .int(unit)), ("rule", .text(rule.rawValue)),
                ("theta", .number(theta))])
    }
}

extension CollectionRecord {
    public var report: Report {
        Report([("step", .int(step)),
                ("layers", .list(entries.map { e in
                    .report(Report([("path", .text(e.path)), ("before", .int(e.before)), ("after", .int(e.after)),
                                    ("removed", .list(e.removed.map { .int($0) }))]))
                })),
                ("slices", .list(slices.map { .text($0) })), ("state_slots", .int(stateSlots)),
                ("params_before", .int(paramsBefore)), ("params_after", .int(paramsAfter))])
    }
}
