// What a continuous-sparsification gate is, with its live β, densities and undecided share, for `explain`.

extension CSGate: Explainable {
    public var explanation: Explanation {
        let stats = GateStatistics(self)
        return Explanation("CS gate (\(mode.rawValue))",
                           summary: "learnable logits s gate the weight; the mask is H(s), reached as β grows (Savarese et al., NeurIPS 2020).",
                           formula: ["soft: w_used = w ⊙ c·σ(βs)   hard: w_used = w ⊙ c·H(s), H(s) = 1{s \(keepsTies ? "≥" : ">") 0}",
                                     "cs(opt) adds λΣσ(βs) to the loss and anneals β → β_final over a round"],
                           numbers: [ExplainedValue("mode", mode.rawValue), ExplainedValue("beta", beta),
                                     ExplainedValue("s_init", sInit), ExplainedValue("granularity", granularity.rawValue),
                                     ExplainedValue("kept (H(s))", "\(stats.kept) of \(stats.weights)"),
                                     ExplainedValue("density", stats.density), ExplainedValue("soft density", stats.softDensity),
                                     ExplainedValue("undecided |βs| < 5", stats.undecided)])
    }
}

/// The figures of one CS gate that `gates(net)` and `explain` show.
public struct GateStatistics: Equatable, Sendable {
    /// Weights covered, and kept by H(s).
    public var weights: Int
    public var kept: Int
    /// kept / weights.
    public var density: Double
    /// The mean of c·σ(βs) over the weights.
    public var softDensity: Double
    /// The fraction of logits with |βs| < 5 (gate in (0.0067, 0.9933)): rounding them changes the function.
    public var undecided: Double
    /// The fraction of logits whose gradient factor β·σ(βs)·σ(−βs) is below 1e-6: mask learning has stopped there.
    public var saturated: Double
    /// The mean of σ(βs) over the logits.
    public var meanGate: Double
    /// Σ c·σ(βs) over the logits (times λ: the gate's share of the penalty).
    public var gateSum: Double

    public init<S: TensorScalar>(_ gate: CSGate<S>) {
        let b = gate.beta, c = gate.scale.doubleValue
        let s = gate.logits.value.scalars
        var sum = 0.0, undecided = 0, saturated = 0
        for v in s {
            let z = b * v.doubleValue
            let g = Tensor<Double>.sigmoid(z)
            sum += g
            if Swift.abs(z) < 5 { undecided += 1 }
            if b * g * Tensor<Double>.sigmoid(-z) < 1e-6 { saturated += 1 }
        }
        let n = Double(Swift.max(s.count, 1))
        weights = gate.weightShape.reduce(1, *)
        kept = gate.kept
        density = weights == 0 ? 0 : Double(kept) / Double(weights)
        // Every logit covers as many weights as the others (one, or a whole unit), so the mean over
        // logits is the mean over weights.
        softDensity = c * sum / n
        self.undecided = Double(undecided) / n
        self.saturated = Double(saturated) / n
        meanGate = sum / n
        gateSum = c * sum
    }
}
