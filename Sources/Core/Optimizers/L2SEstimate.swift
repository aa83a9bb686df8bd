// The restricted smoothness constant L₂ₛ: the IHT paper's Monte Carlo estimate for a network, and the exact value for least squares.

/// The Monte Carlo estimate of L₂ₛ and the step size γ = 1/L̂₂ₛ it gives (IHT paper §III-F/G).
public struct L2SEstimate: Equatable, Sendable {
    /// L̂₂ₛ, the largest gradient-difference ratio over the samples.
    public var l2s: Double
    /// The sparsity level s.
    public var s: Int
    /// Each kept sample's ratio ‖∇f(θ̃) − ∇f(θ)‖ / ‖θ̃ − θ‖, in draw order.
    public var ratios: [Double]
    /// Samples drawn, and those skipped because ‖θ̃ − θ‖ < 1e-12.
    public var samples: Int, skipped: Int
    /// The seed of the draws.
    public var seed: UInt64

    /// γ = 1/L̂₂ₛ (infinity when every sample was skipped or L̂ = 0).
    public var lr: Double { l2s > 0 ? 1 / l2s : .infinity }
    public var minimum: Double { ratios.min() ?? .nan }
    public var maximum: Double { ratios.max() ?? .nan }
    /// The median ratio (the mean of the middle two for an even count).
    public var median: Double {
        let sorted = ratios.sorted()
        guard !sorted.isEmpty else { return .nan }
        let m = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
    }
}

/// L̂₂ₛ for the full-batch loss of `net` on (x, y) (the IHT paper's estimate).
///
/// Each sample: θ = a fresh PyTorch-default draw of the Dense and Conv2D parameters (uniform in
/// ±1/√fan_in; other parameters keep their values), zero outside a random support S of size s,
/// δ = min over S of |θᵢ|, θ̃ = H_s(θ + δ·d) with d standard normal over all n coordinates, and the
/// ratio ‖∇f(θ̃) − ∇f(θ)‖ / ‖θ̃ − θ‖ (skipped when the denominator is below 1e-12). L̂₂ₛ is the
/// largest ratio. A maximum over samples is a lower bound on the true supremum, whatever the
/// paper calls it; the net itself is not changed.
/// - Parameter paths: the parameters making up θ (nil: every trainable one).
/// - Throws: `CoreError.badArgument` for s outside 1…n or samples < 1, or a layer error.
public func estimateL2s<S: TensorScalar>(net: any Layer<S>, paths: [String]?, x: Tensor<S>, y: Tensor<S>,
                                         loss: Loss<S>? = nil, s: Int, samples: Int = L2SDefaults.samples,
                                         seed: UInt64 = 0) throws -> L2SEstimate {
    let objective = try FlatObjective(net: net, paths: paths, x: x, y: y, loss: loss, op: "l2s")
    let n = objective.count
    guard s >= 1, s <= n else {
        throw CoreError.badArgument(op: "l2s", message: "s must be between 1 and the number of parameters (\(n)), got \(s)")
    }
    guard samples >= 1 else { throw CoreError.badArgument(op: "l2s", message: "samples must be at least 1, got \(samples)") }
    let bounds = objective.vector.entries.map { freshInitBound(path: $0.path, param: $0.param, in: objective.net) }
    let start = objective.vector.values
    var rng = RandomStream(seed: seed)
    var ratios: [Double] = [], skipped = 0
    for _ in 0..<samples {
        var theta = start
        for (k, e) in objective.vector.entries.enumerated() {
            guard let bound = bounds[k] else { continue }
            for i in 0..<e.param.count { theta[e.offset + i] = S((rng.nextDouble() * 2 - 1) * bound) }
        }
        let keep = Set(rng.permutation(n).prefix(s))
        var delta = Double.infinity
        for i in 0..<n {
            if keep.contains(i) { delta = Swift.min(delta, Swift.abs(theta[i].doubleValue)) } else { theta[i] = 0 }
        }
        let d = try Tensor<S>.normal([n], using: &rng).scalars
        var moved = theta
        for i in 0..<n { moved[i] += S(delta) * d[i] }
        let tilde = try Tensor(uncheckedShape: [n], scalars: moved).hardThreshold(s).scalars
        var den = 0.0
        for i in 0..<n { let diff = (tilde[i] - theta[i]).doubleValue; den += diff * diff }
        den = den.squareRoot()
        guard den >= 1e-12 else { skipped += 1; continue }
        let g0 = try objective.valueAndGradient(at: theta).gradient
        let g1 = try objective.valueAndGradient(at: tilde).gradient
        var num = 0.0
        for i in 0..<n { num += (g1[i] - g0[i]) * (g1[i] - g0[i]) }
        ratios.append(num.squareRoot() / den)
    }
    return L2SEstimate(l2s: ratios.max() ?? 0, s: s, ratios: ratios, samples: samples, skipped: skipped, seed: seed)
}

