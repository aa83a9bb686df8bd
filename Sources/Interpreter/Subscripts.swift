// Indexing, slicing and fields of the built-in types (lists, strings, ranges, records, errors).
import Lang

/// Python's rules: negative indexes count from the end and must be in range; slice bounds clamp.
public enum Subscripts {
    /// An Int index from a value (Ints, integral 0-d tensors).
    static func intIndex(_ v: Value, _ typeName: String) throws -> Int {
        switch v {
        case .int(let i): return i
        case .native(let n):
            if let d = n.scalarValue, d == d.rounded(), abs(d) < 9.2e18 { return Int(d) }
        default: break
        }
        throw runtimeError("\(typeName) index must be Int, got \(v.typeName)", kind: "type")
    }

    /// Resolves index `i` into 0..<count, or throws.
    public static func position(_ i: Int, count: Int, typeName: String) throws -> Int {
        let p = i < 0 ? i &+ count : i
        guard p >= 0 && p < count else {
            throw runtimeError("index \(i) out of range for \(typeName) of length \(count)", kind: "index")
        }
        return p
    }

    /// The positions a slice selects in a sequence of `count` elements: (start, step, length).
    public static func slice(count n: Int, _ start: Int?, _ stop: Int?, _ step: Int?) throws -> (Int, Int, Int) {
        let step = step ?? 1
        if step == 0 { throw runtimeError("slice step cannot be zero", kind: "value") }
        let lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1
        func clamp(_ v: Int?, _ fallback: Int) -> Int {
            guard let v else { return fallback }
            if v < 0 { return v < -n ? lower : max(v + n, lower) }
            return min(v, upper)
        }
        let s = clamp(start, step > 0 ? lower : upper)
        let e = clamp(stop, step > 0 ? upper : lower)
        let length: Int
        // Through the step's magnitude: `-step` traps for a step of Int.min.
        if step > 0 { length = e > s ? (e - s - 1) / step + 1 : 0 } else { length = s > e ? Int(UInt(s - e - 1) / step.magnitude) + 1 : 0 }
        return (s, step, length)
    }

    /// `base[indices]`.
    public static func get(_ base: Value, _ indices: [SubscriptIndex]) throws -> Value {
        if case .native(let n) = base { return try n.subscriptGet(indices) }
        guard indices.count == 1 else {
            throw runtimeError("\(base.typeName) takes one index, got \(indices.count)", kind: "index")
        }
        let index = indices[0]
        switch base {
        case .list(let l):
            switch index {
            case .index(let v):
                return l.items[try position(try intIndex(v, "List"), count: l.items.count, typeName: "List")]
            case .slice(let a, let b, let c):
                let (s, step, length) = try slice(count: l.items.count, a, b, c)
                var out: [Value] = []
                out.reserveCapacity(length)
                for k in 0..<length { out.append(l.items[s + k * step]) }
                return .list(ListObject(out))
            }
        case .string(let str):
            let chars = Array(str)
            switch index {
            case .index(let v):
                return .string(String(chars[try position(try intIndex(v, "String"), count: chars.count, typeName: "String")]))
            case .slice(let a, let b, let c):
                let (s, step, length) = try slice(count: chars.count, a, b, c)
                var out = ""
                for k in 0..<length { out.append(chars[s + k * step]) }
                return .string(out)
            }
        case .range(let r):
            switch index {
            case .index(let v):
                let i = try intIndex(v, "Range")
                guard let x = r.element(index: i) else {
                    throw runtimeError("index \(i) out of range for Range of length \(r.length)", kind: "index")
                }
                return .int(x)
            case .slice(let a, let b, let c):
                guard r.length <= UInt(Int.max) else {
                    throw runtimeError("cannot slice a range of \(r.length) elements (more than \(Int.max))", kind: "limit")
                }
                let (s, step, length) = try slice(count: r.count, a, b, c)
                guard length > 0 else { return .range(RangeObject(start: 0, end: 0)) }
                let newStart = r.element(s)
                let (newStep, o) = r.step.multipliedReportingOverflow(by: step)
                // The end is one step-direction past the last element; `start + step * length`
                // can overflow even when every element fits.
                let (end, o2) = r.element(s + (length - 1) * step).addingReportingOverflow(newStep > 0 ? 1 : -1)
                if o || o2 { throw runtimeError("range slice overflows", kind: "overflow") }
                return .range(RangeObject(start: newStart, end: end, step: newStep))
            }
        case .record(let r):
            guard case .index(.string(let key)) = index else {
                throw runtimeError("Record index must be a String key", kind: "type")
            }
            guard let v = r[key] else { throw missingKey(key, r) }
            return v
        default:
            throw runtimeError("\(base.typeName) cannot be indexed", kind: "type")
        }
    }

    static func missingKey(_ key: String, _ r: RecordObject) -> RuntimeError {
        let hint = nearestName(to: key, among: r.keys).map { "; did you mean `\($0)`?" } ?? ""
        return runtimeError("record has no key \"\(key)\"\(hint)", kind: "key")
    }

    /// `base[indices] = value` for lists and records (mutated in place). Natives are handled by the
    /// evaluator, which stores the returned object back.
    public static func set(_ base: Value, _ indices: [SubscriptIndex], _ value: Value) throws {
        guard indices.count == 1 else {
            throw runtimeError("\(base.typeName) takes one index, got \(indices.count)", kind: "index")
        }
        switch (base, indices[0]) {
        case (.list(let l), .index(let v)):
            l.items[try position(try intIndex(v, "List"), count: l.items.count, typeName: "List")] = value
        case (.list, .slice):
            throw runtimeError("assigning to a slice is not supported; build a new list", kind: "type")
        case (.record(let r), .index(.string(let key))):
            r[key] = value
        case (.record, _):
            throw runtimeError("Record index must be a String key", kind: "type")
        case (.string, _):
            throw runtimeError("strings are immutable", kind: "type")
        default:
            throw runtimeError("\(base.typeName) does not support element assignment", kind: "type")
        }
    }

    /// `base.name` for records, errors and natives.
    public static func field(_ base: Value, _ name: String) throws -> Value {
        switch base {
        case .record(let r):
            if let v = r[name] { return v }
            let hint = nearestName(to: name, among: r.keys).map { "; did you mean `\($0)`?" } ?? ""
            throw runtimeError("record has no field `\(name)`\(hint)", kind: "key")
        case .error(let e):
            let err = e.error
            switch name {
            case "message": return .string(err.message)
            case "kind": return .string(err.kind)
            case "file": return err.span.map { .string($0.file.path) } ?? .null
            case "line": return err.span.map { .int($0.line) } ?? .null
            case "column": return err.span.map { .int($0.column) } ?? .null
            case "trace": return .list(ListObject(err.traceLines.map { .string($0) }))
            case "value": return err.payload ?? .string(err.message)
            default: break
            }
            if let extra = err.fields.first(where: { $0.name == name }) { return extra.value }
            let fields = ["message", "kind", "file", "line", "column", "trace", "value"] + err.fields.map(\.name)
            let hint = nearestName(to: name, among: fields).map { "; did you mean `\($0)`?" } ?? ""
            throw runtimeError("Error has no field `\(name)`\(hint)", kind: "key")
        case .native(let n):
            if let v = try n.field(name) { return v }
            let hint = nearestName(to: name, among: n.memberNames).map { "; did you mean `\($0)`?" } ?? ""
            throw runtimeError("\(n.typeName) has no field `\(name)`\(hint)", kind: "key")
        default:
            throw runtimeError("\(base.typeName) has no field `\(name)`", kind: "type")
        }
    }
}
