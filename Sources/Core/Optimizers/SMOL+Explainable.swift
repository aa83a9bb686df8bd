// What the smol controller is doing — λ, the penalty, the bits so far — for `explain`.

extension SMOL: Explainable {
    public var explanation: Explanation {
        var numbers = [ExplainedValue("lambda", settings.lambda), ExplainedValue("precision_lr", settings.precisionLR),
                       ExplainedValue("zero precision", settings.zeroPrecision), ExplainedValue("penalty", lastPenalty ?? 0),
                       ExplainedValue("steps", core.steps)]
        if let b = lastMeanBits { numbers.append(ExplainedValue("mean p̃ at the last step", b)) }
        if let r = try? bitsReport(net) {
            numbers += [ExplainedValue(r.frozen ? "bits per weight" : "bits per weight if frozen now", r.average),
                        ExplainedValue("compression", r.compression), ExplainedValue("weights at 0 bits", r.zeroFraction),
                        ExplainedValue("frozen", r.frozen)]
        }
        return Explanation("smol", summary: "SMOL around \(task.name): learns a number of bits per weight, then fine-tunes the quantized net (Savarese et al., NeurIPS 2022).",
                           formula: ["loss = task loss(w + σ(s)⊙ε) + λ·Σ log2(1 + e^(−s));  w by \(task.name), s by Adam(lr \(Explanation.format(settings.precisionLR)))",
                                     "freeze_precision: p = 1 + ⌊log2(1 + e^(−s))⌋, 0 where |w| < |w − Q(w, p)|; then fine-tune Q(w, p) straight through"],
                           numbers: numbers,
                           parts: (task as? any Explainable).map { [$0.explanation] } ?? [])
    }
}
