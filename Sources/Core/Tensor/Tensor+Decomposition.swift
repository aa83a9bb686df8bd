// LAPACK through OpenBLAS: solve (dgesv) and the singular value decomposition (dgesdd), in Double.
import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// LAPACK entry points, looked up once in the already-linked OpenBLAS (which bundles LAPACK but
/// ships no LAPACK header with it).
enum LAPACK {
    typealias Gesv = @convention(c) (UnsafePointer<blasint>, UnsafePointer<blasint>, UnsafeMutablePointer<Double>,
                                     UnsafePointer<blasint>, UnsafeMutablePointer<blasint>, UnsafeMutablePointer<Double>,
                                     UnsafePointer<blasint>, UnsafeMutablePointer<blasint>) -> Void
    // Fortran passes the length of each CHARACTER argument as a trailing hidden size_t.
    typealias Gesdd = @convention(c) (UnsafePointer<CChar>, UnsafePointer<blasint>, UnsafePointer<blasint>,
                                      UnsafeMutablePointer<Double>, UnsafePointer<blasint>, UnsafeMutablePointer<Double>,
                                      UnsafeMutablePointer<Double>, UnsafePointer<blasint>, UnsafeMutablePointer<Double>,
                                      UnsafePointer<blasint>, UnsafeMutablePointer<Double>, UnsafePointer<blasint>,
                                      UnsafeMutablePointer<blasint>, UnsafeMutablePointer<blasint>, Int) -> Void

    static let dgesv: Gesv? = symbol("dgesv_")
    static let dgesdd: Gesdd? = symbol("dgesdd_")

    static func symbol<F>(_ name: String) -> F? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: F.self)
    }

    static func missing(_ op: String, _ name: String) -> CoreError {
        .badArgument(op: op, message: "LAPACK routine \(name) not found in the linked OpenBLAS")
    }
}

