// Differentiable shape operations: reshape, transpose, slice, index, cat and stack.

/// One axis of a slice: Python's `start:stop:step` (nil means the default end; bounds clamp).
public struct SliceRange: Sendable, Equatable {
    public var start: Int?
    public var stop: Int?
    public var step: Int
    public init(_ start: Int? = nil, _ stop: Int? = nil, step: Int = 1) {
        self.start = start; self.stop = stop; self.step = step
    }
    /// The whole axis.
    public static let all = SliceRange()

    /// The positions selected on an axis of `length`, following Python's rules.
    func indices(length: Int, op: String) throws -> [Int] {
        guard step != 0 else { throw CoreError.badArgument(op: op, message: "slice step cannot be 0") }
        func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(v, lo), hi) }
        if step > 0 {
            let s = clamp(start.map { $0 < 0 ? $0 + length : $0 } ?? 0, 0, length)
            let e = clamp(stop.map { $0 < 0 ? $0 + length : $0 } ?? length, 0, length)
            return s < e ? Array(stride(from: s, to: e, by: step)) : []
        }
        let s = clamp(start.map { $0 < 0 ? $0 + length : $0 } ?? length - 1, -1, length - 1)
        let e = clamp(stop.map { $0 < 0 ? $0 + length : $0 } ?? -1, -1, length - 1)
        return s > e ? Array(stride(from: s, to: e, by: step)) : []
    }
}

extension Variable {
    /// The same values with a new shape; one extent may be −1 (inferred).
    @_specialize(where Scalar == Float)
    public func reshaped(_ newShape: [Int]) throws -> Variable {
        let x = value, i = id
        var target = newShape
        let known = newShape.filter { $0 != -1 }
        let product = try Tensor<Scalar>.elementCount(of: known, op: "reshape")
        let holes = newShape.filter { $0 == -1 }.count
        if holes == 1, product > 0, x.count % product == 0, let at = newShape.firstIndex(of: -1) {
            target[at] = x.count / product
        }
        guard holes <= 1, known.allSatisfy({ $0 >= 0 }), target.reduce(1, *) == x.count,
              !target.contains(-1) else {
            throw CoreError.shapeMismatch(op: "reshape", shapes: [x.shape, newShape],
                message: "cannot reshape \(Tensor<Float>.describe(x.shape)) (\(x.count) values) to \(Tensor<Float>.describe(newShape))")
        }
        let old = x.shape
        return tape.record(Tensor(uncheckedShape: target, scalars: x.scalars), inputs: [self]) {
            { g in [(i, Tensor(uncheckedShape: old, scalars: g.scalars))] }
        }
    }

