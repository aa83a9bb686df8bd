// One training step: forward on a fresh tape, loss, backward, optimizer update; returns the loss.

/// Errors of training that carry what was done so far.
public enum TrainingError: Error, CustomStringConvertible {
    /// The loss became NaN or infinite; the parameters were not updated by that batch.
    /// `run` holds the history up to the failing batch (nil for a single `step`).
    case nonFiniteLoss(loss: Double, epoch: Int, batch: Int, run: Run?)
    /// `step(opt, batch)` on an optimizer made from a list of parameters rather than a network.
    case noNetwork(optimizer: String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(loss, epoch, batch, run):
            let at = run == nil ? "" : " at epoch \(epoch), batch \(batch)"
            return "the loss became \(formatted(loss))\(at); lower the learning rate (the weights were not updated by that batch)"
        case let .noNetwork(name):
            return "step: this \(name) optimizer was made from parameters, not a net; pass a net to \(name)(…) to step on a batch"
        }
    }
}

/// One forward, backward and update on the batch (x, y), with every training hook of the net and
/// the optimizer taking part (see `TrainingHook`).
///
/// `net` defaults to the optimizer's network; an optimizer made from a list of parameters steps on
/// a batch when given the net. The loss defaults to cross-entropy for class-index labels and MSE
/// otherwise; the hooks' penalties are added to it on the same tape. Every parameter's `grad` is
/// overwritten. A NaN or infinite objective throws before any parameter changes.
/// - Returns: the batch's data loss (penalties excluded; they are in `opt.last_step.hooks`).
/// - Throws: `TrainingError.noNetwork`, `TrainingError.nonFiniteLoss`, or a layer/shape error.
@discardableResult
@_specialize(where S == Float)
public func trainStep<S: TensorScalar>(_ optimizer: any Optimizer<S>, x: Tensor<S>, y: Tensor<S>,
                                       loss: Loss<S>? = nil, net: (any Layer<S>)? = nil) throws -> Double {
    guard let net = net ?? optimizer.core.network else { throw TrainingError.noNetwork(optimizer: optimizer.name) }
    return try trainStep(net, optimizer, x: x, y: y, loss: loss,
                         context: HookContext(net: net, step: optimizer.core.steps)).loss
}

/// An update from the gradients already in `.grad` (`step(opt)`), followed by the hooks'
/// `afterUpdate` (a projection must follow every update, however it was computed).
@discardableResult
public func optimizerStep<S: TensorScalar>(_ optimizer: any Optimizer<S>, net: (any Layer<S>)? = nil) throws -> StepRecord {
    let hooks = trainingHooks(net: net ?? optimizer.core.network, optimizer: optimizer)
    try optimizer.step()
    if let net = net ?? optimizer.core.network {
        let context = HookContext(net: net, step: optimizer.core.steps)
        optimizer.note(loss: nil, hooks: try collectReports(hooks) { try $0.afterUpdate(context) })
    }
    return optimizer.lastStep ?? StepRecord(step: optimizer.core.steps, lr: optimizer.lr, gradNorm: 0, updateNorm: 0)
}

/// The step behind `trainStep` and `fit`; also returns the outputs so `fit` can count correct
/// answers without a second forward pass.
@_specialize(where S == Float)
func trainStep<S: TensorScalar>(_ net: any Layer<S>, _ optimizer: any Optimizer<S>, x: Tensor<S>, y: Tensor<S>,
                                loss: Loss<S>?, context: HookContext<S>) throws -> (loss: Double, output: Tensor<S>, chosen: Loss<S>) {
    let hooks = optimizer.core.hookCache.hooks(net: net, optimizer: optimizer)
    var context = context
    let (value, out, chosen, penalties) = try optimizer.core.duringStep {
        let tape = Tape<S>()
        // Register every parameter first so one the forward pass skips gets a zero gradient rather
        // than keeping a stale one from an earlier call.
        if optimizer.core.network === net, let own = optimizer.core.networkParams {
            for p in own { _ = tape.variable(for: p) }
        } else {
            for p in net.params { _ = tape.variable(for: p) }
        }
        for p in optimizer.core.namedParams { _ = tape.variable(for: p.param) }
        let out = try net.forward(tape.constant(x))
        let chosen = resolvedLoss(loss, output: out.shape, target: y)
        let dataLoss = try chosen.apply(out, y)
        let value = Double(dataLoss.value.scalars.first ?? .nan)
        context.loss = value
        var objective = dataLoss
        var penalties: [(hook: String, value: Double)] = []
        for h in hooks {
            guard let p = try h.penalty(on: tape, context: context) else { continue }
            guard p.value.count == 1 else {
                throw CoreError.shapeMismatch(op: h.hookName, shapes: [p.shape],
                                              message: "a penalty must be one number, got shape \(Tensor<Float>.describe(p.shape))")
            }
            penalties.append((h.hookName, Double(p.value.scalars[0])))
            objective = try objective.adding(p)
        }
        let total = Double(objective.value.scalars.first ?? .nan)
        guard value.isFinite, total.isFinite else {
            throw TrainingError.nonFiniteLoss(loss: value.isFinite ? total : value, epoch: 0, batch: 0, run: nil)
        }
        try tape.backward(from: objective)
        try optimizer.step()
        return (value, out, chosen, penalties)
    }
    context.step = optimizer.core.steps
    var reports = try collectReports(hooks) { try $0.afterUpdate(context) }
    for (hook, v) in penalties.reversed() {
        if let i = reports.firstIndex(where: { $0.hook == hook }) {
            reports[i].report = Report([("penalty", .number(v))]).merging(reports[i].report)
        } else {
            reports.insert(HookReport(hook: hook, report: Report([("penalty", .number(v))])), at: 0)
        }
    }
    optimizer.note(loss: value, hooks: reports)
    return (value, out.value, chosen)
}
