// Delayed Adam (thesis Algorithm 6): Adam whose second moment is updated after the step.

/// Delayed Adam (Savarese, "Principled Approximation Methods for Efficient and Scalable Deep Learning", PhD thesis, TTIC 2025, ch. 6,
/// Algorithm 6): the per-coordinate rates η_t = 1/(√v_{t−1} + ε) come from the second moment
/// *before* this step's gradient, so η_t is independent of the sample and Theorem 6.3 applies;
/// on the §6.5.1 problem where Adam drifts to the boundary, Delayed Adam converges.
///
/// m ← β₁m + (1−β₁)g; w ← w − α·m̂ / (√v̂_{t−1} + ε); v ← β₂v + (1−β₂)g² (after the step).
/// The default `reference` form bias-corrects both moments as AvaGrad's code does and only fills
/// them on the first step; `thesis` is Algorithm 6 as printed (no corrections, η₁ = 1/ε).
/// Weight decay is L2 (added to the gradient), on weights only.
public final class DelayedAdam<Scalar: TensorScalar>: ElementwiseOptimizer {
    public let core: OptimizerCore<Scalar>
    /// β₁, β₂ and ε.
    public var moments: Moments
    /// The reference code's form or the thesis' pseudo-code.
    public var form: DelayedForm

    /// Delayed Adam with Adam's defaults (lr 1e-3, β 0.9/0.999, ε 1e-8).
    /// - Throws: `CoreError.badArgument` for betas outside [0, 1), ε ≤ 0, or a bad rate or decay.
    public init(_ source: ParamSource<Scalar>, lr: Double = AdamDefaults.lr, beta1: Double = AdamDefaults.beta1,
                beta2: Double = AdamDefaults.beta2, eps: Double = AdamDefaults.eps,
                weightDecay: Double = AdamDefaults.weightDecay, form: DelayedForm = .reference) throws {
        core = try OptimizerCore(source, lr: lr, weightDecay: weightDecay, op: "delayed_adam")
        moments = try Moments(beta1: beta1, beta2: beta2, eps: eps, op: "delayed_adam")
        self.form = form
    }

    public var name: String { "delayed_adam" }

    @_specialize(where Scalar == Float)
    public func update(_ value: inout Tensor<Scalar>, grad: Tensor<Scalar>, state: ParamState<Scalar>,
                       group: ParamGroup<Scalar>, lr: Double) throws -> UpdateSize {
        var m = state.slots.removeValue(forKey: "exp_avg") ?? .zeros(like: value)
        var v = state.slots.removeValue(forKey: "exp_avg_sq") ?? .zeros(like: value)
        let size = DelayedRule.apply(&value, grad: grad, m: &m, v: &v, t: state.step, lr: lr, decayLR: lr,
                          decay: group.weightDecay, decoupled: false, moments: moments, form: form)
        state.slots["exp_avg"] = m
        state.slots["exp_avg_sq"] = v
        return size
    }

    public var description: String {
        "delayed_adam(lr: \(core.lr), \(moments.settings), weight_decay: \(core.weightDecay), form: \"\(form.rawValue)\")"
    }
}

extension DelayedAdam: Explainable {
    public var explanation: Explanation {
        adaptiveExplanation("Delayed Adam", summary: "Adam whose second moment is updated after the step, so η does not depend on this step's gradient (thesis Algorithm 6; \(form.rawValue) form).",
                            formula: ["m ← β₁·m + (1−β₁)·g;  w ← w − lr · m̂ / (√v̂_{t−1} + ε);  then v ← β₂·v + (1−β₂)·g²",
                                      form == .reference ? "bias-corrected; the first step only fills m and v" : "no bias corrections; η₁ = 1/ε"],
                            moments: moments)
    }
}
