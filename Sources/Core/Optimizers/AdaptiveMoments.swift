// What the adaptive optimizers of the thesis' chapter 6 share: checked β₁, β₂, ε, bias corrections, delayed forms.
import Foundation

/// β₁, β₂ and ε of an adaptive method — m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², η = 1/(√v + ε) —
/// checked once for every optimizer that uses them.
public struct Moments: Equatable, Sendable {
    /// β₁, the first-moment decay, in [0, 1), typically 0.9.
    public var beta1: Double
    /// β₂, the second-moment decay, in [0, 1), typically 0.999.
    public var beta2: Double
    /// ε added to √v (outside the square root), > 0: 1e-8 for Adam, 0.1 for AvaGrad.
    public var eps: Double

    /// - Throws: `CoreError.badArgument` naming `op` for betas outside [0, 1) or ε not a positive number.
    public init(beta1: Double, beta2: Double, eps: Double, op: String) throws {
        guard beta1 >= 0, beta1 < 1, beta2 >= 0, beta2 < 1 else {
            throw CoreError.badArgument(op: op, message: "betas must be in [0, 1), got (\(beta1), \(beta2))")
        }
        guard eps > 0, eps.isFinite else { throw CoreError.badArgument(op: op, message: "eps must be positive, got \(eps)") }
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    /// 1 − β₁ᵗ, the first moment's bias correction after t steps (0 for t = 0).
    public func correction1(_ t: Int) -> Double { 1 - pow(beta1, Double(t)) }
    /// 1 − β₂ᵗ, the second moment's bias correction after t steps (0 for t = 0).
    public func correction2(_ t: Int) -> Double { 1 - pow(beta2, Double(t)) }

    var settings: String { "betas: (\(beta1), \(beta2)), eps: \(eps)" }
}

/// Which form of a delayed method (Delayed Adam, AvaGrad) runs.
public enum DelayedForm: String, CaseIterable, Sendable {
    /// The authors' code (lolemacs/avagrad): bias-corrected moments, and the first step only fills
    /// them (no weight moves at t = 1).
    case reference
    /// The thesis' pseudo-code (Algorithms 6 and 7): no bias corrections, and the first step uses
    /// v₀ = 0, so η₁ = 1/ε.
    case thesis

    /// - Throws: `CoreError.badArgument` naming `op` for a name that is neither form.
    public init(named name: String, op: String) throws {
        guard let form = DelayedForm(rawValue: name) else {
            throw CoreError.badArgument(op: op, message: "form must be \"reference\" or \"thesis\", got \"\(name)\"")
        }
        self = form
    }
}

/// The update of the delayed methods, written once: Delayed Adam runs it with its own rate and
/// AvaGrad with γ·α.
enum DelayedRule {
    /// m ← β₁m + (1−β₁)g; w ← w·shrink − step · m / (√v / √c₂(t−1) + ε); then v ← β₂v + (1−β₂)g²,
    /// so the step sees v_{t−1} (η_t does not depend on this step's gradient).
    ///
    /// - Parameters:
    ///   - t: this step's count for the parameter (1 on its first step).
    ///   - lr: the rate multiplying η ⊙ m (γ·α for AvaGrad).
    ///   - decayLR: the rate that scales decoupled weight decay (α itself, never γα).
    ///   - l2: weight decay added to the gradient (0 for decoupled decay).
    ///   - decoupled: decoupled weight decay w ← w·(1 − decayLR·decay) before the step.
    @_specialize(where S == Float)
    static func apply<S: TensorScalar>(_ value: inout Tensor<S>, grad: Tensor<S>, m: inout Tensor<S>, v: inout Tensor<S>,
                                       t: Int, lr: Double, decayLR: Double, decay: Double, decoupled: Bool,
                                       moments: Moments, form: DelayedForm) -> UpdateSize {
        // Specialised, not inlined into its callers: the closure of an inlined generic function was
        // specialised on its own, with Float.squareRoot left a call per lane (2× Adam's cost).
        // In the reference form the first step moves nothing: v₀ = 0 carries no information.
        let moves = form == .thesis || t > 1
        let stepSize = moves ? (form == .thesis ? lr : lr / moments.correction1(t)) : 0
        let rootC2 = form == .thesis || t <= 1 ? 1 : moments.correction2(t - 1).squareRoot()
        let shrink = S(moves && decoupled ? 1 - decayLR * decay : 1)
        let l2 = S(decoupled ? 0 : decay)
        // step · m / (√v/root + ε) as (step·root) · m / (√v + root·ε): one division per entry, not two
        // (the divisions and the square root bound this loop, and AvaGrad's γ pass has its own).
        let (b1, b2) = (S(moments.beta1), S(moments.beta2))
        let (step, rootEps) = (S(stepSize * rootC2), S(rootC2 * moments.eps))
        return UpdateLanes.apply(&value, grad, &m, &v) { w, g, m, v in
            let g = g + l2 * w
            m = b1 * m + (1 - b1) * g
            w = w * shrink - step * m / (v.squareRoot() + rootEps)
            v = b2 * v + (1 - b2) * g * g
        }
    }
}
