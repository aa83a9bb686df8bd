// Adam, and AdamW (decoupled weight decay), as in PyTorch's torch.optim.Adam / AdamW.

/// Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015); with `decoupled`
/// it is AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019).
///
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − lr · m̂ / (√v̂ + ε) with bias-corrected m̂, v̂.
/// Adam adds λ·w to the gradient (L2); AdamW multiplies w by (1 − lr·λ) before the update.
public final class Adam<Scalar: TensorScalar>: ElementwiseOptimizer {
    public let core: OptimizerCore<Scalar>
    /// β₁, the first-moment decay, typically 0.9.
    public var beta1: Double
    /// β₂, the second-moment decay, typically 0.999.
    public var beta2: Double
    /// ε added to √v̂, typically 1e-8.
    public var eps: Double
    /// True for AdamW's decoupled weight decay.
    public let decoupled: Bool
    /// A dynamic ε_t replacing `eps` (with the rate scaled along), nil for a constant ε.
    public var epsSchedule: EpsSchedule?

    /// Adam with PyTorch's defaults (lr 1e-3, β 0.9/0.999, ε 1e-8, no decay).
    /// - Throws: `CoreError.badArgument` for betas outside [0, 1), ε ≤ 0, or a bad rate or decay.
    public init(_ source: ParamSource<Scalar>, lr: Double = AdamDefaults.lr, beta1: Double = AdamDefaults.beta1,
                beta2: Double = AdamDefaults.beta2, eps: Double = AdamDefaults.eps,
                weightDecay: Double = AdamDefaults.weightDecay, decoupled: Bool = false) throws {
        let op = decoupled ? "adamw" : "adam"
        core = try OptimizerCore(source, lr: lr, weightDecay: weightDecay, op: op)
        guard beta1 >= 0, beta1 < 1, beta2 >= 0, beta2 < 1 else {
            throw CoreError.badArgument(op: op, message: "betas must be in [0, 1), got (\(beta1), \(beta2))")
        }
        guard eps > 0 else { throw CoreError.badArgument(op: op, message: "eps must be positive, got \(eps)") }
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.decoupled = decoupled
    }

    /// AdamW with PyTorch's defaults (weight decay 0.01).
    public static func adamW(_ source: ParamSource<Scalar>, lr: Double = AdamDefaults.lr, beta1: Double = AdamDefaults.beta1,
                             beta2: Double = AdamDefaults.beta2, eps: Double = AdamDefaults.eps,
                             weightDecay: Double = AdamDefaults.adamWWeightDecay) throws -> Adam {
        try Adam(source, lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decoupled: true)
    }

    public var name: String { decoupled ? "adamw" : "adam" }

    @_specialize(where Scalar == Float)
    public func update(_ value: inout Tensor<Scalar>, grad: Tensor<Scalar>, state: ParamState<Scalar>,
                       group: ParamGroup<Scalar>, lr: Double) throws -> UpdateSize {
        // The schedule first: it may throw, and the moments must not be taken out of the state yet.
        var eps = self.eps, lr = lr
        if let epsSchedule { (eps, lr) = try epsSchedule.values(step: state.step, lr: lr) }
        var m = state.slots.removeValue(forKey: "exp_avg") ?? Tensor.zeros(like: value)
        var v = state.slots.removeValue(forKey: "exp_avg_sq") ?? Tensor.zeros(like: value)
        let t = Double(state.step)
        let correction1 = 1 - Double.pow(beta1, t), correction2 = 1 - Double.pow(beta2, t)
        // w −= (lr / c₁) · m / (√v / √c₂ + ε), PyTorch's arrangement.
        let stepSize = Scalar(lr / correction1), rootC2 = Scalar(correction2.squareRoot())
        let (b1, b2, e) = (Scalar(beta1), Scalar(beta2), Scalar(eps))
        let l2 = decoupled ? Scalar(0) : Scalar(group.weightDecay)
        let shrink = decoupled ? Scalar(1 - lr * group.weightDecay) : Scalar(1)
        let size = UpdateLanes.apply(&value, grad, &m, &v) { w, g, m, v in
            let g = g + l2 * w
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            w = w * shrink - stepSize * m / (v.squareRoot() / rootC2 + e)
        }
        state.slots["exp_avg"] = m
        state.slots["exp_avg_sq"] = v
        return size
    }

    public var description: String {
        let eps = epsSchedule.map { "eps_schedule(\($0.scalesLR ? "lr scaled with eps" : "lr fixed"))" } ?? "eps: \(eps)"
        return "\(name)(lr: \(core.lr), betas: (\(beta1), \(beta2)), \(eps), weight_decay: \(core.weightDecay))"
    }
}

/// Adam's and AdamW's defaults (PyTorch's), written once: the initialisers and the `adam` / `adamw`
/// built-ins read them.
public enum AdamDefaults {
    public static let lr = 1e-3
    public static let beta1 = 0.9
    public static let beta2 = 0.999
    public static let eps = 1e-8
    /// Adam's L2 weight decay.
    public static let weightDecay = 0.0
    /// AdamW's decoupled weight decay.
    public static let adamWWeightDecay = 0.01
}

extension Adam: Explainable {
    public var explanation: Explanation {
        var numbers = core.explainedNumbers
        numbers.insert(contentsOf: [ExplainedValue("beta1", beta1), ExplainedValue("beta2", beta2), ExplainedValue("eps", eps)],
                       at: 1)
        numbers += [ExplainedValue("‖m‖ (first moment)", core.slotNorm("exp_avg")),
                    ExplainedValue("‖v‖ (second moment)", core.slotNorm("exp_avg_sq"))]
        if let epsSchedule { numbers.append(ExplainedValue("eps_t (last step)", epsSchedule.current ?? eps)) }
        numbers += adaptivity()?.explainedValues ?? []
        let decay = decoupled ? "w ← w·(1 − lr·λ) first (decoupled decay)" : "g ← ∇L + λ·w (L2 decay, on weights only)"
        return Explanation(decoupled ? "AdamW" : "Adam",
                           summary: decoupled
                               ? "Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."
                               : "per-parameter steps from bias-corrected moment estimates (Kingma & Ba, 2015).",
                           formula: ["m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²;  " + decay,
                                     "w ← w − lr · m̂ / (√v̂ + ε),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)"],
                           numbers: numbers)
    }
}
