// The live numbers shared by layer explanations: parameter counts, a weight's norm and zeros, its gate.

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

extension GatedLayer {
    /// ‖W‖ and the fraction of zero weights (masked or pruned ones included).
    var explainedWeight: [ExplainedValue] {
        [ExplainedValue("‖weight‖", Explanation.norm(weight.value)),
         ExplainedValue("zero weights", Explanation.zeroFraction(weight.value))]
    }

    /// The gate's own explanation, when it has one.
    var gateParts: [Explanation] { (gate as? any Explainable).map { [$0.explanation] } ?? [] }
}
