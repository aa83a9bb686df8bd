// Shape ops: reshape (with -1), transpose and axis permutation, flatten, cat, stack, broadcast_to.

extension Tensor {
    /// The same elements under a new shape; one extent may be -1 and is inferred.
    /// - Throws: `CoreError.shapeMismatch` when the counts differ; `badArgument` for two -1s or
    ///   another negative extent.
    @_specialize(where Scalar == Float)
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw CoreError.badArgument(op: "reshape",
                message: "shape \(Tensor.describe(newShape)) may hold at most one -1 and no other negative extent")
        }
        if let axis = inferred.first {
            resolved[axis] = 1
            let known = try Tensor.elementCount(of: resolved, op: "reshape")
            guard known > 0, count % known == 0 else {
                throw CoreError.shapeMismatch(op: "reshape", shapes: [shape, newShape],
                    message: "cannot reshape \(Tensor.describe(shape)) (\(count) elements) to \(Tensor.describe(newShape))")
            }
            resolved[axis] = count / known
        }
        guard try Tensor.elementCount(of: resolved, op: "reshape") == count else {
            throw CoreError.shapeMismatch(op: "reshape", shapes: [shape, newShape],
                message: "cannot reshape \(Tensor.describe(shape)) (\(count) elements) to \(Tensor.describe(newShape))")
        }
        return Tensor(uncheckedShape: resolved, scalars: scalars)
    }

    /// The elements as a rank-1 tensor.
    @_specialize(where Scalar == Float)
    public func flattened() -> Tensor {
        Tensor(uncheckedShape: [count], scalars: scalars)
    }

    /// The matrix transpose for rank 2 (rank 0 and 1 are returned unchanged); for higher ranks
    /// the axes are reversed, as NumPy's `.T`.
    @_specialize(where Scalar == Float)
    public func transposed() -> Tensor {
        if rank < 2 { return self }
        if rank == 2 {
            let rows = shape[0], cols = shape[1]
            let out = [Scalar](unsafeUninitializedCapacity: count) { o, initialized in
                let o = o  // not inout: lets the loops vectorise
                scalars.withUnsafeBufferPointer { a in
                    // Blocked so both reads and writes stay within a few cache lines.
                    let block = 32
                    for i0 in stride(from: 0, to: rows, by: block) {
                        for j0 in stride(from: 0, to: cols, by: block) {
                            for i in i0..<min(i0 + block, rows) {
                                for j in j0..<min(j0 + block, cols) { o[j &* rows &+ i] = a[i &* cols &+ j] }
                            }
                        }
                    }
                }
                initialized = count
            }
            return Tensor(uncheckedShape: [cols, rows], scalars: out)
        }
        return (try? permuted(Array((0..<rank).reversed()))) ?? self
    }

    /// The tensor with its axes reordered: result axis `i` is this tensor's axis `axes[i]`.
    /// - Throws: `CoreError.badArgument` unless `axes` is a permutation of `0..<rank` (negative
    ///   axes count from the end).
    @_specialize(where Scalar == Float)
    public func permuted(_ axes: [Int]) throws -> Tensor {
        guard axes.count == rank else {
            throw CoreError.badArgument(op: "transpose",
                message: "axes \(Tensor.describe(axes)) do not match a tensor of shape \(Tensor.describe(shape))")
        }
        let resolved = try axes.map { try Tensor.normalize(axis: $0, rank: rank, op: "transpose", shape: shape) }
        guard Set(resolved).count == rank else {
            throw CoreError.badArgument(op: "transpose", message: "axes \(Tensor.describe(axes)) repeat an axis")
        }
        let outShape = resolved.map { shape[$0] }
        let own = Tensor.strides(of: shape)
        let sourceStrides = resolved.map { own[$0] }
        let loop = StridedLoop(shape: outShape, operandStrides: [Tensor.strides(of: outShape), sourceStrides])
        let so = loop.innerStrides[0], ss = loop.innerStrides[1]
        let n = count
        let out = [Scalar](unsafeUninitializedCapacity: n) { o, initialized in
            let o = o  // not inout: lets the loops vectorise
            scalars.withUnsafeBufferPointer { a in
                loop.run { offsets, length in
                    var io = offsets[0], ia = offsets[1]
                    for _ in 0..<length {
                        o[io] = a[ia]
                        io &+= so; ia &+= ss
                    }
                }
            }
            initialized = n
        }
        return Tensor(uncheckedShape: outShape, scalars: out)
    }

    /// The tensor repeated along broadcast axes to exactly `target` (NumPy's `broadcast_to`).
    /// - Throws: `CoreError.shapeMismatch` when this shape does not broadcast to `target`.
    @_specialize(where Scalar == Float)
    public func broadcast(to target: [Int]) throws -> Tensor {
        if target == shape { return self }
        guard try Tensor.broadcastShape(shape, target, op: "broadcast_to") == target else {
            throw CoreError.shapeMismatch(op: "broadcast_to", shapes: [shape, target],
                message: "cannot broadcast \(Tensor.describe(shape)) to \(Tensor.describe(target))")
        }
        return try Tensor.zeros(target).binary(.add, self)
    }

    /// Joins tensors along an existing axis; all other extents must agree.
    /// - Throws: `CoreError.badArgument` for an empty list or bad axis, `shapeMismatch` naming the
    ///   first disagreeing shapes.
    @_specialize(where Scalar == Float)
    public static func cat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw CoreError.badArgument(op: "cat", message: "needs at least one tensor")
        }
        guard first.rank > 0 else {
            throw CoreError.badArgument(op: "cat", message: "cannot join 0-d tensors; use stack")
        }
        let ax = try normalize(axis: axis, rank: first.rank, op: "cat", shape: first.shape)
        var total = 0
        for t in tensors {
            var a = t.shape, b = first.shape
            guard a.count == b.count else {
                throw CoreError.shapeMismatch(op: "cat", shapes: [first.shape, t.shape], message: "")
            }
            a[ax] = 0; b[ax] = 0
            guard a == b else {
                throw CoreError.shapeMismatch(op: "cat", shapes: [first.shape, t.shape], message: "")
            }
            total += t.shape[ax]
        }
        var outShape = first.shape
        outShape[ax] = total
        let n = try elementCount(of: outShape, op: "cat")
        let outer = first.shape[..<ax].reduce(1, *)
        let inner = first.shape[(ax + 1)...].reduce(1, *)
        var out = [Scalar]()
        out.reserveCapacity(n)
        for o in 0..<outer {
            for t in tensors {
                let run = t.shape[ax] &* inner
                out.append(contentsOf: t.scalars[(o &* run)..<(o &* run &+ run)])
            }
        }
        return Tensor(uncheckedShape: outShape, scalars: out)
    }

    /// Stacks same-shape tensors along a new axis (0 by default).
    /// - Throws: `CoreError.badArgument` for an empty list, `shapeMismatch` for differing shapes.
    @_specialize(where Scalar == Float)
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw CoreError.badArgument(op: "stack", message: "needs at least one tensor")
        }
        for t in tensors where t.shape != first.shape {
            throw CoreError.shapeMismatch(op: "stack", shapes: [first.shape, t.shape], message: "")
        }
        let ax = try normalize(axis: axis, rank: first.rank + 1, op: "stack", shape: first.shape)
        var expanded = first.shape
        expanded.insert(1, at: ax)
        return try cat(tensors.map { Tensor(uncheckedShape: expanded, scalars: $0.scalars) }, axis: ax)
    }

    /// The tensor with a new axis of extent 1 at `axis`.
    @_specialize(where Scalar == Float)
    public func unsqueezed(at axis: Int) throws -> Tensor {
        let ax = try Tensor.normalize(axis: axis, rank: rank + 1, op: "unsqueeze", shape: shape)
        var s = shape
        s.insert(1, at: ax)
        return Tensor(uncheckedShape: s, scalars: scalars)
    }

    /// The tensor without axes of extent 1.
    @_specialize(where Scalar == Float)
    public func squeezed() -> Tensor {
        Tensor(uncheckedShape: shape.filter { $0 != 1 }, scalars: scalars)
    }
}
