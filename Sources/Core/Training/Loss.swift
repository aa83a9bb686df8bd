// The training losses by name, and the rule that picks one from the labels when none is given.

/// A loss for training and evaluation: `loss:` in `step`, `fit` and `evaluate`.
public enum Loss<Scalar: TensorScalar>: CustomStringConvertible {
    /// Cross-entropy on logits [N, C] against class indices [N].
    case crossEntropy
    /// Mean squared error against targets of the output's shape.
    case mse
    /// Binary cross-entropy on logits against targets in [0, 1].
    case bce
    /// A user-supplied function of (output, target) recorded on the output's tape.
    case custom(name: String, (Variable<Scalar>, Tensor<Scalar>) throws -> Variable<Scalar>)

    /// `cross_entropy` when the targets are class indices (rank 1 against a rank-2 output), `mse`
    /// otherwise — the default of `loss:`.
    public static func automatic(outputShape: [Int], target: Tensor<Scalar>) -> Loss {
        outputShape.count == 2 && target.rank == 1 ? .crossEntropy : .mse
    }

    /// The loss of `output` against `target`, as a 0-d variable on the output's tape.
    @_specialize(where Scalar == Float)
    public func apply(_ output: Variable<Scalar>, _ target: Tensor<Scalar>) throws -> Variable<Scalar> {
        switch self {
        case .crossEntropy: return try output.crossEntropy(labels: target)
        case .mse: return try output.mse(target: target)
        case .bce: return try output.bce(target: target)
        case .custom(_, let f):
            let value = try f(output, target)
            return value.shape.isEmpty ? value : try value.mean()
        }
    }

    public var description: String {
        switch self {
        case .crossEntropy: return "cross_entropy"
        case .mse: return "mse"
        case .bce: return "bce"
        case .custom(let name, _): return name
        }
    }
}

/// The loss of a network's output on (x, y): the given loss, or the automatic choice.
func resolvedLoss<S>(_ loss: Loss<S>?, output: [Int], target: Tensor<S>) -> Loss<S> {
    loss ?? .automatic(outputShape: output, target: target)
}
