// Making tensors: zeros, ones, full, eye, arange, linspace.

extension Tensor {
    /// A tensor of `shape` filled with 0.
    /// - Throws: `CoreError.badArgument` for a negative or too large shape.
    @_specialize(where Scalar == Float)
    public static func zeros(_ shape: [Int]) throws -> Tensor {
        let count = try elementCount(of: shape, op: "zeros")
        return Tensor(uncheckedShape: shape, scalars: [Scalar](repeating: 0, count: count))
    }

    /// A tensor of `shape` filled with 1.
    /// - Throws: `CoreError.badArgument` for a negative or too large shape.
    @_specialize(where Scalar == Float)
    public static func ones(_ shape: [Int]) throws -> Tensor {
        let count = try elementCount(of: shape, op: "ones")
        return Tensor(uncheckedShape: shape, scalars: [Scalar](repeating: 1, count: count))
    }

    /// A tensor of `shape` filled with `value`.
    /// - Throws: `CoreError.badArgument` for a negative or too large shape.
    @_specialize(where Scalar == Float)
    public static func full(_ shape: [Int], _ value: Scalar) throws -> Tensor {
        let count = try elementCount(of: shape, op: "full")
        return Tensor(uncheckedShape: shape, scalars: [Scalar](repeating: value, count: count))
    }

    /// A tensor of zeros with the shape of `other`.
    @_specialize(where Scalar == Float)
    public static func zeros(like other: Tensor) -> Tensor {
        Tensor(uncheckedShape: other.shape, scalars: [Scalar](repeating: 0, count: other.count))
    }

    /// The `n × n` identity matrix.
    /// - Throws: `CoreError.badArgument` for a negative or too large `n`.
    @_specialize(where Scalar == Float)
    public static func eye(_ n: Int) throws -> Tensor {
        let count = try elementCount(of: [n, n], op: "eye")
        var scalars = [Scalar](repeating: 0, count: count)
        for i in 0..<n { scalars[i &* n &+ i] = 1 }
        return Tensor(uncheckedShape: [n, n], scalars: scalars)
    }

    /// The values `start, start + step, …` below `stop` (above it for a negative step), as NumPy's
    /// `arange`: `ceil((stop - start) / step)` elements, none when the range is empty.
    /// - Throws: `CoreError.badArgument` for a zero or non-finite step, or a range too long.
    @_specialize(where Scalar == Float)
    public static func arange(_ start: Double, _ stop: Double, step: Double = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, stop.isFinite else {
            throw CoreError.badArgument(op: "arange",
                message: "needs finite bounds and a non-zero step, got \(start), \(stop), step \(step)")
        }
        let length = ((stop - start) / step).rounded(.up)
        guard length < Double(maxElements) else {
            throw CoreError.badArgument(op: "arange", message: "range of \(length) elements is too large")
        }
        // An empty range's length is negative and may be far below Int.min (`arange(1e308, 0)`).
        let n = try elementCount(of: [length > 0 ? Int(length) : 0], op: "arange")
        var scalars = [Scalar](repeating: 0, count: n)
        for i in 0..<n { scalars[i] = Scalar(start + Double(i) * step) }
        return Tensor(uncheckedShape: [n], scalars: scalars)
    }

    /// `count` evenly spaced values from `start` to `stop`, both included (NumPy's `linspace`).
    /// - Throws: `CoreError.badArgument` for a negative count or non-finite bounds.
    @_specialize(where Scalar == Float)
    public static func linspace(_ start: Double, _ stop: Double, count: Int) throws -> Tensor {
        guard start.isFinite, stop.isFinite else {
            throw CoreError.badArgument(op: "linspace", message: "needs finite bounds, got \(start), \(stop)")
        }
        _ = try elementCount(of: [count], op: "linspace")
        var scalars = [Scalar](repeating: 0, count: count)
        if count == 1 { scalars[0] = Scalar(start) }
        if count > 1 {
            let step = (stop - start) / Double(count - 1)
            for i in 0..<count { scalars[i] = Scalar(start + Double(i) * step) }
            scalars[count - 1] = Scalar(stop)
        }
        return Tensor(uncheckedShape: [count], scalars: scalars)
    }
}
