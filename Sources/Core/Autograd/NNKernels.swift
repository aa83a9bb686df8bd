// Internal element-wise, broadcasting and GEMM helpers the differentiable ops are built on.

/// Small numeric kernels used by autograd and the layers, generic over the scalar type and
/// specialised for Float and Double so their inner loops never go through protocol witnesses.
///
/// These are private helpers of the nn part (the tensor engineer's public kernels live in
/// `Tensor/`); they work on contiguous row-major storage through unsafe buffer pointers.
enum NNKernels {
    // MARK: - Creation

    @inline(__always)
    static func zeros<S: TensorScalar>(_ shape: [Int]) -> Tensor<S> {
        Tensor(uncheckedShape: shape, scalars: [S](repeating: 0, count: shape.reduce(1, *)))
    }

    @inline(__always)
    static func filled<S: TensorScalar>(_ shape: [Int], _ value: S) -> Tensor<S> {
        Tensor(uncheckedShape: shape, scalars: [S](repeating: value, count: shape.reduce(1, *)))
    }

    /// Storage for `count` scalars that the caller overwrites completely before reading (kernels
    /// whose output covers every entry): skips the zero fill of a large buffer.
    @inline(__always)
    static func uninitialized<S: TensorScalar>(_ count: Int) -> [S] {
        [S](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    // MARK: - Element-wise

    /// `a += b` for tensors of the same element count.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func addInPlace<S: TensorScalar>(_ a: inout Tensor<S>, _ b: Tensor<S>) {
        a.scalars.withUnsafeMutableBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                for i in 0..<min(pa.count, pb.count) { pa[i] += pb[i] }
            }
        }
    }

    /// `a * s` element-wise.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func scaled<S: TensorScalar>(_ a: Tensor<S>, _ s: S) -> Tensor<S> {
        var out = a
        out.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] *= s }
        }
        return out
    }

    /// Applies `f` to every element.
    @inline(__always)
    static func map<S: TensorScalar>(_ a: Tensor<S>, _ f: (S) -> S) -> Tensor<S> {
        var out: [S] = uninitialized(a.count)  // every entry written below
        a.scalars.withUnsafeBufferPointer { pa in
            out.withUnsafeMutableBufferPointer { po in
                for i in 0..<pa.count { po[i] = f(pa[i]) }
            }
        }
        return Tensor(uncheckedShape: a.shape, scalars: out)
    }

    /// Combines two tensors of the same element count element by element.
    @inline(__always)
    static func zip<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>, _ f: (S, S) -> S) -> Tensor<S> {
        var out: [S] = uninitialized(a.count)  // every entry written below (counts are equal)
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    for i in 0..<po.count { po[i] = f(pa[i], pb[i]) }
                }
            }
        }
        return Tensor(uncheckedShape: a.shape, scalars: out)
    }

    // MARK: - Broadcasting

    /// The NumPy broadcast of two shapes.
    /// - Throws: `CoreError.shapeMismatch` naming both shapes when they do not broadcast.
    static func broadcastShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
                throw CoreError.shapeMismatch(op: op, shapes: [a, b],
                    message: "cannot broadcast \(Tensor<Float>.describe(a)) and \(Tensor<Float>.describe(b))")
            }
        }
        return out
    }

    /// Row-major strides of `shape` aligned to `outShape`, with 0 on broadcast axes.
    static func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
        let offset = outShape.count - shape.count
        var strides = [Int](repeating: 0, count: outShape.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// Visits the output of a broadcast row by row (the last axis), giving the starting offsets in
    /// both operands; `body(outOffset, aOffset, bOffset, rowLength, aStride, bStride)`.
    @inline(__always)
    static func forEachRow(_ shape: [Int], _ sa: [Int], _ sb: [Int],
                           _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let rank = shape.count
        let total = shape.reduce(1, *)
        if total == 0 { return }
        if rank == 0 { body(0, 0, 0, 1, 0, 0); return }
        let rowLength = shape[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var offA = 0, offB = 0, out = 0
        while out < total {
            body(out, offA, offB, rowLength, sa[rank - 1], sb[rank - 1])
            out += rowLength
            // Advance the multi-index over the outer axes.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offA += sa[axis]
                offB += sb[axis]
                if index[axis] < shape[axis] { break }
                offA -= sa[axis] * shape[axis]
                offB -= sb[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// `f(a, b)` with NumPy broadcasting.
    @inline(__always)
    static func broadcast<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>, op: String,
                                           _ f: (S, S) -> S) throws -> Tensor<S> {
        if a.shape == b.shape { return zip(a, b, f) }
        let shape = try broadcastShape(a.shape, b.shape, op: op)
        var out = [S](repeating: 0, count: shape.reduce(1, *))
        let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    forEachRow(shape, sa, sb) { o, ia, ib, n, da, db in
                        for j in 0..<n { po[o + j] = f(pa[ia + j * da], pb[ib + j * db]) }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: shape, scalars: out)
    }

    /// Sums a gradient of a broadcast result back to the shape of one operand.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func reduce<S: TensorScalar>(_ grad: Tensor<S>, toShape shape: [Int]) -> Tensor<S> {
        if grad.shape == shape { return grad }
        var out = [S](repeating: 0, count: shape.reduce(1, *))
        let st = broadcastStrides(shape, to: grad.shape)
        let zero = [Int](repeating: 0, count: grad.rank)
        grad.scalars.withUnsafeBufferPointer { pg in
            out.withUnsafeMutableBufferPointer { po in
                forEachRow(grad.shape, st, zero) { o, it, _, n, dt, _ in
                    for j in 0..<n { po[it + j * dt] += pg[o + j] }
                }
            }
        }
        return Tensor(uncheckedShape: shape, scalars: out)
    }

    // MARK: - Matrix products

    /// C = alpha · op(A) · op(B) + beta · C (row-major), through the scalar type's BLAS gemm.
    @inline(__always)
    static func gemm<S: TensorScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                      alpha: S, a: UnsafePointer<S>, lda: Int,
                                      b: UnsafePointer<S>, ldb: Int,
                                      beta: S, c: UnsafeMutablePointer<S>, ldc: Int) {
        if m == 0 || n == 0 { return }
        S.gemm(transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
               b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// op(A) · op(B) for 2-d tensors; shapes are checked by the caller.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func matmul<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>,
                                        transA: Bool = false, transB: Bool = false) -> Tensor<S> {
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
        let n = transB ? b.shape[0] : b.shape[1]
        var out = [S](repeating: 0, count: m * n)
        if k > 0 {
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        if let ba = pa.baseAddress, let bb = pb.baseAddress, let bo = po.baseAddress {
                            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                                 a: ba, lda: a.shape[1], b: bb, ldb: b.shape[1], beta: 0, c: bo, ldc: n)
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: [m, n], scalars: out)
    }

    /// Permutes the axes of `a` (a general transpose).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func permute<S: TensorScalar>(_ a: Tensor<S>, _ axes: [Int]) -> Tensor<S> {
        let shape = axes.map { a.shape[$0] }
        var srcStrides = [Int](repeating: 1, count: a.rank)
        var s = 1
        for i in stride(from: a.rank - 1, through: 0, by: -1) { srcStrides[i] = s; s *= a.shape[i] }
        let permuted = axes.map { srcStrides[$0] }
        var out = [S](repeating: 0, count: a.count)
        let zero = [Int](repeating: 0, count: shape.count)
        a.scalars.withUnsafeBufferPointer { pa in
            out.withUnsafeMutableBufferPointer { po in
                forEachRow(shape, permuted, zero) { o, ia, _, n, da, _ in
                    for j in 0..<n { po[o + j] = pa[ia + j * da] }
                }
            }
        }
        return Tensor(uncheckedShape: shape, scalars: out)
    }
}

/// Short names for the libm entry points `TensorScalar` binds, plus overflow-safe softplus and
/// sigmoid.
extension TensorScalar {
    @inline(__always) static func nnExp(_ x: Self) -> Self { exp(x) }
    @inline(__always) static func nnLog(_ x: Self) -> Self { log(x) }
    @inline(__always) static func nnTanh(_ x: Self) -> Self { tanh(x) }
    @inline(__always) static func nnPow(_ x: Self, _ y: Self) -> Self { pow(x, y) }
    /// log(1 + exp(x)) without overflow.
    @inline(__always) static func nnSoftplus(_ x: Self) -> Self {
        x > 0 ? x + nnLog(1 + nnExp(-x)) : nnLog(1 + nnExp(x))
    }
    /// 1 / (1 + exp(-x)) without overflow.
    @inline(__always) static func nnSigmoid(_ x: Self) -> Self {
        if x >= 0 { return 1 / (1 + nnExp(-x)) }
        let e = nnExp(x)
        return e / (1 + e)
    }
}
