// The differentiable linear solve x = A⁻¹b, whose backward is one more solve with Aᵀ.

extension Variable {
    /// The solution x of `a @ x = b` for a square `a` [n, n] and `b` [n] or [n, k] (see
    /// `Tensor.solve`). Backward: g_b = A⁻ᵀ g and g_A = −g_b xᵀ.
    /// - Throws: what `Tensor.solve` throws (shapes, a singular matrix).
    @_specialize(where Scalar == Float)
    public static func solve(_ a: Variable, _ b: Variable) throws -> Variable {
        try sameTape(a, b, op: "solve")
        let am = a.value
        let x = try Tensor.solve(am, b.value)
        let (ia, ib) = (a.id, b.id), (na, nb) = (a.requiresGrad, b.requiresGrad)
        return a.tape.record(x, inputs: [a, b]) {
            { g in
                let gb = try Tensor.solve(am.transposed(), g)
                var out: [(Int, Tensor<Scalar>)] = []
                if na {
                    let product = x.rank == 1 ? try gb.outer(x) : try gb.matmul(x, transposeOther: true)
                    out.append((ia, -product))
                }
                if nb { out.append((ib, gb)) }
                return out
            }
        }
    }
}
