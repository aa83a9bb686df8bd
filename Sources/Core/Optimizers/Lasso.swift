// Lasso by cyclic coordinate descent in Double: scikit-learn's objective, update and stopping rule.
import CBLAS

/// The defaults of `lasso`, as scikit-learn's `Lasso`.
public enum LassoDefaults {
    public static let alpha = 1.0
    public static let tol = 1e-4
    public static let maxIter = 1000
    public static let fitIntercept = true
}

/// What `lasso` found, under scikit-learn's names.
public struct LassoResult: Sendable {
    /// The coefficients w, one per feature.
    public var coef: [Double]
    public var intercept: Double
    /// Passes over the features (scikit-learn's `n_iter_`).
    public var nIter: Int
    /// The duality gap at the end, on the objective below (scikit-learn's `dual_gap_`).
    public var dualGap: Double
    /// (1/(2N))‖y − Xw − b‖² + alpha·‖w‖₁ at the end.
    public var objective: Double
    /// False when max_iter passes ran without the gap falling below tol (scikit-learn warns).
    public var converged: Bool
}

/// Minimises (1/(2N))‖y − Xw − b‖² + alpha·‖w‖₁ by cyclic coordinate descent, as scikit-learn's
/// `Lasso` (`enet_coordinate_descent` with l1_ratio = 1): the intercept by centring X and y; each
/// pass updates w_j ← soft(X_jᵀR + ‖X_j‖² w_j, αN)/‖X_j‖²; when the largest change of a pass is
/// below tol·max|w| (or at the last pass) the duality gap is computed and the loop stops once it is
/// below tol·‖y‖² (as scikit-learn 1.9, whose gap-safe screening only skips
/// features it has proved zero, so the answer is the same). Everything is in Double; X is copied once into centred columns (8·N·p bytes).
/// - Parameters:
///   - x: `[N, p]`; y: `[N]`.
///   - run: gets one record per pass (`pass`, `max change`, `gap` when computed); Ctrl-C stops
///     between passes (the loop runner).
/// - Throws: `CoreError` for mismatched shapes, alpha < 0, tol < 0, max_iter < 1, non-finite data.
public func lasso(_ x: Tensor<Float>, _ y: Tensor<Float>, alpha: Double = LassoDefaults.alpha, tol: Double = LassoDefaults.tol,
                  maxIter: Int = LassoDefaults.maxIter, fitIntercept: Bool = LassoDefaults.fitIntercept,
                  run: Run = Run()) throws -> LassoResult {
    let op = "lasso"
    guard x.rank == 2, y.rank == 1, x.shape[0] == y.shape[0], x.shape[0] > 0, x.shape[1] > 0 else {
        throw CoreError.shapeMismatch(op: op, shapes: [x.shape, y.shape], message: "needs X [N, p] and y [N] with N, p ≥ 1")
    }
    guard alpha >= 0, alpha.isFinite, tol >= 0, tol.isFinite else {
        throw CoreError.badArgument(op: op, message: "alpha and tol must be finite and ≥ 0, got \(alpha) and \(tol)")
    }
    guard maxIter >= 1 else { throw CoreError.badArgument(op: op, message: "max_iter must be ≥ 1, got \(maxIter)") }
    let n = x.shape[0], p = x.shape[1]
    guard x.scalars.allSatisfy(\.isFinite), y.scalars.allSatisfy(\.isFinite) else {
        throw CoreError.badArgument(op: op, message: "X and y must be finite")
    }
    // Columns in Double, centred when fitting the intercept.
    // Every entry is written below, so the buffer starts uninitialised (a zero fill would fault
    // in its 8·N·p bytes twice). Both cores take a share of the columns.
    var columns = [Double](unsafeUninitializedCapacity: n * p) { _, count in count = n * p }
    var means = [Double](repeating: 0, count: p)
    x.scalars.withUnsafeBufferPointer { src in
        columns.withUnsafeMutableBufferPointer { dst in
            means.withUnsafeMutableBufferPointer { means in
                parallelChunks(p, minimum: 64) { lo, hi in
                    // Transposed in 64 × 64 tiles: row by row, every write of a row landed on
                    // another cache line (N apart), and the copy cost more than the whole descent.
                    let tile = 64
                    for i0 in stride(from: 0, to: n, by: tile) {
                        let i1 = Swift.min(n, i0 + tile)
                        for j0 in stride(from: lo, to: hi, by: tile) {
                            let j1 = Swift.min(hi, j0 + tile)
                            for i in i0..<i1 {
                                let row = i * p
                                for j in j0..<j1 { dst[j * n + i] = Double(src[row + j]) }
                            }
                        }
                    }
                    guard fitIntercept else { return }
                    for j in lo..<hi {
                        let column = dst.baseAddress! + j * n
                        var sum = 0.0
                        for i in 0..<n { sum += column[i] }
                        let mean = sum / Double(n)
                        means[j] = mean
                        for i in 0..<n { column[i] -= mean }
                    }
                }
            }
        }
    }
    var yc = y.scalars.map(Double.init)
    let yMean = fitIntercept ? yc.reduce(0, +) / Double(n) : 0
    if fitIntercept { for i in 0..<n { yc[i] -= yMean } }

    let l1Weight = alpha * Double(n)   // scikit-learn's internal scaling: the objective times N
    var w = [Double](repeating: 0, count: p)
    var residual = yc
    var norms = [Double](repeating: 0, count: p)
    columns.withUnsafeBufferPointer { X in
        for j in 0..<p { norms[j] = cblas_ddot(Int32(n), X.baseAddress! + j * n, 1, X.baseAddress! + j * n, 1) }
    }
    let yy = cblas_ddot(Int32(n), yc, 1, yc, 1)
    let gapTol = tol * yy
    var gap = Double.infinity
    var passes = 0
    var converged = false

    func dualityGap() -> Double {
        var xtr = [Double](repeating: 0, count: p)
        columns.withUnsafeBufferPointer { X in
            // The columns stored one after another are a row-major p × N matrix.
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(p), Int32(n), 1, X.baseAddress!, Int32(n), residual, 1, 0, &xtr, 1)
        }
        let dualNorm = xtr.reduce(0) { Swift.max($0, Swift.abs($1)) }
        let rr = cblas_ddot(Int32(n), residual, 1, residual, 1)
        var g: Double, scale: Double
        if dualNorm > l1Weight {
            scale = l1Weight / dualNorm
            g = 0.5 * (rr + rr * scale * scale)
        } else {
            scale = 1
            g = rr
        }
        let l1 = w.reduce(0) { $0 + Swift.abs($1) }
        g += l1Weight * l1 - scale * cblas_ddot(Int32(n), residual, 1, yc, 1)
        return g
    }

    // As scikit-learn: a start already within tolerance (alpha ≥ max|Xᵀy|/N) takes no pass.
    gap = dualityGap()
    if gap <= gapTol {
        run.complete()
        return LassoResult(coef: w, intercept: yMean, nIter: 0, dualGap: gap / Double(n), objective: yy / (2 * Double(n)), converged: true)
    }
    let runner = LoopRunner(label: "lasso", run: run, guardMetric: "max change")
    try runner(count: maxIter) { pass in
        var wMax = 0.0, dwMax = 0.0
        columns.withUnsafeBufferPointer { X in
            residual.withUnsafeMutableBufferPointer { R in
                for j in 0..<p where norms[j] != 0 {
                    let column = X.baseAddress! + j * n
                    let old = w[j]
                    // X_jᵀ(R + X_j w_j) = X_jᵀR + ‖X_j‖² w_j: one pass over the column instead of two.
                    let rho = cblas_ddot(Int32(n), column, 1, R.baseAddress!, 1) + norms[j] * old
                    let shrunk = Swift.max(Swift.abs(rho) - l1Weight, 0)
                    let new = rho < 0 ? -shrunk / norms[j] : shrunk / norms[j]
                    if new != old {
                        cblas_daxpy(Int32(n), old - new, column, 1, R.baseAddress!, 1)
                        w[j] = new
                    }
                    dwMax = Swift.max(dwMax, Swift.abs(new - old))
                    wMax = Swift.max(wMax, Swift.abs(new))
                }
            }
        }
        passes = pass + 1
        var entries: [(name: String, value: ReportValue)] = [("pass", .int(passes)), ("max change", .number(dwMax))]
        var done = false
        if wMax == 0 || dwMax / wMax <= tol || pass == maxIter - 1 {
            gap = dualityGap()
            entries.append(("gap", .number(gap / Double(n))))
            if gap <= gapTol {
                converged = true
                done = true
            }
        }
        run.append(Report(entries))
        return LoopStep(metrics: [("max change", dwMax), ("gap", gap.isFinite ? gap / Double(n) : 0)], isDone: done)
    }
    run.complete()
    let intercept = fitIntercept ? yMean - zip(means, w).reduce(0) { $0 + $1.0 * $1.1 } : 0
    let rr = cblas_ddot(Int32(n), residual, 1, residual, 1)
    let objective = rr / (2 * Double(n)) + alpha * w.reduce(0) { $0 + Swift.abs($1) }
    return LassoResult(coef: w, intercept: intercept, nIter: passes, dualGap: gap / Double(n), objective: objective,
                       converged: converged)
}
