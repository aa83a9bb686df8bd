// ShrinkNets' neuron-killing rules (spec §4.6): when a switch's unit is declared dead from its θ over the steps.

/// The rule that decides when a unit is dead. L1 with (sub)gradient steps never reaches exact
/// zeros, θ only oscillates around 0, so a rule (or the proximal step) has to decide.
public enum KillRule: String, Sendable, CaseIterable {
    /// Keep an EMA of sgn θ, m ← μ·m + (1 − μ)·sgn θ (m⁰ = sgn θ⁰); kill when 1 − m² > γ. The default.
    case signVariance = "sign_variance"
    /// Kill when sgn θ differs from the previous step's (θ crossed 0 under the L1 pull).
    case signChange = "sign_change"
    /// Kill when |g(θ)| < t (Deep Compression's rule; scale-dependent).
    case threshold
    /// θ ← sgn θ · max(|θ| − lr·λ, 0) after each step (the L1 term leaves the loss); exact zeros are dead.
    case prox
}

/// The kill rules' constants, with the spec's defaults.
public struct KillSettings: Sendable, Equatable {
    /// γ of the sign-variance rule: kill when 1 − m² > γ (lower is more aggressive).
    public var gamma = 0.5
    /// μ of the sign EMA.
    public var mu = 0.9
    /// t of the threshold rule.
    public var threshold = 1e-3
    /// Steps during which no unit is killed (the statistics still move): early noise-driven kills.
    public var warmup = 0

    public init() {}
}

extension KillRule {
    /// Observes unit c's θ after a step: moves its sign statistics (every rule keeps them, so they
    /// can be queried) and says whether this rule kills it. `factor` is g(θ), the factor the switch
    /// applies (θ itself for a linear gate).
    ///
    /// - sign variance: m ← μ·m + (1 − μ)·sgn θ; kill when 1 − m² > γ;
    /// - sign change: kill when sgn θ ≠ the previous sign (a previous sign of 0 never triggers);
    /// - threshold: kill when |g(θ)| < t;
    /// - prox: kill when g(θ) = 0 (the proximal step made it exact).
    public func observe(theta: Double, factor: Double, mean: inout Double, lastSign: inout Double,
                        settings: KillSettings) -> Bool {
        let s: Double = theta > 0 ? 1 : (theta < 0 ? -1 : 0)
        mean = settings.mu * mean + (1 - settings.mu) * s
        let changed = lastSign != 0 && s != lastSign
        lastSign = s
        switch self {
        case .signVariance: return 1 - mean * mean > settings.gamma
        case .signChange: return changed
        case .threshold: return Swift.abs(factor) < settings.threshold
        case .prox: return factor == 0
        }
    }

    /// The proximal step of λ·|θ| (linear gate) or λ·max(0, θ) (relu gate) with step `lr`:
    /// soft-thresholding by τ = lr·λ; under the relu gate a θ ≤ 0 is left alone (its penalty is flat).
    public static func prox(_ theta: Double, tau: Double, gate: SwitchGate) -> Double {
        if gate == .relu && theta <= 0 { return theta }
        return theta > 0 ? Swift.max(theta - tau, 0) : Swift.min(theta + tau, 0)
    }
}
