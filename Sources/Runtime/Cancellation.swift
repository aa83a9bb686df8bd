// The interrupt flag: Ctrl-C sets it, long loops poll it at safe points and unwind.
import Synchronization

/// A flag that a signal handler raises and the evaluator, training loops and searches poll.
///
/// Setting is async-signal-safe (one atomic store). Polling is one relaxed load, cheap enough for
/// every loop back-edge of the interpreter.
public final class CancellationToken: @unchecked Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    /// The token of the session running now, for work that is handed no token: `@` of large
    /// matrices stops between row blocks, and random tensors and layer weights check it before
    /// they are drawn (a `wrn(28, 10)` draws 36 million weights). The session sets it when it is
    /// made; one session runs at a time.
    nonisolated(unsafe) public static var running: CancellationToken?

    /// True once `cancel()` was called and until `reset()`.
    @inline(__always)
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }

    public func cancel() { flag.store(true, ordering: .relaxed) }

    public func reset() { flag.store(false, ordering: .relaxed) }

    /// Throws `Interrupted` when cancelled; call it between minibatches, search steps, iterations.
    @inline(__always)
    public func check(_ whereabouts: @autoclosure () -> String = "") throws {
        if isCancelled { throw Interrupted(whereabouts: whereabouts()) }
    }
}

/// Thrown when the user pressed Ctrl-C. Never caught by a script's `try`/`catch`.
public struct Interrupted: Error, CustomStringConvertible {
    /// Where the work stopped, e.g. "after epoch 2, batch 313"; empty when unknown.
    public var whereabouts: String

    public init(whereabouts: String = "") { self.whereabouts = whereabouts }

    public var description: String { whereabouts.isEmpty ? "interrupted" : "interrupted \(whereabouts)" }
}
