// AvaGrad and AvaGradW: Delayed Adam with the per-coordinate rates normalised over the whole group (γ).

/// AvaGrad (Savarese, Yuan, Maire et al., "Domain-independent Dominance of Adaptive Methods",
/// CVPR 2021; thesis ch. 6, Algorithm 7): Delayed Adam whose rates η_t = 1/(√v̂_{t−1} + ε) are
/// divided by their root mean square over every coordinate it updates, so α sets the step size
/// and ε only the adaptivity: the two hyperparameters separate.
///
/// γ = 1/√(mean_i η_i²) over the group; m ← β₁m + (1−β₁)g; w ← w − γ·α·m̂ ⊙ η; then
/// v ← β₂v + (1−β₂)g². The `reference` form (default) is the authors' code (lolemacs/avagrad):
/// bias-corrected, and the first step only fills the moments; `thesis` is Algorithm 7 as printed
/// (no corrections; η₁ = 1/ε, so the first step is α·m). AvaGrad adds L2 decay to the gradient;
/// AvaGradW (`decoupled`) multiplies w by (1 − α·λ) (α, not γα) before each step that moves it.
///
/// The group is every parameter this optimizer updates (the thesis' d is the total number of
/// parameters); `combine` several with `only:` for separate γs. Entries removed by a mask are
/// not parameters: they are left out of γ (their v = 0 would give η = 1/ε and collapse γ).
/// One step is two passes: γ from the moments as they stand, then the update of every parameter.
public final class AvaGrad<Scalar: TensorScalar>: Optimizer {
    public let core: OptimizerCore<Scalar>
    /// β₁, β₂ and ε (reference defaults 0.9, 0.999, 0.1).
    public var moments: Moments
    /// The reference code's form or the thesis' pseudo-code.
    public var form: DelayedForm
    /// True for AvaGradW's decoupled weight decay.
    public let decoupled: Bool
    /// The γ the last step used (nil before the first).
    public private(set) var gamma: Double?

    /// AvaGrad with the reference code's defaults (lr 0.1, β 0.9/0.999, ε 0.1, no decay).
    /// - Throws: `CoreError.badArgument` for betas outside [0, 1), ε ≤ 0, or a bad rate or decay.
    public init(_ source: ParamSource<Scalar>, lr: Double = AvaGradDefaults.lr, beta1: Double = AvaGradDefaults.beta1,
                beta2: Double = AvaGradDefaults.beta2, eps: Double = AvaGradDefaults.eps,
                weightDecay: Double = AvaGradDefaults.weightDecay, decoupled: Bool = false,
                form: DelayedForm = .reference) throws {
        let op = decoupled ? "avagradw" : "avagrad"
        core = try OptimizerCore(source, lr: lr, weightDecay: weightDecay, op: op)
        moments = try Moments(beta1: beta1, beta2: beta2, eps: eps, op: op)
        self.decoupled = decoupled
        self.form = form
    }

    public var name: String { decoupled ? "avagradw" : "avagrad" }

    /// A parameter this step updates, with its gradient, state and decay.
    typealias Work = (path: String, param: Param<Scalar>, grad: Tensor<Scalar>, state: ParamState<Scalar>, decay: Double)

    // Specialised: the delayed rule's SIMD lanes are generic, and unspecialised they run ~80× slower.
    @_specialize(where Scalar == Float)
    @discardableResult
    public func step() throws -> StepRecord {
        let lr = core.lr
        var work: [Work] = []
        for group in core.groups {
            for (path, param) in group.params where !param.isFrozen {
                guard let grad = param.grad else { continue }
                guard grad.shape == param.value.shape else {
                    throw CoreError.shapeMismatch(op: name, shapes: [param.value.shape, grad.shape],
                        message: "gradient of \(path) has shape \(Tensor<Float>.describe(grad.shape)), the parameter \(Tensor<Float>.describe(param.value.shape))")
                }
                work.append((path, param, grad, core.state(for: path), group.weightDecay))
            }
        }
        // Pass 1: γ from v_{t−1} over the whole group, before any parameter moves.
        let gamma = normaliser(work.map { ($0.param, $0.state, $0.state.step + 1) })
        // Pass 2: the delayed update of every parameter at γ·α.
        var gradSq = 0.0, updateSq = 0.0
        for item in work {
            let (param, state) = (item.param, item.state)
            state.step += 1
            OptimizerKernels.updateInPlace(param, grad: item.grad, state: state, gradSq: &gradSq, updateSq: &updateSq) { value in
                var m = state.slots.removeValue(forKey: "exp_avg") ?? .zeros(like: value)
                var v = state.slots.removeValue(forKey: "exp_avg_sq") ?? .zeros(like: value)
                let size = DelayedRule.apply(&value, grad: item.grad, m: &m, v: &v, t: state.step, lr: gamma * lr, decayLR: lr,
                                  decay: item.decay, decoupled: decoupled, moments: moments, form: form)
                state.slots["exp_avg"] = m
                state.slots["exp_avg_sq"] = v
                return size
            }
        }
        self.gamma = gamma
        return recordStep(lr: lr, gradNorm: gradSq.squareRoot(), updateNorm: updateSq.squareRoot())
    }

