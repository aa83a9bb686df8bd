// libFuzzer entry point: feeds arbitrary bytes to a sandboxed Session with a step budget and a
// wall-clock deadline; any crash is a bug.
import Builtins
import Foundation
import Runtime

/// Steps one input may take before the session stops it (keeps `while true {}` from hanging the fuzzer).
private let stepBudget = 20_000

/// The most one allocation may take: an input's `zeros(60000, 60000)` is an error, not 14 GB.
private let memoryCeiling = 256 << 20

/// Wall-clock time one input may run before it is interrupted exactly as Ctrl-C would interrupt it
/// (`FUZZ_DEADLINE_MS`, default 250). The step budget cannot bound work inside a built-in: a mutated
/// test script that builds a WRN or trains for an epoch took 2-3 s, and 1% of such inputs took three
/// quarters of a campaign's time. Interrupting them instead also fuzzes the interrupt path itself:
/// Ctrl-C lands at an arbitrary point of an arbitrary built-in, and the session must unwind cleanly.
private let deadline: Duration = .milliseconds(
    Int(ProcessInfo.processInfo.environment["FUZZ_DEADLINE_MS"] ?? "") ?? 250)

/// Cancels the running input's token once its deadline has passed; one thread for the whole run.
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var running: (token: CancellationToken, due: ContinuousClock.Instant)?

    init() {
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.005)
                lock.withLock {
                    if let (token, due) = running, ContinuousClock.now >= due {
                        token.cancel()
                        running = nil
                    }
                }
            }
        }
    }

    func watch(_ token: CancellationToken) { lock.withLock { running = (token, .now + deadline) } }
    func release() { lock.withLock { running = nil } }
}

private let watchdog = Watchdog()

/// Called by libFuzzer for every input. A fresh session each time, so inputs cannot affect each other.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    // The fuzzer owns its process, so it sets the process-wide ceiling (cheap to repeat).
    MemoryLimit.ceiling = memoryCeiling
    let bytes = data.map { UnsafeBufferPointer(start: $0, count: size) } ?? UnsafeBufferPointer(start: nil, count: 0)
    let source = String(decoding: bytes, as: UTF8.self)
    var options = Session.Options()
    options.sandboxed = true
    options.stepBudget = stepBudget
    options.quiet = true
    let session = Session(options: options, output: { _ in }, errorOutput: { _ in })
    // Each entry point once: completion and the incomplete-input check must survive any text too.
    _ = session.inputStatus(source)
    _ = session.completions(line: source, cursor: source.count)
    _ = session.check(source: source, path: "<fuzz>")
    watchdog.watch(options.token)
    _ = session.runScript(source: source, path: "<fuzz>")
    watchdog.release()
    // Frees the cycles the input made (`append(a, a)`); without it a million inputs run out of memory.
    session.close()
    return 0
}
