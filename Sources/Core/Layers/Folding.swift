// Folding a template bank: clusters of similar layers share one new template, run as loops.

/// How layers are grouped into clusters of similarity ≥ τ.
public enum FoldMethod: String, Sendable, CaseIterable {
    /// In forward order, a layer joins the first cluster whose first member it is similar to.
    case leader
    /// A layer joins the first cluster all of whose members it is similar to.
    case complete
}

/// The result of folding one bank (thesis §3.4, spec §4): layers whose α's are similar (LSM ≥ τ)
/// are tied to one new template per cluster, T' = B·T, and each execution step l runs
/// W'⁽ˡ⁾ = c_l · T'⁽ᵍˡ⁾.
///
/// Without sign/scale alignment, row g of B is the mean of the cluster's α's and c_l = 1 (the
/// thesis' B = α α'ᵀ (α' α'ᵀ)⁻¹). With it, each member l gets s_l = sign⟨α_l, α_r⟩ against the
/// cluster's first member r, row g of B is the mean of s_l α_l / ‖α_l‖ and c_l = s_l ‖α_l‖: exact
/// for collinear α's without relying on a BatchNorm after the layer (a pre-activation block's
/// second conv feeds the residual sum, where scale matters).
public struct BankFold: Sendable {
    /// The cluster of each layer (0-based), in forward order.
    public var clusters: [Int]
    /// B, [n, k]: row g mixes the old templates into new template g.
    public var b: [[Double]]
    /// The per-step scalars c_l.
    public var scales: [Double]
    /// ‖W'⁽ˡ⁾ − W⁽ˡ⁾‖ / ‖W⁽ˡ⁾‖ per layer (0 for a zero weight that stays zero).
    public var relativeErrors: [Double]
    /// The bank's parameters before (k·d + L·k) and after folding (n·d + L scalars).
    public var paramsBefore: Int
    public var paramsAfter: Int
    public var tau: Double
    public var method: FoldMethod
    public var signScale: Bool

    /// n, the number of new templates.
    public var templateCount: Int { b.count }

    /// The execution program with repeats written as loops: "A B (C D)×2".
    public var program: String { FoldProgram.compress(clusters.map(FoldProgram.letter)) }
}

extension TemplateBank {
    /// Folds the bank's `members` (forward order) at similarity threshold `tau`.
    /// - Throws: `CoreError.badArgument` for τ outside [0, 1] or a bank without members.
    public func fold(tau: Double, method: FoldMethod = .leader, signScale: Bool = true,
                     members given: [SharedWeight<Scalar>]? = nil) throws -> (fold: BankFold, templates: Tensor<Scalar>) {
        let ms = given ?? members
        guard !ms.isEmpty else {
            throw CoreError.badArgument(op: "fold", message: "the bank has no layers: make some with shared_conv(bank) or shared_dense(bank)")
        }
        let alphas = ms.map(\.mixture)
        let (clusters, b, scales) = try FoldProgram.plan(alphas: alphas, tau: tau, method: method, signScale: signScale)
        let n = b.count
        // T' = B · T, in Double for the small n×k by k×d product.
        let d = templateSize
        let t = templates.value.scalars
        var newT = [Scalar](repeating: 0, count: n * d)
        for g in 0..<n {
            for i in 0..<k where b[g][i] != 0 {
                let coef = b[g][i]
                for j in 0..<d { newT[g * d + j] += Scalar(coef * t[i * d + j].doubleValue) }
            }
        }
        var errors: [Double] = []
        for l in ms.indices {
            var diff = 0.0, ref = 0.0
            let g = clusters[l]
            for j in 0..<d {
                var w = 0.0
                for i in 0..<k { w += alphas[l][i] * t[i * d + j].doubleValue }
                let folded = scales[l] * newT[g * d + j].doubleValue
                diff += (folded - w) * (folded - w)
                ref += w * w
            }
            errors.append(ref > 0 ? (diff / ref).squareRoot() : diff.squareRoot())
        }
        let fold = BankFold(clusters: clusters, b: b, scales: scales, relativeErrors: errors,
                            paramsBefore: k * d + ms.reduce(0) { $0 + $1.alpha.count }, paramsAfter: n * d + ms.count,
                            tau: tau, method: method, signScale: signScale)
        return (fold, Tensor(uncheckedShape: [n] + shape, scalars: newT))
    }
}

