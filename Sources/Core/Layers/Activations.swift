// The parameter-free layers: ReLU, Sigmoid, Tanh, Softmax (activations) and Flatten.

/// max(x, 0) element-wise; any shape.
public final class ReLU<Scalar: TensorScalar>: Layer {
    public var isTraining = true
    public init() {}
    public var kind: String { "ReLU" }
    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> { input.relu() }
    public func copy() -> any Layer<Scalar> { ReLU() }
    public var description: String { "ReLU()" }
}

/// 1 / (1 + e^−x) element-wise; any shape.
public final class Sigmoid<Scalar: TensorScalar>: Layer {
    public var isTraining = true
    public init() {}
    public var kind: String { "Sigmoid" }
    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> { input.sigmoid() }
    public func copy() -> any Layer<Scalar> { Sigmoid() }
    public var description: String { "Sigmoid()" }
}

/// tanh x element-wise; any shape.
public final class Tanh<Scalar: TensorScalar>: Layer {
    public var isTraining = true
    public init() {}
    public var kind: String { "Tanh" }
    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> { input.tanh() }
    public func copy() -> any Layer<Scalar> { Tanh() }
    public var description: String { "Tanh()" }
}

/// softmax along the last axis; any shape of rank ≥ 1.
public final class Softmax<Scalar: TensorScalar>: Layer {
    public var isTraining = true
    public init() {}
    public var kind: String { "Softmax" }
    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        guard input.shape.count >= 1 else { throw layerShapeError(kind, expected: "[*, C]", got: input.shape) }
        return try input.softmax()
    }
    public func copy() -> any Layer<Scalar> { Softmax() }
    public var description: String { "Softmax()" }
}

/// [N, d₁, d₂, …] → [N, d₁·d₂·…] (row-major, so NCHW flattens channel-major as in PyTorch).
public final class Flatten<Scalar: TensorScalar>: Layer {
    public var isTraining = true
    public init() {}
    public var kind: String { "Flatten" }
    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        guard let n = input.shape.first else { throw layerShapeError(kind, expected: "[N, …]", got: input.shape) }
        return try input.reshaped([n, input.shape.dropFirst().reduce(1, *)])
    }
    public func copy() -> any Layer<Scalar> { Flatten() }
    public var description: String { "Flatten()" }
}

// Each activation's explanation: what it is and its formula (it has no numbers of its own).
extension ReLU: Explainable {
    public var explanation: Explanation { Explanation(description, summary: "max(x, 0), element-wise.", formula: ["y = max(x, 0)"]) }
}
extension Sigmoid: Explainable {
    public var explanation: Explanation { Explanation(description, summary: "the logistic function, element-wise.", formula: ["y = 1 / (1 + e^(−x))"]) }
}
extension Tanh: Explainable {
    public var explanation: Explanation { Explanation(description, summary: "the hyperbolic tangent, element-wise.", formula: ["y = (eˣ − e^(−x)) / (eˣ + e^(−x))"]) }
}
extension Softmax: Explainable {
    public var explanation: Explanation { Explanation(description, summary: "probabilities along the last axis.", formula: ["y_i = e^(x_i) / Σ_j e^(x_j)"]) }
}
extension Flatten: Explainable {
    public var explanation: Explanation { Explanation(description, summary: "keeps the batch axis, flattens the rest.", formula: ["[n, d₁, d₂, …] → [n, d₁·d₂·…]"]) }
}
