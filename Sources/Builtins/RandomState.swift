// The session's global random stream: restarted by `seed(n)`, advanced by every draw.
import Core
import Interpreter

/// Holds the global stream of one interpreter. `seed(n)` (or `--seed`) restarts it, so the same
/// script with the same seed gives the same numbers; a `seed:` argument draws from a private stream
/// and leaves the global one where it was.
final class RandomState {
    var stream: RandomStream

    init(seed: UInt64) { stream = RandomStream(seed: seed) }

    /// The state of `interpreter`, created on first use and wired to its seed.
    static func of(_ interpreter: Interpreter) -> RandomState {
        if let s = interpreter.extensions["random"] as? RandomState { return s }
        let s = RandomState(seed: interpreter.seed)
        interpreter.extensions["random"] = s
        interpreter.seedObservers.append { [weak s] seed in s?.stream = RandomStream(seed: seed) }
        return s
    }

    /// Runs `body` on the global stream, or on a private stream when `seed` is given.
    static func draw<R>(_ interpreter: Interpreter, seed: Int?, _ body: (inout RandomStream) throws -> R) throws -> R {
        if let seed {
            var private_ = RandomStream(seed: UInt64(bitPattern: Int64(seed)), stream: 1)
            return try body(&private_)
        }
        let state = of(interpreter)
        return try body(&state.stream)
    }

    /// A fresh independent stream drawn from the global one (for a layer's init or a data shuffle),
    /// so the consumer can keep it while the global stream moves on.
    static func fork(_ interpreter: Interpreter, seed: Int? = nil) -> RandomStream {
        if let seed { return RandomStream(seed: UInt64(bitPattern: Int64(seed)), stream: 2) }
        let state = of(interpreter)
        // A stream number drawn from the global stream: distinct forks never share a sequence.
        let number = state.stream.nextUInt64() | 1 << 63
        return RandomStream(seed: state.stream.seed, stream: number)
    }
}
