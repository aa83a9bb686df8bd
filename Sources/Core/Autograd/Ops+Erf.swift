// The differentiable Gauss error function erf, used by the Gaussian CDF Φ(x) = (1 + erf(x/√2)) / 2.

extension Variable {
    /// erf x = 2/√π ∫₀ˣ e^(−t²) dt; d/dx erf x = 2/√π · e^(−x²).
    @_specialize(where Scalar == Float)
    public func erf() -> Variable {
        let twoOverRootPi = Scalar(1.128379167095512573896158903121545172)
        return unary({ Scalar.erf($0) }, { x, _ in twoOverRootPi * Scalar.exp(-x * x) })
    }
}
