// libFuzzer entry point: feeds arbitrary bytes to a sandboxed Session with a step budget; any crash is a bug.
import Builtins
import Runtime

/// Steps one input may take before the session stops it (keeps `while true {}` from hanging the fuzzer).
private let stepBudget = 20_000

/// The most one allocation may take: an input's `zeros(60000, 60000)` is an error, not 14 GB.
private let memoryCeiling = 256 << 20

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
    _ = session.runScript(source: source, path: "<fuzz>")
    // Frees the cycles the input made (`append(a, a)`); without it a million inputs run out of memory.
    session.close()
    return 0
}
