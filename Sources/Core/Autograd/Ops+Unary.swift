// Differentiable element-wise functions: exp, log, log2, sqrt, abs, relu, sigmoid, tanh, clamp, where.

extension Variable {
    /// Records y = f(x) whose derivative is `d(x, y)` element-wise.
    @inline(__always)
    func unary(_ f: (Scalar) -> Scalar,
                       _ d: @escaping (Scalar, Scalar) -> Scalar) -> Variable {
        let x = value
        let y = x.map(f)
        let i = id
        return tape.record(y, inputs: [self]) {
            { g in
                var out = [Scalar](repeating: 0, count: g.count)
                x.scalars.withUnsafeBufferPointer { px in
                    y.scalars.withUnsafeBufferPointer { py in
                        g.scalars.withUnsafeBufferPointer { pg in
                            out.withUnsafeMutableBufferPointer { po in
                                for j in 0..<po.count { po[j] = pg[j] * d(px[j], py[j]) }
                            }
                        }
                    }
                }
                return [(i, Tensor(uncheckedShape: g.shape, scalars: out))]
            }
        }
    }

    /// e^x.
    @_specialize(where Scalar == Float)
    public func exp() -> Variable { unary({ Scalar.exp($0) }, { _, y in y }) }
    /// Natural logarithm (−inf at 0, NaN below, as in NumPy).
    @_specialize(where Scalar == Float)
    public func log() -> Variable { unary({ Scalar.log($0) }, { x, _ in 1 / x }) }
    /// Base-2 logarithm.
    @_specialize(where Scalar == Float)
    public func log2() -> Variable {
        unary({ Scalar.log2($0) }, { x, _ in 1 / (x * Scalar(0.693147180559945309417232121458176568)) })
    }
    /// Square root.
    @_specialize(where Scalar == Float)
    public func sqrt() -> Variable { unary({ $0.squareRoot() }, { _, y in 1 / (2 * y) }) }
    /// |x|; the derivative at 0 is taken as 0.
    @_specialize(where Scalar == Float)
    public func abs() -> Variable { unary({ Swift.abs($0) }, { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
    /// max(x, 0); the derivative at 0 is taken as 0.
    @_specialize(where Scalar == Float)
    public func relu() -> Variable {
        // Hot in every network: plain loops rather than the generic unary rule.
        let y = value.map { $0 < 0 ? 0 : $0 }  // NaN passes through, as in PyTorch
        let i = id
        return tape.record(y, inputs: [self]) {
            { g in [(i, g.zip(y) { gi, yi in yi > 0 ? gi : 0 })] }
        }
    }
    /// 1 / (1 + e^−x). The derivative is taken as σ(x)·σ(−x), not σ(1 − σ): 1 − σ(20) rounds to 0
    /// in Float32 while σ(−20) ≈ 2e-9 does not.
    @_specialize(where Scalar == Float)
    public func sigmoid() -> Variable { unary({ Tensor<Scalar>.sigmoid($0) }, { x, y in y * Tensor<Scalar>.sigmoid(-x) }) }
    /// tanh x.
    @_specialize(where Scalar == Float)
    public func tanh() -> Variable { unary({ Scalar.tanh($0) }, { _, y in 1 - y * y }) }
    /// x limited to [lo, hi]; the gradient passes only strictly inside.
    @_specialize(where Scalar == Float)
    public func clamped(_ lo: Scalar, _ hi: Scalar) -> Variable {
        unary({ Swift.min(Swift.max($0, lo), hi) }, { x, _ in x > lo && x < hi ? 1 : 0 })
    }

    /// Element-wise choice: `a` where `condition` is non-zero, `b` elsewhere, with broadcasting of
    /// all three. The condition is a constant.
    @_specialize(where Scalar == Float)
    public static func select(_ condition: Tensor<Scalar>, _ a: Variable, _ b: Variable) throws -> Variable {
        try sameTape(a, b, op: "where")
        let shape = try Tensor<Scalar>.whereShape(condition.shape, a.shape, b.shape)
        // Broadcast the condition to the full shape once; both branches reuse it.
        let mask = try condition.binary(.notEqual, scalar: 0).broadcast(to: shape)
        let inverse = 1 - mask
        let tape = a.tape
        return try a.multiplying(tape.constant(mask)).adding(b.multiplying(tape.constant(inverse)))
    }
}
