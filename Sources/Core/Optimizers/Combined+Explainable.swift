// What a combined optimizer is: its parts, each explained in turn, for `explain`.

extension Combined: Explainable {
    public var explanation: Explanation {
        Explanation("combine", summary: "\(parts.count) optimizers stepping together, each on its own parameters.",
                    formula: ["one step = each part's update on the parameters it owns, in order"],
                    numbers: [ExplainedValue("parts", parts.map(\.name).joined(separator: ", ")),
                              ExplainedValue("steps", core.steps)],
                    parts: parts.compactMap { ($0 as? any Explainable)?.explanation })
    }
}
