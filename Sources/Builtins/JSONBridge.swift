// Language values to and from Core's JSONValue: the one path behind json, parse_json, logs, sweep results, checkpoints.
import Core
import Interpreter
import Lang
import Runtime

enum JSONBridge {
    /// What to do with a list or record met again inside itself.
    enum Cycles {
        /// Write `[...]` / `{...}`, as `print` shows it (the `json` built-in).
        case mark
        /// Raise an error: a log line or checkpoint must stay valid JSON.
        case refuse
    }

    /// Deeper values are refused rather than risking the stack.
    static let maxDepth = 1_000

    /// `v` as JSON: numbers, strings, Bools, nil, lists, records, ranges and tensors as nested
    /// lists; NaN and infinities kept (written as Python's json writes them); other objects as
    /// their one-line description.
    /// - Parameter op: the built-in named in errors (`json`, `write_jsonl`, `fit`).
    /// - Parameter token: polled at every value, so Ctrl-C cuts short the conversion of a long list.
    static func json(_ v: Value, op: String, cycles: Cycles = .refuse, token: CancellationToken? = nil) throws -> JSONValue {
        var active = Set<ObjectIdentifier>()
        return try json(v, op: op, cycles: cycles, active: &active, depth: 0, token: token)
    }

    private static func json(_ v: Value, op: String, cycles: Cycles, active: inout Set<ObjectIdentifier>,
                             depth: Int, token: CancellationToken?) throws -> JSONValue {
        try token?.check("during `\(op)`")
        guard depth < maxDepth else { throw runtimeError("`\(op)`: value nested too deeply", kind: "limit") }
        // Lists and records are references: one met again inside itself is a cycle.
        func container(_ id: ObjectIdentifier, isObject: Bool, _ body: (inout Set<ObjectIdentifier>) throws -> JSONValue)
            throws -> JSONValue {
            if active.contains(id) {
                guard cycles == .mark else {
                    throw runtimeError("`\(op)`: a \(isObject ? "record" : "list") contains itself", kind: "value")
                }
                return .cycle(isObject: isObject)
            }
            active.insert(id)
            defer { active.remove(id) }
            return try body(&active)
        }
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let f): return .double(f)
        case .string(let s): return .string(s)
        case .list(let l):
            return try container(ObjectIdentifier(l), isObject: false) { active in
                .array(try l.items.map { try json($0, op: op, cycles: cycles, active: &active, depth: depth + 1, token: token) })
            }
        case .record(let r):
            return try container(ObjectIdentifier(r), isObject: true) { active in
                .object(try r.pairs.map { ($0.0, try json($0.1, op: op, cycles: cycles, active: &active, depth: depth + 1, token: token)) })
            }
        case .range(let r):
            guard r.count <= 10_000_000 else { throw runtimeError("`\(op)`: range too long for JSON", kind: "limit") }
            return .array((0..<r.count).map { .int(r.element($0)) })
        case .native(let n):
            if let t = try TensorConversion.operand(.native(n))?.tensor {
                return try json(TensorConversion.nestedList(t), op: op, cycles: cycles, active: &active, depth: depth + 1, token: token)
            }
            return .string(n.render(width: 80))
        default:
            throw runtimeError("`\(op)`: cannot write \(v.typeName) as JSON", kind: "type")
        }
    }

    /// The language value of a JSON document: objects become records (a repeated key keeps its
    /// last value, as Python's json does), arrays lists, integers Ints, other numbers Floats.
    static func value(_ j: JSONValue) -> Value {
        switch j {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .string(s)
        case .array(let items): return .list(items.map(value))
        case .object(let members):
            let r = RecordObject()
            for (key, member) in members { r[key] = value(member) }
            return .record(r)
        case .cycle: return .null  // never produced by the reader
        }
    }
}
