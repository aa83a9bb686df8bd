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
        let y = try a.zipBroadcast(b, op, f)
        let (ia, ib) = (id, other.id)
        let (na, nb) = (requiresGrad, other.requiresGrad)
        return tape.record(y, inputs: [self, other]) {
            { g in
                var out: [(Int, Tensor<Scalar>)] = []
                if na {
                    let ga = try Variable.partial(g, a, b, y, da, op: op)
                    out.append((ia, try ga.reduceToShape(a.shape)))
                }
                if nb {
                    let gb = try Variable.partial(g, a, b, y, db, op: op)
                    out.append((ib, try gb.reduceToShape(b.shape)))
                }
                return out
            }
        }
    }

    /// g · ∂(a, b, y) at every position of the broadcast output.
    private static func partial(_ g: Tensor<Scalar>, _ a: Tensor<Scalar>, _ b: Tensor<Scalar>,
                                _ y: Tensor<Scalar>, _ d: (Scalar, Scalar, Scalar) -> Scalar,
                                op: String) throws -> Tensor<Scalar> {
        // One strided loop over the output; g and y share its layout, a and b are read broadcast.
        let loop = StridedLoop(shape: y.shape, operandStrides: [
            Tensor<Scalar>.strides(of: y.shape), Tensor<Scalar>.broadcastStrides(a.shape, to: y.shape),
            Tensor<Scalar>.broadcastStrides(b.shape, to: y.shape)])
        let so = loop.innerStrides[0], sa = loop.innerStrides[1], sb = loop.innerStrides[2]
        var out = [Scalar](uninitializedCount: y.count)  // the loop writes every entry
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                y.scalars.withUnsafeBufferPointer { py in
                    g.scalars.withUnsafeBufferPointer { pg in
                        out.withUnsafeMutableBufferPointer { po in
                            let po = po  // not inout: lets the loop vectorise
                            loop.run { offsets, length in
                                var io = offsets[0], ja = offsets[1], jb = offsets[2]
                                for _ in 0..<length {
                                    po[io] = pg[io] * d(pa[ja], pb[jb], py[io])
                                    io &+= so; ja &+= sa; jb &+= sb
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
        try binary(other, op: "^", { Scalar.pow($0, $1) },
                   da: { a, b, _ in b == 0 ? 0 : b * Scalar.pow(a, b - 1) },
                   db: { a, _, y in a > 0 ? y * Scalar.log(a) : 0 })
    }

    /// `-self`.
    @_specialize(where Scalar == Float)
    public func negated() -> Variable {
        let y = -value
        let i = id
        return tape.record(y, inputs: [self]) { { g in [(i, -g)] } }
    }

    /// `self * s` for a constant scalar (no node for the scalar).
    @_specialize(where Scalar == Float)
    public func scaled(by s: Scalar) -> Variable {
        let y = value * s
        let i = id
        return tape.record(y, inputs: [self]) { { g in [(i, g * s)] } }
    }

    /// `self + s` for a constant scalar.
    @_specialize(where Scalar == Float)
    public func shifted(by s: Scalar) -> Variable {
        let y = value + s
        let i = id
        return tape.record(y, inputs: [self]) { { g in [(i, g)] } }
    }

    /// `self ^ p` for a constant exponent.
    @_specialize(where Scalar == Float)
    public func power(_ p: Scalar) -> Variable {
        let x = value
        let y = x.map { Scalar.pow($0, p) }
        let i = id
        return tape.record(y, inputs: [self]) {
            { g in [(i, g.zip(x) { gi, xi in p == 0 ? 0 : gi * p * Scalar.pow(xi, p - 1) })] }
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
