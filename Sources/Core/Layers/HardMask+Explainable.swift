// What a hard mask is and how much of its weight it keeps, for `explain`.

extension HardMask: Explainable {
    public var explanation: Explanation {
        let total = mask.value.count
        return Explanation("Hard mask (\(mode.rawValue))",
                           summary: "a 0/1 buffer on the weight; masked entries and their optimizer state stay exactly zero.",
                           formula: ["w_used = w ⊙ m,  m ∈ {0, 1}  (mode off: w_used = w)",
                                     "magnitude pruning sets m = 0 where |w| is smallest"],
                           numbers: [ExplainedValue("mode", mode.rawValue), ExplainedValue("kept", "\(kept) of \(total)"),
                                     ExplainedValue("sparsity", total > 0 ? 1 - Double(kept) / Double(total) : 0)])
    }
}
