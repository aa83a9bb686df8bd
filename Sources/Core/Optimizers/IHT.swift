// Iterative hard thresholding: θ ← H_s(θ − γ∇f) over the chosen parameters as one vector, with its support bookkeeping.

/// Iterative hard thresholding for a sparse network (Damadi, Zolfaghari, Rezaie & Shen, "Learning
/// a Sparse Neural Network using IHT"; convergence for 0 < γ ≤ 1/L₂ₛ: Damadi & Shen, Cor. 3).
///
/// θ ← H_s(θ − γ·∇f(θ)) where θ ∈ Rⁿ is every chosen parameter (weights and biases, as in the
/// paper) laid end to end (`FlatVector`) and H_s keeps the s entries of largest magnitude, the
/// smaller index winning a tie (`Tensor.hardThreshold`). Entries a gate removes are never kept.
/// The optimizer is also a training hook: after each update it reports the support changes
/// (`opt.last_step.hooks.iht`).
public final class IHT<Scalar: TensorScalar>: Optimizer, TrainingHook {
    public let core: OptimizerCore<Scalar>
    /// The number of nonzero entries allowed, 1 ≤ s ≤ n.
    public let s: Int
    /// The L₂ₛ estimate the step size came from (`lr: "auto"`), if any.
    public var estimate: L2SEstimate?
    /// The support after the last step (or at the start): flat indices of the nonzero entries, ascending.
    public private(set) var support: [Int] = []
    /// The support at the start (after the initial projection).
    public private(set) var initialSupport: [Int] = []
    /// The indices that entered and left the support in the last step.
    public private(set) var entered: [Int] = [], left: [Int] = []
    /// The step at which the support last changed (0: never since the start).
    public private(set) var lastChange = 0
    /// Support changes (entries entered) over all steps.
    public private(set) var totalChanges = 0
    /// True when the last projection had a tie at the boundary: the s-th and (s+1)-th largest
    /// magnitudes were equal and nonzero, so the smaller index decided.
    public private(set) var tieAtBoundary = false

    /// Makes the optimizer and projects the parameters onto s-sparse vectors: onto a random support
    /// of size s drawn from `supportSeed` (the paper's sparse start, keeping those entries' values),
    /// or by H_s when no seed is given.
    /// - Throws: `CoreError.badArgument` for s outside 1…n or a bad rate.
    public init(_ source: ParamSource<Scalar>, s: Int, lr: Double, roles: Set<Role>? = nil,
                supportSeed: UInt64? = nil) throws {
        core = try OptimizerCore(source, lr: lr, weightDecay: 0, op: "iht", roles: roles)
        let vector = FlatVector(core.namedParams)
        guard vector.count > 0 else { throw CoreError.badArgument(op: "iht", message: "there is no trainable parameter to threshold") }
        guard s >= 1, s <= vector.count else {
            throw CoreError.badArgument(op: "iht", message: "s must be between 1 and the number of parameters (\(vector.count)), got \(s)")
        }
        self.s = s
        var theta = vector.values
        if let supportSeed {
            var rng = RandomStream(seed: supportSeed)
            let keep = Set(rng.permutation(vector.count).prefix(s))
            for i in 0..<theta.count where !keep.contains(i) { theta[i] = 0 }
            if let allowed = vector.keep { for i in 0..<theta.count where !allowed[i] { theta[i] = 0 } }
        } else {
            theta = try project(theta, keep: vector.keep).values
        }
        vector.setValues(theta)
        support = IHT.nonzeros(vector.values)
        initialSupport = support
    }

    public var name: String { "iht" }
    public var hookName: String { "iht" }

    /// The chosen parameters as one vector, as the next step sees them.
    public var vector: FlatVector<Scalar> { FlatVector(core.namedParams) }

    /// H_s(z) with removed entries never kept: the projected vector and the tie flag.
    @_specialize(where Scalar == Float)
    func project(_ z: [Scalar], keep: [Bool]?) throws -> (values: [Scalar], tie: Bool) {
        var z = z
        if let keep { for i in 0..<z.count where !keep[i] { z[i] = 0 } }
        let out = try Tensor(uncheckedShape: [z.count], scalars: z).hardThreshold(s).scalars
        // A tie: a dropped nonzero entry as large as the smallest kept one.
        var cut = Scalar.infinity
        for v in out where v != 0 { cut = Swift.min(cut, Swift.abs(v)) }
        var tie = false
        if cut.isFinite { for i in 0..<z.count where out[i] == 0 && z[i] != 0 && Swift.abs(z[i]) == cut { tie = true; break } }
        return (out, tie)
    }

