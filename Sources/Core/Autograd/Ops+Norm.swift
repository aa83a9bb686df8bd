// The differentiable p-norm, composed from abs, powers and the reductions.

extension Variable {
    /// The p-norm over all elements or along `axis`, as `Tensor.norm`: p = 1 is Σ|x|, p = ∞ is
    /// max |x| (the gradient goes to the first entry of largest magnitude), p = 2 is √Σx², other
    /// p > 0 are (Σ|x|^p)^(1/p); p = 0 counts the non-zeros (piecewise constant: zero gradient).
    /// The derivative of |x| at 0 is taken as 0.
    /// - Throws: `CoreError.badArgument` for a negative or NaN p or a bad axis.
    @_specialize(where Scalar == Float)
    public func norm(_ p: Double, axis: Int? = nil, keepDims: Bool = false) throws -> Variable {
        guard p >= 0 else {
            throw CoreError.badArgument(op: "norm", message: "p must be non-negative, got \(p)")
        }
        switch p {
        case 0: return constant(try value.norm(0, axis: axis, keepDims: keepDims))
        case 1: return try abs().sum(axis: axis, keepDims: keepDims)
        case 2: return try multiplying(self).sum(axis: axis, keepDims: keepDims).sqrt()
        case .infinity: return try abs().max(axis: axis, keepDims: keepDims)
        default: return try abs().power(Scalar(p)).sum(axis: axis, keepDims: keepDims).power(Scalar(1 / p))
        }
    }
}
