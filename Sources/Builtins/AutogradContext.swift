// The tape of the differentiation call in progress, so tensor operations inside it are recorded.
import Core

/// The tapes of the `grad` / `value_and_grad` / `step` / `fit` calls now running, innermost last.
///
/// A tape belongs to one call: `withTape` pushes it for the duration of that call and pops it on
/// the way out (also on errors), so no graph outlives the call. The evaluator runs on one thread,
/// so a plain stack is enough.
enum AutogradContext {
    nonisolated(unsafe) private static var tapes: [Tape<Float>] = []

    /// The innermost recording tape, or nil outside every differentiation call.
    static var current: Tape<Float>? { tapes.last }

    /// Runs `body` with `tape` as the current tape.
    static func withTape<R>(_ tape: Tape<Float>, _ body: () throws -> R) rethrows -> R {
        tapes.append(tape)
        defer { tapes.removeLast() }
        return try body()
    }
}
