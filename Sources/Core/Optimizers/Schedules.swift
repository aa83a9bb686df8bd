// Learning-rate schedules: step decay at milestones and exponential decay, applied per epoch.

/// lr = base · γ^(number of milestones ≤ epoch) — PyTorch's MultiStepLR.
public struct StepLR: Schedule, Equatable {
    /// Epochs (counted from 1 after the first epoch) at which the rate is multiplied by γ.
    public var milestones: [Int]
    public var gamma: Double
    /// PyTorch's γ, written once: the initialiser and the `step_lr` built-in read it.
    public static let defaultGamma = 0.1

    /// - Throws: `CoreError.badArgument` for a negative γ or negative milestones.
    public init(milestones: [Int], gamma: Double = StepLR.defaultGamma) throws {
        guard gamma >= 0, gamma.isFinite, milestones.allSatisfy({ $0 >= 0 }) else {
            throw CoreError.badArgument(op: "step_lr", message: "milestones must be ≥ 0 and gamma a non-negative number")
        }
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    public func lr(base: Double, epoch: Int) -> Double {
        base * Double.pow(gamma, Double(milestones.filter { $0 <= epoch }.count))
    }

    public var description: String { "step_lr(milestones: \(milestones), gamma: \(gamma))" }
}

/// lr = base · γ^epoch — PyTorch's ExponentialLR.
public struct ExpLR: Schedule, Equatable {
    public var gamma: Double

    /// - Throws: `CoreError.badArgument` for a negative γ.
    public init(gamma: Double) throws {
        guard gamma >= 0, gamma.isFinite else {
            throw CoreError.badArgument(op: "exp_lr", message: "gamma must be a non-negative number, got \(gamma)")
        }
        self.gamma = gamma
    }

    public func lr(base: Double, epoch: Int) -> Double { base * Double.pow(gamma, Double(epoch)) }

    public var description: String { "exp_lr(gamma: \(gamma))" }
}
