// Differentiable gathers: rows by an index list (`t[[2, 0]]`) and values along an axis by index
// (the gradient of sort, top-k and median); each backward scatters the gradient back, summing repeats.

extension Variable {
    /// Entries `indices` of axis `axis`, in that order (repeats allowed, negative from the end).
    ///
    /// The result has the shape of `self` with `shape[axis]` replaced by `indices.count`. The
    /// forward pass is `Tensor.take`; the backward pass adds each row of the gradient into the row
    /// it came from.
    /// - Throws: `CoreError.badArgument` for a bad axis or an index out of range.
    @_specialize(where Scalar == Float)
    public func taking(_ indices: [Int], axis: Int = 0) throws -> Variable {
        let x = value
        let y = try x.take(indices, axis: axis)   // validates the axis and every index
        let ax = axis < 0 ? axis + x.rank : axis
        let extent = x.shape[ax]
        let resolved = indices.map { $0 < 0 ? $0 + extent : $0 }
        let outer = x.shape[..<ax].reduce(1, *), inner = x.shape[(ax + 1)...].reduce(1, *)
        let shape = x.shape, i = id
        return tape.record(y, inputs: [self]) {
            { g in
                var gx = [Scalar](repeating: 0, count: x.count)
                g.scalars.withUnsafeBufferPointer { pg in
                    gx.withUnsafeMutableBufferPointer { po in
                        var ig = 0
                        for b in 0..<outer {
                            for r in resolved {
                                let dst = (b * extent + r) * inner
                                for j in 0..<inner { po[dst + j] += pg[ig + j] }
                                ig += inner
                            }
                        }
                    }
                }
                return [(i, Tensor(uncheckedShape: shape, scalars: gx))]
            }
        }
    }

    /// `out[o, j, i] = self[o, indices[o, j, i], i]` along `axis`: a per-position gather, where
    /// `indices` (integral values, as `argsort` and `topk` return them) has the shape of `self`
    /// except along `axis`.
    /// - Throws: `CoreError.shapeMismatch` when the shapes do not agree off `axis`,
    ///   `CoreError.badArgument` for an index out of range.
    @_specialize(where Scalar == Float)
    public func gathered(along axis: Int, indices: Tensor<Scalar>) throws -> Variable {
        let x = value
        let ax = try Variable.axis(axis, rank: x.rank, op: "gather")
        var expected = x.shape
        expected[ax] = indices.rank == x.rank ? indices.shape[ax] : -1
        guard indices.shape == expected else {
            throw CoreError.shapeMismatch(op: "gather", shapes: [x.shape, indices.shape],
                message: "the indices must have the tensor's shape except along axis \(ax)")
        }
        let extent = x.shape[ax], k = indices.shape[ax]
        let outer = x.shape[..<ax].reduce(1, *), inner = x.shape[(ax + 1)...].reduce(1, *)
        // The flat source position of every output entry, checked once.
        var source = [Int](repeating: 0, count: indices.count)
        for o in 0..<outer {
            for j in 0..<k {
                for t in 0..<inner {
                    let at = (o * k + j) * inner + t
                    let v = indices.scalars[at]
                    guard v.isFinite, v >= 0, v < Scalar(extent), v == v.rounded(.down) else {
                        throw CoreError.badArgument(op: "gather",
                            message: "index \(v) is out of range for axis \(ax) of extent \(extent)")
                    }
                    source[at] = (o * extent + Int(v)) * inner + t
                }
            }
        }
        let y = Tensor(uncheckedShape: indices.shape, scalars: source.map { x.scalars[$0] })
        let shape = x.shape, i = id
        return tape.record(y, inputs: [self]) {
            { g in
                var gx = [Scalar](repeating: 0, count: x.count)
                for (at, src) in source.enumerated() { gx[src] += g.scalars[at] }
                return [(i, Tensor(uncheckedShape: shape, scalars: gx))]
            }
        }
    }
}
