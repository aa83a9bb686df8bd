// Unary element-wise ops: neg abs exp log log2 sqrt sign relu sigmoid softplus log_sigmoid tanh
// round floor ceil sin cos acos erf, and clamp.

/// The unary element-wise operations.
public enum UnaryOperator: String, Sendable, CaseIterable {
    case negate, abs, exp, log, log2, sqrt, sign, relu, sigmoid, softplus, logSigmoid, tanh, round, floor, ceil
    case sin, cos, acos, erf
}

extension Tensor {
    /// Applies `op` to every element. `round` rounds half to even (as NumPy and PyTorch); `sign`
    /// gives -1, 0 or 1; `sigmoid` is computed without overflow for large |x|.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func unary(_ op: UnaryOperator) -> Tensor {
        switch op {
        case .negate: return map { -$0 }
        case .abs: return map { Swift.abs($0) }
        case .exp: return map { Scalar.exp($0) }
        case .log: return map { Scalar.log($0) }
        case .sqrt: return map { $0.squareRoot() }
        case .sign: return map { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
        case .relu: return map { $0 < 0 ? 0 : $0 }   // NaN propagates, as in PyTorch
        case .sigmoid: return map { Tensor.sigmoid($0) }
        case .tanh: return map { Scalar.tanh($0) }
        case .round: return map { $0.rounded(.toNearestOrEven) }
        case .log2: return map { Scalar.log2($0) }
        case .softplus: return map { Tensor.softplus($0) }
        case .logSigmoid: return map { -Tensor.softplus(-$0) }
        case .floor: return map { $0.rounded(.down) }
        case .ceil: return map { $0.rounded(.up) }
        case .sin: return map { Scalar.sin($0) }
        case .cos: return map { Scalar.cos($0) }
        case .acos: return map { Scalar.acos($0) }
        case .erf: return map { Scalar.erf($0) }
        }
    }

    /// Limits every element to `[low, high]`.
    /// - Throws: `CoreError.badArgument` when `low > high`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func clamped(_ low: Scalar, _ high: Scalar) throws -> Tensor {
        guard low <= high else {
            throw CoreError.badArgument(op: "clamp", message: "low \(low) is above high \(high)")
        }
        return map { $0 < low ? low : ($0 > high ? high : $0) }
    }

    /// The logistic function 1 / (1 + e^-x), stable for large |x|.
    @inline(__always)
    static func sigmoid(_ x: Scalar) -> Scalar {
        if x >= 0 { return 1 / (1 + Scalar.exp(-x)) }
        let e = Scalar.exp(x)
        return e / (1 + e)
    }

    /// log(1 + e^x), stable for large |x|: x + log(1 + e^−x) above 0 (no overflow of e^x), and
    /// log1p(e^x) below (keeps the tiny values of very negative x instead of rounding to 0).
    @inline(__always)
    static func softplus(_ x: Scalar) -> Scalar {
        if x > 0 { return x + Scalar.log1p(Scalar.exp(-x)) }
        return Scalar.log1p(Scalar.exp(x))
    }

    /// A new tensor of the same shape with `f` applied to each element (a tight loop).
    @_specialize(where Scalar == Float)
    @inline(__always)
    public func map(_ f: (Scalar) -> Scalar) -> Tensor {
        let out = [Scalar](unsafeUninitializedCapacity: count) { o, initialized in
            let o = o  // not inout: lets the loops vectorise
            scalars.withUnsafeBufferPointer { a in
                for i in 0..<a.count { o[i] = f(a[i]) }
            }
            initialized = count
        }
        return Tensor(uncheckedShape: shape, scalars: out)
    }
}
