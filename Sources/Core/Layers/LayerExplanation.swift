// The live numbers shared by layer explanations: parameter counts, a weight's norm and zeros, its gates.

extension Layer {
    /// The trainable values of this layer and its children.
    var explainedParams: ExplainedValue { ExplainedValue("params", countParams) }

    /// "train" or "eval".
    var explainedMode: ExplainedValue { ExplainedValue("mode", isTraining ? "train" : "eval") }

    /// One line per child, `(i) description`, for containers.
    var explainedChildren: [ExplainedValue] {
        children.map { ExplainedValue("(\($0.name))", $0.layer.description.split(separator: "\n").first.map(String.init) ?? "") }
    }
}

extension Layer {
    /// ‖W‖ and the fraction of zero weights (masked or pruned ones included).
    func explainedWeight(_ weight: Param<Scalar>) -> [ExplainedValue] {
        [ExplainedValue("‖weight‖", Explanation.norm(weight.value)),
         ExplainedValue("zero weights", Explanation.zeroFraction(weight.value))]
    }

    /// The explanations of the gates on this layer's own parameters (its mask, ...).
    var gateParts: [Explanation] {
        localParams.flatMap { $0.param.gates }.compactMap { ($0 as? any Explainable)?.explanation }
    }
}
