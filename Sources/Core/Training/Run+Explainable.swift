// What a training run did, epoch by epoch, for `explain`.

extension Run: Explainable {
    public var explanation: Explanation {
        var numbers = [ExplainedValue("epochs", history.count), ExplainedValue("complete", isComplete)]
        if let reason = stopReason { numbers.append(ExplainedValue("stopped", reason)) }
        if let first = loss.first, let last = loss.last {
            numbers += [ExplainedValue("first loss", first), ExplainedValue("last loss", last)]
        }
        if let a = accuracy.last { numbers.append(ExplainedValue("last accuracy", a)) }
        if let t = testAccuracy.last { numbers.append(ExplainedValue("last test accuracy", t)) }
        if let r = history.last { numbers.append(ExplainedValue("samples/s", r.samplesPerSecond.rounded())) }
        numbers += settings.map { setting in
            switch setting.value {
            case .int(let n): return ExplainedValue(setting.name, n)
            case .bool(let b): return ExplainedValue(setting.name, b)
            case .text(let t): return ExplainedValue(setting.name, t)
            case .none: return ExplainedValue(setting.name, "none")
            }
        }
        return Explanation("Run", summary: "the record of one `fit`: epochs of shuffled minibatch steps.",
                           formula: ["each epoch: shuffle; for each batch: loss → backward → optimizer step",
                                     "then evaluate the test set (eval mode) and record loss and accuracy"],
                           numbers: numbers)
    }
}
