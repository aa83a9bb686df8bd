// Differentiable matrix product, outer product and the fused affine map x @ w + b used by Dense.

extension Variable {
    /// The matrix product with NumPy's rules: matrix @ matrix through GEMM in both directions; a
    /// vector operand is promoted to a matrix and its axis dropped again (`X @ w`, `v @ M`, and
    /// vector @ vector as a dot product); operands of rank 3 or more multiply as stacks of
    /// matrices with broadcast leading axes (`[b, n, k] @ [k, m]`).
    /// - Throws: `CoreError.shapeMismatch` naming both shapes when the inner extents differ.
    @_specialize(where Scalar == Float)
    public func matmul(_ other: Variable) throws -> Variable {
        try Variable.sameTape(self, other, op: "@")
        let a = value, b = other.value
        if a.rank == 1 || b.rank == 1, a.rank >= 1, b.rank >= 1 {
            guard a.shape[a.rank - 1] == b.shape[Swift.max(b.rank - 2, 0)] else {
                throw CoreError.shapeMismatch(op: "@", shapes: [a.shape, b.shape],
                    message: "")  // the tensor kernel's wording, so errors read the same inside `grad`
            }
            if a.rank == 1, b.rank == 1 { return try multiplying(other).sum() }
            let lhs = a.rank == 1 ? try reshaped([1, a.count]) : self
            let rhs = b.rank == 1 ? try other.reshaped([b.count, 1]) : other
            let product = try lhs.matmul(rhs)
            var shape = product.shape
            shape.remove(at: a.rank == 1 ? shape.count - 2 : shape.count - 1)
            return try product.reshaped(shape)
        }
        if a.rank > 2 || b.rank > 2 { return try batchedMatmul(other) }
        guard a.rank == 2, b.rank == 2, a.shape[1] == b.shape[0] else {
            throw CoreError.shapeMismatch(op: "@", shapes: [a.shape, b.shape],
                message: "")  // the tensor kernel's wording, so errors read the same inside `grad`
        }
        let (ia, ib) = (id, other.id), (na, nb) = (requiresGrad, other.requiresGrad)
        return tape.record(try a.matmul(b), inputs: [self, other]) {
            { g in
                var out: [(Int, Tensor<Scalar>)] = []
                if na { out.append((ia, try g.matmul(b, transposeOther: true))) }   // dA = G Bᵀ
                if nb { out.append((ib, try a.matmul(g, transposeSelf: true))) }   // dB = Aᵀ G
                return out
            }
        }
    }

    /// The outer product `[m] × [n] → [m, n]` (operands of any rank are flattened first, as
    /// `Tensor.outer`).
    @_specialize(where Scalar == Float)
    public func outer(_ other: Variable) throws -> Variable {
        try reshaped([value.count, 1]).multiplying(try other.reshaped([1, other.value.count]))
    }

    /// Stacks of matrices, at least one operand of rank 3 or more: the tensor kernel forward, and
    /// in backward dA = G Bᵀ and dB = Aᵀ G per matrix, summed over the axes that were broadcast.
    private func batchedMatmul(_ other: Variable) throws -> Variable {
        let a = value, b = other.value
        let y = try a.matmul(b)
        let (ia, ib) = (id, other.id), (na, nb) = (requiresGrad, other.requiresGrad)
        return tape.record(y, inputs: [self, other]) {
            { g in
                var out: [(Int, Tensor<Scalar>)] = []
                if na { out.append((ia, try g.matmul(b, transposeOther: true).reduceToShape(a.shape))) }
                if nb { out.append((ib, try a.matmul(g, transposeSelf: true).reduceToShape(b.shape))) }
                return out
            }
        }
    }

    /// `x @ weight + bias` as one node: x [batch, in], weight [in, out], bias [out].
    ///
    /// One GEMM forward (bias broadcast into the output first, beta = 1), two backward, and the
    /// bias gradient as a column sum — no broadcast intermediates. `relu: true` applies max(·, 0)
    /// in the same node.
    @_specialize(where Scalar == Float)
    public func affine(weight: Variable, bias: Variable?, relu: Bool = false) throws -> Variable {
        try Variable.sameTape(self, weight, op: "dense")
        let x = value, w = weight.value
        guard x.rank == 2, w.rank == 2, x.shape[1] == w.shape[0] else {
            throw CoreError.shapeMismatch(op: "dense", shapes: [x.shape, w.shape], message: "")
        }
        let (m, k, n) = (x.shape[0], x.shape[1], w.shape[1])
        var out = [Scalar](repeating: 0, count: m * n)
        if let bias {
            let b = bias.value
            guard b.count == n else {
                throw CoreError.shapeMismatch(op: "dense", shapes: [w.shape, b.shape], message: "")
            }
            b.scalars.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    for r in 0..<m { for c in 0..<n { po[r * n + c] = pb[c] } }
                }
            }
        }
        if k > 0 {
            x.scalars.withUnsafeBufferPointer { px in
                w.scalars.withUnsafeBufferPointer { pw in
                    out.withUnsafeMutableBufferPointer { po in
                        if let bx = px.baseAddress, let bw = pw.baseAddress, let bo = po.baseAddress {
                            Scalar.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                                        a: bx, lda: k, b: bw, ldb: n, beta: 1, c: bo, ldc: n)
                        }
                    }
                }
            }
        }
        if relu {
            // `< 0` rather than `> 0`: NaN passes through, as in PyTorch.
            out.withUnsafeMutableBufferPointer { po in for j in 0..<po.count where po[j] < 0 { po[j] = 0 } }
        }
        let y = Tensor(uncheckedShape: [m, n], scalars: out)
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        let (ix, iw, ib) = (id, weight.id, bias?.id)
        let (nx, nw, nbias) = (requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false)
        return tape.record(y, inputs: inputs) {
            { gradOut in
                let g = relu ? gradOut.zip(y) { gi, yi in yi > 0 ? gi : 0 } : gradOut
                var grads: [(Int, Tensor<Scalar>)] = []
                if nx { grads.append((ix, try g.matmul(w, transposeOther: true))) }
                if nw { grads.append((iw, try x.matmul(g, transposeSelf: true))) }
                if nbias, let ib {
                    var gb = [Scalar](repeating: 0, count: n)
                    g.scalars.withUnsafeBufferPointer { pg in
                        for r in 0..<m { for c in 0..<n { gb[c] += pg[r * n + c] } }
                    }
                    grads.append((ib, Tensor(uncheckedShape: [n], scalars: gb)))
                }
                return grads
            }
        }
    }
}

/// `a @ b` for variables.
public func matmul<S>(_ a: Variable<S>, _ b: Variable<S>) throws -> Variable<S> { try a.matmul(b) }
