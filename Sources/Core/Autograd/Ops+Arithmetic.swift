// Differentiable arithmetic with NumPy broadcasting: + - * / pow, negation, scalar operands.

extension Variable {
    /// Records a broadcasting binary op whose partial derivatives are given element-wise.
    ///
    /// `da(a, b, y)` and `db(a, b, y)` are ∂y/∂a and ∂y/∂b at one broadcast position; each input's
    /// gradient is `gradOutput · ∂` summed back to that input's shape.
    @inline(__always)
    private func binary(_ other: Variable, op: String, _ f: (Scalar, Scalar) -> Scalar,
                        da: @escaping (Scalar, Scalar, Scalar) -> Scalar,
                        db: @escaping (Scalar, Scalar, Scalar) -> Scalar) throws -> Variable {
        try Variable.sameTape(self, other, op: op)
        let a = value, b = other.value
        let y = try NNKernels.broadcast(a, b, op: op, f)
        let (ia, ib) = (id, other.id)
        let (na, nb) = (requiresGrad, other.requiresGrad)
        return tape.record(y, inputs: [self, other]) {
            { g in
                var out: [(Int, Tensor<Scalar>)] = []
                if na {
                    let ga = try Variable.partial(g, a, b, y, da, op: op)
                    out.append((ia, NNKernels.reduce(ga, toShape: a.shape)))
                }
                if nb {
                    let gb = try Variable.partial(g, a, b, y, db, op: op)
                    out.append((ib, NNKernels.reduce(gb, toShape: b.shape)))
                }
                return out
            }
        }
    }

    /// g · ∂(a, b, y) at every position of the broadcast output.
    private static func partial(_ g: Tensor<Scalar>, _ a: Tensor<Scalar>, _ b: Tensor<Scalar>,
                                _ y: Tensor<Scalar>, _ d: (Scalar, Scalar, Scalar) -> Scalar,
                                op: String) throws -> Tensor<Scalar> {
        var out = [Scalar](repeating: 0, count: y.count)
        let sa = NNKernels.broadcastStrides(a.shape, to: y.shape)
        let sb = NNKernels.broadcastStrides(b.shape, to: y.shape)
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                y.scalars.withUnsafeBufferPointer { py in
                    g.scalars.withUnsafeBufferPointer { pg in
                        out.withUnsafeMutableBufferPointer { po in
                            NNKernels.forEachRow(y.shape, sa, sb) { o, ja, jb, n, dA, dB in
                                for j in 0..<n {
                                    po[o + j] = pg[o + j] * d(pa[ja + j * dA], pb[jb + j * dB], py[o + j])
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: y.shape, scalars: out)
    }

    /// Both operands must live on the same tape.
    static func sameTape(_ a: Variable, _ b: Variable, op: String) throws {
        guard a.tape === b.tape else {
            throw CoreError.badArgument(op: op, message: "operands come from different differentiation calls")
        }
    }

    /// A constant on this variable's tape.
    @_specialize(where Scalar == Float)
    public func constant(_ t: Tensor<Scalar>) -> Variable { tape.constant(t) }

    /// A 0-d constant on this variable's tape.
    @_specialize(where Scalar == Float)
    public func constant(_ s: Scalar) -> Variable { tape.constant(Tensor(scalar: s)) }

    // MARK: - Binary operations

    /// `self + other` with broadcasting.
    @_specialize(where Scalar == Float)
    public func adding(_ other: Variable) throws -> Variable {
        try binary(other, op: "+", +, da: { _, _, _ in 1 }, db: { _, _, _ in 1 })
    }

    /// `self - other` with broadcasting.
    @_specialize(where Scalar == Float)
    public func subtracting(_ other: Variable) throws -> Variable {
        try binary(other, op: "-", -, da: { _, _, _ in 1 }, db: { _, _, _ in -1 })
    }

    /// `self * other` element-wise with broadcasting.
    @_specialize(where Scalar == Float)
    public func multiplying(_ other: Variable) throws -> Variable {
        try binary(other, op: "*", *, da: { _, b, _ in b }, db: { a, _, _ in a })
    }

    /// `self / other` element-wise with broadcasting.
    @_specialize(where Scalar == Float)
    public func dividing(_ other: Variable) throws -> Variable {
        try binary(other, op: "/", /, da: { _, b, _ in 1 / b }, db: { a, b, _ in -a / (b * b) })
    }

    /// `self ^ other` element-wise with broadcasting. The derivative with respect to the exponent
    /// uses log(base), so it is only meaningful for positive bases (0 where the base is ≤ 0).
    @_specialize(where Scalar == Float)
    public func power(_ other: Variable) throws -> Variable {
        try binary(other, op: "^", { Scalar.nnPow($0, $1) },
                   da: { a, b, _ in b == 0 ? 0 : b * Scalar.nnPow(a, b - 1) },
                   db: { a, _, y in a > 0 ? y * Scalar.nnLog(a) : 0 })
    }

    /// `-self`.
    @_specialize(where Scalar == Float)
    public func negated() -> Variable {
        let y = NNKernels.scaled(value, -1)
        let i = id
        return tape.record(y, inputs: [self]) { { g in [(i, NNKernels.scaled(g, -1))] } }
    }

    /// `self * s` for a constant scalar (no node for the scalar).
    @_specialize(where Scalar == Float)
    public func scaled(by s: Scalar) -> Variable {
        let y = NNKernels.scaled(value, s)
        let i = id
        return tape.record(y, inputs: [self]) { { g in [(i, NNKernels.scaled(g, s))] } }
    }

    /// `self + s` for a constant scalar.
    @_specialize(where Scalar == Float)
    public func shifted(by s: Scalar) -> Variable {
        let y = NNKernels.map(value) { $0 + s }
        let i = id
        return tape.record(y, inputs: [self]) { { g in [(i, g)] } }
    }

    /// `self ^ p` for a constant exponent.
    @_specialize(where Scalar == Float)
    public func power(_ p: Scalar) -> Variable {
        let x = value
        let y = NNKernels.map(x) { Scalar.nnPow($0, p) }
        let i = id
        return tape.record(y, inputs: [self]) {
            { g in [(i, NNKernels.zip(g, x) { gi, xi in p == 0 ? 0 : gi * p * Scalar.nnPow(xi, p - 1) })] }
        }
    }
}

// MARK: - Operators

public func + <S>(a: Variable<S>, b: Variable<S>) throws -> Variable<S> { try a.adding(b) }
public func - <S>(a: Variable<S>, b: Variable<S>) throws -> Variable<S> { try a.subtracting(b) }
public func * <S>(a: Variable<S>, b: Variable<S>) throws -> Variable<S> { try a.multiplying(b) }
public func / <S>(a: Variable<S>, b: Variable<S>) throws -> Variable<S> { try a.dividing(b) }
public prefix func - <S>(a: Variable<S>) -> Variable<S> { a.negated() }
public func * <S>(a: Variable<S>, s: S) -> Variable<S> { a.scaled(by: s) }
public func * <S>(s: S, a: Variable<S>) -> Variable<S> { a.scaled(by: s) }
public func + <S>(a: Variable<S>, s: S) -> Variable<S> { a.shifted(by: s) }
public func - <S>(a: Variable<S>, s: S) -> Variable<S> { a.shifted(by: -s) }
