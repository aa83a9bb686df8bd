// The one loop runner behind fit and every long loop (search, Lasso, seeds): cancellation, progress, NaN guard, a Run.
import Runtime

/// What one iteration of a loop did, for the progress line and the NaN guard.
public struct LoopStep {
    /// Figures shown on the progress line, in order, e.g. [("loss", 0.31)] or [("best f", 2.4)].
    public var metrics: [(name: String, value: Double)]
    /// True to end the loop after this iteration (converged, budget spent).
    public var isDone: Bool

    public init(metrics: [(name: String, value: Double)] = [], isDone: Bool = false) {
        self.metrics = metrics
        self.isDone = isDone
    }
}

/// A metric of a loop became NaN or infinite; `run` holds everything up to that iteration.
public struct NonFiniteMetric: Error, CustomStringConvertible {
    public var metric: String
    public var value: Double
    public var iteration: Int
    public var run: Run
    public var description: String { "the \(metric) became \(value) at step \(iteration)" }
}

/// Runs `count` iterations of a loop the way every long loop in Whittle runs: the cancellation
/// token is checked before each iteration (Ctrl-C stops between iterations with everything done so
/// far in `run` and the reason in `run.stopReason`), progress is reported (the sink shows rate and ETA), and
/// `guardMetric` (when set) is checked for NaN / infinity after each iteration.
public struct LoopRunner {
    /// The progress label, e.g. "epoch 2/5" or "hrco".
    public var label: String
    /// The record the loop fills in.
    public var run: Run
    /// The metric whose becoming non-finite stops the loop (nil: none).
    public var guardMetric: String?
    /// Checked before each iteration: the session's token (cancelled by Ctrl-C), handed down.
    public var token: CancellationToken

    public init(label: String, run: Run, guardMetric: String? = nil, token: CancellationToken = CancellationToken()) {
        self.token = token
        self.label = label
        self.run = run
        self.guardMetric = guardMetric
    }

    /// Runs `body(i)` for i in 0..<count, or until an iteration says it is done.
    /// - Parameter position: how to name the point before iteration i in a stop reason
    ///   ("after epoch 1, batch 3"); by default "after step i".
    /// - Returns: the number of iterations run.
    /// - Throws: `Interrupted` on Ctrl-C, `NonFiniteMetric`, or what `body` throws (the progress line
    ///   is closed and `run.stopReason` set first).
    @discardableResult
    public func callAsFunction(count: Int, position: ((Int) -> String)? = nil,
                               _ body: (Int) throws -> LoopStep) throws -> Int {
        var done = 0
        var shown: [(String, String)] = []
        Progress.begin(ProgressUpdate(label: label, done: 0, total: count))
        // The closing line keeps the last figures (the epoch's loss), without rate and ETA.
        defer { Progress.end(ProgressUpdate(label: label, done: done, total: count, metrics: shown)) }
        for i in 0..<count {
            do {
                try token.check(position?(i) ?? "after step \(i)")
            } catch {
                run.stopReason = String(describing: error)
                throw error
            }
            let step = try body(i)
            done = i + 1
            if let name = guardMetric, let value = step.metrics.first(where: { $0.name == name })?.value, !value.isFinite {
                let error = NonFiniteMetric(metric: name, value: value, iteration: i + 1, run: run)
                run.stopReason = error.description
                throw error
            }
            shown = step.metrics.map { ($0.name, formatted($0.value)) }
            // The sink shows the rate and ETA itself (issue 16: they were shown twice).
            Progress.update(ProgressUpdate(label: label, done: done, total: count, metrics: shown))
            if step.isDone { break }
        }
        return done
    }
}
