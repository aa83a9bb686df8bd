// The live numbers every optimizer's explanation shows: rate, steps, decay, the last step, state norms.

extension OptimizerCore {
    /// lr (with the base rate when a schedule has moved it), steps taken, weight decay, and what
    /// the last step did.
    public var explainedNumbers: [ExplainedValue] {
        var out = [ExplainedValue("lr", lr)]
        if let schedule {
            out.append(ExplainedValue("base_lr", baseLR))
            out.append(ExplainedValue("schedule", schedule.description))
        }
        out += [ExplainedValue("weight_decay", weightDecay), ExplainedValue("steps", steps),
                ExplainedValue("parameter tensors", namedParams.count)]
        if let s = lastStep {
            if let loss = s.loss { out.append(ExplainedValue("last loss", loss)) }
            out += [ExplainedValue("last grad_norm", s.gradNorm), ExplainedValue("last update_norm", s.updateNorm)]
        }
        return out
    }

    /// The L2 norm, over every parameter, of one state slot ("exp_avg"); 0 before the first step.
    public func slotNorm(_ slot: String) -> Double {
        let squares = state.values.compactMap { $0.slots[slot] }.map { t -> Double in
            let n = Explanation.norm(t)
            return n * n
        }
        return squares.reduce(0, +).squareRoot()
    }
}
