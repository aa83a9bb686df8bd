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

/// One forward, backward and update of `optimizer`'s network on the batch (x, y).
///
/// The loss defaults to cross-entropy for class-index labels and MSE otherwise. Every parameter's
/// `grad` is overwritten. A NaN or infinite loss throws before any parameter changes.
/// - Returns: the batch loss.
/// - Throws: `TrainingError.noNetwork`, `TrainingError.nonFiniteLoss`, or a layer/shape error.
@discardableResult
public func trainStep<S: TensorScalar>(_ optimizer: any Optimizer<S>, x: Tensor<S>, y: Tensor<S>,
                                       loss: Loss<S>? = nil) throws -> Double {
    guard let net = optimizer.core.network else { throw TrainingError.noNetwork(optimizer: optimizer.name) }
    return try trainStep(net, optimizer, x: x, y: y, loss: loss).loss
}

/// The step behind `trainStep` and `fit`; also returns the outputs so `fit` can count correct
/// answers without a second forward pass.
func trainStep<S: TensorScalar>(_ net: any Layer<S>, _ optimizer: any Optimizer<S>, x: Tensor<S>,
                                y: Tensor<S>, loss: Loss<S>?) throws -> (loss: Double, output: Tensor<S>, chosen: Loss<S>) {
    _ = AllocatorTuning.applied
    let tape = Tape<S>()
    // Register every parameter first so one the forward pass skips gets a zero gradient rather
    // than keeping a stale one from an earlier call.
    for p in net.params { _ = tape.variable(for: p) }
    let out = try net.forward(tape.constant(x))
    let chosen = resolvedLoss(loss, output: out.shape, target: y)
    let l = try chosen.apply(out, y)
    let value = Double(l.value.scalars.first ?? .nan)
    guard value.isFinite else {
        throw TrainingError.nonFiniteLoss(loss: value, epoch: 0, batch: 0, run: nil)
    }
    try tape.backward(from: l)
    try optimizer.step()
    optimizer.noteLoss(value)
    return (value, out.value, chosen)
}