extension Layer {
    /// A copy of this net in which every bank is folded (see `TemplateBank.fold`): its layers use
    /// a new bank of n templates, each step its template g_l times its scale c_l (both trainable),
    /// every other layer (BatchNorm included, one per step) copied as it is. The folds come back in
    /// the order of `banks`.
    /// - Throws: `CoreError.badArgument` for a bad τ or a net without banks.
    public func folded(tau: Double, method: FoldMethod = .leader, signScale: Bool = true) throws -> (net: any Layer<Scalar>, folds: [BankFold]) {
        guard !banks.isEmpty else {
            throw CoreError.badArgument(op: "fold", message: "the net has no template banks (make layers with shared_conv or shared_dense)")
        }
        let net = copy()
        var folds: [BankFold] = []
        for (bank, members) in net.banks {
            let (fold, templates) = try bank.fold(tau: tau, method: method, signScale: signScale, members: members.map(\.mixture))
            let newBank = try TemplateBank(templates: templates)
            newBank.templates.isFrozen = bank.templates.isFrozen
            for (l, (path, _)) in members.enumerated() {
                guard let layer = net.layer(at: path) as? any BankMember<Scalar> else { continue }
                layer.shared = try SharedWeight(tiedTo: newBank, index: fold.clusters[l], scale: Scalar(fold.scales[l]))
            }
            folds.append(fold)
        }
        return (net, folds)
    }
}

/// Clustering and the loop-compressed program string.
public enum FoldProgram {
    /// Similarities within this of τ count as ≥ τ: the LSM of identical Float α's can come out a
    /// rounding error below 1.
    static let slack = 1e-7

    /// The clusters, B [n, k] and the per-step scalars for the α's of one bank (rows in forward
    /// order), as described on `BankFold`.
    /// - Throws: `CoreError.badArgument` for τ outside [0, 1] or no rows.
    public static func plan(alphas: [[Double]], tau: Double, method: FoldMethod, signScale: Bool) throws
        -> (clusters: [Int], b: [[Double]], scales: [Double]) {
        guard tau.isFinite, tau >= 0, tau <= 1 else {
            throw CoreError.badArgument(op: "fold", message: "tau must be in [0, 1], got \(tau)")
        }
        guard let k = alphas.first?.count, alphas.allSatisfy({ $0.count == k }) else {
            throw CoreError.badArgument(op: "fold", message: "needs one α row per layer, all of one length")
        }
        let clusters = cluster(LayerSimilarity(vectors: alphas, kind: .alpha), tau: tau, method: method)
        let n = (clusters.max() ?? -1) + 1
        var b = [[Double]](repeating: [Double](repeating: 0, count: k), count: n)
        var scales = [Double](repeating: 1, count: alphas.count)
        for g in 0..<n {
            let idx = clusters.indices.filter { clusters[$0] == g }
            guard let r = idx.first else { continue }
            for l in idx {
                let a = alphas[l]
                if signScale {
                    let norm = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    let dot = zip(a, alphas[r]).reduce(0) { $0 + $1.0 * $1.1 }
                    let sign: Double = dot < 0 ? -1 : 1
                    scales[l] = sign * norm
                    for i in 0..<k where norm > 0 { b[g][i] += sign * a[i] / norm / Double(idx.count) }
                } else {
                    for i in 0..<k { b[g][i] += a[i] / Double(idx.count) }
                }
            }
        }
        return (clusters, b, scales)
    }

    static func cluster(_ s: LayerSimilarity, tau: Double, method: FoldMethod) -> [Int] {
        var clusters = [Int](repeating: 0, count: s.count)
        var members: [[Int]] = []
        func similar(_ a: Int, _ b: Int) -> Bool { let v = s.matrix[a][b]; return !v.isNaN && v + slack >= tau }
        for l in 0..<s.count {
            let join = s.undefined[l] ? nil : members.firstIndex { group in
                switch method {
                case .leader: return group.first.map { similar(l, $0) } ?? false
                case .complete: return group.allSatisfy { similar(l, $0) }
                }
            }
            if let g = join { members[g].append(l); clusters[l] = g } else { members.append([l]); clusters[l] = members.count - 1 }
        }
        return clusters
    }

    /// A, B, …, Z, then T27, T28, …
    public static func letter(_ g: Int) -> String {
        g < 26 ? String(UnicodeScalar(UInt8(65 + g))) : "T\(g + 1)"
    }

    /// Writes repeats as loops, greedily from the left: at each position the period and count that
    /// cover the most steps (shortest period on ties) become "(X Y)×r" or "X×r".
    public static func compress(_ tokens: [String]) -> String {
        var out: [String] = []
        var i = 0
        while i < tokens.count {
            var best = (period: 1, repeats: 1)
            var p = 1
            while i + 2 * p <= tokens.count {
                var r = 1
                while i + (r + 1) * p <= tokens.count, Array(tokens[(i + r * p)..<(i + (r + 1) * p)]) == Array(tokens[i..<(i + p)]) { r += 1 }
                if r > 1, p * r > best.period * best.repeats { best = (p, r) }
                p += 1
            }
            if best.repeats > 1 {
                let body = tokens[i..<(i + best.period)].joined(separator: " ")
                out.append((best.period == 1 ? body : "(\(body))") + "×\(best.repeats)")
                i += best.period * best.repeats
            } else {
                out.append(tokens[i])
                i += 1
            }
        }
        return out.joined(separator: " ")
    }
}
