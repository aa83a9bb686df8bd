// SGD with momentum, Nesterov momentum and (L2) weight decay, as in PyTorch's torch.optim.SGD.

/// Stochastic gradient descent (Robbins & Monro 1951; momentum: Polyak 1964; Nesterov momentum as
/// formulated by Sutskever et al. 2013).
///
/// g ← ∇ + λ·w (on weights); b ← μ·b + g (b = g on the first step); g ← g + μ·b (Nesterov) or b;
/// w ← w − lr·g.
public final class SGD<Scalar: TensorScalar>: ElementwiseOptimizer {
    public let core: OptimizerCore<Scalar>
    /// Momentum μ, typically 0 or 0.9.
    public var momentum: Double
    /// Nesterov momentum (needs μ > 0).
    public var nesterov: Bool

    /// - Throws: `CoreError.badArgument` for a bad rate, momentum or decay, or Nesterov without momentum.
    public init(_ source: ParamSource<Scalar>, lr: Double = SGDDefaults.lr, momentum: Double = SGDDefaults.momentum,
                nesterov: Bool = SGDDefaults.nesterov, weightDecay: Double = SGDDefaults.weightDecay) throws {
        core = try OptimizerCore(source, lr: lr, weightDecay: weightDecay, op: "sgd")
        guard momentum >= 0, momentum < 1 else {
            throw CoreError.badArgument(op: "sgd", message: "momentum must be in [0, 1), got \(momentum)")
        }
        guard !nesterov || momentum > 0 else {
            throw CoreError.badArgument(op: "sgd", message: "nesterov needs momentum > 0")
        }
        self.momentum = momentum
        self.nesterov = nesterov
    }

    public var name: String { "sgd" }

    @_specialize(where Scalar == Float)
    public func update(_ value: inout Tensor<Scalar>, grad: Tensor<Scalar>, state: ParamState<Scalar>,
                       group: ParamGroup<Scalar>, lr: Double) throws -> UpdateSize {
        let (wd, mu, step) = (Scalar(group.weightDecay), Scalar(momentum), Scalar(lr))
        guard momentum > 0 else {
            return UpdateLanes.apply(&value, grad) { w, g in w -= step * (g + wd * w) }
        }
        let first = state.step == 1, nesterov = self.nesterov
        var buffer = state.slots.removeValue(forKey: "momentum_buffer") ?? Tensor.zeros(like: value)
        let size = UpdateLanes.apply(&value, grad, &buffer) { w, g, b in
            let d = g + wd * w
            b = first ? d : mu * b + d
            w -= step * (nesterov ? d + mu * b : b)
        }
        state.slots["momentum_buffer"] = buffer
        return size
    }

    public var description: String {
        "sgd(lr: \(core.lr), momentum: \(momentum), nesterov: \(nesterov), weight_decay: \(core.weightDecay))"
    }
}

/// SGD's defaults (PyTorch's), written once: the initialiser and the `sgd` built-in read them.
public enum SGDDefaults {
    public static let lr = 0.01
    public static let momentum = 0.0
    public static let nesterov = false
    public static let weightDecay = 0.0
}

extension SGD: Explainable {
    public var explanation: Explanation {
        var numbers = core.explainedNumbers
        numbers.insert(contentsOf: [ExplainedValue("momentum", momentum), ExplainedValue("nesterov", nesterov)], at: 1)
        if momentum > 0 { numbers.append(ExplainedValue("‖momentum buffer‖", core.slotNorm("momentum_buffer"))) }
        return Explanation("SGD", summary: "stochastic gradient descent (Robbins & Monro 1951), with optional (Nesterov) momentum.",
                           formula: ["g ← ∇L + λ·w (λ on weights only);  b ← μ·b + g",
                                     "w ← w − lr · (Nesterov ? g + μ·b : b)   (b = g without momentum)"],
                           numbers: numbers)
    }
}
