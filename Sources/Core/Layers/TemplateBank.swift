// Soft parameter sharing's template bank: k templates of one shape, one parameter however many layers mix them.

/// A bank of k templates T⁽¹⁾…T⁽ᵏ⁾ of one shape (Savarese & Maire, ICLR 2019; thesis ch. 3).
///
/// The templates are ONE parameter `[k, ...shape]` (role `template`), referenced by every layer
/// that mixes them (`SharedConv`, `SharedDense`): the network lists it once, at the first layer's
/// path (`<layer>.templates`, the others are aliases), counts, steps and saves it once, and the
/// tape gives it one node, so its gradient is Σ_l α⁽ˡ⁾ ⊗ ∂L/∂W⁽ˡ⁾ over every layer that uses it.
/// Each template is Kaiming-normal, N(0, 2/fan_in) (fan_in = in·kh·kw for a conv shape
/// [out, in, kh, kw], `in` for a dense shape [in, out]). Each member's α is a row of a
/// semi-orthogonal matrix (see `register`).
public final class TemplateBank<Scalar: TensorScalar> {
    /// The templates, [k, ...shape], role `template`.
    public let templates: Param<Scalar>
    /// The number of templates.
    public let k: Int
    /// The shape of one template (and of every member's weight).
    public let shape: [Int]
    /// The mixtures using the bank, in the order they were made; weak, so a layer dropped by the
    /// user leaves the bank.
    private var memberRefs: [WeakMixture<Scalar>] = []
    /// The bank's own stream for the members' α's, so adding a layer never touches the global one.
    private var rng: RandomStream
    /// An orthogonal k×k matrix whose rows are handed to the first k members.
    private var basis: [[Double]]
    private var rowsHanded = 0

    /// A bank of `k` Kaiming-normal templates of `shape`.
    /// - Throws: `CoreError.badArgument` for k < 1 or a shape that is not a dense [in, out] or conv
    ///   [out, in, kh, kw] weight with positive sizes.
    public init(k: Int, shape: [Int], using rng: inout RandomStream) throws {
        try TemplateBank.validate(k: k, shape: shape)
        let fanIn = shape.count == 4 ? shape[1] * shape[2] * shape[3] : shape[0]
        let std = Scalar((2.0 / Double(fanIn)).squareRoot())
        self.k = k
        self.shape = shape
        templates = Param(try Tensor.normal([k] + shape, std: std, using: &rng), role: .template, name: "templates")
        self.rng = rng.derived(stream: rng.nextUInt64())
        basis = TemplateBank.orthonormalRows(TemplateBank.gaussian(k, k, &self.rng))
    }

    /// A bank holding the given templates `[k, ...shape]` (folding makes its new bank this way).
    /// - Throws: `CoreError.badArgument` as `init(k:shape:using:)`.
    public init(templates value: Tensor<Scalar>, seed: UInt64 = 0) throws {
        let shape = Array(value.shape.dropFirst())
        try TemplateBank.validate(k: value.shape.first ?? 0, shape: shape)
        k = value.shape[0]
        self.shape = shape
        templates = Param(value, role: .template, name: "templates")
        rng = RandomStream(seed: seed, stream: 7)
        basis = TemplateBank.orthonormalRows(TemplateBank.gaussian(k, k, &rng))
    }

    static func validate(k: Int, shape: [Int]) throws {
        guard k >= 1 else { throw CoreError.badArgument(op: "bank", message: "k (templates) must be at least 1, got \(k)") }
        guard shape.count == 2 || shape.count == 4, shape.allSatisfy({ $0 >= 1 }) else {
            throw CoreError.badArgument(op: "bank",
                message: "shape must be a dense weight [in, out] or a conv weight [out, in, kh, kw] with sizes >= 1, got \(Tensor<Float>.describe(shape))")
        }
        _ = try Tensor<Scalar>.elementCount(of: [k] + shape, op: "bank")
    }