/// The PyTorch-default initialisation bound 1/√fan_in of a Dense or Conv2D parameter (its weight or
/// bias); nil for a parameter of another layer.
func freshInitBound<S: TensorScalar>(path: String, param: Param<S>, in net: any Layer<S>) -> Double? {
    let layerPath = path.lastIndex(of: ".").map { String(path[..<$0]) } ?? ""
    guard let layer = net.layer(at: layerPath) as? any GatedLayer<S> else { return nil }
    let shape = layer.weight.value.shape
    let fanIn: Int
    if layer is Dense<S> { fanIn = shape.first ?? 1 } else { fanIn = shape.dropFirst().reduce(1, *) }
    return 1 / Double(Swift.max(fanIn, 1)).squareRoot()
}

/// The exact constants of least squares f(θ) = ½‖Xθ − y‖² on s-sparse pairs, by brute force over
/// column sets U of size min(2s, n) (a larger set never lowers either, by interlacing):
/// `l2s` = max λ_max(X_Uᵀ X_U), the paper's RSS modulus, and `lipschitz` = max ‖Xᵀ X_U‖₂, the
/// restricted Lipschitz constant of ∇f, which bounds every ratio of the Monte Carlo estimate.
public struct ExactL2s: Equatable, Sendable {
    public var l2s: Double
    public var lipschitz: Double
}

/// See `ExactL2s`.
/// - Throws: `CoreError.badArgument` for a non-matrix X, s < 1, or more than 200,000 sets.
public func exactL2s<S: TensorScalar>(_ x: Tensor<S>, s: Int) throws -> ExactL2s {
    guard x.rank == 2 else { throw CoreError.badArgument(op: "l2s_exact", message: "X must be a matrix, got shape \(Tensor<S>.describe(x.shape))") }
    let (m, n) = (x.shape[0], x.shape[1])
    guard s >= 1 else { throw CoreError.badArgument(op: "l2s_exact", message: "s must be at least 1, got \(s)") }
    let k = Swift.min(2 * s, n)
    var sets = 1.0
    for i in 0..<k { sets = sets * Double(n - i) / Double(i + 1) }
    guard sets <= 200_000 else {
        throw CoreError.badArgument(op: "l2s_exact", message: "C(\(n), \(k)) = \(Int(sets)) column sets is too many for brute force (at most 200,000)")
    }
    // G = XᵀX and G² once, in Double; each set's blocks are read from them (‖XᵀX_U‖² = λ_max(G²[U, U])).
    let a = x.scalars.map { $0.doubleValue }
    var gram = [Double](repeating: 0, count: n * n), square = [Double](repeating: 0, count: n * n)
    for r in 0..<m { for i in 0..<n { let v = a[r * n + i]; for j in 0..<n { gram[i * n + j] += v * a[r * n + j] } } }
    for i in 0..<n { for j in 0..<n { for l in 0..<n { square[i * n + j] += gram[i * n + l] * gram[l * n + j] } } }
    var best = 0.0, bestSquare = 0.0
    var chosen = Array(0..<k)
    while true {
        best = Swift.max(best, largestEigenvalue(gram, n: n, rows: chosen))
        bestSquare = Swift.max(bestSquare, largestEigenvalue(square, n: n, rows: chosen))
        // The next combination in lexicographic order.
        var i = k - 1
        while i >= 0 && chosen[i] == n - k + i { i -= 1 }
        if i < 0 { break }
        chosen[i] += 1
        for j in (i + 1)..<k { chosen[j] = chosen[j - 1] + 1 }
    }
    return ExactL2s(l2s: best, lipschitz: bestSquare.squareRoot())
}

/// λ_max of the symmetric positive semi-definite block G[rows, rows], by cyclic Jacobi rotations.
func largestEigenvalue(_ gram: [Double], n: Int, rows: [Int]) -> Double {
    let k = rows.count
    var a = [Double](repeating: 0, count: k * k)
    for i in 0..<k { for j in 0..<k { a[i * k + j] = gram[rows[i] * n + rows[j]] } }
    for _ in 0..<100 {
        var off = 0.0
        for i in 0..<k { for j in 0..<k where i != j { off += a[i * k + j] * a[i * k + j] } }
        if off < 1e-22 { break }
        for p in 0..<k {
            for q in (p + 1)..<k where a[p * k + q] != 0 {
                let theta = (a[q * k + q] - a[p * k + p]) / (2 * a[p * k + q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), sn = t * c
                for r in 0..<k {
                    let arp = a[r * k + p], arq = a[r * k + q]
                    a[r * k + p] = c * arp - sn * arq
                    a[r * k + q] = sn * arp + c * arq
                }
                for r in 0..<k {
                    let apr = a[p * k + r], aqr = a[q * k + r]
                    a[p * k + r] = c * apr - sn * aqr
                    a[q * k + r] = sn * apr + c * aqr
                }
            }
        }
    }
    return (0..<k).map { a[$0 * k + $0] }.max() ?? 0
}

/// The estimate's defaults (the paper leaves n_monte open; 100 is the spec's completion).
public enum L2SDefaults {
    public static let samples = 100
}

extension L2SEstimate {
    /// The estimate as named values (`l2s(...)` in scripts, `opt.l2s`).
    public var report: Report {
        Report([("l2s", .number(l2s)), ("lr", .number(lr)), ("s", .int(s)), ("min", .number(minimum)),
                ("median", .number(median)), ("max", .number(maximum)), ("samples", .int(samples)),
                ("skipped", .int(skipped)), ("seed", .int(Int(truncatingIfNeeded: seed)))])
    }
}
