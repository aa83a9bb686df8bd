// The HRCO paper's first application: minimise ‖θ‖₁ over θ = (b, w) keeping R² ≥ a threshold, through the Gram matrix.
import CBLAS

/// The L1-reduction problem of the HRCO paper (§4): f(θ) = ‖θ‖₁ with θ = (b, w₁, …, w_p), and
/// S = {θ : R²(θ) ≥ threshold}.
///
/// R² is evaluated without touching X again: with X̃ = [1, X], G = X̃ᵀX̃ (K × K, K = p + 1),
/// h = X̃ᵀy and yy = yᵀy, SS_res(θ) = yy − 2θᵀh + θᵀGθ — one `dsymv` (K² multiply-adds) per
/// evaluation instead of N·K. G is built once with `dsyrk` on row chunks of X̃. All in Double,
/// since SS_res/SS_tot is about 1e-6 at the paper's scale.
public final class L1Problem {
    public let K: Int
    /// The upper triangle of G, row-major K × K.
    let gram: [Double]
    let h: [Double]
    let yy: Double
    /// Σ(y − ȳ)².
    public let totalSumOfSquares: Double
    public let threshold: Double

    /// Rows of X̃ converted to Double per `dsyrk` call: bounds the extra memory to chunk·K doubles.
    static let chunkRows = 2048

    /// - Throws: `CoreError` for mismatched shapes, a constant y (R² undefined) or non-finite data.
    public init(x: Tensor<Float>, y: Tensor<Float>, threshold: Double) throws {
        let op = "l1_problem"
        guard x.rank == 2, y.rank == 1, x.shape[0] == y.shape[0], x.shape[0] > 0 else {
            throw CoreError.shapeMismatch(op: op, shapes: [x.shape, y.shape], message: "needs X [N, p] and y [N]")
        }
        guard threshold.isFinite else { throw CoreError.badArgument(op: op, message: "r2 must be finite, got \(threshold)") }
        let n = x.shape[0], p = x.shape[1], K = p + 1
        self.K = K
        self.threshold = threshold
        var g = [Double](repeating: 0, count: K * K)
        var h = [Double](repeating: 0, count: K)
        let ys = y.scalars.map(Double.init)
        var chunk = [Double](repeating: 0, count: Swift.min(Self.chunkRows, n) * K)
        try x.scalars.withUnsafeBufferPointer { src in
            var start = 0
            while start < n {
                let rows = Swift.min(Self.chunkRows, n - start)
                for i in 0..<rows {
                    chunk[i * K] = 1
                    for j in 0..<p {
                        let v = Double(src[(start + i) * p + j])
                        guard v.isFinite else { throw CoreError.badArgument(op: op, message: "X must be finite") }
                        chunk[i * K + 1 + j] = v
                    }
                }
                // G += X̃_chunkᵀ X̃_chunk (upper triangle), h += X̃_chunkᵀ y_chunk.
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(K), Int32(rows), 1, chunk, Int32(K), 1, &g, Int32(K))
                ys.withUnsafeBufferPointer { yb in
                    cblas_dgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(K), 1, chunk, Int32(K), yb.baseAddress! + start, 1, 1, &h, 1)
                }
                start += rows
            }
        }
        gram = g
        self.h = h
        yy = ys.reduce(0) { $0 + $1 * $1 }
        let mean = ys.reduce(0, +) / Double(n)
        totalSumOfSquares = ys.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard totalSumOfSquares > 0 else { throw CoreError.badArgument(op: op, message: "y is constant, so R² is undefined") }
    }

    /// SS_res(θ) = yy − 2θᵀh + θᵀGθ.
    public func residualSumOfSquares(_ theta: [Double]) throws -> Double {
        guard theta.count == K else {
            throw CoreError.shapeMismatch(op: "l1_problem", shapes: [[theta.count], [K]], message: "θ must have p + 1 components (intercept first)")
        }
        var gt = [Double](repeating: 0, count: K)
        cblas_dsymv(CblasRowMajor, CblasUpper, Int32(K), 1, gram, Int32(K), theta, 1, 0, &gt, 1)
        return yy - 2 * cblas_ddot(Int32(K), theta, 1, h, 1) + cblas_ddot(Int32(K), theta, 1, gt, 1)
    }

    public func r2(_ theta: [Double]) throws -> Double { 1 - (try residualSumOfSquares(theta)) / totalSumOfSquares }

    /// The problem for a search: f = ‖θ‖₁, score = R², feasible when R² ≥ threshold.
    public var problem: SearchProblem {
        SearchProblem(name: "‖θ‖₁ subject to R² ≥ \(formatted(threshold))",
                      f: { $0.reduce(0) { $0 + Swift.abs($1) } },
                      score: { [self] in try r2($0) }, threshold: threshold, strict: false)
    }
}
