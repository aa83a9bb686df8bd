// The value of a Whittle expression: scalars inline, containers and natives by reference.
import Lang

/// A Whittle value.
///
/// `null`, `bool`, `int` and `float` carry no reference counting. `string` is an immutable Swift
/// string. `list` and `record` are references (mutation is shared, as the language says); `range`,
/// functions and errors are immutable references; `native` holds any Core object bridged by Builtins.
public enum Value {
    /// `nil`.
    case null
    case bool(Bool)
    /// 64-bit; arithmetic overflow is an error.
    case int(Int)
    /// 64-bit IEEE.
    case float(Double)
    case string(String)
    case list(ListObject)
    case record(RecordObject)
    case range(RangeObject)
    /// A user function or closure.
    case closure(Closure)
    /// A built-in function (or a native object's bound method).
    case builtin(BuiltinFunction)
    /// A caught error (`catch e`).
    case error(ErrorObject)
    /// A Core object bridged into the language (tensor, net, dataset, ...).
    case native(NativeObject)

    /// The name `type(x)` returns.
    public var typeName: String {
        switch self {
        case .null: return "Nil"
        case .bool: return "Bool"
        case .int: return "Int"
        case .float: return "Float"
        case .string: return "String"
        case .list: return "List"
        case .record: return "Record"
        case .range: return "Range"
        case .closure, .builtin: return "Function"
        case .error: return "Error"
        case .native(let n): return n.typeName
        }
    }

    /// The number this value stands for: an Int, a Float, or a native with a scalar value (a 0-d
    /// tensor). Bools are not numbers.
    @inlinable
    public var numberValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let f): return f
        case .native(let n): return n.scalarValue
        default: return nil
        }
    }

    /// True for the cases without a reference (nothing to release when overwritten).
    @inline(__always)
    var isScalar: Bool {
        switch self {
        case .null, .bool, .int, .float: return true
        default: return false
        }
    }

    /// True for `nil`.
    public var isNil: Bool { if case .null = self { return true }; return false }

    /// Makes a list value.
    public static func list(_ items: [Value]) -> Value { .list(ListObject(items)) }

    /// Makes a record value from ordered pairs.
    public static func record(_ pairs: [(String, Value)]) -> Value { .record(RecordObject(pairs)) }
}

/// A mutable list shared by reference.
public final class ListObject {
    public var items: [Value]
    public init(_ items: [Value] = []) { self.items = items }
    deinit { Teardown.release(&items) }
}

/// A mutable record with ordered string keys, shared by reference.
public final class RecordObject {
    public private(set) var keys: [String] = []
    public private(set) var values: [Value] = []
    private var positions: [String: Int] = [:]

    public init(_ pairs: [(String, Value)] = []) {
        for (k, v) in pairs { self[k] = v }
    }

    deinit { Teardown.release(&values) }

    /// Moves the values out (for `Teardown`), leaving the record without keys.
    func takeValues() -> [Value] {
        let out = values
        keys = []
        values = []
        positions = [:]
        return out
    }

    public var count: Int { keys.count }

    /// The value for `key`, or nil when absent; setting appends new keys at the end.
    public subscript(key: String) -> Value? {
        get { positions[key].map { values[$0] } }
        set {
            if let i = positions[key] {
                if let newValue { values[i] = newValue } else { remove(at: i) }
            } else if let newValue {
                positions[key] = keys.count
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    private func remove(at i: Int) {
        positions[keys[i]] = nil
        keys.remove(at: i)
        values.remove(at: i)
        for j in i..<keys.count { positions[keys[j]] = j }
    }

    /// Key-value pairs in order.
    public var pairs: [(String, Value)] { Array(zip(keys, values)) }
}

/// A lazy integer range `start..<end` by `step` (never 0).
public final class RangeObject {
    public let start: Int
    public let end: Int
    public let step: Int

    /// `step` must not be 0 (checked by the callers that take it from users).
    public init(start: Int, end: Int, step: Int = 1) {
        self.start = start
        self.end = end
        self.step = step == 0 ? 1 : step
    }

    /// The exact number of elements (a reversed range is empty). Unsigned, because
    /// `Int.min..<Int.max` has 2⁶⁴ − 1 of them; no bounds or step (even `Int.min`) can overflow.
    public var length: UInt {
        if step > 0 {
            guard end > start else { return 0 }
            return (UInt(bitPattern: end &- start) - 1) / step.magnitude + 1
        } else {
            guard end < start else { return 0 }
            return (UInt(bitPattern: start &- end) - 1) / step.magnitude + 1
        }
    }

    /// The number of elements, for loops and copies; past `Int.max` it is `Int.max` (such a loop
    /// never ends anyway). Anything that reports or indexes by the length uses `length` instead.
    public var count: Int { Int(clamping: length) }

    /// The i-th element, for 0 <= i < count.
    public func element(_ i: Int) -> Int { start &+ i &* step }

    /// The i-th element, for 0 <= i < length. Two's-complement wrapping gives the exact element,
    /// because every element lies between `start` and `end`.
    public func element(at i: UInt) -> Int { start &+ Int(bitPattern: i &* UInt(bitPattern: step)) }

    /// The element at script index `i` (negative counts from the end), or nil when out of range.
    public func element(index i: Int) -> Int? {
        let n = length
        if i >= 0 { return UInt(i) < n ? element(at: UInt(i)) : nil }
        return i.magnitude <= n ? element(at: n - i.magnitude) : nil
    }

    /// True when the Int `x` is one of the elements.
    public func contains(_ x: Int) -> Bool {
        if step > 0 {
            guard x >= start && x < end else { return false }
            return UInt(bitPattern: x &- start) % step.magnitude == 0
        }
        guard x <= start && x > end else { return false }
        return UInt(bitPattern: start &- x) % step.magnitude == 0
    }
}

/// A mutable box holding a variable captured by a closure.
public final class Cell {
    public var value: Value
    public init(_ value: Value = .null) { self.value = value }
}

/// A caught error as a value: `e.message`, `e.kind`, `e.file`, `e.line`, `e.column`, `e.trace`.
public final class ErrorObject {
    public let error: RuntimeError
    public init(_ error: RuntimeError) { self.error = error }
}
