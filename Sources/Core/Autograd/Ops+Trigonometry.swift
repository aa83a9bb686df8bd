// Differentiable trigonometric functions: sin, cos and acos.

extension Variable {
    /// Sine (radians); d/dx sin x = cos x.
    @_specialize(where Scalar == Float)
    public func sin() -> Variable { unary({ Scalar.sin($0) }, { x, _ in Scalar.cos(x) }) }

    /// Cosine (radians); d/dx cos x = −sin x.
    @_specialize(where Scalar == Float)
    public func cos() -> Variable { unary({ Scalar.cos($0) }, { x, _ in -Scalar.sin(x) }) }

    /// Arc cosine in [0, π], NaN outside [−1, 1]; d/dx acos x = −1/√(1 − x²), infinite at ±1.
    @_specialize(where Scalar == Float)
    public func acos() -> Variable {
        unary({ Scalar.acos($0) }, { x, _ in -1 / (1 - x * x).squareRoot() })
    }
}
