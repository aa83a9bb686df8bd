// The one door from a built-in to the file system: every path argument comes through it, and a sandboxed session has it shut.
import Interpreter

extension Arguments {
    /// The path in argument `name` of a built-in about to read or write it.
    /// - Throws: "`name` cannot use files in sandboxed mode" in a sandboxed session (the fuzzer's),
    ///   before the path is even read; the usual argument errors otherwise.
    func filePath(_ name: String) throws -> String {
        try requireFileAccess()
        return try string(name)
    }

    /// `filePath` for an optional argument: nil when it is not given (no file is touched then).
    func optionalFilePath(_ name: String) throws -> String? {
        if self[name].isNil { return nil }
        return try filePath(name)
    }

    /// Throws unless this session may touch files.
    func requireFileAccess() throws {
        if interpreter.isSandboxed {
            throw runtimeError("`\(spec.name)` cannot use files in sandboxed mode", kind: "io")
        }
    }
}
