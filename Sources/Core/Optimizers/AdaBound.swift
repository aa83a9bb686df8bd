// AdaBound and AMSBound: Adam whose per-coordinate rates are clipped into bounds closing on an SGD rate (Luolc/AdaBound).

/// AdaBound and AMSBound (Luo, Xiong, Liu & Sun, "Adaptive Gradient Methods with Dynamic Bound of
/// Learning Rate", ICLR 2019), as the authors' code computes them.
///
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g² (AMSBound: v ← max(v_max, v));
/// η = clip(α·√(1−β₂ᵗ)/(1−β₁ᵗ) / (√v + ε), lo_t, hi_t); w ← w − η ⊙ m, with
/// lo_t = f·(1 − 1/(γt + 1)), hi_t = f·(1 + 1/(γt)) and f = final_lr · α/α₀: the bounds start wide
/// (Adam) and close on f (SGD), and move with a schedule's rate (α₀ is the rate the schedule
/// starts from). Weight decay is L2 (added to the gradient), on weights only.
public final class AdaBound<Scalar: TensorScalar>: ElementwiseOptimizer {
    public let core: OptimizerCore<Scalar>
    /// β₁, β₂ and ε.
    public var moments: Moments
    /// The SGD rate f the bounds close on, ≥ 0 (reference default 0.1).
    public var finalLR: Double
    /// How fast the bounds close, in (0, 1) (reference default 1e-3: at t = 1000 they are [f/2, 2f]).
    public var gamma: Double
    /// AMSBound: divide by the running maximum of v.
    public let amsbound: Bool

    /// - Throws: `CoreError.badArgument` for betas outside [0, 1), ε ≤ 0, final_lr < 0, γ outside
    ///   (0, 1), or a bad rate or decay.
    public init(_ source: ParamSource<Scalar>, lr: Double = AdaBoundDefaults.lr, beta1: Double = AdamDefaults.beta1,
                beta2: Double = AdamDefaults.beta2, eps: Double = AdamDefaults.eps,
                finalLR: Double = AdaBoundDefaults.finalLR, gamma: Double = AdaBoundDefaults.gamma,
                weightDecay: Double = AdamDefaults.weightDecay, amsbound: Bool = false) throws {
        let op = amsbound ? "amsbound" : "adabound"
        core = try OptimizerCore(source, lr: lr, weightDecay: weightDecay, op: op)
        moments = try Moments(beta1: beta1, beta2: beta2, eps: eps, op: op)
        guard finalLR >= 0, finalLR.isFinite else {
            throw CoreError.badArgument(op: op, message: "final_lr must be a non-negative number, got \(finalLR)")
        }
        guard gamma > 0, gamma < 1 else { throw CoreError.badArgument(op: op, message: "gamma must be in (0, 1), got \(gamma)") }
        self.finalLR = finalLR
        self.gamma = gamma
        self.amsbound = amsbound
    }

    public var name: String { amsbound ? "amsbound" : "adabound" }

    /// The clipping bounds (lo, hi) of step t at the rate `lr`.
    public func bounds(step t: Int, lr: Double) -> (lower: Double, upper: Double) {
        // A schedule moves lr away from baseLR; the SGD rate f moves with it (the reference's
        // workaround, since a scheduler cannot see final_lr).
        let f = core.baseLR > 0 ? finalLR * lr / core.baseLR : 0
        let gt = gamma * Double(t)
        return (f * (1 - 1 / (gt + 1)), f * (1 + 1 / gt))
    }

    @_specialize(where Scalar == Float)
    public func update(_ value: inout Tensor<Scalar>, grad: Tensor<Scalar>, state: ParamState<Scalar>,
                       group: ParamGroup<Scalar>, lr: Double) throws -> UpdateSize {
        var m = state.slots.removeValue(forKey: "exp_avg") ?? .zeros(like: value)
        var v = state.slots.removeValue(forKey: "exp_avg_sq") ?? .zeros(like: value)
        let t = state.step
        let (lower, upper) = bounds(step: t, lr: lr)
        let (lo, hi) = (Scalar(lower), Scalar(upper))
        let stepSize = Scalar(lr * moments.correction2(t).squareRoot() / moments.correction1(t))
        let (b1, b2, e, l2) = (Scalar(moments.beta1), Scalar(moments.beta2), Scalar(moments.eps), Scalar(group.weightDecay))
        let size: UpdateSize
        if amsbound {
            var vMax = state.slots.removeValue(forKey: "max_exp_avg_sq") ?? .zeros(like: value)
            size = UpdateLanes.apply(&value, grad, &m, &v, &vMax) { w, g, m, v, vMax in
                let g = g + l2 * w
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                vMax = Scalar.laneMaximum(vMax, v)
                w -= Scalar.laneClamp(stepSize / (vMax.squareRoot() + e), lower: lo, upper: hi) * m
            }
            state.slots["max_exp_avg_sq"] = vMax
        } else {
            size = UpdateLanes.apply(&value, grad, &m, &v) { w, g, m, v in
                let g = g + l2 * w
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                w -= Scalar.laneClamp(stepSize / (v.squareRoot() + e), lower: lo, upper: hi) * m
            }
        }
        state.slots["exp_avg"] = m
        state.slots["exp_avg_sq"] = v
        return size
    }

    public var description: String {
        "\(name)(lr: \(core.lr), \(moments.settings), final_lr: \(finalLR), gamma: \(gamma), weight_decay: \(core.weightDecay))"
    }
}

/// AdaBound's defaults (the reference code's), written once: the initialiser and the built-ins read them.
public enum AdaBoundDefaults {
    public static let lr = 1e-3
    public static let finalLR = 0.1
    public static let gamma = 1e-3
}

extension AdaBound: Explainable {
    public var explanation: Explanation {
        var e = adaptiveExplanation(amsbound ? "AMSBound" : "AdaBound",
                                    summary: "Adam with each rate clipped into bounds closing on an SGD rate (Luo et al., 2019).",
                                    formula: ["η = clip(lr·√(1−β₂ᵗ)/(1−β₁ᵗ) / (√v + ε), lo_t, hi_t);  w ← w − η·m" + (amsbound ? "  (v: its running max)" : ""),
                                              "lo_t = f·(1 − 1/(γt+1)),  hi_t = f·(1 + 1/(γt)),  f = final_lr · lr/base lr"],
                                    moments: moments)
        let t = core.state.values.map(\.step).max() ?? 0
        let (lo, hi) = bounds(step: Swift.max(t, 1), lr: core.lr)
        e.numbers.insert(contentsOf: [ExplainedValue("final_lr", finalLR), ExplainedValue("gamma", gamma),
                                      ExplainedValue("bounds at step \(Swift.max(t, 1))", "[\(Explanation.format(lo)), \(Explanation.format(hi))]")],
                         at: 4)
        return e
    }
}
