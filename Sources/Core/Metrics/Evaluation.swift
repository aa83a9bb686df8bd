// Accuracy, evaluate (loss + accuracy in eval mode), R² and F1.

/// The result of `evaluate`: mean loss over the examples and, for class labels, the accuracy.
public struct Evaluation: Equatable, Sendable {
    public var loss: Double
    /// Fraction of correct argmax predictions; nil when the targets are not class indices.
    public var accuracy: Double?
    /// Examples evaluated.
    public var count: Int
}

/// The fraction of rows of `logits` [N, C] whose argmax equals the class index in `labels` [N].
/// - Throws: `CoreError.shapeMismatch` naming both shapes when they do not fit.
@_specialize(where S == Float)
public func accuracy<S: TensorScalar>(logits: Tensor<S>, labels: Tensor<S>) throws -> Double {
    Double(try correctCount(logits: logits, labels: labels)) / Double(max(labels.count, 1))
}

/// The number of rows whose argmax equals the label.
@_specialize(where S == Float)
func correctCount<S: TensorScalar>(logits: Tensor<S>, labels: Tensor<S>) throws -> Int {
    guard logits.rank == 2, labels.rank == 1, logits.shape[0] == labels.count, logits.shape[1] > 0 else {
        throw CoreError.shapeMismatch(op: "accuracy", shapes: [logits.shape, labels.shape],
            message: "expected outputs [N, C] and labels [N], got \(Tensor<Float>.describe(logits.shape)) and \(Tensor<Float>.describe(labels.shape))")
    }
    let c = logits.shape[1]
    var correct = 0
    logits.scalars.withUnsafeBufferPointer { p in
        for r in 0..<labels.count {
            var best = 0
            for k in 1..<c where p[r * c + k] > p[r * c + best] { best = k }
            if S(best) == labels.scalars[r] { correct += 1 }
        }
    }
    return correct
}

/// Runs `body` with every layer of `net` in eval mode, restoring each layer's previous mode.
func inEvalMode<S, R>(_ net: any Layer<S>, _ body: () throws -> R) rethrows -> R {
    let modes = net.namedLayers.map { ($0.layer, $0.layer.isTraining) }
    net.eval()
    defer { for (layer, mode) in modes { layer.isTraining = mode } }
    return try body()
}

/// Mean loss and (for class labels) accuracy of `net` over `data`, in eval mode (restored after),
/// in batches of `batchSize` without recording.
/// - Throws: the layer error of a shape that does not fit, or `CoreError.badArgument` for empty data.
public func evaluate<S: TensorScalar>(_ net: any Layer<S>, on data: any DataSource<S>, loss: Loss<S>? = nil,
                                      batchSize: Int = 256) throws -> Evaluation {
    guard data.count > 0 else { throw CoreError.badArgument(op: "evaluate", message: "the data set is empty") }
    guard batchSize >= 1 else { throw CoreError.badArgument(op: "evaluate", message: "batch must be at least 1, got \(batchSize)") }
    let batchSize = min(batchSize, data.count)
    return try inEvalMode(net) {
        var totalLoss = 0.0, correct = 0, classification = true
        let order = Array(0..<data.count)
        var start = 0
        while start < data.count {
            let end = min(start + batchSize, data.count)
            let (x, y) = try data.batch(order[start..<end])
            let tape = Tape<S>(recording: false)
            let out = try net.forward(tape.constant(x))
            let chosen = resolvedLoss(loss, output: out.shape, target: y)
            let l = try chosen.apply(out, y)
            totalLoss += Double(l.value.scalars[0]) * Double(end - start)
            if case .crossEntropy = chosen {
                correct += try correctCount(logits: out.value, labels: y)
            } else {
                classification = false
            }
            start = end
        }
        return Evaluation(loss: totalLoss / Double(data.count),
                          accuracy: classification ? Double(correct) / Double(data.count) : nil,
                          count: data.count)
    }
}

