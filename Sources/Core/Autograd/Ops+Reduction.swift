// Differentiable reductions: sum, mean and max, over everything or along one axis.

extension Variable {
    /// Resolves a possibly negative axis.
    static func axis(_ axis: Int, rank: Int, op: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else {
            throw CoreError.badArgument(op: op, message: "axis \(axis) is out of range for rank \(rank)")
        }
        return a
    }

    /// The shape split around `axis` as (outer, length, inner) plus the reduced shape.
    private func split(_ axis: Int, keepDims: Bool) -> (Int, Int, Int, [Int]) {
        let s = shape
        let outer = s[..<axis].reduce(1, *), inner = s[(axis + 1)...].reduce(1, *)
        var reduced = s
        if keepDims { reduced[axis] = 1 } else { reduced.remove(at: axis) }
        return (outer, s[axis], inner, reduced)
    }

    /// The sum of all elements (a 0-d result), or along `axis`.
    @_specialize(where Scalar == Float)
    public func sum(axis: Int? = nil, keepDims: Bool = false) throws -> Variable {
        let x = value, i = id
        guard let axis else {
            var total = 0.0
            x.scalars.withUnsafeBufferPointer { p in for v in p { total += Double(v) } }
            let shape = x.shape
            return tape.record(Tensor(scalar: Scalar(total)), inputs: [self]) {
                { g in [(i, Tensor(uncheckedShape: shape, repeating: g.scalars[0]))] }
            }
        }
        let a = try Variable.axis(axis, rank: x.rank, op: "sum")
        let (outer, n, inner, reduced) = split(a, keepDims: keepDims)
        var out = [Scalar](repeating: 0, count: outer * inner)
        x.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                for o in 0..<outer {
                    for k in 0..<n {
                        let base = (o * n + k) * inner
                        for j in 0..<inner { po[o * inner + j] += px[base + j] }
                    }
                }
            }
        }
        let shape = x.shape
        return tape.record(Tensor(uncheckedShape: reduced, scalars: out), inputs: [self]) {
            { g in
                var gx = [Scalar](repeating: 0, count: outer * n * inner)
                g.scalars.withUnsafeBufferPointer { pg in
                    gx.withUnsafeMutableBufferPointer { pgx in
                        for o in 0..<outer {
                            for k in 0..<n {
                                let base = (o * n + k) * inner
                                for j in 0..<inner { pgx[base + j] = pg[o * inner + j] }
                            }
                        }
                    }
                }
                return [(i, Tensor(uncheckedShape: shape, scalars: gx))]
            }
        }
    }

    /// The mean of all elements, or along `axis`.
    @_specialize(where Scalar == Float)
    public func mean(axis: Int? = nil, keepDims: Bool = false) throws -> Variable {
        let n: Int
        if let axis {
            n = shape[try Variable.axis(axis, rank: shape.count, op: "mean")]
        } else {
            n = value.count
        }
        guard n > 0 else { throw CoreError.badArgument(op: "mean", message: "mean of an empty tensor") }
        return try sum(axis: axis, keepDims: keepDims).scaled(by: 1 / Scalar(n))
    }

    /// The maximum of all elements, or along `axis` (NaN if any is NaN); the gradient goes to the
    /// first maximal entry.
    @_specialize(where Scalar == Float)
    public func max(axis: Int? = nil, keepDims: Bool = false) throws -> Variable {
        let x = value, i = id
        guard x.count > 0 else { throw CoreError.badArgument(op: "max", message: "max of an empty tensor") }
        let (outer, n, inner, reduced): (Int, Int, Int, [Int])
        if let axis {
            (outer, n, inner, reduced) = split(try Variable.axis(axis, rank: x.rank, op: "max"), keepDims: keepDims)
        } else {
            (outer, n, inner, reduced) = (1, x.count, 1, [])
        }
        var out = [Scalar](repeating: 0, count: outer * inner)
        var arg = [Int](repeating: 0, count: outer * inner)
        x.scalars.withUnsafeBufferPointer { px in
            for o in 0..<outer {
                for j in 0..<inner {
                    var best = px[o * n * inner + j], bestK = 0
                    // The first NaN wins and stays (NumPy propagates NaN through max and min).
                    for k in 1..<Swift.max(n, 1) where !best.isNaN {
                        let v = px[(o * n + k) * inner + j]
                        if v > best || v.isNaN { best = v; bestK = k }
                    }
                    out[o * inner + j] = best
                    arg[o * inner + j] = (o * n + bestK) * inner + j
                }
            }
        }
        let shape = x.shape
        return tape.record(Tensor(uncheckedShape: reduced, scalars: out), inputs: [self]) {
            { g in
                var gx = Tensor<Scalar>(uncheckedShape: shape, repeating: 0)
                for (r, position) in arg.enumerated() { gx.scalars[position] += g.scalars[r] }
                return [(i, gx)]
            }
        }
    }
}
