// SharedConv: a convolution whose kernel is a learned mixture of a template bank's templates.

/// A 2-d convolution with W = Σᵢ αᵢ T⁽ⁱ⁾ (soft parameter sharing, Savarese & Maire 2019).
///
/// Input [N, C_in, H, W], output [N, C_out, H', W'], where the bank's shape is
/// [C_out, C_in, kh, kw] (square kernels). Stride and padding are this layer's own, so layers of
/// one bank may differ in them; no bias (a BatchNorm follows in the nets this is used in). The
/// layer lists the bank's `templates` (once per net, at the first layer that uses the bank) and
/// its own `alpha` [k] (role `coefficient`).
///
/// Gates: the weight is computed, not stored, so `masked` and the other gates do not apply to it
/// (they act on a stored weight); pruning a shared layer is refused by `masked`, which only
/// accepts Dense and Conv2D layers.
public final class SharedConv<Scalar: TensorScalar>: BankMember, ReLUFusable {
    public var shared: SharedWeight<Scalar> { didSet { StructureRevision.advance() } }
    public var isTraining = true
    public let stride: Int
    public let padding: Padding

    /// A convolution mixing `bank`'s templates, with α drawn by the bank.
    /// - Throws: `CoreError.badArgument` for a bank that is not a square conv kernel, a stride
    ///   below 1 or a negative padding.
    public init(bank: TemplateBank<Scalar>, stride: Int = Conv2DDefaults.stride,
                padding: Padding = Conv2DDefaults.padding) throws {
        guard bank.shape.count == 4, bank.shape[2] == bank.shape[3] else {
            throw CoreError.badArgument(op: "shared_conv",
                message: "needs a bank of conv kernels [out, in, k, k], got templates of shape \(Tensor<Float>.describe(bank.shape))")
        }
        try Initialization.positive(stride, "stride", op: "shared_conv")
        if case .explicit(let p) = padding, p < 0 {
            throw CoreError.badArgument(op: "shared_conv", message: "padding must be non-negative, got \(p)")
        }
        self.stride = stride
        self.padding = padding
        shared = SharedWeight(bank: bank)
    }

    private init(copying other: SharedConv) {
        shared = other.shared.copy()
        stride = other.stride
        padding = other.padding
        isTraining = other.isTraining
    }

    public var kind: String { "SharedConv" }
    public var inChannels: Int { shared.bank.shape[1] }
    public var outChannels: Int { shared.bank.shape[0] }
    public var kernel: Int { shared.bank.shape[2] }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try forward(input, fusedReLU: false)
    }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>, fusedReLU: Bool) throws -> Variable<Scalar> {
        guard input.shape.count == 4, input.shape[1] == inChannels else {
            throw layerShapeError(kind, expected: "[*, \(inChannels), H, W]", got: input.shape)
        }
        return try input.conv2d(weight: try shared.weight(on: input.tape), bias: nil, stride: stride,
                                padding: padding, relu: fusedReLU)
    }

    public var localParams: [(name: String, param: Param<Scalar>)] { sharedParams }

    public func copy() -> any Layer<Scalar> { SharedConv(copying: self) }

    public var description: String {
        var text = "SharedConv(\(inChannels) -> \(outChannels), kernel \(kernel)"
        if stride != 1 { text += ", stride \(stride)" }
        text += ", pad \(padding)"
        if let g = shared.tiedIndex { text += ", template \(g) of \(shared.bank.k)" } else { text += ", \(shared.bank.k) templates" }
        return text + ")"
    }
}
