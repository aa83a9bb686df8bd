// Binary element-wise ops with NumPy broadcasting: arithmetic, pow, comparisons, maximum, where.

/// The binary element-wise operations. Comparisons give 1 where true and 0 where false.
public enum BinaryOperator: String, Sendable, CaseIterable {
    case add, subtract, multiply, divide, power, maximum, minimum
    case equal, notEqual, less, lessEqual, greater, greaterEqual

    /// The op's name in error messages (the script's words).
    public var opName: String {
        switch self {
        case .add: return "+"
        case .subtract: return "-"
        case .multiply: return "*"
        case .divide: return "/"
        case .power: return "^"
        case .maximum: return "maximum"
        case .minimum: return "minimum"
        case .equal: return "=="
        case .notEqual: return "!="
        case .less: return "<"
        case .lessEqual: return "<="
        case .greater: return ">"
        case .greaterEqual: return ">="
        }
    }
}

extension Tensor {
    /// `self op other`, element-wise with NumPy broadcasting.
    ///
    /// Same-shape and one-element operands take a single tight loop; other shapes run a strided
    /// loop whose inner rows are as long as the layout allows.
    /// - Throws: `CoreError.shapeMismatch` naming the op and both shapes when they do not broadcast.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func binary(_ op: BinaryOperator, _ other: Tensor) throws -> Tensor {
        try Tensor.withKernel(op) { f in try zipBroadcast(other, op.opName, f) }
    }

    /// `self op scalar`, or `scalar op self` when `reversed` (for `2 - t`). Never throws.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func binary(_ op: BinaryOperator, scalar: Scalar, reversed: Bool = false) -> Tensor {
        Tensor.withKernel(op) { f in
            let out = [Scalar](unsafeUninitializedCapacity: count) { o, initialized in
                let o = o  // not inout: lets the loops vectorise
                scalars.withUnsafeBufferPointer { a in
                    if reversed {
                        for i in 0..<a.count { o[i] = f(scalar, a[i]) }
                    } else {
                        for i in 0..<a.count { o[i] = f(a[i], scalar) }
                    }
                }
                initialized = count
            }
            return Tensor(uncheckedShape: shape, scalars: out)
        }
    }

    /// Calls `body` with the scalar function of `op`; inlined, so each op gets its own tight loop.
    @inline(__always)
    static func withKernel<R>(_ op: BinaryOperator,
                              _ body: ((Scalar, Scalar) -> Scalar) throws -> R) rethrows -> R {
        switch op {
        case .add: return try body { $0 + $1 }
        case .subtract: return try body { $0 - $1 }
        case .multiply: return try body { $0 * $1 }
        case .divide: return try body { $0 / $1 }
        case .power: return try body { Tensor.power($0, $1) }
        case .maximum: return try body { ($0 >= $1 || $0.isNaN) ? $0 : $1 }
        case .minimum: return try body { ($0 <= $1 || $0.isNaN) ? $0 : $1 }
        case .equal: return try body { $0 == $1 ? 1 : 0 }
        case .notEqual: return try body { $0 != $1 ? 1 : 0 }
        case .less: return try body { $0 < $1 ? 1 : 0 }
        case .lessEqual: return try body { $0 <= $1 ? 1 : 0 }
        case .greater: return try body { $0 > $1 ? 1 : 0 }
        case .greaterEqual: return try body { $0 >= $1 ? 1 : 0 }
        }
    }

    /// Where `condition` is non-zero take `a`, else `b`; all three broadcast together.
    /// - Throws: `CoreError.shapeMismatch` naming the three shapes when they do not broadcast.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        if condition.shape == a.shape && a.shape == b.shape {
            var out = a.scalars
            out.withUnsafeMutableBufferPointer { o in
                let o = o  // not inout: lets the loops vectorise
                condition.scalars.withUnsafeBufferPointer { c in
                    b.scalars.withUnsafeBufferPointer { bb in
                        for i in 0..<o.count where c[i] == 0 { o[i] = bb[i] }
                    }
                }
            }
            return Tensor(uncheckedShape: a.shape, scalars: out)
        }
        let outShape = try whereShape(condition.shape, a.shape, b.shape)
        let n = try elementCount(of: outShape, op: "where")
        let loop = StridedLoop(shape: outShape, operandStrides: [
            strides(of: outShape), broadcastStrides(condition.shape, to: outShape),
            broadcastStrides(a.shape, to: outShape), broadcastStrides(b.shape, to: outShape)])
        let s = loop.innerStrides
        let out = [Scalar](unsafeUninitializedCapacity: n) { o, initialized in
            let o = o  // not inout: lets the loops vectorise
            condition.scalars.withUnsafeBufferPointer { c in
                a.scalars.withUnsafeBufferPointer { pa in
                    b.scalars.withUnsafeBufferPointer { pb in
                        loop.run { offsets, length in
                            var io = offsets[0], ic = offsets[1], ia = offsets[2], ib = offsets[3]
                            for _ in 0..<length {
                                o[io] = c[ic] != 0 ? pa[ia] : pb[ib]
                                io &+= s[0]; ic &+= s[1]; ia &+= s[2]; ib &+= s[3]
                            }
                        }
                    }
                }
            }
            initialized = n
        }
        return Tensor(uncheckedShape: outShape, scalars: out)
    }

    /// The broadcast shape of `where`'s three operands (shared with the differentiable `where`,
    /// so the error reads the same inside and outside `grad`).
    /// - Throws: `CoreError.shapeMismatch` naming the three shapes when they do not broadcast.
    static func whereShape(_ condition: [Int], _ a: [Int], _ b: [Int]) throws -> [Int] {
        do {
            return try broadcastShape(try broadcastShape(condition, a, op: "where"), b, op: "where")
        } catch {
            throw CoreError.shapeMismatch(op: "where", shapes: [condition, a, b],
                message: "cannot broadcast condition \(describe(condition)) with \(describe(a)) and \(describe(b))")
        }
    }

    /// x^y, with exact fast paths for the common small integer exponents.
    @inline(__always)
    static func power(_ x: Scalar, _ y: Scalar) -> Scalar {
        if y == 2 { return x * x }
        if y == 1 { return x }
        if y == 0.5 { return x.squareRoot() }
        return Scalar.pow(x, y)
    }

    /// The shared body of every binary op: fast paths for same shape and one-element operands,
    /// otherwise a broadcasting strided loop. `f` is inlined into each loop.
    @inline(__always)
    func zipBroadcast(_ other: Tensor, _ op: String, _ f: (Scalar, Scalar) -> Scalar) throws -> Tensor {
        if shape == other.shape { return zip(other, f) }
        if other.count == 1 && other.rank <= rank {
            let b = other.scalars[0]
            let out = [Scalar](unsafeUninitializedCapacity: count) { o, initialized in
                let o = o  // not inout: lets the loops vectorise
                scalars.withUnsafeBufferPointer { a in
                    for i in 0..<a.count { o[i] = f(a[i], b) }
                }
                initialized = count
            }
            return Tensor(uncheckedShape: shape, scalars: out)
        }
        if count == 1 && rank <= other.rank {
            let a = scalars[0]
            let out = [Scalar](unsafeUninitializedCapacity: other.count) { o, initialized in
                let o = o  // not inout: lets the loops vectorise
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<b.count { o[i] = f(a, b[i]) }
                }
                initialized = other.count
            }
            return Tensor(uncheckedShape: other.shape, scalars: out)
        }
        let outShape = try Tensor.broadcastShape(shape, other.shape, op: op)
        let n = try Tensor.elementCount(of: outShape, op: op)
        let loop = StridedLoop(shape: outShape, operandStrides: [
            Tensor.strides(of: outShape), Tensor.broadcastStrides(shape, to: outShape),
            Tensor.broadcastStrides(other.shape, to: outShape)])
        let so = loop.innerStrides[0], sa = loop.innerStrides[1], sb = loop.innerStrides[2]
        let out = [Scalar](unsafeUninitializedCapacity: n) { o, initialized in
            let o = o  // not inout: lets the loops vectorise
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    loop.run { offsets, length in
                        var io = offsets[0], ia = offsets[1], ib = offsets[2]
                        for _ in 0..<length {
                            o[io] = f(a[ia], b[ib])
                            io &+= so; ia &+= sa; ib &+= sb
                        }
                    }
                }
            }
            initialized = n
        }
        return Tensor(uncheckedShape: outShape, scalars: out)
    }
}

