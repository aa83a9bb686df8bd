// Conv2D: 2-d convolution over NCHW batches with stride and same/valid/explicit padding.

/// A 2-d convolution: y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c].
///
/// Input [N, C_in, H, W], output [N, C_out, H', W']; `weight` is [C_out, C_in, kh, kw] and `bias`
/// [C_out], both uniform in ±1/√(C_in·kh·kw). Padding "same" gives H' = ⌈H / stride⌉ with the extra
/// row/column at the bottom/right. A `WeightGate` may act on the weight.
public final class Conv2D<Scalar: TensorScalar>: GatedLayer, ReLUFusable {
    public let weight: Param<Scalar>   // [out, in, kh, kw]
    public let bias: Param<Scalar>?    // [out]
    public var isTraining = true
    public internal(set) var inChannels: Int
    public internal(set) var outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Padding

    /// A `kernel`×`kernel` convolution `inChannels → outChannels`, initialised from `rng`.
    /// - Throws: `CoreError.badArgument` for sizes below 1 or negative padding.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = Conv2DDefaults.stride,
                padding: Padding = Conv2DDefaults.padding, bias hasBias: Bool = Conv2DDefaults.bias, using rng: inout RandomStream) throws {
        try Initialization.positive(inChannels, "in channels", op: "conv2d")
        try Initialization.positive(outChannels, "out channels", op: "conv2d")
        try Initialization.positive(kernel, "kernel", op: "conv2d")
        try Initialization.positive(stride, "stride", op: "conv2d")
        if case .explicit(let p) = padding, p < 0 {
            throw CoreError.badArgument(op: "conv2d", message: "padding must be non-negative, got \(p)")
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        // Sizing the weight first refuses shapes whose products overflow (`kernel` near √Int.max).
        _ = try Tensor<Scalar>.elementCount(of: [outChannels, inChannels, kernel, kernel], op: "conv2d")
        let fanIn = inChannels * kernel * kernel
        let bound = 1 / Double(fanIn).squareRoot()
        weight = Param(try Initialization.uniform([outChannels, inChannels, kernel, kernel], bound: bound,
                                                  using: &rng), role: .weight, name: "weight")
        bias = hasBias ? Param(try Initialization.uniform([outChannels], bound: bound, using: &rng),
                               role: .bias, name: "bias") : nil
    }

    public var kind: String { "Conv2D" }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try forward(input, fusedReLU: false)
    }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>, fusedReLU: Bool) throws -> Variable<Scalar> {
        guard input.shape.count == 4, input.shape[1] == inChannels else {
            throw layerShapeError(kind, expected: "[*, \(inChannels), H, W]", got: input.shape)
        }
        let tape = input.tape
        return try input.conv2d(weight: try gatedWeight(on: tape), bias: bias.map { tape.variable(for: $0) },
                                stride: stride, padding: padding, relu: fusedReLU)
    }

    /// `maxPool(relu(self(input)), pool)` as one node: what a Sequential runs for the layers
    /// Conv2D, ReLU, MaxPool (see `Variable.conv2dReLUMaxPool`). Nil when the pooling window is
    /// larger than this layer's output, so the caller runs the layers one by one and the error
    /// names the pooling layer.
    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>, reluMaxPool pool: Int) throws -> Variable<Scalar>? {
        guard input.shape.count == 4, input.shape[1] == inChannels else {
            throw layerShapeError(kind, expected: "[*, \(inChannels), H, W]", got: input.shape)
        }
        let g = try ConvolutionGeometry(input: input.shape, weight: weight.value.shape, stride: stride, padding: padding)
        guard g.outHeight >= pool, g.outWidth >= pool else { return nil }
        let tape = input.tape
        return try input.conv2dReLUMaxPool(weight: try gatedWeight(on: tape), bias: bias.map { tape.variable(for: $0) },
                                           stride: stride, padding: padding, pool: pool)
    }

    public var localParams: [(name: String, param: Param<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func copy() -> any Layer<Scalar> { Conv2D(copying: self) }

    private init(copying other: Conv2D) {
        inChannels = other.inChannels
        outChannels = other.outChannels
        kernel = other.kernel
        stride = other.stride
        padding = other.padding
        weight = other.weight.copy()
        bias = other.bias?.copy()
        isTraining = other.isTraining
    }

    public var description: String {
        var text = "Conv2D(\(inChannels) -> \(outChannels), kernel \(kernel)"
        if stride != 1 { text += ", stride \(stride)" }
        text += ", pad \(padding)"
        if bias != nil { text += ", bias" }
        text += gateSummary
        return text + ")"
    }
}

/// Conv2D's defaults, written once: the initialiser and the `conv2d` built-in read them.
public enum Conv2DDefaults {
    public static let stride = 1
    public static let padding = Padding.same
    public static let bias = true
}

extension Conv2D: Explainable {
    public var explanation: Explanation {
        Explanation(description, summary: "a 2-d convolution over NCHW images.",
                    formula: ["y[n, o] = Σ_c W[o, c] ⋆ x[n, c]" + (bias == nil ? "" : " + b[o]")
                                  + ",  W [\(outChannels), \(inChannels), \(kernel), \(kernel)]",
                              "out size = ⌊(in + pad − \(kernel)) / \(stride)⌋ + 1"],
                    numbers: [ExplainedValue("in channels", inChannels), ExplainedValue("out channels", outChannels),
                              ExplainedValue("kernel", kernel), ExplainedValue("stride", stride),
                              ExplainedValue("padding", padding.description), explainedParams] + explainedWeight(weight),
                    parts: gateParts)
    }
}
