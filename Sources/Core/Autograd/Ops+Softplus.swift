// Differentiable softplus log(1 + eˣ) and log-sigmoid log σ(x), both stable for large |x|.

extension Variable {
    /// log(1 + eˣ), computed without overflow (see `Tensor.softplus`); its derivative is σ(x).
    @_specialize(where Scalar == Float)
    public func softplus() -> Variable {
        unary({ Tensor<Scalar>.softplus($0) }, { x, _ in Tensor<Scalar>.sigmoid(x) })
    }

    /// log σ(x) = −softplus(−x): finite for very negative x (where log(σ(x)) would give −inf);
    /// its derivative is σ(−x).
    @_specialize(where Scalar == Float)
    public func logSigmoid() -> Variable {
        unary({ -Tensor<Scalar>.softplus(-$0) }, { x, _ in Tensor<Scalar>.sigmoid(-x) })
    }
}