extension Tensor {
    /// Solves `a · x = b` for a square `a` [n, n] and `b` [n] or [n, k] (LU with partial
    /// pivoting, LAPACK dgesv, computed in Double).
    /// - Throws: `CoreError.shapeMismatch` for non-square `a` or a `b` that does not match;
    ///   `badArgument` when `a` is singular.
    @_specialize(where Scalar == Float)
    public static func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.rank == 2, a.shape[0] == a.shape[1], (b.rank == 1 || b.rank == 2), b.shape[0] == a.shape[0] else {
            throw CoreError.shapeMismatch(op: "solve", shapes: [a.shape, b.shape],
                message: "needs a square matrix [n, n] and a right-hand side [n] or [n, k], got \(describe(a.shape)) and \(describe(b.shape))")
        }
        let n = a.shape[0], k = b.rank == 1 ? 1 : b.shape[1]
        guard n > 0, k > 0 else { return Tensor(uncheckedShape: b.shape, scalars: b.scalars.map { _ in 0 }) }
        guard n <= Int(Int32.max), k <= Int(Int32.max) else {
            throw CoreError.badArgument(op: "solve", message: "matrix \(describe(a.shape)) is too large for LAPACK")
        }
        guard let dgesv = LAPACK.dgesv else { throw LAPACK.missing("solve", "dgesv") }
        try a.requireFinite(op: "solve")
        try b.requireFinite(op: "solve")
        // Row-major data read as column-major is the transpose: transpose a and b going in.
        var lu = a.transposed().scalars.map { $0.doubleValue }
        var rhs = (b.rank == 1 ? b : b.transposed()).scalars.map { $0.doubleValue }
        var pivots = [blasint](repeating: 0, count: n)
        var nn = blasint(n), nrhs = blasint(k), info: blasint = 0
        dgesv(&nn, &nrhs, &lu, &nn, &pivots, &rhs, &nn, &info)
        guard info == 0 else {
            throw CoreError.badArgument(op: "solve",
                message: info > 0 ? "the matrix is singular (zero pivot at row \(info))" : "invalid argument \(-info) to dgesv")
        }
        let x = Tensor(uncheckedShape: b.rank == 1 ? [n] : [k, n], scalars: rhs.map { Scalar($0) })
        return b.rank == 1 ? x : x.transposed()
    }

    /// The reduced singular value decomposition `self = u · diag(s) · vt` of a matrix [m, n]:
    /// u [m, r], s [r] descending, vt [r, n] with r = min(m, n) (LAPACK dgesdd, in Double).
    /// - Throws: `CoreError.shapeMismatch` unless rank 2; `badArgument` if LAPACK does not converge.
    @_specialize(where Scalar == Float)
    public func svd() throws -> (u: Tensor, s: Tensor, vt: Tensor) {
        guard rank == 2 else {
            throw CoreError.shapeMismatch(op: "svd", shapes: [shape], message: "needs a matrix, got shape \(Tensor.describe(shape))")
        }
        let m = shape[0], n = shape[1], r = Swift.min(m, n)
        guard r > 0 else {
            return (try Tensor.zeros([m, 0]), try Tensor.zeros([0]), try Tensor.zeros([0, n]))
        }
        guard m <= Int(Int32.max), n <= Int(Int32.max) else {
            throw CoreError.badArgument(op: "svd", message: "matrix \(Tensor.describe(shape)) is too large for LAPACK")
        }
        guard let dgesdd = LAPACK.dgesdd else { throw LAPACK.missing("svd", "dgesdd") }
        // LAPACK answers NaN input with "invalid argument 4" (or a NaN workspace size).
        try requireFinite(op: "svd")
        // Our row-major [m, n] is LAPACK's column-major Aᵀ [n, m]. Decomposing Aᵀ = U' S V'ᵀ gives
        // A = V' S U'ᵀ, and U' (n × r, column-major) read row-major is exactly vt [r, n], while
        // V'ᵀ (r × m, column-major) read row-major is u [m, r].
        var a = scalars.map { $0.doubleValue }
        var s = [Double](repeating: 0, count: r)
        var uPrime = [Double](repeating: 0, count: n * r)
        var vtPrime = [Double](repeating: 0, count: r * m)
        var rows = blasint(n), cols = blasint(m), ldu = blasint(n), ldvt = blasint(r)
        var iwork = [blasint](repeating: 0, count: 8 * r)
        var info: blasint = 0, query = blasint(-1), optimal = 0.0
        let job: [CChar] = [CChar(UInt8(ascii: "S")), 0]
        dgesdd(job, &rows, &cols, &a, &rows, &s, &uPrime, &ldu, &vtPrime, &ldvt, &optimal, &query, &iwork, &info, 1)
        var lwork = blasint(Swift.max(1, Int(optimal)))
        var work = [Double](repeating: 0, count: Int(lwork))
        dgesdd(job, &rows, &cols, &a, &rows, &s, &uPrime, &ldu, &vtPrime, &ldvt, &work, &lwork, &iwork, &info, 1)
        guard info == 0 else {
            throw CoreError.badArgument(op: "svd", message: info > 0 ? "did not converge" : "invalid argument \(-info) to dgesdd")
        }
        return (Tensor(uncheckedShape: [m, r], scalars: vtPrime.map { Scalar($0) }),
                Tensor(uncheckedShape: [r], scalars: s.map { Scalar($0) }),
                Tensor(uncheckedShape: [r, n], scalars: uPrime.map { Scalar($0) }))
    }

    /// Refuses NaN and infinite entries, which LAPACK reports only as an invalid argument.
    /// - Throws: `CoreError.badArgument` naming the op and the first such entry.
    func requireFinite(op: String) throws {
        guard let i = scalars.firstIndex(where: { !$0.doubleValue.isFinite }) else { return }
        throw CoreError.badArgument(op: op,
            message: "the matrix has a non-finite entry (\(scalars[i]) at flat index \(i)); \(op) needs finite numbers")
    }
}
