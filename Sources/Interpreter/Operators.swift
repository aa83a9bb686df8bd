// Operators on values: arithmetic with overflow and zero checks, comparisons, natives' dispatch.
import Foundation
import Lang
import Runtime

/// Arithmetic and comparison semantics (LANGUAGE.md "Expressions"). Errors carry no span; the
/// evaluator locates them at the operator's expression.
public enum Operators {
    /// Largest list or string a `*` repetition or `+` may build.
    public static let maxElements = 100_000_000

    static func typeError(_ op: String, _ a: Value, _ b: Value) -> RuntimeError {
        runtimeError("unsupported operand types for `\(op)`: \(a.typeName) and \(b.typeName)", kind: "type")
    }

    static func overflow(_ op: BinaryOperator) -> RuntimeError {
        runtimeError("integer overflow in `\(op.rawValue)`", kind: "overflow")
    }

    static let divisionByZero = runtimeError("division by zero", kind: "division")

    /// `a op b` for any values. `token` is polled while a long list or string is built, so Ctrl-C
    /// need not wait for a `+` or `*` of fifty million elements.
    public static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value,
                              token: CancellationToken? = nil) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)): return try int(op, x, y)
        case (.int(let x), .float(let y)): return try float(op, Double(x), y)
        case (.float(let x), .int(let y)): return try float(op, x, Double(y))
        case (.float(let x), .float(let y)): return try float(op, x, y)
        case (.native(let n), _):
            if let v = try n.binary(op, b, reversed: false) { return v }
            if case .native(let m) = b, let v = try m.binary(op, a, reversed: true) { return v }
            if let x = n.scalarValue, let y = b.numberValue { return try float(op, x, y) }
        case (_, .native(let m)):
            if let v = try m.binary(op, a, reversed: true) { return v }
            if let x = a.numberValue, let y = m.scalarValue { return try float(op, x, y) }
        case (.string(let x), .string(let y)) where op == .add:
            return .string(x + y)
        case (.list(let x), .list(let y)) where op == .add:
            if x.items.count + y.items.count > maxElements { throw tooLarge() }
            return .list(ListObject(try concatenated(x.items, y.items, token: token)))
        case (.list(let x), .int(let n)) where op == .multiply:
            return .list(ListObject(try repeated(x.items, n, token: token)))
        case (.int(let n), .list(let x)) where op == .multiply:
            return .list(ListObject(try repeated(x.items, n, token: token)))
        case (.string(let s), .int(let n)) where op == .multiply: return .string(try repeated(s, n))
        case (.int(let n), .string(let s)) where op == .multiply: return .string(try repeated(s, n))
        default: break
        }
        throw typeError(op.rawValue, a, b)
    }

    static func tooLarge() -> RuntimeError {
        runtimeError("result would have more than \(maxElements) elements", kind: "limit")
    }

    /// Elements copied between two polls of the interrupt flag.
    static let pollBlock = 1 << 20

    static func concatenated(_ x: [Value], _ y: [Value], token: CancellationToken?) throws -> [Value] {
        guard let token, x.count + y.count > pollBlock else { return x + y }
        var out: [Value] = []
        out.reserveCapacity(x.count + y.count)
        for part in [x, y] {
            var start = 0
            while start < part.count {
                try token.check("during `+`")
                let end = min(start + pollBlock, part.count)
                out.append(contentsOf: part[start..<end])
                start = end
            }
        }
        return out
    }

    static func repeated(_ items: [Value], _ n: Int, token: CancellationToken? = nil) throws -> [Value] {
        if n <= 0 || items.isEmpty { return [] }
        let (total, o) = items.count.multipliedReportingOverflow(by: n)
        if o || total > maxElements { throw tooLarge() }
        var out: [Value] = []
        out.reserveCapacity(total)
        var sincePoll = 0
        for _ in 0..<n {
            sincePoll += items.count
            if sincePoll >= pollBlock {
                try token?.check("during `*`")
                sincePoll = 0
            }
            out.append(contentsOf: items)
        }
        return out
    }

    static func repeated(_ s: String, _ n: Int) throws -> String {
        if n <= 0 || s.isEmpty { return "" }
        let (total, o) = s.utf8.count.multipliedReportingOverflow(by: n)
        if o || total > maxElements { throw tooLarge() }
        return String(repeating: s, count: n)
    }

    /// Int op Int: Int except `/` (and `^` with a negative exponent), which give Float.
    @inline(__always)
    public static func int(_ op: BinaryOperator, _ x: Int, _ y: Int) throws -> Value {
        switch op {
        case .add:
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw overflow(op) }
            return .int(r)
        case .subtract:
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw overflow(op) }
            return .int(r)
        case .multiply:
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw overflow(op) }
            return .int(r)
        case .divide:
            if y == 0 { throw divisionByZero }
            return .float(Double(x) / Double(y))
        case .floorDivide: return .int(try floorDivide(x, y))
        case .modulo: return .int(try floorModulo(x, y))
        case .power:
            if y < 0 { return try float(op, Double(x), Double(y)) }
            return .int(try power(x, y))
        case .matmul:
            throw typeError(op.rawValue, .int(x), .int(y))
        }
    }

    /// Python's floor division.
    public static func floorDivide(_ x: Int, _ y: Int) throws -> Int {
        if y == 0 { throw divisionByZero }
        if x == .min && y == -1 { throw overflow(.floorDivide) }
        var q = x / y
        if x % y != 0 && ((x < 0) != (y < 0)) { q -= 1 }
        return q
    }

    /// Python's modulo: the result has the divisor's sign.
    public static func floorModulo(_ x: Int, _ y: Int) throws -> Int {
        if y == 0 { throw divisionByZero }
        if y == -1 { return 0 }
        var r = x % y
        if r != 0 && ((r < 0) != (y < 0)) { r += y }
        return r
    }

    static func power(_ base: Int, _ exponent: Int) throws -> Int {
        var result = 1, b = base, e = exponent
        while e > 0 {
            if e & 1 == 1 {
                let (r, o) = result.multipliedReportingOverflow(by: b)
                if o { throw overflow(.power) }
                result = r
            }
            e >>= 1
            if e > 0 {
                let (r, o) = b.multipliedReportingOverflow(by: b)
                if o { throw overflow(.power) }
                b = r
            }
        }
        return result
    }

    /// Float arithmetic; division and modulo by zero (and 0 to a negative power) are errors, as for Ints.
    public static func float(_ op: BinaryOperator, _ x: Double, _ y: Double) throws -> Value {
        switch op {
        case .add: return .float(x + y)
        case .subtract: return .float(x - y)
        case .multiply: return .float(x * y)
        case .divide:
            if y == 0 { throw divisionByZero }
            return .float(x / y)
        case .floorDivide:
            if y == 0 { throw divisionByZero }
            return .float((x / y).rounded(.down))
        case .modulo:
            if y == 0 { throw divisionByZero }
            var r = x.truncatingRemainder(dividingBy: y)
            if r != 0 && ((r < 0) != (y < 0)) { r += y }
            return .float(r)
        case .power:
            // 0 to a negative power is 1 / 0^|y|: a division by zero, as `1 / 0` is.
            if x == 0 && y < 0 { throw divisionByZero }
            return .float(pow(x, y))
        case .matmul: throw typeError(op.rawValue, .float(x), .float(y))
        }
    }

    /// `-a`.
    public static func negate(_ a: Value) throws -> Value {
        switch a {
        case .int(let x):
            if x == .min { throw runtimeError("integer overflow in `-`", kind: "overflow") }
            return .int(-x)
        case .float(let x): return .float(-x)
        case .native(let n):
            if let v = try n.unary(.negate) { return v }
            if let x = n.scalarValue { return .float(-x) }
        default: break
        }
        throw runtimeError("unsupported operand type for unary `-`: \(a.typeName)", kind: "type")
    }

    // MARK: - Comparison

    /// `a op b`: `==`/`!=` on any values, ordering on numbers, strings and lists; natives first.
    public static func compare(_ op: ComparisonOperator, _ a: Value, _ b: Value) throws -> Value {
        if case .native(let n) = a, let v = try n.compare(op, b, reversed: false) { return v }
        if case .native(let n) = b, let v = try n.compare(op, a, reversed: true) { return v }
        switch op {
        case .equal: return .bool(Equality.equal(a, b))
        case .notEqual: return .bool(!Equality.equal(a, b))
        default:
            let c = try order(a, b, op)
            switch op {
            case .less: return .bool(c == .less)
            case .lessEqual: return .bool(c == .less || c == .equal)
            case .greater: return .bool(c == .greater)
            default: return .bool(c == .greater || c == .equal)
            }
        }
    }

    enum Ordering { case less, equal, greater, unordered }

    /// Lexicographic order of lists, element by element, with an explicit stack instead of
    /// recursion: lists nested millions deep compare without exhausting the native stack. A pair
    /// of lists already being compared further out (a list that contains itself) counts as equal,
    /// as `==` treats it.
    static func order(_ a: Value, _ b: Value, _ op: ComparisonOperator) throws -> Ordering {
        struct Frame { let x: ListObject; let y: ListObject; var index: Int }
        var frames: [Frame] = []
        var active = Set<Equality.Pair>()
        var pending: (Value, Value)? = (a, b)
        while true {
            if let (p, q) = pending {
                pending = nil
                if case .list(let x) = p, case .list(let y) = q {
                    let pair = Equality.Pair(a: ObjectIdentifier(x), b: ObjectIdentifier(y))
                    if x !== y && active.insert(pair).inserted { frames.append(Frame(x: x, y: y, index: 0)) }
                } else {
                    let c = try scalarOrder(p, q, op)
                    if c != .equal { return c }
                }
            }
            guard let top = frames.last else { return .equal }
            if top.index < min(top.x.items.count, top.y.items.count) {
                frames[frames.count - 1].index += 1
                pending = (top.x.items[top.index], top.y.items[top.index])
            } else {
                frames.removeLast()
                active.remove(Equality.Pair(a: ObjectIdentifier(top.x), b: ObjectIdentifier(top.y)))
                let (m, n) = (top.x.items.count, top.y.items.count)
                if m != n { return m < n ? .less : .greater }
            }
        }
    }

    /// The order of two values that are not both lists.
    static func scalarOrder(_ a: Value, _ b: Value, _ op: ComparisonOperator) throws -> Ordering {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? .less : (x == y ? .equal : .greater)
        case (.string(let x), .string(let y)): return x < y ? .less : (x == y ? .equal : .greater)
        default:
            if let x = a.numberValue, let y = b.numberValue, !isBool(a), !isBool(b) {
                if x < y { return .less }
                if x > y { return .greater }
                return x == y ? .equal : .unordered
            }
            throw runtimeError("cannot compare \(a.typeName) and \(b.typeName) with `\(op.rawValue)`", kind: "type")
        }
    }

    static func isBool(_ v: Value) -> Bool { if case .bool = v { return true }; return false }
}