    /// γ = 1/√(Σ η² / d) for a step at count t of each parameter, η = 1/(√v / √c₂(t−1) + ε) from its
    /// current v (η = 1/(√v + ε) in the thesis form), over the entries its mask keeps; 1 when no
    /// entry counts (the reference form's first step, which moves nothing).
    @_specialize(where Scalar == Float)
    func normaliser(_ items: [(param: Param<Scalar>, state: ParamState<Scalar>, t: Int)]) -> Double {
        var sum = 0.0, count = 0
        for (param, state, t) in items {
            // The reference form's first step moves nothing, and its code has no η for it yet.
            if form == .reference && t <= 1 { continue }
            let root = form == .thesis ? 1 : moments.correction2(t - 1).squareRoot()
            let v = state.slots["exp_avg_sq"] ?? .zeros(like: param.value)
            let (s, n) = AvaGrad.sumOfSquaredRates(v, keep: param.keepMask, root: Scalar(root), eps: Scalar(moments.eps))
            sum += s
            count += n
        }
        guard count > 0, sum > 0, sum.isFinite else { return 1 }
        return 1 / (sum / Double(count)).squareRoot()
    }

    /// Σ (1/(√v/root + ε))² over the entries `keep` does not zero, and their number: blocks of 1,024
    /// summed in eight Float lanes, each block added in Double (η² reaches 1/ε² = 1e16 for ε = 1e-8),
    /// in a fixed order whatever the number of cores.
    @_specialize(where Scalar == Float)
    static func sumOfSquaredRates(_ v: Tensor<Scalar>, keep: Tensor<Scalar>?, root: Scalar, eps: Scalar) -> (sum: Double, count: Int) {
        typealias S = Scalar
        let count = v.count, block = 1024
        let blocks = (count + block - 1) / block
        var sums = [Double](repeating: 0, count: blocks), kept = [Int](repeating: 0, count: blocks)
        let keep = keep?.count == count ? keep : nil
        let rootEps = root * eps
        v.scalars.withUnsafeBufferPointer { pv in
            (keep?.scalars ?? []).withUnsafeBufferPointer { pk in
                sums.withUnsafeMutableBufferPointer { ps in
                    kept.withUnsafeMutableBufferPointer { pn in
                        guard let v = pv.baseAddress, let sumsOut = ps.baseAddress, let keptOut = pn.baseAddress else { return }
                        // An empty array may still give a base address: no keep-mask means no mask pointer.
                        let mask = keep == nil ? nil : pk.baseAddress
                        parallelChunks(blocks, minimum: 64) { lo, hi in
                            for b in lo..<hi {
                                let start = b &* block, end = Swift.min(count, start &+ block)
                                var acc = SIMD8<S>(), n = SIMD8<S>()
                                var i = start
                                while i &+ 8 <= end {
                                    let x = UnsafeRawPointer(v + i).loadUnaligned(as: SIMD8<S>.self)
                                    // η = 1/(√v/root + ε) = root/(√v + root·ε): one division, not two
                                    // (the square root and the divisions are this pass's whole cost).
                                    let eta = root / (x.squareRoot() + rootEps)
                                    if let mask {
                                        let k = UnsafeRawPointer(mask + i).loadUnaligned(as: SIMD8<S>.self)
                                        let on = S.laneNonzero(k)
                                        acc += eta * eta * on
                                        n += on
                                    } else {
                                        acc += eta * eta
                                    }
                                    i &+= 8
                                }
                                var total = acc.sum().doubleValue
                                var members = mask == nil ? (i &- start) : Int(n.sum())
                                while i < end {
                                    if mask?[i] != 0 {
                                        let eta = root / (v[i].squareRoot() + rootEps)
                                        total += (eta * eta).doubleValue
                                        members &+= 1
                                    }
                                    i &+= 1
                                }
                                sumsOut[b] = total
                                keptOut[b] = members
                            }
                        }
                    }
                }
            }
        }
        return (sums.reduce(0, +), kept.reduce(0, +))
    }

    public var description: String {
        "\(name)(lr: \(core.lr), \(moments.settings), weight_decay: \(core.weightDecay), form: \"\(form.rawValue)\")"
    }
}

extension AvaGrad {
    /// AvaGradW: AvaGrad with decoupled weight decay (reference defaults, no decay unless given).
    public static func avaGradW(_ source: ParamSource<Scalar>, lr: Double = AvaGradDefaults.lr,
                                beta1: Double = AvaGradDefaults.beta1, beta2: Double = AvaGradDefaults.beta2,
                                eps: Double = AvaGradDefaults.eps, weightDecay: Double = AvaGradDefaults.weightDecay,
                                form: DelayedForm = .reference) throws -> AvaGrad {
        try AvaGrad(source, lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decoupled: true, form: form)
    }
}

/// AvaGrad's and AvaGradW's defaults (the reference code's), written once: the initialisers and the
/// built-ins read them. (The thesis' best α on CIFAR was 1.0.)
public enum AvaGradDefaults {
    public static let lr = 0.1
    public static let beta1 = 0.9
    public static let beta2 = 0.999
    public static let eps = 0.1
    public static let weightDecay = 0.0
}

extension AvaGrad: Explainable {
    public var explanation: Explanation {
        adaptiveExplanation(decoupled ? "AvaGradW" : "AvaGrad",
                            summary: "Delayed Adam with its rates normalised over all its parameters, so lr sets the step and ε the adaptivity (Savarese et al., 2021; \(form.rawValue) form).",
                            formula: ["η = 1/(√v̂_{t−1} + ε);  γ = 1/√(mean η²) over every coordinate;  w ← w − γ·lr · m̂ ⊙ η",
                                      (decoupled ? "w ← w·(1 − lr·λ) first (decoupled decay)" : "g ← ∇L + λ·w (L2 decay, on weights only)")
                                          + ";  then v ← β₂·v + (1−β₂)·g²"],
                            moments: moments)
    }
}
