// What a SMOL quantizer is, with its live bits, noise limits and clipped share, for `explain`.

extension QuantizerGate: Explainable {
    public var explanation: Explanation {
        var numbers = [ExplainedValue("mode", mode.rawValue), ExplainedValue("granularity", granularity.rawValue),
                       ExplainedValue("p_init", pInit), ExplainedValue("rounding", rounding.rawValue),
                       ExplainedValue("zero precision", zeroPrecision)]
        if let s = precision?.value.scalars, !s.isEmpty {
            let bits = s.map { FixedPoint.continuousBits($0.doubleValue) }
            let sigma = s.map { Tensor<Double>.sigmoid($0.doubleValue) }
            numbers += [ExplainedValue("mean p̃ (continuous bits)", bits.reduce(0, +) / Double(bits.count)),
                        ExplainedValue("min p̃", bits.min() ?? 0), ExplainedValue("max p̃", bits.max() ?? 0),
                        ExplainedValue("mean σ(s) (noise limit)", sigma.reduce(0, +) / Double(sigma.count))]
            if let p = try? logitBits() {
                numbers.append(ExplainedValue("mean bits if frozen now (no zero bits)", Double(p.reduce(0, +)) / Double(p.count)))
            }
        }
        if let p = try? frozenBits(), !p.isEmpty {
            numbers += [ExplainedValue("bits per weight", Double(p.reduce(0, +)) / Double(p.count)),
                        ExplainedValue("weights at 0 bits", p.filter { $0 == 0 }.count)]
        }
        return Explanation("SMOL quantizer (\(mode.rawValue))",
                           summary: "every weight learns its own number of bits from how much noise it tolerates (Savarese et al., NeurIPS 2022).",
                           formula: ["soft: w_used = w + σ(s)⊙ε, ε ~ U(−1, 1) per step;  p̃ = 1 + log2(1 + e^(−s)), σ(s) = 2^(1−p̃)",
                                     "hard: w_used = Q(w, p), p = 1 + \(rounding.rawValue)(log2(1 + e^(−s))) (0: pruned); backward: straight through",
                                     "Q(w, p) = Δ·(⌊w/Δ⌋ + ½) clamped to ±(2 − Δ/2), Δ = 2^(2−p); w clamped to ±(2 − σ(s)) after each step"],
                           numbers: numbers)
    }
}