/// The fraction of examples of `data` that `net` classifies correctly (eval mode, restored after).
public func accuracy<S: TensorScalar>(_ net: any Layer<S>, on data: any DataSource<S>,
                                      batchSize: Int = 256) throws -> Double {
    guard data.count > 0 else { throw CoreError.badArgument(op: "accuracy", message: "the data set is empty") }
    guard batchSize >= 1 else { throw CoreError.badArgument(op: "accuracy", message: "batch must be at least 1, got \(batchSize)") }
    let batchSize = min(batchSize, data.count)
    return try inEvalMode(net) {
        var correct = 0, start = 0
        let order = Array(0..<data.count)
        while start < data.count {
            let end = min(start + batchSize, data.count)
            let (x, y) = try data.batch(order[start..<end])
            let out = try net.forward(Tape<S>(recording: false).constant(x))
            correct += try correctCount(logits: out.value, labels: y)
            start = end
        }
        return Double(correct) / Double(data.count)
    }
}

/// The coefficient of determination 1 − SS_res / SS_tot (scikit-learn's `r2_score` over all
/// elements; 1 for a perfect fit of a constant target, 0 otherwise).
/// - Throws: `CoreError.shapeMismatch` when the shapes differ, `badArgument` when empty.
public func r2<S: TensorScalar>(_ prediction: Tensor<S>, _ target: Tensor<S>) throws -> Double {
    guard prediction.shape == target.shape else {
        throw CoreError.shapeMismatch(op: "r2", shapes: [prediction.shape, target.shape], message: "")
    }
    guard target.count > 0 else { throw CoreError.badArgument(op: "r2", message: "empty tensors") }
    let mean = target.scalars.reduce(0.0) { $0 + Double($1) } / Double(target.count)
    var res = 0.0, tot = 0.0
    for (p, t) in zip(prediction.scalars, target.scalars) {
        res += (Double(t) - Double(p)) * (Double(t) - Double(p))
        tot += (Double(t) - mean) * (Double(t) - mean)
    }
    if tot == 0 { return res == 0 ? 1 : 0 }
    return 1 - res / tot
}

/// F1 score of predicted class indices against true ones: for labels in {0, 1} the F1 of class 1
/// (scikit-learn's binary average), otherwise the macro average over the classes that occur.
/// Predictions may also be scores [N, C] (their argmax is used).
/// - Throws: `CoreError.shapeMismatch` when the counts differ, `badArgument` when empty.
public func f1<S: TensorScalar>(_ prediction: Tensor<S>, _ target: Tensor<S>) throws -> Double {
    // Class indices arrive as floats: refuse anything that is not a modest whole number first.
    for v in prediction.scalars + target.scalars where !(Swift.abs(Double(v)) < 1e9) {
        throw CoreError.badArgument(op: "f1", message: "predictions and targets must be class indices, got \(v)")
    }
    var predicted = prediction.scalars.map { Int(Double($0).rounded()) }
    if prediction.rank == 2, prediction.shape[1] > 0, prediction.shape[0] == target.count {
        let c = prediction.shape[1]
        predicted = (0..<prediction.shape[0]).map { r in
            (0..<c).max { prediction.scalars[r * c + $0] < prediction.scalars[r * c + $1] } ?? 0
        }
    }
    let truth = target.scalars.map { Int(Double($0).rounded()) }
    guard predicted.count == truth.count else {
        throw CoreError.shapeMismatch(op: "f1", shapes: [prediction.shape, target.shape], message: "")
    }
    guard !truth.isEmpty else { throw CoreError.badArgument(op: "f1", message: "empty tensors") }
    func score(_ k: Int) -> Double {
        var tp = 0, fp = 0, fn = 0
        for (p, t) in zip(predicted, truth) {
            if p == k && t == k { tp += 1 } else if p == k { fp += 1 } else if t == k { fn += 1 }
        }
        return tp == 0 ? 0 : 2 * Double(tp) / Double(2 * tp + fp + fn)
    }
    let classes = Set(predicted + truth)
    if classes.isSubset(of: [0, 1]) { return score(1) }
    let sorted = classes.sorted()
    return sorted.map(score).reduce(0, +) / Double(sorted.count)
}
