// Dense: the fully connected layer y = x @ weight + bias.

/// A fully connected layer: y = x · W + b.
///
/// Input [N, in], output [N, out]. `weight` is [in, out] (so `x @ w`), `bias` is [out]; both
/// start uniform in ±1/√in (PyTorch's default). Gates on the weight (hard mask, CS gate…) act
/// through `Tape.gatedVariable`; their tensors appear under this layer's path.
public final class Dense<Scalar: TensorScalar>: GatedLayer, ReLUFusable {
    public let weight: Param<Scalar>   // [in, out]
    public let bias: Param<Scalar>?    // [out]
    public var isTraining = true
    public internal(set) var inputs: Int
    public internal(set) var outputs: Int

    /// A dense layer `inputs → outputs`, initialised from `rng`.
    /// - Throws: `CoreError.badArgument` for a size below 1.
    public init(_ inputs: Int, _ outputs: Int, bias hasBias: Bool = DenseDefaults.bias,
                using rng: inout RandomStream) throws {
        try Initialization.positive(inputs, "inputs", op: "dense")
        try Initialization.positive(outputs, "outputs", op: "dense")
        let bound = 1 / Double(inputs).squareRoot()
        self.inputs = inputs
        self.outputs = outputs
        weight = Param(try Initialization.uniform([inputs, outputs], bound: bound, using: &rng),
                       role: .weight, name: "weight")
        bias = hasBias ? Param(try Initialization.uniform([outputs], bound: bound, using: &rng),
                               role: .bias, name: "bias") : nil
    }

    /// A dense layer with the given tensors (weight [in, out], bias [out]).
    /// - Throws: `CoreError.shapeMismatch` when they do not fit together.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?) throws {
        guard weight.rank == 2, bias.map({ $0.shape == [weight.shape[1]] }) ?? true else {
            throw CoreError.shapeMismatch(op: "dense", shapes: [weight.shape] + (bias.map { [$0.shape] } ?? []),
                                          message: "")
        }
        inputs = weight.shape[0]
        outputs = weight.shape[1]
        self.weight = Param(weight, role: .weight, name: "weight")
        self.bias = bias.map { Param($0, role: .bias, name: "bias") }
    }

    public var kind: String { "Dense" }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try forward(input, fusedReLU: false)
    }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>, fusedReLU: Bool) throws -> Variable<Scalar> {
        guard input.shape.count == 2, input.shape[1] == inputs else {
            throw layerShapeError(kind, expected: "[*, \(inputs)]", got: input.shape)
        }
        let tape = input.tape
        return try input.affine(weight: try gatedWeight(on: tape), bias: bias.map { tape.variable(for: $0) },
                                relu: fusedReLU)
    }

    public var localParams: [(name: String, param: Param<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func copy() -> any Layer<Scalar> {
        let c = Dense(copying: self)
        return c
    }

    private init(copying other: Dense) {
        inputs = other.inputs
        outputs = other.outputs
        weight = other.weight.copy()
        bias = other.bias?.copy()
        isTraining = other.isTraining
    }

    public var description: String {
        "Dense(\(inputs) -> \(outputs)\(bias == nil ? "" : ", bias")\(gateSummary))"
    }
}

/// Dense's defaults, written once: the initialiser and the `dense` built-in read them.
public enum DenseDefaults {
    public static let bias = true
}

extension Dense: Explainable {
    public var explanation: Explanation {
        Explanation(description, summary: "a fully connected layer.",
                    formula: ["y = x @ W" + (bias == nil ? "" : " + b") + ",  W [\(inputs), \(outputs)]",
                              "init: U(±1/√in) (PyTorch's default)"],
                    numbers: [ExplainedValue("in", inputs), ExplainedValue("out", outputs), explainedParams] + explainedWeight(weight),
                    parts: gateParts)
    }
}
