// Differentiable selection: sort and top-k (gathers of the sorted positions), hard and soft
// thresholding (the gradient passes where an entry is kept).

extension Variable {
    /// The values sorted along `axis` (stable, NaNs last); the gradient goes back to each value's
    /// original position.
    @_specialize(where Scalar == Float)
    public func sorted(axis: Int = -1, descending: Bool = false) throws -> Variable {
        try gathered(along: axis, indices: try value.argsort(axis: axis, descending: descending))
    }

    /// The `k` largest (or smallest) values along `axis` and their indices (see `Tensor.topk`);
    /// the values are differentiable.
    @_specialize(where Scalar == Float)
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Variable, indices: Tensor<Scalar>) {
        let indices = try value.topk(k, axis: axis, largest: largest).indices
        return (try gathered(along: axis, indices: indices), indices)
    }

    /// Keeps the `s` entries of largest magnitude (see `Tensor.hardThreshold`); the gradient flows
    /// into the kept entries only.
    @_specialize(where Scalar == Float)
    public func hardThresholded(_ s: Int) throws -> Variable {
        let kept = try value.hardThreshold(s).map { $0 != 0 ? 1 : 0 }
        return try multiplying(constant(kept))
    }

    /// sign(x)·max(|x| − τ, 0) (see `Tensor.softThreshold`); the gradient is 1 where |x| > τ and
    /// 0 elsewhere.
    @_specialize(where Scalar == Float)
    public func softThresholded(_ tau: Scalar) throws -> Variable {
        let x = value
        let y = try x.softThreshold(tau)
        let i = id
        return tape.record(y, inputs: [self]) {
            { g in [(i, try g.binary(.multiply, x.map { Swift.abs($0) > tau ? 1 : 0 }))] }
        }
    }
}
