// SharedDense: a fully connected layer whose weight is a learned mixture of a template bank's templates.

/// A fully connected layer y = x · W + b with W = Σᵢ αᵢ T⁽ⁱ⁾ (soft parameter sharing).
///
/// Input [N, in], output [N, out], where the bank's shape is [in, out] (Whittle's dense layout).
/// The bias is this layer's own (zeros at first, as in the reference code); α [k] is its own too
/// (role `coefficient`). As with `SharedConv`, gates do not apply to the computed weight.
public final class SharedDense<Scalar: TensorScalar>: BankMember, ReLUFusable {
    public var shared: SharedWeight<Scalar> { didSet { StructureRevision.advance() } }
    public let bias: Param<Scalar>?    // [out]
    public var isTraining = true

    /// A dense layer mixing `bank`'s templates, with α drawn by the bank.
    /// - Throws: `CoreError.badArgument` for a bank that is not of dense weights [in, out].
    public init(bank: TemplateBank<Scalar>, bias hasBias: Bool = DenseDefaults.bias) throws {
        guard bank.shape.count == 2 else {
            throw CoreError.badArgument(op: "shared_dense",
                message: "needs a bank of dense weights [in, out], got templates of shape \(Tensor<Float>.describe(bank.shape))")
        }
        shared = SharedWeight(bank: bank)
        bias = hasBias ? Param(Tensor(uncheckedShape: [bank.shape[1]], scalars: [Scalar](repeating: 0, count: bank.shape[1])),
                               role: .bias, name: "bias") : nil
    }

    private init(copying other: SharedDense) {
        shared = other.shared.copy()
        bias = other.bias?.copy()
        isTraining = other.isTraining
    }

    public var kind: String { "SharedDense" }
    public var inputs: Int { shared.bank.shape[0] }
    public var outputs: Int { shared.bank.shape[1] }

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
        return try input.affine(weight: try shared.weight(on: tape), bias: bias.map { tape.variable(for: $0) },
                                relu: fusedReLU)
    }

    public var localParams: [(name: String, param: Param<Scalar>)] {
        sharedParams + (bias.map { [("bias", $0)] } ?? [])
    }

    public func copy() -> any Layer<Scalar> { SharedDense(copying: self) }

    public var description: String {
        let mix = shared.tiedIndex.map { "template \($0) of \(shared.bank.k)" } ?? "\(shared.bank.k) templates"
        return "SharedDense(\(inputs) -> \(outputs), \(mix)\(bias == nil ? "" : ", bias"))"
    }
}