    /// One projected gradient step over the whole vector.
    /// - Throws: `CoreError.badArgument` when no chosen parameter has a gradient, or the step
    ///   produced a NaN or infinity (lower the rate).
    @discardableResult
    @_specialize(where Scalar == Float)
    public func step() throws -> StepRecord {
        let vector = self.vector
        guard vector.entries.contains(where: { $0.param.grad != nil }) else {
            throw CoreError.badArgument(op: "iht", message: "no gradients yet: step(opt, batch) computes them, or call grad(…) before step(opt)")
        }
        let theta = vector.values, grad = vector.gradients
        let gamma = Scalar(core.lr)
        var z = theta
        for i in 0..<z.count { z[i] -= gamma * grad[i] }
        guard z.allSatisfy({ $0.isFinite }) else {
            throw CoreError.badArgument(op: "iht", message: "the step produced a non-finite value (lr \(core.lr)); lower the learning rate")
        }
        let (next, tie) = try project(z, keep: vector.keep)
        vector.setValues(next)
        var gradSq = 0.0, updateSq = 0.0
        for i in 0..<theta.count {
            let g = grad[i].doubleValue, d = (next[i] - theta[i]).doubleValue
            gradSq += g * g
            updateSq += d * d
        }
        let before = support
        support = IHT.nonzeros(next)
        tieAtBoundary = tie
        if support == before {
            entered = []
            left = []
        } else {
            let old = Set(before), new = Set(support)
            entered = support.filter { !old.contains($0) }
            left = before.filter { !new.contains($0) }
        }
        let record = recordStep(lr: core.lr, gradNorm: gradSq.squareRoot(), updateNorm: updateSq.squareRoot())
        if !entered.isEmpty || !left.isEmpty {
            lastChange = record.step
            totalChanges += entered.count
        }
        return record
    }

    /// The support changes of the step just taken.
    public func afterUpdate(_ context: HookContext<Scalar>) throws -> Report {
        let v = entered.isEmpty && left.isEmpty ? nil : vector
        return Report([("nonzeros", .int(support.count)), ("changes", .int(entered.count)),
                       ("entered", IHT.names(entered, v)), ("left", IHT.names(left, v)),
                       ("last_change", .int(lastChange)), ("tie", .bool(tieAtBoundary))])
    }

    /// The readable names of flat indices, as a report list.
    static func names(_ indices: [Int], _ vector: FlatVector<Scalar>?) -> ReportValue {
        guard let vector else { return .list([]) }
        return .list(vector.names(of: indices).map { .text($0) })
    }

    /// Flat indices of the nonzero entries.
    static func nonzeros(_ theta: [Scalar]) -> [Int] { theta.indices.filter { theta[$0] != 0 } }

    public var description: String { "iht(s: \(s), lr: \(Explanation.format(core.lr)))" }
}

extension IHT: OptimizerFields {
    public var fieldNames: [String] { ["l2s", "s", "support"] }

    public func field(_ name: String) -> ReportValue? {
        switch name {
        case "s": return .int(s)
        case "support": return .report(supportReport)
        case "l2s": return .report(estimate?.report ?? Report())
        default: return nil
        }
    }

    /// The support with readable names, where it started, and how it changed.
    public var supportReport: Report {
        let v = vector
        func names(_ indices: [Int]) -> ReportValue { IHT.names(indices, v) }
        return Report([("indices", .list(support.map { .int($0) })), ("names", names(support)),
                       ("nonzeros", .int(support.count)), ("initial", names(initialSupport)),
                       ("changed", .bool(support != initialSupport)), ("entered", names(entered)), ("left", names(left)),
                       ("last_change", .int(lastChange)), ("changes", .int(totalChanges)), ("tie", .bool(tieAtBoundary))])
    }
}

extension IHT: Explainable {
    public var explanation: Explanation {
        var numbers = [ExplainedValue("s", s), ExplainedValue("n (parameters in θ)", vector.count)]
        numbers += core.explainedNumbers.filter { $0.name != "weight_decay" }
        if let e = estimate {
            numbers += [ExplainedValue("L̂₂ₛ (max of \(e.ratios.count) samples, \(e.skipped) skipped)", e.l2s),
                        ExplainedValue("L̂ samples min / median / max",
                                       "\(Explanation.format(e.minimum)) / \(Explanation.format(e.median)) / \(Explanation.format(e.maximum))")]
        }
        let v = vector
        numbers += [ExplainedValue("support", v.names(of: support).joined(separator: " ")),
                    ExplainedValue("initial support", v.names(of: initialSupport).joined(separator: " ")),
                    ExplainedValue("support changes (entries entered)", totalChanges),
                    ExplainedValue("last change at step", lastChange), ExplainedValue("tie at the last cut", tieAtBoundary)]
        return Explanation("IHT", summary: "iterative hard thresholding over all chosen parameters as one vector (Damadi et al.; convergence for γ ≤ 1/L₂ₛ, Damadi & Shen).",
                           formula: ["θ ← H_s(θ − γ·∇f(θ)),  H_s keeps the s largest |θᵢ| (the smaller index wins a tie)",
                                     "γ = lr" + (estimate == nil ? "" : " = 1/L̂₂ₛ (Monte Carlo estimate)")],
                           numbers: numbers)
    }
}
