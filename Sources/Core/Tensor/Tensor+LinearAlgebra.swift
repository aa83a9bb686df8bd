// Matrix products through BLAS gemm: matmul (with transposed-operand variants, batched), dot, outer.
import Runtime

extension Tensor {
    /// The matrix product `op(self) · op(other)` where `op` transposes the last two axes when asked.
    ///
    /// Rank 2 × rank 2 is one `gemm`; `transposeSelf`/`transposeOther` give `Aᵀ·B` and `A·Bᵀ`
    /// (what backward passes need) without materialising a transpose. A rank-1 left operand is a
    /// row vector, a rank-1 right operand a column vector (the added axis is removed again, as
    /// NumPy). Ranks above 2 are batches of matrices whose leading axes broadcast.
    /// - Throws: `CoreError.shapeMismatch` (op `@`) naming both shapes when inner extents differ.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false,
                       token: CancellationToken? = nil) throws -> Tensor {
        guard rank >= 1, other.rank >= 1 else {
            throw CoreError.shapeMismatch(op: "@", shapes: [shape, other.shape],
                message: "matmul needs tensors of rank 1 or more, got \(Tensor.describe(shape)) and \(Tensor.describe(other.shape))")
        }
        if rank == 1 && other.rank == 1 && !transposeSelf && !transposeOther {
            return try dot(other)
        }
        // Promote vectors to matrices, remembering which axis to drop at the end.
        let a = rank == 1 ? Tensor(uncheckedShape: [1, count], scalars: scalars) : self
        let b = other.rank == 1 ? Tensor(uncheckedShape: [other.count, 1], scalars: other.scalars) : other
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, ka) = transposeSelf ? (ac, ar) : (ar, ac)
        let (kb, n) = transposeOther ? (bc, br) : (br, bc)
        guard ka == kb else {
            throw CoreError.shapeMismatch(op: "@", shapes: [shape, other.shape], message: "")
        }
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        let batch = try Tensor.broadcastShape(batchA, batchB, op: "@")
        var outShape = batch + [m, n]
        let total = try Tensor.elementCount(of: outShape, op: "@")
        var out = [Scalar](repeating: 0, count: total)
        let batchCount = batch.reduce(1, *)
        if m > 0 && n > 0 && ka > 0 {
            // Offsets (in matrices) of each batch entry in a and b, following broadcasting.
            let offA = Tensor.batchOffsets(batchA, in: batch), offB = Tensor.batchOffsets(batchB, in: batch)
            let sizeA = ar &* ac, sizeB = br &* bc, sizeC = m &* n
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        let pc = pc  // not inout: lets the loops vectorise
                        guard let baseA = pa.baseAddress, let baseB = pb.baseAddress,
                              let baseC = pc.baseAddress else { return }
                        for i in 0..<batchCount {
                            Scalar.gemm(transposeA: transposeSelf, transposeB: transposeOther,
                                        m: m, n: n, k: ka, alpha: 1,
                                        a: baseA + offA[i] &* sizeA, lda: Swift.max(ac, 1),
                                        b: baseB + offB[i] &* sizeB, ldb: Swift.max(bc, 1),
                                        beta: 0, c: baseC + i &* sizeC, ldc: Swift.max(n, 1), token: token)
                            if token?.isCancelled == true { break }
                        }
                    }
                }
            }
        }
        // A large product stops early on Ctrl-C (see `gemm`); its partial result is not returned.
        try token?.check("during `@`")
        if other.rank == 1 { outShape.removeLast() }
        if rank == 1 { outShape.remove(at: outShape.count - (other.rank == 1 ? 1 : 2)) }
        return Tensor(uncheckedShape: outShape, scalars: out)
    }

    /// For each entry of the broadcast batch shape, the index of the matrix in an operand whose
    /// batch shape is `own`.
    static func batchOffsets(_ own: [Int], in batch: [Int]) -> [Int] {
        let count = batch.reduce(1, *)
        if own.reduce(1, *) == count && own.count == batch.count { return Array(0..<count) }
        let strides = broadcastStrides(own, to: batch)
        var result = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: batch.count)
        for i in 0..<count {
            var offset = 0
            for axis in 0..<batch.count { offset += index[axis] * strides[axis] }
            result[i] = offset
            var axis = batch.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < batch[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// The inner product of two rank-1 tensors of equal length, as a 0-d tensor (Double accumulator).
    /// - Throws: `CoreError.shapeMismatch` unless both are rank 1 of the same length.
    @_specialize(where Scalar == Float)
    public func dot(_ other: Tensor) throws -> Tensor {
        guard rank == 1, other.rank == 1, count == other.count else {
            throw CoreError.shapeMismatch(op: "dot", shapes: [shape, other.shape], message: "")
        }
        var acc = 0.0
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                for i in 0..<a.count { acc += a[i].doubleValue * b[i].doubleValue }
            }
        }
        return Tensor(scalar: Scalar(acc))
    }

    /// The outer product `[m] × [n] → [m, n]` (operands of any rank are flattened first).
    @_specialize(where Scalar == Float)
    public func outer(_ other: Tensor) throws -> Tensor {
        let m = count, n = other.count
        let total = try Tensor.elementCount(of: [m, n], op: "outer")
        let out = [Scalar](unsafeUninitializedCapacity: total) { o, initialized in
            let o = o  // not inout: lets the loops vectorise
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<m {
                        let ai = a[i], row = i &* n
                        for j in 0..<n { o[row &+ j] = ai * b[j] }
                    }
                }
            }
            initialized = total
        }
        return Tensor(uncheckedShape: [m, n], scalars: out)
    }
}
