// AMSGrad: Adam dividing by the running maximum of the second moment, as torch.optim.Adam(amsgrad=True).

/// AMSGrad (Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018): Adam whose
/// per-coordinate rates never increase, because it divides by the largest second moment seen.
///
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; v_max ← max(v_max, v);
/// w ← w − (α/(1−β₁ᵗ)) · m / (√v_max / √(1−β₂ᵗ) + ε) — PyTorch's arrangement (the maximum of the raw
/// v, then the bias correction). Weight decay is L2 (added to the gradient), on weights only.
public final class AMSGrad<Scalar: TensorScalar>: ElementwiseOptimizer {
    public let core: OptimizerCore<Scalar>
    /// β₁, β₂ and ε.
    public var moments: Moments

    /// AMSGrad with Adam's defaults (lr 1e-3, β 0.9/0.999, ε 1e-8).
    /// - Throws: `CoreError.badArgument` for betas outside [0, 1), ε ≤ 0, or a bad rate or decay.
    public init(_ source: ParamSource<Scalar>, lr: Double = AdamDefaults.lr, beta1: Double = AdamDefaults.beta1,
                beta2: Double = AdamDefaults.beta2, eps: Double = AdamDefaults.eps,
                weightDecay: Double = AdamDefaults.weightDecay) throws {
        core = try OptimizerCore(source, lr: lr, weightDecay: weightDecay, op: "amsgrad")
        moments = try Moments(beta1: beta1, beta2: beta2, eps: eps, op: "amsgrad")
    }

    public var name: String { "amsgrad" }

    @_specialize(where Scalar == Float)
    public func update(_ value: inout Tensor<Scalar>, grad: Tensor<Scalar>, state: ParamState<Scalar>,
                       group: ParamGroup<Scalar>, lr: Double) throws -> UpdateSize {
        var m = state.slots.removeValue(forKey: "exp_avg") ?? .zeros(like: value)
        var v = state.slots.removeValue(forKey: "exp_avg_sq") ?? .zeros(like: value)
        var vMax = state.slots.removeValue(forKey: "max_exp_avg_sq") ?? .zeros(like: value)
        let stepSize = Scalar(lr / moments.correction1(state.step))
        let rootC2 = Scalar(moments.correction2(state.step).squareRoot())
        let (b1, b2, e, l2) = (Scalar(moments.beta1), Scalar(moments.beta2), Scalar(moments.eps), Scalar(group.weightDecay))
        let size = UpdateLanes.apply(&value, grad, &m, &v, &vMax) { w, g, m, v, vMax in
            let g = g + l2 * w
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            vMax = Scalar.laneMaximum(vMax, v)
            w -= stepSize * m / (vMax.squareRoot() / rootC2 + e)
        }
        state.slots["exp_avg"] = m
        state.slots["exp_avg_sq"] = v
        state.slots["max_exp_avg_sq"] = vMax
        return size
    }

    public var description: String {
        "amsgrad(lr: \(core.lr), \(moments.settings), weight_decay: \(core.weightDecay))"
    }
}

extension AMSGrad: Explainable {
    public var explanation: Explanation {
        adaptiveExplanation("AMSGrad", summary: "Adam dividing by the largest second moment seen, so no rate grows (Reddi et al., 2018).",
                            formula: ["m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²;  v_max ← max(v_max, v)",
                                      "w ← w − lr/(1−β₁ᵗ) · m / (√(v_max/(1−β₂ᵗ)) + ε)"],
                            moments: moments)
    }
}
