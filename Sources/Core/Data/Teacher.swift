// RVSM's model problem: Gaussian inputs through a no-overlap one-hidden-layer ReLU network with a sparse unit-norm filter, and its closed-form population loss.
import Foundation

/// The no-overlap teacher of the RVSM paper (§3.1 of the methods spec): x ∈ R^{k·d} of i.i.d.
/// N(0, 1) entries split into k patches, y = L(x; w*) = (1/k)·Σᵢ ReLU(w*·xᵢ), with w* ∈ R^d
/// unit-norm and `nonzero` of its entries nonzero.
public struct NoOverlapTeacher {
    public var d: Int, k: Int
    /// w*, [d].
    public var wStar: Tensor<Float>
    /// x [samples, k·d], y [samples, 1].
    public var data: Dataset

    /// - Throws: `CoreError.badArgument` for sizes below 1, `nonzero` above d, or samples < 1.
    public init(d: Int, k: Int, nonzero: Int, samples: Int, seed: UInt64) throws {
        guard d >= 1, k >= 1 else { throw CoreError.badArgument(op: "teacher", message: "d and k must be at least 1, got d = \(d), k = \(k)") }
        guard nonzero >= 1, nonzero <= d else {
            throw CoreError.badArgument(op: "teacher", message: "nonzero must be between 1 and d (\(d)), got \(nonzero)")
        }
        guard samples >= 1 else { throw CoreError.badArgument(op: "teacher", message: "samples must be at least 1, got \(samples)") }
        _ = try Tensor<Float>.elementCount(of: [samples, k, d], op: "teacher")
        var rng = RandomStream(seed: seed)
        let support = rng.permutation(d).prefix(nonzero)
        let values = try Tensor<Float>.normal([nonzero], using: &rng).scalars
        var w = [Float](repeating: 0, count: d)
        for (i, j) in support.enumerated() { w[j] = values[i] == 0 ? 1 : values[i] }
        let norm = w.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        w = w.map { Float(Double($0) / norm) }
        let x = try Tensor<Float>.normal([samples, k * d], using: &rng)
        let y = try NoOverlapTeacher.output(x, w: w, k: k)
        self.d = d
        self.k = k
        wStar = Tensor(uncheckedShape: [d], scalars: w)
        data = try Dataset(x: x, y: y)
    }

    /// L(x; w) for every row of x [N, k·d], as [N, 1].
    static func output(_ x: Tensor<Float>, w: [Float], k: Int) throws -> Tensor<Float> {
        let d = w.count, n = x.shape[0]
        var y = [Float](repeating: 0, count: n)
        x.scalars.withUnsafeBufferPointer { px in
            for r in 0..<n {
                var total = 0.0
                for patch in 0..<k {
                    var dot = 0.0
                    let base = r * k * d + patch * d
                    for j in 0..<d { dot += Double(px[base + j]) * Double(w[j]) }
                    total += Swift.max(0, dot)
                }
                y[r] = Float(total / Double(k))
            }
        }
        return Tensor(uncheckedShape: [n, 1], scalars: y)
    }
}

/// The closed forms of the population loss f(w) = E[(L(x; w) − L(x; w*))²] for Gaussian inputs
/// (RVSM paper; §3.2 of the methods spec), in Double.
public enum NoOverlapPopulation {
    /// The angle between u and v, acos of the clamped cosine (0 when either is zero).
    public static func angle(_ u: [Double], _ v: [Double]) -> Double {
        let nu = norm(u), nv = norm(v)
        guard nu > 0, nv > 0 else { return 0 }
        return acos(Swift.max(-1, Swift.min(1, dot(u, v) / (nu * nv))))
    }

    /// g(u, v) = E[ReLU(u·x) ReLU(v·x)] = ‖u‖‖v‖(sin θ + (π − θ) cos θ)/2π (0 when either is zero).
    public static func g(_ u: [Double], _ v: [Double]) -> Double {
        let nu = norm(u), nv = norm(v)
        guard nu > 0, nv > 0 else { return 0 }
        let t = angle(u, v)
        return nu * nv * (sin(t) + (Double.pi - t) * cos(t)) / (2 * Double.pi)
    }

    /// f(w) = (1/k²)[a(‖w‖² + ‖w*‖²) − 2k·g(w, w*) − 2b‖w‖‖w*‖], b = (k² − k)/2π, a = b + k/2.
    /// - Throws: `CoreError.badArgument` when w and w* differ in length or k < 1.
    public static func loss(_ w: [Double], _ wStar: [Double], k: Int) throws -> Double {
        try check(w, wStar, k)
        let kk = Double(k), b = (kk * kk - kk) / (2 * Double.pi), a = b + kk / 2
        let nw = norm(w), ns = norm(wStar)
        return (a * (nw * nw + ns * ns) - 2 * kk * g(w, wStar) - 2 * b * nw * ns) / (kk * kk)
    }

    /// ∇f(w) = (1/k²)[(k + (k²−k)/π − (k/π)(‖w*‖/‖w‖) sin θ − ((k²−k)/π)(‖w*‖/‖w‖))·w − (k/π)(π − θ)·w*].
    /// - Throws: `CoreError.badArgument` at w = 0 (f is not differentiable there) or for mismatched lengths.
    public static func gradient(_ w: [Double], _ wStar: [Double], k: Int) throws -> [Double] {
        try check(w, wStar, k)
        let nw = norm(w), ns = norm(wStar)
        guard nw > 0 else { throw CoreError.badArgument(op: "population_grad", message: "the population loss is not differentiable at w = 0") }
        let kk = Double(k), t = angle(w, wStar), pi = Double.pi
        let cw = kk + (kk * kk - kk) / pi - (kk / pi) * (ns / nw) * sin(t) - ((kk * kk - kk) / pi) * (ns / nw)
        let cs = -(kk / pi) * (pi - t)
        return zip(w, wStar).map { (cw * $0 + cs * $1) / (kk * kk) }
    }

    /// The degenerate saddle −(k² − k)/(k² + (π − 1)k)·w* (k > 1).
    public static func saddle(_ wStar: [Double], k: Int) -> [Double] {
        let kk = Double(k), c = -(kk * kk - kk) / (kk * kk + (Double.pi - 1) * kk)
        return wStar.map { c * $0 }
    }

    static func check(_ w: [Double], _ wStar: [Double], _ k: Int) throws {
        guard w.count == wStar.count else {
            throw CoreError.shapeMismatch(op: "population_loss", shapes: [[w.count], [wStar.count]], message: "w and w_star must have the same length")
        }
        guard k >= 1 else { throw CoreError.badArgument(op: "population_loss", message: "k must be at least 1, got \(k)") }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}
