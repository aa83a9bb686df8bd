// What the cs and imp controllers are doing — round, β, penalty, densities — for `explain`.

extension ContinuousSparsification: Explainable {
    public var explanation: Explanation {
        let (kept, total) = counts
        let length = settings.roundSteps.map { "\($0) steps" } ?? "\(settings.roundEpochs ?? 0) epochs"
        return Explanation("cs", summary: "continuous sparsification around \(inner.name): learns a mask by annealing a soft gate to a hard one (Savarese et al., NeurIPS 2020).",
                           formula: ["loss = task loss + λ·Σ σ(βs);  β = β_final^(t/T) within a round",
                                     "next_round: s ← min(\(settings.resetUsesFinalBeta ? "β·" : "")s, s_init), β ← 1;  ticket = (H(s), weights at epoch \(settings.rewindEpoch) of round 1)"],
                           numbers: [ExplainedValue("round", round), ExplainedValue("round length", length),
                                     ExplainedValue("epoch in round", epochInRound), ExplainedValue("beta", beta),
                                     ExplainedValue("beta_final", settings.betaFinal), ExplainedValue("lambda", settings.lambda),
                                     ExplainedValue("penalty", lastPenalty ?? 0),
                                     ExplainedValue("kept (H(s))", "\(kept) of \(total)"),
                                     ExplainedValue("density", total == 0 ? 0 : Double(kept) / Double(total)),
                                     ExplainedValue("soft density", softDensity), ExplainedValue("steps", core.steps),
                                     ExplainedValue("rewind saved", rewindPoint.snapshot != nil)],
                           parts: (inner as? any Explainable).map { [$0.explanation] } ?? [])
    }
}

extension IterativeMagnitudePruning: Explainable {
    public var explanation: Explanation {
        let (kept, total) = counts
        return Explanation(name, summary: "iterative magnitude pruning around \(inner.name): each round removes the smallest weights\(continues ? " and keeps training (IMP-C)" : ", then rewinds the rest") (Frankle & Carbin, ICLR 2019).",
                           formula: ["next_round: mask the \(rates == nil ? Explanation.format(rate * 100) + "%" : "per-layer rates") of kept weights with the smallest |w|\(continues ? "" : "; w ← w at epoch \(rewindPoint.epoch) of round 1")",
                                     "remaining after r rounds = (1 − rate)^r"],
                           numbers: [ExplainedValue("round", round), ExplainedValue("epoch in round", epochInRound),
                                     ExplainedValue("kept", "\(kept) of \(total)"),
                                     ExplainedValue("remaining", total == 0 ? 0 : Double(kept) / Double(total)),
                                     ExplainedValue("steps", core.steps), ExplainedValue("rewind saved", rewindPoint.snapshot != nil)],
                           parts: (inner as? any Explainable).map { [$0.explanation] } ?? [])
    }
}
