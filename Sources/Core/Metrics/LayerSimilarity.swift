// The layer similarity matrix (LSM) of a template bank: |cos| between the layers' α's (or their weights).

/// Which vectors the LSM compares.
public enum SimilarityKind: String, Sendable, CaseIterable {
    /// The coefficient vectors α⁽ˡ⁾ (what the thesis plots and folding uses).
    case alpha
    /// The flattened effective weights W⁽ˡ⁾ (equal to the α-LSM only when T Tᵀ ∝ I).
    case weight
}

/// The L×L layer similarity matrix of the layers of one bank, in forward order (thesis eq. 3.13):
/// S[l, l'] = |⟨v_l, v_l'⟩| / (‖v_l‖ ‖v_l'‖), symmetric with a unit diagonal and entries in [0, 1].
///
/// Absolute cosine, because a BatchNorm after the layer makes a positive scale irrelevant and a
/// negative one can be absorbed by negating the input: a scaled or negated α is "the same layer".
/// A row whose vector has norm below `eps` is undefined: its entries are NaN and `undefined[l]`.
public struct LayerSimilarity: Equatable, Sendable {
    /// S, row-major [L, L], in Double.
    public var matrix: [[Double]]
    /// Rows whose vector is (numerically) zero.
    public var undefined: [Bool]
    public var kind: SimilarityKind
    /// A label per layer (its path in the net, or its position).
    public var labels: [String]

    /// The norm below which a row is undefined.
    public static let eps = 1e-12

    /// The LSM of `vectors` (one per layer, all the same length).
    public init(vectors: [[Double]], kind: SimilarityKind, labels: [String]? = nil) {
        let norms = vectors.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        undefined = norms.map { !($0 >= LayerSimilarity.eps) }
        let n = vectors.count
        var m = [[Double]](repeating: [Double](repeating: .nan, count: n), count: n)
        for i in 0..<n where !undefined[i] {
            for j in i..<n where !undefined[j] {
                let dot = zip(vectors[i], vectors[j]).reduce(0) { $0 + $1.0 * $1.1 }
                let s = i == j ? 1 : Swift.min(1, Swift.abs(dot) / (norms[i] * norms[j]))
                m[i][j] = s
                m[j][i] = s
            }
        }
        matrix = m
        self.kind = kind
        self.labels = labels ?? (0..<n).map { String($0 + 1) }
    }

    /// The number of layers.
    public var count: Int { matrix.count }

    /// Σ S over all ordered pairs, diagonal included (the recurrence regularizer's sum); undefined
    /// entries count 0.
    public var total: Double { matrix.joined().reduce(0) { $0 + ($1.isNaN ? 0 : $1) } }

    /// S as a Float tensor [L, L] (NaN where undefined).
    public var tensor: Tensor<Float> {
        Tensor(uncheckedShape: [count, count], scalars: matrix.joined().map { Float($0) })
    }
}

extension TemplateBank {
    /// The LSM over the bank's members, in the order given (forward order in a net; the order they
    /// were made for a bank on its own).
    /// - Throws: `CoreError.badArgument` when the bank has no members.
    public func similarity(_ kind: SimilarityKind, members: [SharedWeight<Scalar>]? = nil,
                           labels: [String]? = nil) throws -> LayerSimilarity {
        let ms = members ?? self.members
        guard !ms.isEmpty else {
            throw CoreError.badArgument(op: "lsm", message: "the bank has no layers: make some with shared_conv(bank) or shared_dense(bank)")
        }
        let vectors: [[Double]]
        switch kind {
        case .alpha: vectors = ms.map(\.mixture)
        case .weight: vectors = try ms.map { try $0.effectiveWeight().scalars.map(\.doubleValue) }
        }
        return LayerSimilarity(vectors: vectors, kind: kind, labels: labels)
    }
}

extension Layer {
    /// Every template bank of the tree with its members in forward order and their paths.
    public var banks: [(bank: TemplateBank<Scalar>, members: [(path: String, mixture: SharedWeight<Scalar>)])] {
        var order: [ObjectIdentifier] = []
        var found: [ObjectIdentifier: (TemplateBank<Scalar>, [(String, SharedWeight<Scalar>)])] = [:]
        var seenLayers = Set<ObjectIdentifier>()
        for (path, layer) in namedLayers {
            guard let m = layer as? any BankMember<Scalar> else { continue }
            let key = ObjectIdentifier(m.shared.bank)
            if found[key] == nil { order.append(key); found[key] = (m.shared.bank, []) }
            // A layer used twice in a chain runs twice but is one set of α's: list it once.
            guard seenLayers.insert(ObjectIdentifier(layer)).inserted else { continue }
            found[key]?.1.append((path, m.shared))
        }
        return order.compactMap { found[$0] }.map { (bank: $0.0, members: $0.1.map { (path: $0.0, mixture: $0.1) }) }
    }
}
