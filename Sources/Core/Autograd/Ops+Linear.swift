// Differentiable matrix product and the fused affine map x @ w + b used by Dense.

extension Variable {
    /// The matrix product of two rank-2 variables, through GEMM in both directions.
    /// - Throws: `CoreError.shapeMismatch` naming both shapes when the inner extents differ.
    @_specialize(where Scalar == Float)
    public func matmul(_ other: Variable) throws -> Variable {
        try Variable.sameTape(self, other, op: "@")
        let a = value, b = other.value
        guard a.rank == 2, b.rank == 2, a.shape[1] == b.shape[0] else {
            throw CoreError.shapeMismatch(op: "@", shapes: [a.shape, b.shape],
                message: "cannot multiply \(Tensor<Float>.describe(a.shape)) by \(Tensor<Float>.describe(b.shape))")
        }
        // The kernel allocates the product unchecked: refuse a size past the limits or the memory first.
        _ = try Tensor<Scalar>.elementCount(of: [a.shape[0], b.shape[1]], op: "@")
        let (ia, ib) = (id, other.id), (na, nb) = (requiresGrad, other.requiresGrad)
        return tape.record(NNKernels.matmul(a, b), inputs: [self, other]) {
            { g in
                var out: [(Int, Tensor<Scalar>)] = []
                if na { out.append((ia, NNKernels.matmul(g, b, transB: true))) }   // dA = G Bᵀ
                if nb { out.append((ib, NNKernels.matmul(a, g, transA: true))) }   // dB = Aᵀ G
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
                            NNKernels.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
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
                let g = relu ? NNKernels.zip(gradOut, y) { gi, yi in yi > 0 ? gi : 0 } : gradOut
                var grads: [(Int, Tensor<Scalar>)] = []
                if nx { grads.append((ix, NNKernels.matmul(g, w, transB: true))) }
                if nw { grads.append((iw, NNKernels.matmul(x, g, transA: true))) }
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
