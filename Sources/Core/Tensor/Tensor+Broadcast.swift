// NumPy broadcasting: the result shape, strided loops over broadcast operands, and reduceToShape.

extension Tensor {
    /// The NumPy broadcast of two shapes: align on the right; each pair of extents must be equal or
    /// contain a 1.
    /// - Throws: `CoreError.shapeMismatch` naming `op` and both shapes.
    public static func broadcastShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let ea = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let eb = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if ea == eb || eb == 1 {
                out[i] = ea
            } else if ea == 1 {
                out[i] = eb
            } else {
                throw CoreError.shapeMismatch(op: op, shapes: [a, b],
                    message: "cannot broadcast \(describe(a)) with \(describe(b))")
            }
        }
        return out
    }

    /// Strides for reading an operand of `shape` as if it had the broadcast shape `outShape`
    /// (0 on every axis the operand repeats). `shape` must broadcast to `outShape`.
    static func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
        let own = strides(of: shape)
        let lead = outShape.count - shape.count
        var result = [Int](repeating: 0, count: outShape.count)
        for i in 0..<shape.count where shape[i] != 1 || outShape[i + lead] == 1 {
            result[i + lead] = own[i]
        }
        return result
    }

    /// Sums a gradient of this tensor's (broadcast) shape back to the shape of the operand that was
    /// broadcast, e.g. a `[64, 256]` gradient to a `[256]` bias. Accumulates in Double.
    /// - Throws: `CoreError.shapeMismatch` when `target` does not broadcast to this shape.
    @_specialize(where Scalar == Float)
    public func reduceToShape(_ target: [Int]) throws -> Tensor {
        if target == shape { return self }
        let merged = try? Tensor.broadcastShape(target, shape, op: "reduce_to_shape")
        guard merged == shape else {
            throw CoreError.shapeMismatch(op: "reduce_to_shape", shapes: [shape, target],
                message: "cannot sum \(Tensor.describe(shape)) down to \(Tensor.describe(target))")
        }
        let targetCount = try Tensor.elementCount(of: target, op: "reduce_to_shape")
        var sums = [Double](repeating: 0, count: targetCount)
        let loop = StridedLoop(shape: shape, operandStrides: [
            Tensor.strides(of: shape), Tensor.broadcastStrides(target, to: shape)])
        let si = loop.innerStrides[0], ti = loop.innerStrides[1]
        scalars.withUnsafeBufferPointer { src in
            sums.withUnsafeMutableBufferPointer { dst in
                let dst = dst  // not inout: lets the loops vectorise
                loop.run { offsets, length in
                    var s = offsets[0], t = offsets[1]
                    for _ in 0..<length {
                        dst[t] += src[s].doubleValue
                        s &+= si
                        t &+= ti
                    }
                }
            }
        }
        return Tensor(uncheckedShape: target, scalars: sums.map { Scalar($0) })
    }
}

/// A loop over a (broadcast) shape for several operands with their own strides: axes of extent 1
/// are dropped and adjacent axes that are contiguous for every operand are merged, so the inner
/// loop is as long as possible (a same-shape operation becomes one loop; `[64, 256] + [256]`
/// becomes 64 loops of 256).
struct StridedLoop {
    /// Extents of the merged axes, outermost first (at least one axis).
    let extents: [Int]
    /// Per operand, the strides of the merged axes.
    let strides: [[Int]]
    /// Per operand, the stride of the innermost merged axis.
    let innerStrides: [Int]

    init(shape: [Int], operandStrides: [[Int]]) {
        var extents: [Int] = []
        var strides = [[Int]](repeating: [], count: operandStrides.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            let extent = shape[axis]
            let mergeable = !extents.isEmpty && operandStrides.indices.allSatisfy { op in
                strides[op][strides[op].count - 1] == operandStrides[op][axis] &* extent
            }
            if mergeable {
                extents[extents.count - 1] &*= extent
                for op in operandStrides.indices { strides[op][strides[op].count - 1] = operandStrides[op][axis] }
            } else {
                extents.append(extent)
                for op in operandStrides.indices { strides[op].append(operandStrides[op][axis]) }
            }
        }
        if extents.isEmpty {
            extents = [1]
            strides = strides.map { _ in [0] }
        }
        self.extents = extents
        self.strides = strides
        self.innerStrides = strides.map { $0[$0.count - 1] }
    }

    /// Calls `body(offsets, length)` once per inner row: `offsets[op]` is where operand `op`'s row
    /// starts; the row has `length` elements spaced by `innerStrides[op]`.
    @inline(__always)
    func run(_ body: (UnsafeMutableBufferPointer<Int>, Int) -> Void) {
        let operands = strides.count
        let outerAxes = extents.count - 1
        let length = extents[outerAxes]
        if extents.contains(0) { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: operands + outerAxes) { scratch in
            for i in 0..<scratch.count { scratch[i] = 0 }
            let offsets = UnsafeMutableBufferPointer(rebasing: scratch[0..<operands])
            let counter = UnsafeMutableBufferPointer(rebasing: scratch[operands..<(operands + outerAxes)])
            while true {
                body(offsets, length)
                // Advance the odometer over the outer axes, innermost first.
                var axis = outerAxes - 1
                while axis >= 0 {
                    counter[axis] &+= 1
                    for op in 0..<operands { offsets[op] &+= strides[op][axis] }
                    if counter[axis] < extents[axis] { break }
                    for op in 0..<operands { offsets[op] &-= strides[op][axis] &* extents[axis] }
                    counter[axis] = 0
                    axis -= 1
                }
                if axis < 0 { return }
            }
        }
    }
}
