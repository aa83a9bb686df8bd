// The differentiable median: the middle value along an axis (the mean of the two middle ones for
// an even count, as NumPy), with the gradient going to the entries it was taken from.

extension Variable {
    /// The median of all elements (a 0-d result), or along `axis`. NaN anywhere in a reduced
    /// slice gives NaN, as NumPy's `median`.
    /// - Throws: `CoreError.badArgument` for an empty tensor or a bad axis.
    @_specialize(where Scalar == Float)
    public func median(axis: Int? = nil, keepDims: Bool = false) throws -> Variable {
        guard let axis else {
            let m = try reshaped([value.count]).median(axis: 0)
            return keepDims ? try m.reshaped([Int](repeating: 1, count: shape.count)) : m
        }
        let x = value
        let ax = try Variable.axis(axis, rank: x.rank, op: "median")
        let n = x.shape[ax]
        guard n > 0 else { throw CoreError.badArgument(op: "median", message: "median of an empty tensor") }
        // NaNs sort last, so the middle entries are numbers; the NaN is put back below.
        let order = try x.argsort(axis: ax)
        let middle: [TensorIndex] = (0..<x.rank).map {
            $0 == ax ? .slice(start: (n - 1) / 2, stop: n / 2 + 1, step: 1) : .all
        }
        let m = try gathered(along: ax, indices: try order.slice(middle)).mean(axis: ax, keepDims: keepDims)
        let nanRows = try x.map { $0.isNaN ? 1 : 0 }.reduce(.max, axis: ax, keepDims: keepDims)
        guard nanRows.scalars.contains(1) else { return m }
        return try m.adding(constant(nanRows.map { $0 > 0 ? .nan : 0 }))
    }
}
