// Structural equality and deep copy, both safe on lists and records that contain themselves.

/// `==` semantics: numbers by value (`1 == 1.0`), lists element-wise, records by keys and values
/// regardless of order, natives through `isEqual`, functions and errors by identity.
public enum Equality {
    /// Nesting beyond this is refused by `deepCopy` rather than risk the stack.
    static let maxDepth = 2_000

    /// True when `a == b`. Walks the two values with an explicit stack of pairs still to compare,
    /// so lists and records nested millions deep compare correctly; a pair met a second time (a
    /// value that contains itself) is taken as equal.
    public static func equal(_ a: Value, _ b: Value) -> Bool {
        // Most comparisons are of scalars: no stack to allocate.
        switch (a, b) {
        case (.list, .list), (.record, .record): break
        default: return shallowEqual(a, b)
        }
        var seen = Set<Pair>()
        var pending = [(a, b)]
        while let (p, q) = pending.popLast() {
            switch (p, q) {
            case (.list(let x), .list(let y)):
                if x === y { continue }
                if x.items.count != y.items.count { return false }
                guard seen.insert(Pair(a: ObjectIdentifier(x), b: ObjectIdentifier(y))).inserted else { continue }
                pending.append(contentsOf: zip(x.items, y.items).reversed())
            case (.record(let x), .record(let y)):
                if x === y { continue }
                if x.count != y.count { return false }
                guard seen.insert(Pair(a: ObjectIdentifier(x), b: ObjectIdentifier(y))).inserted else { continue }
                for (k, v) in zip(x.keys, x.values).reversed() {
                    guard let w = y[k] else { return false }
                    pending.append((v, w))
                }
            default:
                if !shallowEqual(p, q) { return false }
            }
        }
        return true
    }

    struct Pair: Hashable {
        let a: ObjectIdentifier
        let b: ObjectIdentifier
    }

    /// `==` on two values that are not both lists or both records.
    static func shallowEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.int(let x), .float(let y)): return Double(x) == y && Double(exactly: x) != nil
        case (.float(let x), .int(let y)): return x == Double(y) && Double(exactly: y) != nil
        case (.string(let x), .string(let y)): return x == y
        case (.range(let x), .range(let y)):
            let n = x.length
            if n != y.length { return false }
            return n == 0 || (x.start == y.start && (n == 1 || x.step == y.step))
        case (.closure(let x), .closure(let y)): return x === y
        case (.builtin(let x), .builtin(let y)): return x.spec.name == y.spec.name && x.receiver == nil && y.receiver == nil
        case (.error(let x), .error(let y)): return x === y
        case (.native(let n), _): return n.isEqual(to: b) || scalarEqual(n, b)
        case (_, .native(let n)): return n.isEqual(to: a) || scalarEqual(n, a)
        default: return false
        }
    }

    /// A native standing for a number (a 0-d tensor) equals that number.
    static func scalarEqual(_ n: NativeObject, _ other: Value) -> Bool {
        guard let x = n.scalarValue else { return false }
        switch other {
        case .int(let i): return x == Double(i)
        case .float(let d): return x == d
        case .native(let m): return m.scalarValue == x
        default: return false
        }
    }

    /// A deep copy of lists and records (natives through `copy()`), preserving shared structure and
    /// cycles; scalars, strings, functions and ranges are returned as they are.
    public static func deepCopy(_ v: Value) throws -> Value {
        var copies: [ObjectIdentifier: Value] = [:]
        return try deepCopy(v, &copies, 0)
    }

    static func deepCopy(_ v: Value, _ copies: inout [ObjectIdentifier: Value], _ depth: Int) throws -> Value {
        if depth > maxDepth { throw runtimeError("value nested too deeply to copy", kind: "limit") }
        switch v {
        case .list(let l):
            if let c = copies[ObjectIdentifier(l)] { return c }
            let new = ListObject()
            copies[ObjectIdentifier(l)] = .list(new)
            new.items = try l.items.map { try deepCopy($0, &copies, depth + 1) }
            return .list(new)
        case .record(let r):
            if let c = copies[ObjectIdentifier(r)] { return c }
            let new = RecordObject()
            copies[ObjectIdentifier(r)] = .record(new)
            for (k, x) in zip(r.keys, r.values) { new[k] = try deepCopy(x, &copies, depth + 1) }
            return .record(new)
        case .native(let n):
            if let c = copies[ObjectIdentifier(n)] { return c }
            let c = Value.native(try n.copy())
            copies[ObjectIdentifier(n)] = c
            return c
        default:
            return v
        }
    }
}
