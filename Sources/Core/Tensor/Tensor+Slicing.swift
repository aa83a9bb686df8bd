// Subscripts: integer indices and start/stop/step slices per axis (Python rules), read and assign.

/// One axis of a subscript.
public enum TensorIndex: Equatable, Sendable {
    /// A single position (negative counts from the end); the axis is dropped from the result.
    case index(Int)
    /// Python's `start:stop:step`; `nil` parts take their defaults and bounds clamp to the axis.
    case slice(start: Int?, stop: Int?, step: Int?)

    /// The whole axis, `:`.
    public static var all: TensorIndex { .slice(start: nil, stop: nil, step: nil) }
}

/// The positions an index selects on one axis: `start, start + step, …` (`length` of them).
struct AxisSelection {
    let start: Int, step: Int, length: Int
    /// False for an integer index, whose axis disappears from the result.
    let keepsAxis: Bool

    /// Resolves `index` on an axis of `extent` with Python's rules.
    /// - Throws: `CoreError.badArgument` for an integer out of range or a zero step.
    init(_ index: TensorIndex, extent n: Int, axis: Int, shape: [Int]) throws {
        switch index {
        case .index(let i):
            let resolved = i < 0 ? i &+ n : i
            guard resolved >= 0, resolved < n else {
                throw CoreError.badArgument(op: "index",
                    message: "index \(i) is out of range for axis \(axis) of extent \(n) in shape \(Tensor<Float>.describe(shape))")
            }
            (start, step, length, keepsAxis) = (resolved, 1, 1, false)
        case let .slice(startIndex, stopIndex, stepSize):
            let step = stepSize ?? 1
            guard step != 0 else {
                throw CoreError.badArgument(op: "slice", message: "slice step cannot be zero")
            }
            func clampIndex(_ value: Int, low: Int, high: Int) -> Int {
                let v = value < 0 ? (value < Int.min / 2 ? low : value + n) : value
                return Swift.min(Swift.max(v, low), high)
            }
            if step > 0 {
                let a = startIndex.map { clampIndex($0, low: 0, high: n) } ?? 0
                let b = stopIndex.map { clampIndex($0, low: 0, high: n) } ?? n
                let length = b > a ? (b - a - 1) / step + 1 : 0
                (self.start, self.step, self.length, keepsAxis) = (a, step, length, true)
            } else {
                let a = startIndex.map { clampIndex($0, low: -1, high: n - 1) } ?? (n - 1)
                let b = stopIndex.map { clampIndex($0, low: -1, high: n - 1) } ?? -1
                let stride = step == Int.min ? Int.max : -step
                let length = a > b ? (a - b - 1) / stride + 1 : 0
                (self.start, self.step, self.length, keepsAxis) = (a, step, length, true)
            }
        }
    }
}

extension Tensor {
    /// The region selected by one index per leading axis (missing trailing axes are taken whole).
    /// Integer indices drop their axis; slices follow Python (bounds clamp, negative steps walk
    /// backwards). The result is a copy.
    /// - Throws: `CoreError.badArgument` for more indices than axes, an integer out of range, or a
    ///   zero step.
    @_specialize(where Scalar == Float)
    public func slice(_ indices: [TensorIndex]) throws -> Tensor {
        let (shapeOut, base, sourceStrides) = try selection(indices)
        let n = try Tensor.elementCount(of: shapeOut, op: "slice")
        let loop = StridedLoop(shape: shapeOut, operandStrides: [Tensor.strides(of: shapeOut), sourceStrides])
        let so = loop.innerStrides[0], ss = loop.innerStrides[1]
        let out = [Scalar](unsafeUninitializedCapacity: n) { o, initialized in
            let o = o  // not inout: lets the loops vectorise
            scalars.withUnsafeBufferPointer { a in
                loop.run { offsets, length in
                    var io = offsets[0], ia = base &+ offsets[1]
                    for _ in 0..<length {
                        o[io] = a[ia]
                        io &+= so; ia &+= ss
                    }
                }
            }
            initialized = n
        }
        return Tensor(uncheckedShape: shapeOut, scalars: out)
    }