    /// d: the scalars in one template.
    public var templateSize: Int { shape.reduce(1, *) }

    /// The mixtures using the bank, alive, in the order they were made.
    public var members: [SharedWeight<Scalar>] {
        memberRefs.removeAll { $0.mixture == nil }
        return memberRefs.compactMap(\.mixture)
    }

    /// A copy with its own templates (same values) and no members: members join with `register`.
    public func copy() -> TemplateBank<Scalar> {
        // The initialiser cannot fail here: the values passed validation when this bank was made.
        let c = (try? TemplateBank(templates: templates.value)) ?? self
        c.templates.isFrozen = templates.isFrozen
        return c
    }

    // MARK: - Members and their initial α's

    /// Adds a member. With `drawAlpha`, gives it its initial α (written into `mixture.alpha`):
    /// the j-th member of a bank with j < k gets row j of an orthogonal k×k matrix, so the α's of
    /// up to k layers are orthonormal and the LSM starts at the identity. Past k members the rows
    /// of a semi-orthogonal L×k matrix cannot be orthonormal (its columns are): while no α has
    /// moved from its initial value every member is re-drawn from a fresh L×k one (row norms about
    /// √(k/L)); once training has moved an α, the new member alone gets a random row of norm √(k/L)
    /// and the others are left alone.
    func register(_ mixture: SharedWeight<Scalar>, drawAlpha: Bool) {
        let alive = members
        memberRefs.append(WeakMixture(mixture))
        guard drawAlpha else { return }
        if rowsHanded < k {
            mixture.setInitialAlpha(basis[rowsHanded])
            rowsHanded += 1
            return
        }
        let all = alive + [mixture]
        let untouched = alive.allSatisfy { $0.alphaIsInitial }
        if untouched && alive.allSatisfy({ $0.tiedIndex == nil }) {
            let columns = TemplateBank.orthonormalRows(TemplateBank.gaussian(k, all.count, &rng))
            for (j, m) in all.enumerated() { m.setInitialAlpha((0..<k).map { columns[$0][j] }) }
        } else {
            var row = TemplateBank.gaussian(1, k, &rng)[0]
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let target = (Double(k) / Double(all.count)).squareRoot()
            row = row.map { $0 / Swift.max(norm, 1e-12) * target }
            mixture.setInitialAlpha(row)
        }
    }

    func unregister(_ mixture: SharedWeight<Scalar>) {
        memberRefs.removeAll { $0.mixture == nil || $0.mixture === mixture }
    }

    static func gaussian(_ rows: Int, _ columns: Int, _ rng: inout RandomStream) -> [[Double]] {
        let t = (try? Tensor<Double>.normal([rows, columns], using: &rng)) ?? Tensor(uncheckedShape: [rows, columns], scalars: [Double](repeating: 1, count: rows * columns))
        return (0..<rows).map { Array(t.scalars[($0 * columns)..<(($0 + 1) * columns)]) }
    }

    /// Gram–Schmidt on the rows (in order; twice, for Float-level orthogonality): the Q of a QR
    /// factorisation with a positive diagonal of R. Assumes rows ≤ columns (true for Gaussian
    /// draws with probability 1).
    static func orthonormalRows(_ m: [[Double]]) -> [[Double]] {
        var out: [[Double]] = []
        for row in m {
            var v = row
            for _ in 0..<2 {
                for q in out {
                    let dot = zip(v, q).reduce(0) { $0 + $1.0 * $1.1 }
                    for i in v.indices { v[i] -= dot * q[i] }
                }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            out.append(v.map { $0 / Swift.max(norm, 1e-300) })
        }
        return out
    }
}

/// A weak reference to a bank's member.
struct WeakMixture<Scalar: TensorScalar> {
    weak var mixture: SharedWeight<Scalar>?
    init(_ m: SharedWeight<Scalar>) { mixture = m }
}
