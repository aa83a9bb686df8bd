// Converting between language values and Core's JSON values, for JSON Lines logs, checkpoint metadata and sweep results.
import Core
import Interpreter
import Lang

enum JSONBridge {
    /// `v` as JSON: numbers, strings, Bools, nil, lists, records, and tensors as nested lists.
    /// NaN and infinities are kept (written as Python's json writes them).
    static func json(_ v: Value, depth: Int = 0) throws -> JSONValue {
        guard depth < 200 else { throw runtimeError("value nested too deeply for JSON", kind: "limit") }
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let f): return .double(f)
        case .string(let s): return .string(s)
        case .list(let l): return .array(try l.items.map { try json($0, depth: depth + 1) })
        case .record(let r): return .object(try r.pairs.map { ($0.0, try json($0.1, depth: depth + 1)) })
        case .range: return .array(try v.elementsForJSON().map { .int($0) })
        case .native(let n):
            if let t = try TensorConversion.operand(.native(n))?.tensor {
                return try json(TensorConversion.nestedList(t), depth: depth + 1)
            }
            return .string(n.render(width: 80))
        default:
            throw runtimeError("cannot write \(v.typeName) as JSON", kind: "type")
        }
    }

    /// A JSON value as a language value: objects become records, arrays lists (Core's parser
    /// already bounds the nesting).
    static func value(_ j: JSONValue) -> Value {
        switch j {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .string(s)
        case .array(let items): return .list(items.map(value))
        case .object(let members): return .record(members.map { ($0.key, value($0.value)) })
        }
    }
}

private extension Value {
    func elementsForJSON() throws -> [Int] {
        guard case .range(let r) = self else { return [] }
        guard r.count <= 10_000_000 else { throw runtimeError("range too long for JSON", kind: "limit") }
        return (0..<r.count).map { r.element($0) }
    }
}
