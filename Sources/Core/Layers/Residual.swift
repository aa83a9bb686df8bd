// Residual: y = x + body(x), a skip connection around any layer.

/// A skip connection: y = x + body(x). The body must keep the shape of its input.
///
/// The body's paths are prefixed with `body` (`2.body.0.weight`).
public final class Residual<Scalar: TensorScalar>: Layer {
    /// The wrapped layer.
    public let body: any Layer<Scalar>
    public var isTraining = true

    public init(_ body: any Layer<Scalar>) { self.body = body }

    public var kind: String { "Residual" }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        let y: Variable<Scalar>
        do { y = try body.forward(input) } catch {
            throw LayerError.wrap(error, index: 0, kind: body.kind, container: kind)
        }
        guard y.shape == input.shape else {
            throw CoreError.shapeMismatch(op: kind, shapes: [input.shape, y.shape],
                message: "the body maps \(Tensor<Float>.describe(input.shape)) to \(Tensor<Float>.describe(y.shape)); a residual needs the same shape")
        }
        return try input.adding(y)
    }

    public var children: [(name: String, layer: any Layer<Scalar>)] { [("body", body)] }

    public func copy() -> any Layer<Scalar> {
        let c = Residual(body.copy())
        c.isTraining = isTraining
        return c
    }

    public var description: String {
        let inner = body.description.split(separator: "\n", omittingEmptySubsequences: false)
        return (["Residual("] + inner.map { "  " + $0 } + [")"]).joined(separator: "\n")
    }
}

extension Residual: Explainable {
    public var explanation: Explanation {
        Explanation("Residual", summary: "a skip connection around its body (He et al., 2016).",
                    formula: ["y = x + body(x)"], numbers: [explainedParams] + explainedChildren)
    }
}