// MARK: - Same-shape kernels

extension Tensor {
    /// `f(self[i], other[i])` for two tensors of the same element count, in this tensor's shape
    /// (one tight loop; the caller guarantees the counts agree).
    @inline(__always)
    func zip(_ other: Tensor, _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        let n = Swift.min(count, other.count)
        let out = [Scalar](unsafeUninitializedCapacity: n) { o, initialized in
            let o = o  // not inout: lets the loops vectorise
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<n { o[i] = f(a[i], b[i]) }
                }
            }
            initialized = n
        }
        return Tensor(uncheckedShape: shape, scalars: out)
    }

    /// `self += other` in place for tensors of the same element count (gradient accumulation).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func addInPlace(_ other: Tensor) {
        scalars.withUnsafeMutableBufferPointer { a in
            let a = a  // not inout: lets the loop vectorise
            other.scalars.withUnsafeBufferPointer { b in
                for i in 0..<Swift.min(a.count, b.count) { a[i] += b[i] }
            }
        }
    }
}

// MARK: - Operators

extension Tensor {
    /// Element-wise sum with broadcasting.
    @_specialize(where Scalar == Float)
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.binary(.add, rhs) }
    /// Element-wise difference with broadcasting.
    @_specialize(where Scalar == Float)
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.binary(.subtract, rhs) }
    /// Element-wise product with broadcasting.
    @_specialize(where Scalar == Float)
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.binary(.multiply, rhs) }
    /// Element-wise quotient with broadcasting.
    @_specialize(where Scalar == Float)
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.binary(.divide, rhs) }
    /// Tensor plus scalar.
    @_specialize(where Scalar == Float)
    public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.binary(.add, scalar: rhs) }
    /// Tensor minus scalar.
    @_specialize(where Scalar == Float)
    public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.binary(.subtract, scalar: rhs) }
    /// Tensor times scalar.
    @_specialize(where Scalar == Float)
    public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.binary(.multiply, scalar: rhs) }
    /// Tensor divided by scalar.
    @_specialize(where Scalar == Float)
    public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.binary(.divide, scalar: rhs) }
    /// Scalar plus tensor.
    @_specialize(where Scalar == Float)
    public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.binary(.add, scalar: lhs, reversed: true) }
    /// Scalar minus tensor.
    @_specialize(where Scalar == Float)
    public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.binary(.subtract, scalar: lhs, reversed: true) }
    /// Scalar times tensor.
    @_specialize(where Scalar == Float)
    public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.binary(.multiply, scalar: lhs, reversed: true) }
    /// Scalar divided by tensor.
    @_specialize(where Scalar == Float)
    public static func / (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.binary(.divide, scalar: lhs, reversed: true) }
    /// Negation.
    @_specialize(where Scalar == Float)
    public static prefix func - (operand: Tensor) -> Tensor { operand.unary(.negate) }
}
