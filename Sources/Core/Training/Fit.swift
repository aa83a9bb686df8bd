// fit: epochs of shuffled minibatch training with progress, Ctrl-C safety, NaN checks and testing.
import Runtime

/// Trains `net` on `data` with `optimizer` and returns the run.
///
/// Each epoch reshuffles (stream `epoch` of `settings.seed`), trains minibatch by minibatch in
/// training mode through the `LoopRunner` (progress with rate, ETA and running loss; the
/// cancellation token between minibatches), evaluates `test` in eval mode (restoring the mode),
/// applies the optimizer's schedule, calls the training hooks' `epochEnded` (their reports go in
/// the epoch's record), then `onEpoch`.
///
/// The run is filled in as training goes, so after an error it still holds everything done so
/// far: pass `into:` to keep a reference (the language stores it as `last_run`).
/// - Throws: `Interrupted` on Ctrl-C (unchanged, so the prompt unwinds), `TrainingError
///   .nonFiniteLoss` carrying the run when the loss becomes NaN/inf, or a layer/shape error.
@discardableResult
public func fit<S: TensorScalar>(_ net: any Layer<S>, data: any DataSource<S>, optimizer: any Optimizer<S>,
                                 settings: FitSettings<S> = FitSettings(), test: (any DataSource<S>)? = nil,
                                 into run: Run = Run(),
                                 onEpoch: ((EpochRecord) throws -> Void)? = nil) throws -> Run {
    guard settings.epochs >= 1 else {
        throw CoreError.badArgument(op: "fit", message: "epochs must be at least 1, got \(settings.epochs)")
    }
    guard settings.batchSize >= 1 else {
        throw CoreError.badArgument(op: "fit", message: "batch must be at least 1, got \(settings.batchSize)")
    }
    guard data.count > 0 else { throw CoreError.badArgument(op: "fit", message: "the data set is empty") }
    run.settings = [("epochs", .int(settings.epochs)), ("batch", .int(settings.batchSize)),
                    ("loss", .text(settings.loss?.description ?? "auto")), ("optimizer", .text(optimizer.description)),
                    ("shuffle", .bool(settings.shuffle)), ("seed", .int(Int(truncatingIfNeeded: settings.seed))),
                    ("examples", .int(data.count)), ("test", test.map { .int($0.count) } ?? .none)]
    // Clamped so the index arithmetic below cannot overflow for a huge `batch:`.
    let n = data.count, size = min(settings.batchSize, n), batchCount = (n + size - 1) / size
    let hooks = trainingHooks(net: net, optimizer: optimizer)
    for epoch in 1...settings.epochs {
        var order = Array(0..<n)
        if settings.shuffle {
            var rng = RandomStream(seed: settings.seed, stream: UInt64(epoch))
            order = rng.permutation(n)
        }
        net.train()
        let lr = optimizer.lr
        let runner = LoopRunner(label: "epoch \(epoch)/\(settings.epochs)", run: run, token: settings.token)
        let clock = ContinuousClock()
        let started = clock.now
        var lossSum = 0.0, correct = 0, seen = 0, classification = true
        // Numbered as the bar shows it: epoch 1/3 is the first, and batch b of it is done.
        let position = { (b: Int) in
            b > 0 ? "in epoch \(epoch)/\(settings.epochs), after batch \(b)/\(batchCount)"
                : epoch > 1 ? "after epoch \(epoch - 1)/\(settings.epochs)" : "before the first batch"
        }
        do { try runner(count: batchCount, position: position) { b in
            let slice = order[(b * size)..<min((b + 1) * size, n)]
            let (x, y) = try data.batch(slice)
            let result: (loss: Double, output: Tensor<S>, chosen: Loss<S>)
            do {
                let context = HookContext(net: net, step: optimizer.core.steps, epoch: epoch, batch: b + 1,
                                          batchesPerEpoch: batchCount)
                result = try trainStep(net, optimizer, x: x, y: y, loss: settings.loss, context: context)
            } catch TrainingError.nonFiniteLoss(let value, _, _, _) {
                run.stopReason = "the loss became \(formatted(value)) at epoch \(epoch), batch \(b + 1)"
                throw TrainingError.nonFiniteLoss(loss: value, epoch: epoch, batch: b + 1, run: run)
            }
            lossSum += result.loss * Double(slice.count)
            seen += slice.count
            if case .crossEntropy = result.chosen {
                correct += try correctCount(logits: result.output, labels: y)
            } else {
                classification = false
            }
            run.batches += 1
            run.partialLoss = lossSum / Double(seen)
            return LoopStep(metrics: [("loss", lossSum / Double(seen))])
        } } catch let stop as Interrupted {
            // The partial epoch's running loss is kept, so `last_run.loss` is not empty.
            if let partial = run.partialLoss { run.loss.append(partial) }
            throw stop
        }
        let trainSeconds = seconds(clock.now - started)
        var record = EpochRecord(epoch: epoch, loss: lossSum / Double(seen),
                                 accuracy: classification ? Double(correct) / Double(seen) : nil,
                                 testLoss: nil, testAccuracy: nil, lr: lr, samples: seen, seconds: trainSeconds)
        if let test {
            let result = try evaluate(net, on: test, loss: settings.loss)
            record.testLoss = result.loss
            record.testAccuracy = result.accuracy
        }
        optimizer.epochEnded()
        let context = HookContext(net: net, step: optimizer.core.steps, epoch: epoch, batch: batchCount,
                                  batchesPerEpoch: batchCount)
        record.hooks = try collectReports(hooks) { try $0.epochEnded(context) }
        run.loss.append(record.loss)
        if let a = record.accuracy { run.accuracy.append(a) }
        if let l = record.testLoss { run.testLoss.append(l) }
        if let a = record.testAccuracy { run.testAccuracy.append(a) }
        run.history.append(record)
        run.partialLoss = nil
        try onEpoch?(record)
    }
    run.isComplete = true
    return run
}

/// Seconds in a Duration.
func seconds(_ d: Duration) -> Double {
    let (s, atto) = d.components
    return Double(s) + Double(atto) * 1e-18
}

/// Four significant digits for progress text and summaries (`1.015`, `0.001291`, `nan`).
public func formatted(_ x: Double) -> String {
    // Swift writes a negative NaN as `-nan`; a NaN has no sign worth showing.
    if x.isNaN { return "nan" }
    return String(significant(x, 4))
}

/// `x` rounded to `digits` significant digits (a division by an exact power of ten, so the result
/// prints as the short decimal: 0.0012910640000000002 → 0.001291).
public func significant(_ x: Double, _ digits: Int) -> Double {
    guard x.isFinite, x != 0, digits > 0 else { return x }
    let exponent = Int((Double.log(Swift.abs(x)) / 2.302585092994046).rounded(.down))
    let shift = digits - 1 - exponent
    // log10 can be off by one next to a power of ten; the check below corrects it.
    func rounded(_ shift: Int) -> Double {
        let power = Double.pow(10, Double(Swift.abs(shift)))
        return shift >= 0 ? (x * power).rounded() / power : (x / power).rounded() * power
    }
    let r = rounded(shift)
    return Swift.abs(r) >= Double.pow(10, Double(digits - shift)) ? rounded(shift - 1) : r
}
