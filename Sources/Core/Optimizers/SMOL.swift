// smol(opt): SMOL's procedure around a task optimizer — Adam on the precision logits in the same step, and the bit penalty.

/// The settings of a SMOL run, with the thesis' defaults.
public struct SMOLSettings: Sendable {
    /// λ of the penalty λ·Σ_i log2(1 + e^(−s_i)), a sum over every quantized weight, so it must
    /// shrink as the model grows (1e-6 for ResNet-20's 0.27M weights in the thesis).
    public var lambda = 1e-6
    /// The rate of Adam on the precision logits (1e-3 in the thesis, for hundreds of epochs).
    public var precisionLR = 1e-3
    /// Zero-precision allocation at the freeze (SMOL*).
    public var zeroPrecision = true
    /// A shared logit's term counts once per weight it covers (the penalty is then the total bits);
    /// false counts it once.
    public var weightedGroups = true

    public init() {}
}

/// SMOL around a task optimizer: `smol(sgd(net, lr: 0.1, momentum: 0.9), lambda: 1e-6)` (Savarese,
/// Yuan, Li & Maire, "Not All Bits have Equal Value", NeurIPS 2022; the thesis' Algorithm 5).
///
/// One step updates the weights with the task optimizer and the precision logits (role `precision`)
/// with Adam at `precision_lr` and no weight decay: the two are parts of one `Combined` step. As a
/// hook it adds λ·Σ n_g·log2(1 + e^(−s_g)) to the loss (the quantizers themselves add the noise and
/// clamp the weights after the update). After `freezePrecision` the logits are gone: the Adam part
/// has nothing left to update and its state is dropped, and the same optimizer fine-tunes the
/// quantized net. Rate, schedule and step count are the task optimizer's.
public final class SMOL<Scalar: TensorScalar>: OptimizerWrapper, TrainingHook {
    /// The task optimizer and Adam on the logits, in one step.
    public let inner: any Optimizer<Scalar>
    public let task: any Optimizer<Scalar>
    public let precisionOptimizer: Adam<Scalar>
    public let net: any Layer<Scalar>
    public var settings: SMOLSettings
    /// The last penalty λ·Σ(p̃ − 1), and the mean continuous bits p̃ over the quantized weights then.
    public private(set) var lastPenalty: Double?
    public private(set) var lastMeanBits: Double?
    /// The gates as this step's penalty found them, for the same step's `afterUpdate`.
    private var stepGates: [(path: String, kind: String, weight: Param<Scalar>, gate: QuantizerGate<Scalar>)]?

    /// - Throws: `CoreError.badArgument` for bad settings, an optimizer not made from a net, or a
    ///   net without quantizers.
    public init(_ task: any Optimizer<Scalar>, settings: SMOLSettings) throws {
        let net = try task.controlledNetwork(op: "smol", example: "smol(adam(net))")
        guard settings.lambda.isFinite, settings.lambda >= 0 else {
            throw CoreError.badArgument(op: "smol", message: "lambda must be a finite number >= 0, got \(settings.lambda)")
        }
        guard settings.precisionLR.isFinite, settings.precisionLR > 0 else {
            throw CoreError.badArgument(op: "smol", message: "precision_lr must be a finite number > 0, got \(settings.precisionLR)")
        }
        let gates = quantizers(net)
        guard !gates.isEmpty else {
            throw CoreError.badArgument(op: "smol", message: "the net has no quantizers; add them first with quantized(net)")
        }
        // The logits belong to the Adam part: route the task optimizer to every other role.
        if task.core.roles?.contains(.precision) ?? true {
            let present = task.core.roles ?? Set(net.params.map(\.role))
            task.core.roles = present.subtracting([.precision])
        }
        guard !task.core.namedParams.isEmpty else {
            throw CoreError.badArgument(op: "smol", message: "\(task.name) updates only precision logits; SMOL steps those with its own Adam, so give the task optimizer the weights")
        }
        let adam = try Adam<Scalar>(.network(net), lr: settings.precisionLR)
        adam.core.roles = [.precision]
        precisionOptimizer = adam
        inner = try Combined([task, adam])
        self.task = task
        self.net = net
        self.settings = settings
        for q in gates { q.gate.zeroPrecision = settings.zeroPrecision }
    }

    public var name: String { "smol" }
    public var hookName: String { "smol" }

    // The task optimizer's machinery: its rate, schedule and steps are the run's.
    public var core: OptimizerCore<Scalar> { task.core }

    public var lr: Double {
        get { task.lr }
        set { task.lr = newValue }
    }

    /// The quantizers this controller drives.
    public var gates: [(path: String, kind: String, weight: Param<Scalar>, gate: QuantizerGate<Scalar>)] { quantizers(net) }

    // MARK: - Hooks

    public func penalty(on tape: Tape<Scalar>, context: HookContext<Scalar>) throws -> Variable<Scalar>? {
        var total: Variable<Scalar>?
        var covered = 0, extra = 0.0
        let gates = self.gates
        stepGates = gates
        for q in gates {
            guard let term = q.gate.penaltySum(on: tape, weighted: settings.weightedGroups) else { continue }
            covered += q.weight.count
            // Σ n_g (p̃_g − 1) over the gate: the weighted term whatever the setting, for the mean.
            extra += settings.weightedGroups ? Double(term.value.scalars[0])
                : Double(term.value.scalars[0]) * Double(q.gate.groupSize)
            total = try total.map { try $0.adding(term) } ?? term
        }
        lastMeanBits = covered == 0 ? nil : 1 + extra / Double(covered)
        guard settings.lambda > 0, let total else { lastPenalty = 0; return nil }
        let p = total.scaled(by: Scalar(settings.lambda))
        lastPenalty = Double(p.value.scalars[0])
        return p
    }

    public func afterUpdate(_ context: HookContext<Scalar>) throws -> Report {
        dropFrozenState()
        var entries: [(name: String, value: ReportValue)] = []
        if let b = lastMeanBits { entries.append(("mean_bits", .number(b))) }
        return Report(entries)
    }

    /// Forgets the Adam state of logits that a freeze discarded.
    public func dropFrozenState() {
        // The step's penalty found the gates already: walking the net again cost 1 % of a step.
        let gates = stepGates ?? self.gates
        stepGates = nil
        let live = Set(gates.compactMap { $0.gate.precision?.path })
        precisionOptimizer.core.state = precisionOptimizer.core.state.filter { live.contains($0.key) }
    }

    public var description: String {
        "smol(\(task.description), lambda: \(settings.lambda), precision_lr: \(settings.precisionLR), zero_precision: \(settings.zeroPrecision))"
    }
}
