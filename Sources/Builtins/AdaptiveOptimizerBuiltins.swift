// The adaptive optimizers of the thesis' chapter 6 in the language: amsgrad, adabound, amsbound, avagrad(w), delayed_adam, adaptivity.
import Core
import Interpreter
import Lang

enum AdaptiveOptimizerBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String,
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Optimizers and training", summary: summary, details: details,
                    example: example, body: body)
    }

    // The helpers come before the parameter lists (they read names from several specs).
    static func adaBound(_ a: Arguments, amsbound: Bool) throws -> Value {
        try TrainingPlatform.optimizer(a) { source in
            try AdaBound(source, lr: try a.double("lr"), beta1: try a.double("beta1"), beta2: try a.double("beta2"),
                         eps: try a.double("eps"), finalLR: try a.double("final_lr"), gamma: try a.double("gamma"),
                         weightDecay: try a.double("weight_decay"), amsbound: amsbound)
        }
    }

    static func avaGrad(_ a: Arguments, decoupled: Bool) throws -> Value {
        try TrainingPlatform.optimizer(a) { source in
            try AvaGrad(source, lr: try a.double("lr"), beta1: try a.double("beta1"), beta2: try a.double("beta2"),
                        eps: try a.double("eps"), weightDecay: try a.double("weight_decay"), decoupled: decoupled,
                        form: try DelayedForm(named: try a.string("form"), op: decoupled ? "avagradw" : "avagrad"))
        }
    }

    /// net, lr, beta1, beta2, eps with the given defaults, then the optimizer's own, weight decay and `only:`.
    static func parameters(lr: Double, beta1: Double = AdamDefaults.beta1, beta2: Double = AdamDefaults.beta2,
                           eps: Double, weightDecay: Double = 0, _ own: [ParameterSpec] = []) -> [ParameterSpec] {
        [.required("net", "Net or List"), .named("lr", "Float", .float(lr)), .named("beta1", "Float", .float(beta1)),
         .named("beta2", "Float", .float(beta2)), .named("eps", "Float", .float(eps))]
            + own + [.named("weight_decay", "Float", .float(weightDecay))] + TrainingPlatform.optimizerParameters
    }

    static let form: [ParameterSpec] = [.named("form", "String", .string(DelayedForm.reference.rawValue))]
    static let adaBoundOwn: [ParameterSpec] = [.named("final_lr", "Float", .float(AdaBoundDefaults.finalLR)),
                                               .named("gamma", "Float", .float(AdaBoundDefaults.gamma))]

    /// The adaptivity figures of an adaptive optimizer as a record; nil before its first step or
    /// for an optimizer without per-coordinate rates.
    static func adaptivity(_ o: any Optimizer<Float>) -> Value {
        guard let adaptive = o as? any AdaptiveOptimizer<Float>, let figures = adaptive.adaptivity() else { return .null }
        return TrainingPlatform.record(figures.report)
    }

    static let adaptivityDetails = "The figures come from the optimizer's state: the effective per-coordinate rates r (w ← w − r·m: α/(1−β₁ᵗ)/(√v̂ + ε), AvaGrad's times γ) as min / median / max and spread (max/median), eps_ratio = ε / median √v̂ (≫ 1: SGD-like, ≪ 1: Adam-like), adaptive_fraction (coordinates with √v̂ > ε), m_norm, v_norm, gamma (AvaGrad), and the same per parameter in by_param. For Delayed Adam and AvaGrad (rates_for: \"next step\") they are the rates the next step will use; for the others the last step's. Entries removed by a mask are left out."

    static let table: [BuiltinSpec] = [
        spec("adabound", parameters(lr: AdaBoundDefaults.lr, eps: AdamDefaults.eps, adaBoundOwn),
             "AdaBound (Luo et al., 2019): Adam with each coordinate's rate clipped into bounds that close on an SGD rate.",
             details: "η = clip(lr·√(1−β₂ᵗ)/(1−β₁ᵗ) / (√v + ε), lo, hi), lo = f·(1 − 1/(γt+1)), hi = f·(1 + 1/(γt)), f = final_lr scaled with a schedule's lr (as the authors' code does); then w ← w − η·m. At t = 1000 with the defaults the bounds are [0.05, 0.2]. final_lr ≥ 0, gamma in (0, 1); L2 weight decay on weights only.",
             example: "opt = adabound(net, lr: 1e-3, final_lr: 0.1)") { a in try adaBound(a, amsbound: false) },
        spec("adaptivity", [.required("opt", "Optimizer")],
             "How adaptive an optimizer is now: the spread of its per-coordinate rates, ε against √v̂, γ, the moments' norms.",
             details: adaptivityDetails + " Nil before the first step and for sgd. The same record is `opt.last_step.adaptivity`.",
             example: "a = adaptivity(opt)\nprint(a.rate_median, a.eps_ratio, a.regime)") { a in
            adaptivity(try a.native("opt", as: OptimizerObject.self, expected: "Optimizer").optimizer)
        },
        spec("amsbound", parameters(lr: AdaBoundDefaults.lr, eps: AdamDefaults.eps, adaBoundOwn),
             "AMSBound (Luo et al., 2019): AdaBound dividing by the running maximum of the second moment.",
             details: "As `adabound`, with v replaced by max(v_max, v) as in AMSGrad.",
             example: "opt = amsbound(net, lr: 1e-3, final_lr: 0.1, gamma: 1e-3)") { a in try adaBound(a, amsbound: true) },
        spec("amsgrad", parameters(lr: AdamDefaults.lr, eps: AdamDefaults.eps),
             "AMSGrad (Reddi et al., 2018): Adam dividing by the largest second moment seen, so no rate ever grows.",
             details: "v_max ← max(v_max, v); w ← w − lr/(1−β₁ᵗ) · m / (√v_max/√(1−β₂ᵗ) + ε), PyTorch's `Adam(amsgrad=True)`. L2 weight decay on weights only. State: exp_avg, exp_avg_sq, max_exp_avg_sq.",
             example: "opt = amsgrad(net, lr: 1e-3)") { a in
            try TrainingPlatform.optimizer(a) { source in
                try AMSGrad(source, lr: try a.double("lr"), beta1: try a.double("beta1"), beta2: try a.double("beta2"),
                            eps: try a.double("eps"), weightDecay: try a.double("weight_decay"))
            }
        },
        spec("avagrad", parameters(lr: AvaGradDefaults.lr, eps: AvaGradDefaults.eps, form),
             "AvaGrad (Savarese et al., 2021): Delayed Adam with its rates normalised over all its parameters, so lr and eps separate.",
             details: "γ = 1/√(mean η²) with η = 1/(√v̂_{t−1} + ε) over every coordinate it updates; w ← w − γ·lr·m̂ ⊙ η; v is updated after the step. form: \"reference\" (the authors' code: bias-corrected, the first step only fills the moments) or \"thesis\" (Algorithm 7: no corrections, η₁ = 1/ε). L2 weight decay (added to the gradient) on weights only. Masked entries are left out of γ. Combine several with `only:` for separate γs.",
             example: "opt = avagrad(net, lr: 1.0, eps: 0.1)") { a in try avaGrad(a, decoupled: false) },
        spec("avagradw", parameters(lr: AvaGradDefaults.lr, eps: AvaGradDefaults.eps, form),
             "AvaGradW: AvaGrad with decoupled weight decay w ← w·(1 − lr·weight_decay) (lr, not γ·lr).",
             details: "As `avagrad`, except the gradient is not changed by the decay: each step that moves the weights first shrinks them by (1 − lr·weight_decay), on weights only.",
             example: "opt = avagradw(net, lr: 1.0, weight_decay: 5e-4)") { a in try avaGrad(a, decoupled: true) },
        spec("delayed_adam", parameters(lr: AdamDefaults.lr, eps: AdamDefaults.eps, form),
             "Delayed Adam (thesis Algorithm 6): Adam whose second moment is updated after the step, so the rates do not depend on this step's gradient.",
             details: "m ← β₁m + (1−β₁)g; w ← w − lr·m̂ / (√v̂_{t−1} + ε); v ← β₂v + (1−β₂)g². form: \"reference\" (bias-corrected as AvaGrad's code; the first step only fills the moments) or \"thesis\" (Algorithm 6: no corrections, η₁ = 1/ε). L2 weight decay on weights only.",
             example: "opt = delayed_adam(net, lr: 1e-4, beta1: 0, beta2: 0.99)") { a in
            try TrainingPlatform.optimizer(a) { source in
                try DelayedAdam(source, lr: try a.double("lr"), beta1: try a.double("beta1"), beta2: try a.double("beta2"),
                                eps: try a.double("eps"), weightDecay: try a.double("weight_decay"),
                                form: try DelayedForm(named: try a.string("form"), op: "delayed_adam"))
            }
        },
    ]
}
