// detach: the same value with no gradient flowing back (straight-through estimators).

extension Variable {
    /// The same value as a constant of this tape: nothing recorded after it reaches `self`.
    ///
    /// The straight-through estimator of a hard function h is `x + detach(h(x) − x)`: its value is
    /// h(x) and its gradient is the identity.
    public func detached() -> Variable { tape.constant(value) }
}
