// Reductions over all elements or one axis (with keepdims), accumulated in Double.

/// The reductions. `argmax`/`argmin` give the first index of the extreme value (as a scalar; the
/// first NaN when there is one, and `max`/`min` are then NaN, as NumPy);
/// `variance`/`std` divide by n (NumPy's default, ddof 0); `all`/`any` give 1 or 0.
public enum ReductionOperator: String, Sendable, CaseIterable {
    case sum, mean, max, min, argmax, argmin, variance = "var", std, countNonzero = "count_nonzero", all, any
}

extension Tensor {
    /// Reduces over every element (giving a 0-d tensor) or over `axis` (negative counts from the
    /// end), keeping the reduced axis with extent 1 when `keepDims`.
    /// - Throws: `CoreError.badArgument` for an axis out of range, or `max`/`min`/`argmax`/`argmin`
    ///   of an empty tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reduce(_ op: ReductionOperator, axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        let name = op.rawValue
        let (outer, length, inner, outShape) = try reductionLayout(axis: axis, keepDims: keepDims, op: name)
        // The mean, variance and deviation of nothing are undefined too, not a quiet NaN.
        if length == 0, [.max, .min, .argmax, .argmin, .mean, .variance, .std].contains(op) {
            throw CoreError.badArgument(op: name, message: "cannot reduce an empty extent of shape \(Tensor.describe(shape))")
        }
        let values: [Double]
        switch op {
        case .sum:
            values = sumRows(outer, length, inner)
        case .mean:
            values = sumRows(outer, length, inner).map { $0 / Double(length) }
        case .max:
            values = reduceRows(outer, length, inner, initial: -.infinity) { acc, x in
                let v = x.doubleValue
                return (v > acc || v.isNaN) ? v : acc
            }
        case .min:
            values = reduceRows(outer, length, inner, initial: .infinity) { acc, x in
                let v = x.doubleValue
                return (v < acc || v.isNaN) ? v : acc
            }
        case .argmax:
            values = argExtreme(outer, length, inner) { $0 > $1 }
        case .argmin:
            values = argExtreme(outer, length, inner) { $0 < $1 }
        case .variance, .std:
            let means = reduceRows(outer, length, inner, initial: 0) { $0 + $1.doubleValue }.map { $0 / Double(length) }
            var sq = [Double](repeating: 0, count: outer &* inner)
            scalars.withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    for k in 0..<length {
                        let row = (o &* length &+ k) &* inner
                        for i in 0..<inner {
                            let d = x[row &+ i].doubleValue - means[o &* inner &+ i]
                            sq[o &* inner &+ i] += d * d
                        }
                    }
                }
            }
            values = sq.map { op == .std ? ($0 / Double(length)).squareRoot() : $0 / Double(length) }
        case .countNonzero:
            values = reduceRows(outer, length, inner, initial: 0) { $0 + ($1 != 0 ? 1 : 0) }
        case .all:
            values = reduceRows(outer, length, inner, initial: 0) { $0 + ($1 == 0 ? 1 : 0) }.map { $0 == 0 ? 1 : 0 }
        case .any:
            values = reduceRows(outer, length, inner, initial: 0) { $0 + ($1 != 0 ? 1 : 0) }.map { $0 > 0 ? 1 : 0 }
        }
        return Tensor(uncheckedShape: outShape, scalars: values.map { Scalar($0) })
    }

    /// `argmax`, `argmin` or `count_nonzero` over every element as an exact Int (a Float32 result
    /// would round above 2²⁴).
    /// - Throws: `CoreError.badArgument` for an empty tensor (arg-extremes) or another operator.
    public func integerReduction(_ op: ReductionOperator) throws -> Int {
        switch op {
        case .argmax, .argmin:
            guard count > 0 else {
                throw CoreError.badArgument(op: op.rawValue, message: "cannot reduce an empty extent of shape \(Tensor.describe(shape))")
            }
            return Int(argExtreme(1, count, 1, op == .argmax ? { $0 > $1 } : { $0 < $1 })[0])
        case .countNonzero:
            return Int(reduceRows(1, count, 1, initial: 0) { $0 + ($1 != 0 ? 1 : 0) }[0])
        default:
            throw CoreError.badArgument(op: op.rawValue, message: "does not give an integer")
        }
    }

    /// The p-norm (p = 1, 2, any positive p, or `.infinity`; p = 0 counts non-zeros) over all
    /// elements or one axis.
    /// - Throws: `CoreError.badArgument` for a negative or NaN p or a bad axis.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func norm(_ p: Double = 2, axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        guard p >= 0 else {
            throw CoreError.badArgument(op: "norm", message: "p must be non-negative, got \(p)")
        }
        let (outer, length, inner, outShape) = try reductionLayout(axis: axis, keepDims: keepDims, op: "norm")
        let values: [Double]
        if p == .infinity {
            values = reduceRows(outer, length, inner, initial: 0) { Swift.max($0, Swift.abs($1.doubleValue)) }
        } else if p == 0 {
            values = reduceRows(outer, length, inner, initial: 0) { $0 + ($1 != 0 ? 1 : 0) }
        } else if p == 1 {
            values = reduceRows(outer, length, inner, initial: 0) { $0 + Swift.abs($1.doubleValue) }
        } else if p == 2 {
            values = reduceRows(outer, length, inner, initial: 0) { acc, x in
                let v = x.doubleValue
                return acc + v * v
            }.map { $0.squareRoot() }
        } else {
            values = reduceRows(outer, length, inner, initial: 0) { acc, x in
                acc + Double.pow(Swift.abs(x.doubleValue), p)
            }.map { Double.pow($0, 1 / p) }
        }
        return Tensor(uncheckedShape: outShape, scalars: values.map { Scalar($0) })
    }

    /// Sum over all elements or one axis.
    @_specialize(where Scalar == Float)
    public func sum(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try reduce(.sum, axis: axis, keepDims: keepDims)
    }

    /// Mean over all elements or one axis.
    @_specialize(where Scalar == Float)
    public func mean(axis: Int? = nil, keepDims: Bool = false) throws -> Tensor {
        try reduce(.mean, axis: axis, keepDims: keepDims)
    }

    /// The sum of all elements as a Double (no allocation of a 0-d tensor).
    @_specialize(where Scalar == Float)
    public func sumAll() -> Double {
        scalars.withUnsafeBufferPointer { x in
            guard let base = x.baseAddress else { return 0 }
            return Tensor.blockedSum(base, x.count)
        }
    }

    /// Sums along the reduction axis; contiguous rows (inner == 1) take the blocked SIMD sum.
    func sumRows(_ outer: Int, _ length: Int, _ inner: Int) -> [Double] {
        guard inner == 1 else {
            return reduceRows(outer, length, inner, initial: 0) { $0 + $1.doubleValue }
        }
        return scalars.withUnsafeBufferPointer { x in
            guard let base = x.baseAddress else { return [Double](repeating: 0, count: outer) }
            return (0..<outer).map { o in Tensor.blockedSum(base + o &* length, length) }
        }
    }

    /// Σ p[0..<n]: blocks of 512 summed in SIMD registers of `Scalar` (8 independent lanes, so no
    /// serial dependency), block totals accumulated in Double. Error stays near Double's for the
    /// sizes Whittle meets, at the speed of a Float loop.
    @inline(__always)
    static func blockedSum(_ p: UnsafePointer<Scalar>, _ n: Int) -> Double {
        var total = 0.0
        var start = 0
        while start < n {
            let end = Swift.min(n, start &+ 512)
            var acc = Vector.zero
            var i = start
            while i &+ lanes <= end {
                acc += UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
                i &+= lanes
            }
            var block = acc.sum()
            while i < end { block += p[i]; i &+= 1 }
            total += block.doubleValue
            start = end
        }
        return total
    }

    /// (outer, length, inner, result shape) for reducing `axis`, or everything when nil.
    func reductionLayout(axis: Int?, keepDims: Bool, op: String) throws -> (Int, Int, Int, [Int]) {
        guard let axis else {
            return (1, count, 1, keepDims ? [Int](repeating: 1, count: rank) : [])
        }
        let ax = try Tensor.normalize(axis: axis, rank: rank, op: op, shape: shape)
        let outer = shape[..<ax].reduce(1, &*)
        let inner = shape[(ax + 1)...].reduce(1, &*)
        var outShape = shape
        if keepDims { outShape[ax] = 1 } else { outShape.remove(at: ax) }
        return (outer, shape[ax], inner, outShape)
    }

    /// Folds `f` over the axis for each (outer, inner) pair, walking memory in order: whole rows
    /// of `inner` elements are folded into a row of accumulators.
    @inline(__always)
    func reduceRows(_ outer: Int, _ length: Int, _ inner: Int, initial: Double,
                    _ f: (Double, Scalar) -> Double) -> [Double] {
        var acc = [Double](repeating: initial, count: outer &* inner)
        scalars.withUnsafeBufferPointer { x in
            acc.withUnsafeMutableBufferPointer { a in
                let a = a  // not inout: lets the loops vectorise
                if inner == 1 {
                    for o in 0..<outer {
                        var v = initial
                        let base = o &* length
                        for k in 0..<length { v = f(v, x[base &+ k]) }
                        a[o] = v
                    }
                    return
                }
                for o in 0..<outer {
                    for k in 0..<length {
                        let row = (o &* length &+ k) &* inner
                        let out = o &* inner
                        for i in 0..<inner { a[out &+ i] = f(a[out &+ i], x[row &+ i]) }
                    }
                }
            }
        }
        return acc
    }

    /// The index along the axis of the first element that `better` prefers over all others.
    @inline(__always)
    func argExtreme(_ outer: Int, _ length: Int, _ inner: Int, _ better: (Scalar, Scalar) -> Bool) -> [Double] {
        var result = [Double](repeating: 0, count: outer &* inner)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o &* length &* inner &+ i
                    var best = x[base], bestIndex = 0
                    for k in 1..<Swift.max(length, 1) {
                        let v = x[base &+ k &* inner]
                        // The first NaN is the answer, as NumPy's argmax / argmin.
                        if best.isNaN { break }
                        if v.isNaN || better(v, best) { best = v; bestIndex = k }
                    }
                    result[o &* inner &+ i] = Double(bestIndex)
                }
            }
        }
        return result
    }
}