    /// The axes permuted; with no argument, the axes reversed (the matrix transpose for rank 2).
    @_specialize(where Scalar == Float)
    public func transposed(_ axes: [Int]? = nil) throws -> Variable {
        let rank = shape.count
        let perm = axes ?? Array((0..<rank).reversed())
        guard perm.count == rank, Set(perm) == Set(0..<rank) else {
            throw CoreError.badArgument(op: "transpose",
                message: "axes \(perm) are not a permutation of 0..<\(rank)")
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (k, a) in perm.enumerated() { inverse[a] = k }
        let i = id
        return tape.record(try value.permuted(perm), inputs: [self]) {
            { g in [(i, try g.permuted(inverse))] }
        }
    }

    /// A slice with one range per leading axis (missing trailing axes are taken whole).
    @_specialize(where Scalar == Float)
    public func sliced(_ ranges: [SliceRange]) throws -> Variable {
        let x = value, i = id
        guard ranges.count <= x.rank else {
            throw CoreError.badArgument(op: "slice", message: "\(ranges.count) ranges for a rank-\(x.rank) tensor")
        }
        var picks: [[Int]] = []
        for axis in 0..<x.rank {
            picks.append(axis < ranges.count ? try ranges[axis].indices(length: x.shape[axis], op: "slice")
                                             : Array(0..<x.shape[axis]))
        }
        // Source offset of each output element, computed once and reused by backward.
        var strides = [Int](repeating: 1, count: x.rank)
        for a in stride(from: x.rank - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * x.shape[a + 1] }
        var offsets = [0]
        for axis in 0..<x.rank {
            var next: [Int] = []
            next.reserveCapacity(offsets.count * picks[axis].count)
            for o in offsets { for p in picks[axis] { next.append(o + p * strides[axis]) } }
            offsets = next
        }
        let outShape = picks.map(\.count)
        let out = offsets.map { x.scalars[$0] }
        let shape = x.shape
        return tape.record(Tensor(uncheckedShape: outShape, scalars: out), inputs: [self]) {
            { g in
                var gx = Tensor<Scalar>(uncheckedShape: shape, repeating: 0)
                for (k, o) in offsets.enumerated() { gx.scalars[o] += g.scalars[k] }
                return [(i, gx)]
            }
        }
    }

    /// The sub-tensor at `index` along the first axis (negative counts from the end).
    @_specialize(where Scalar == Float)
    public func indexed(_ index: Int) throws -> Variable {
        guard shape.count > 0 else {
            throw CoreError.badArgument(op: "index", message: "cannot index a 0-d tensor")
        }
        let n = shape[0]
        let k = index < 0 ? index + n : index
        guard k >= 0, k < n else {
            throw CoreError.badArgument(op: "index", message: "index \(index) is out of range for length \(n)")
        }
        return try sliced([SliceRange(k, k + 1)]).reshaped(Array(shape.dropFirst()))
    }

    /// Joins variables along an existing axis.
    @_specialize(where Scalar == Float)
    public static func cat(_ parts: [Variable], axis: Int = 0) throws -> Variable {
        guard let first = parts.first else {
            throw CoreError.badArgument(op: "cat", message: "needs at least one tensor")
        }
        let rank = first.shape.count
        let a = try Variable.axis(axis, rank: Swift.max(rank, 1), op: "cat")
        for p in parts {
            try sameTape(first, p, op: "cat")
            var s1 = p.shape, s0 = first.shape
            guard s1.count == rank, rank > 0 else {
                throw CoreError.shapeMismatch(op: "cat", shapes: [first.shape, p.shape], message: "")
            }
            s1[a] = 0; s0[a] = 0
            guard s1 == s0 else {
                throw CoreError.shapeMismatch(op: "cat", shapes: [first.shape, p.shape], message: "")
            }
        }
        let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
        let lengths = parts.map { $0.shape[a] }
        let total = lengths.reduce(0, +)
        var out = [Scalar](repeating: 0, count: outer * total * inner)
        var offset = 0
        for (p, len) in zip(parts, lengths) {
            let v = p.value.scalars
            for o in 0..<outer {
                for k in 0..<(len * inner) { out[(o * total + offset) * inner + k] = v[o * len * inner + k] }
            }
            offset += len
        }
        var shape = first.shape
        shape[a] = total
        let ids = parts.map(\.id)
        return first.tape.record(Tensor(uncheckedShape: shape, scalars: out), inputs: parts) {
            { g in
                var result: [(Int, Tensor<Scalar>)] = []
                var offset = 0
                for (pid, (len, pshape)) in zip(ids, zip(lengths, parts.map(\.shape))) {
                    var gp = [Scalar](repeating: 0, count: outer * len * inner)
                    for o in 0..<outer {
                        for k in 0..<(len * inner) { gp[o * len * inner + k] = g.scalars[(o * total + offset) * inner + k] }
                    }
                    result.append((pid, Tensor(uncheckedShape: pshape, scalars: gp)))
                    offset += len
                }
                return result
            }
        }
    }

    /// Stacks variables of equal shape along a new first axis.
    @_specialize(where Scalar == Float)
    public static func stack(_ parts: [Variable]) throws -> Variable {
        let expanded = try parts.map { try $0.reshaped([1] + $0.shape) }
        return try cat(expanded, axis: 0)
    }
}