    /// Writes `value` into the selected region; `value` broadcasts to the region's shape (the
    /// shape `slice(indices)` would return).
    /// - Throws: as `slice`, and `CoreError.shapeMismatch` when `value` does not broadcast.
    @_specialize(where Scalar == Float)
    public mutating func assign(_ value: Tensor, at indices: [TensorIndex]) throws {
        let (region, base, destStrides) = try selection(indices)
        let fits = (try? Tensor.broadcastShape(value.shape, region, op: "assign")) == region
        guard fits else {
            throw CoreError.shapeMismatch(op: "assign", shapes: [value.shape, region],
                message: "cannot assign a tensor of shape \(Tensor.describe(value.shape)) to a region of shape \(Tensor.describe(region))")
        }
        let loop = StridedLoop(shape: region, operandStrides: [destStrides, Tensor.broadcastStrides(value.shape, to: region)])
        let sd = loop.innerStrides[0], sv = loop.innerStrides[1]
        scalars.withUnsafeMutableBufferPointer { d in
            let d = d  // not inout: lets the loops vectorise
            value.scalars.withUnsafeBufferPointer { v in
                loop.run { offsets, length in
                    var id = base &+ offsets[0], iv = offsets[1]
                    for _ in 0..<length {
                        d[id] = v[iv]
                        id &+= sd; iv &+= sv
                    }
                }
            }
        }
    }

    /// Writes one scalar into every element of the selected region.
    /// - Throws: as `slice`.
    @_specialize(where Scalar == Float)
    public mutating func assign(_ value: Scalar, at indices: [TensorIndex]) throws {
        try assign(Tensor(scalar: value), at: indices)
    }

    /// The element at one integer index per axis (negative counts from the end).
    /// - Throws: `CoreError.badArgument` for a wrong number of indices or one out of range.
    @_specialize(where Scalar == Float)
    public func element(at position: [Int]) throws -> Scalar {
        guard position.count == rank else {
            throw CoreError.badArgument(op: "index",
                message: "needs \(rank) indices for shape \(Tensor.describe(shape)), got \(position.count)")
        }
        return try slice(position.map { .index($0) }).scalars[0]
    }

    /// Rows `indices` of axis `axis` in the given order (repeats allowed), e.g. a shuffled batch.
    /// - Throws: `CoreError.badArgument` for a bad axis or an index out of range.
    @_specialize(where Scalar == Float)
    public func take(_ indices: [Int], axis: Int = 0) throws -> Tensor {
        guard rank > 0 else {
            throw CoreError.badArgument(op: "take", message: "cannot take rows of a 0-d tensor")
        }
        let ax = try Tensor.normalize(axis: axis, rank: rank, op: "take", shape: shape)
        let extent = shape[ax]
        let outer = shape[..<ax].reduce(1, &*), inner = shape[(ax + 1)...].reduce(1, &*)
        var outShape = shape
        outShape[ax] = indices.count
        let n = try Tensor.elementCount(of: outShape, op: "take")
        var resolved = [Int](repeating: 0, count: indices.count)
        for (j, i) in indices.enumerated() {
            let r = i < 0 ? i &+ extent : i
            guard r >= 0, r < extent else {
                throw CoreError.badArgument(op: "take",
                    message: "index \(i) is out of range for axis \(ax) of extent \(extent) in shape \(Tensor.describe(shape))")
            }
            resolved[j] = r
        }
        let out = [Scalar](unsafeUninitializedCapacity: n) { o, initialized in
            let o = o  // not inout: lets the loops vectorise
            scalars.withUnsafeBufferPointer { a in
                var io = 0
                for b in 0..<outer {
                    for r in resolved {
                        let src = (b &* extent &+ r) &* inner
                        for i in 0..<inner { o[io &+ i] = a[src &+ i] }
                        io &+= inner
                    }
                }
            }
            initialized = n
        }
        return Tensor(uncheckedShape: outShape, scalars: out)
    }

    /// (result shape, base offset, source strides per result axis) of a subscript.
    func selection(_ indices: [TensorIndex]) throws -> ([Int], Int, [Int]) {
        guard indices.count <= rank else {
            throw CoreError.badArgument(op: "index",
                message: "too many indices (\(indices.count)) for a tensor of shape \(Tensor.describe(shape))")
        }
        let own = Tensor.strides(of: shape)
        var outShape: [Int] = [], strides: [Int] = []
        var base = 0
        for axis in 0..<rank {
            let index = axis < indices.count ? indices[axis] : .all
            let sel = try AxisSelection(index, extent: shape[axis], axis: axis, shape: shape)
            if sel.length > 0 { base &+= sel.start &* own[axis] }
            if sel.keepsAxis {
                outShape.append(sel.length)
                strides.append(sel.step &* own[axis])
            }
        }
        return (outShape, base, strides)
    }
}
