// Runtime errors: message, kind, the failing expression's span and the call trace; rendering.
import Lang

/// One frame of a runtime error's trace: a user function, or a built-in that called user code.
public struct TraceEntry {
    /// Function name (`f`, `<lambda>`) or built-in name (`map`).
    public var name: String
    public var isBuiltin: Bool
    /// Where the function was defined (user functions).
    public var definition: SourceSpan?
    /// Where it was called from; nil when called by a built-in.
    public var callSite: SourceSpan?
    /// How many more identical frames follow this one (collapsed recursion).
    public var repeats = 0

    /// Same function called from the same place.
    func isSameFrame(as other: TraceEntry) -> Bool {
        name == other.name && isBuiltin == other.isBuiltin && callSite?.start == other.callSite?.start
            && callSite?.file === other.callSite?.file && definition?.start == other.definition?.start
    }

    public init(name: String, isBuiltin: Bool, definition: SourceSpan?, callSite: SourceSpan?) {
        self.name = name
        self.isBuiltin = isBuiltin
        self.definition = definition
        self.callSite = callSite
    }
}

/// An error raised while evaluating: by an operator, a built-in, `error(...)`, or a limit.
///
/// Errors from primitives start without a span; the evaluator locates them at the failing
/// expression. Each user function the error leaves appends a trace entry.
public struct RuntimeError: Error, CustomStringConvertible {
    /// What went wrong, without the "error: " prefix.
    public var message: String
    /// A short category a script can test: `type`, `value`, `index`, `key`, `name`, `argument`,
    /// `overflow`, `division`, `stack`, `limit`, `io`, `user`, `native`.
    public var kind: String
    public var span: SourceSpan?
    /// Innermost first.
    public var trace: [TraceEntry] = []
    /// The value given to `error(x)` when x is not a String.
    public var payload: Value?
    /// More fields a built-in attaches (`e.run` after a NaN loss in `fit`).
    public var fields: [(name: String, value: Value)] = []

    public init(_ message: String, kind: String = "value", span: SourceSpan? = nil) {
        self.message = message
        self.kind = kind
        self.span = span
    }

    public var description: String { message }

    /// The diagnostic shown to the user: header, caret, then one line per frame, repeated recursive
    /// frames collapsed ("... 9,990 more calls of fn f").
    public var diagnostic: Diagnostic {
        Diagnostic(.error, message, at: span, notes: traceLines)
    }

    /// The trace as text lines.
    public var traceLines: [String] {
        guard let first = trace.first else { return [] }
        var lines: [String] = []
        if first.isBuiltin {
            lines.append("in `\(first.name)`")
        } else {
            lines.append("in fn \(first.name)" + (first.definition.map { " (\($0.shortDescription))" } ?? ""))
        }
        for (i, entry) in trace.enumerated() {
            let caller = i + 1 < trace.count ? trace[i + 1] : nil
            func line(callerName: String?) -> String {
                if let site = entry.callSite {
                    if let callerName { return "called from fn \(callerName) (\(site.shortDescription))" }
                    return "called from \(site.shortDescription)"
                }
                if let caller, caller.isBuiltin { return "called from `\(caller.name)`" }
                return "called from Swift"
            }
            let callerName = entry.repeats > 0 ? entry.name : caller.flatMap { $0.isBuiltin ? nil : $0.name }
            lines.append(line(callerName: callerName))
            if entry.repeats > 0 {
                // Direct recursion from one call site: shown once, with the count of the rest.
                lines.append("... \(RuntimeError.grouped(entry.repeats)) more calls of fn \(entry.name)")
            }
        }
        return lines
    }

    /// Adds the frame of a function the error is leaving, collapsing direct recursion.
    public mutating func appendTrace(_ entry: TraceEntry) {
        if let last = trace.last, last.isSameFrame(as: entry) {
            trace[trace.count - 1].repeats += 1
        } else {
            trace.append(entry)
        }
    }

    /// 9990 → "9,990".
    public static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}

/// Shorthand for the errors primitives throw; the evaluator adds the span.
@inline(never)
public func runtimeError(_ message: String, kind: String = "value") -> RuntimeError {
    RuntimeError(message, kind: kind)
}

/// A foreign error (from Core, through Builtins) that knows its language-level kind, shown as
/// `e.kind` in `catch`: "io" for files, "shape" for shape mismatches, "value" for bad arguments.
public protocol KindedError: Error {
    var errorKind: String { get }
}

/// The runtime error a foreign Swift error becomes: its description, and its kind when it has one.
func foreignError(_ error: Error, span: SourceSpan? = nil) -> RuntimeError {
    RuntimeError(String(describing: error), kind: (error as? KindedError)?.errorKind ?? "native", span: span)
}
