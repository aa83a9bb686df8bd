// One layer's share of a template bank: its coefficients α and the weight W = Σ αᵢTᵢ they mix.

/// The weight of one shared layer: W = Σᵢ αᵢ T⁽ⁱ⁾, a learned mixture of its bank's templates.
///
/// `alpha` is this layer's own parameter (role `coefficient`, no weight decay), shape [k]. W is
/// one GEMM on the tape, [1, k] · [k, d], rebuilt at every call so it is never stale after a
/// step; only a non-recording forward (evaluation, `net(x)`) reuses the last W, and only while α
/// and the templates still hold the values it was made from. A *tied* mixture (what folding
/// makes) uses one template g of its bank and a per-step scale c: W = c·T⁽ᵍ⁾, `alpha` = [c].
public final class SharedWeight<Scalar: TensorScalar> {
    /// The bank mixed.
    public private(set) var bank: TemplateBank<Scalar> { didSet { StructureRevision.advance() } }
    /// α [k] (or the scale [1] of a tied mixture), role `coefficient`.
    public let alpha: Param<Scalar>
    /// The one template a folded (tied) mixture uses, nil for a free mixture.
    public let tiedIndex: Int?
    /// The α this mixture was given by its bank, to tell whether training has moved it.
    private var initialAlpha: Tensor<Scalar>?
    private var cache: (alpha: Tensor<Scalar>, templates: Tensor<Scalar>, weight: Tensor<Scalar>)?

    /// A free mixture of `bank`, with its initial α drawn by the bank.
    public init(bank: TemplateBank<Scalar>) {
        self.bank = bank
        alpha = Param(Tensor(uncheckedShape: [bank.k], scalars: [Scalar](repeating: 0, count: bank.k)),
                      role: .coefficient, name: "alpha")
        tiedIndex = nil
        bank.register(self, drawAlpha: true)
    }

    /// A tied mixture: W = scale · T⁽ⁱⁿᵈᵉˣ⁾.
    /// - Throws: `CoreError.badArgument` when `index` is not a template of `bank`.
    public init(tiedTo bank: TemplateBank<Scalar>, index: Int, scale: Scalar) throws {
        guard index >= 0, index < bank.k else {
            throw CoreError.badArgument(op: "fold", message: "template \(index) is not in a bank of \(bank.k)")
        }
        self.bank = bank
        alpha = Param(Tensor(uncheckedShape: [1], scalars: [scale]), role: .coefficient, name: "scale")
        tiedIndex = index
        bank.register(self, drawAlpha: false)
    }

    private init(copying other: SharedWeight, bank: TemplateBank<Scalar>) {
        self.bank = bank
        alpha = other.alpha.copy()
        tiedIndex = other.tiedIndex
        initialAlpha = other.initialAlpha
        bank.register(self, drawAlpha: false)
    }

    deinit { bank.unregister(self) }

    /// A copy with its own copy of the bank; containers then make the copies of layers that
    /// shared a bank share one copy again (`keepBanksShared`).
    public func copy() -> SharedWeight<Scalar> { SharedWeight(copying: self, bank: bank.copy()) }

    /// Moves this mixture to `other` (a copy of its bank with the same k and shape).
    func adopt(_ other: TemplateBank<Scalar>) {
        guard other !== bank, other.k == bank.k, other.shape == bank.shape else { return }
        bank.unregister(self)
        bank = other
        other.register(self, drawAlpha: false)
        cache = nil
    }

    func setInitialAlpha(_ values: [Double]) {
        alpha.value = Tensor(uncheckedShape: [values.count], scalars: values.map { Scalar($0) })
        initialAlpha = alpha.value
    }

    /// True while α still holds the value its bank drew.
    var alphaIsInitial: Bool { initialAlpha.map { $0 == alpha.value } ?? false }

    /// The name of α in listings: `alpha` for a free mixture, `scale` for a tied one.
    public var alphaName: String { tiedIndex == nil ? "alpha" : "scale" }

    /// α as a k-vector over the bank's templates (c·e_g for a tied mixture).
    public var mixture: [Double] {
        let a = alpha.value.scalars.map(\.doubleValue)
        guard let g = tiedIndex else { return a }
        var out = [Double](repeating: 0, count: bank.k)
        out[g] = a.first ?? 0
        return out
    }

    /// W on `tape`: a node depending on α and the templates when the tape records.
    /// - Throws: only on an internal shape error.
    @_specialize(where Scalar == Float)
    public func weight(on tape: Tape<Scalar>) throws -> Variable<Scalar> {
        let t = bank.templates
        if !tape.isRecording, let c = cache, c.alpha == alpha.value, c.templates == t.value {
            return tape.constant(c.weight)
        }
        let templates = tape.variable(for: t), a = tape.variable(for: alpha)
        let w: Variable<Scalar>
        if let g = tiedIndex {
            w = try templates.indexed(g).multiplying(a)
        } else {
            w = try a.reshaped([1, bank.k]).matmul(templates.reshaped([bank.k, bank.templateSize])).reshaped(bank.shape)
        }
        cache = tape.isRecording ? nil : (alpha.value, t.value, w.value)
        return w
    }

    /// W, materialised.
    public func effectiveWeight() throws -> Tensor<Scalar> {
        try weight(on: Tape<Scalar>(recording: false)).value
    }
}

/// A layer whose weight is a mixture of a template bank (`SharedConv`, `SharedDense`).
public protocol BankMember<Scalar>: Layer {
    /// The layer's mixture; folding replaces it with a tied one.
    var shared: SharedWeight<Scalar> { get set }
}

extension BankMember {
    /// The bank's templates (listed at this layer's path when it is the bank's first user) and
    /// this layer's α.
    public var sharedParams: [(name: String, param: Param<Scalar>)] {
        [("templates", shared.bank.templates), (shared.alphaName, shared.alpha)]
    }
}

/// Makes the layers of `copy` that use copies of one bank of `original` use one copy again: a
/// layer's `copy()` copies its bank, so a container calls this after copying its children.
public func keepBanksShared<S: TensorScalar>(original: any Layer<S>, copy: any Layer<S>) {
    var banks: [ObjectIdentifier: TemplateBank<S>] = [:]
    for (o, c) in zip(original.namedLayers, copy.namedLayers) {
        guard let om = o.layer as? any BankMember<S>, let cm = c.layer as? any BankMember<S> else { continue }
        let key = ObjectIdentifier(om.shared.bank)
        if let b = banks[key] { cm.shared.adopt(b) } else { banks[key] = cm.shared.bank }
    }
}
