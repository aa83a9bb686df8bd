// Bound arguments of a built-in call, and the helpers that read them and own the error wording.
import Lang

/// The arguments of one built-in call, bound to its parameters (defaults filled in).
///
/// Read them through the typed helpers: each throws "`zeros`: argument 1 (`shape`) expects Int or
/// List, got String" on a bad value, so every built-in words its errors the same way.
public struct Arguments {
    /// The registration being called.
    public let spec: BuiltinSpec
    /// The running interpreter: output, globals, `call` for callbacks, session extensions.
    public let interpreter: Interpreter
    /// The object a method was called on; nil for plain built-ins.
    public let receiver: Value?
    /// One entry per parameter, in order; nil only for an omitted variadic.
    public internal(set) var values: [Value]
    /// The values taken by the variadic parameter.
    public internal(set) var variadic: [Value]
    /// Which parameters the caller passed explicitly.
    public internal(set) var given: [Bool]

    /// The value of parameter `i` (its default when omitted).
    public subscript(_ i: Int) -> Value { i < values.count ? values[i] : .null }

    /// The value of the parameter named `name` (nil when there is none).
    public subscript(_ name: String) -> Value {
        guard let i = spec.parameters.firstIndex(where: { $0.name == name }) else { return .null }
        return self[i]
    }

    /// True when the caller passed parameter `i` (not just its default).
    public func isGiven(_ i: Int) -> Bool { i < given.count && given[i] }

    /// "`name`" or "`Type.name`" for messages.
    public var qualifiedName: String {
        if let receiver { return "`\(receiver.typeName).\(spec.name)`" }
        return "`\(spec.name)`"
    }

    /// The standard bad-argument error for parameter `i`.
    public func typeError(_ i: Int, expected: String? = nil, got value: Value? = nil) -> RuntimeError {
        let p = i < spec.parameters.count ? spec.parameters[i] : nil
        let wanted = expected ?? (p?.type.isEmpty == false ? p?.type : nil) ?? "another type"
        let v = value ?? self[i]
        return runtimeError("\(qualifiedName): argument \(i + 1) (`\(p?.name ?? "?")`) expects \(wanted), got \(v.typeName)",
                            kind: "type")
    }

    /// A bad-value error for parameter `i` ("`seed`: argument 1 (`n`) must be >= 0").
    public func valueError(_ i: Int, _ message: String) -> RuntimeError {
        let p = i < spec.parameters.count ? spec.parameters[i].name : "?"
        return runtimeError("\(qualifiedName): argument \(i + 1) (`\(p)`) \(message)", kind: "value")
    }

    // MARK: - Typed readers

    /// Parameter `i` as an Int (integral Floats and 0-d tensors accepted).
    public func int(_ i: Int) throws -> Int {
        let v = self[i]
        switch v {
        case .int(let n): return n
        case .float(let f) where f == f.rounded() && abs(f) < 9.2e18: return Int(f)
        case .native(let n):
            if let d = n.scalarValue, d == d.rounded(), abs(d) < 9.2e18 { return Int(d) }
        default: break
        }
        throw typeError(i, expected: "Int")
    }

    /// Parameter `i` as an Int, or nil when it is nil.
    public func optionalInt(_ i: Int) throws -> Int? { self[i].isNil ? nil : try int(i) }

    /// Parameter `i` as a Double (Ints and 0-d tensors accepted; not Bools).
    public func double(_ i: Int) throws -> Double {
        if let d = self[i].numberValue { return d }
        throw typeError(i, expected: "Float")
    }

    /// Parameter `i` as a Double, or nil when it is nil.
    public func optionalDouble(_ i: Int) throws -> Double? { self[i].isNil ? nil : try double(i) }

    /// Parameter `i` as a Bool.
    public func bool(_ i: Int) throws -> Bool {
        if case .bool(let b) = self[i] { return b }
        throw typeError(i, expected: "Bool")
    }

    /// Parameter `i` as a String.
    public func string(_ i: Int) throws -> String {
        if case .string(let s) = self[i] { return s }
        throw typeError(i, expected: "String")
    }

    /// Parameter `i` as a String, or nil when it is nil.
    public func optionalString(_ i: Int) throws -> String? { self[i].isNil ? nil : try string(i) }

    /// Parameter `i` as a List (a reference: mutations are seen by the caller).
    public func list(_ i: Int) throws -> ListObject {
        if case .list(let l) = self[i] { return l }
        throw typeError(i, expected: "List")
    }

    /// Parameter `i` as a Record (a reference).
    public func record(_ i: Int) throws -> RecordObject {
        if case .record(let r) = self[i] { return r }
        throw typeError(i, expected: "Record")
    }

    /// A function value (user closure, built-in, or callable native) to call back.
    public func function(_ i: Int) throws -> Value {
        switch self[i] {
        case .closure, .builtin: return self[i]
        case .native: return self[i]
        default: throw typeError(i, expected: "Function")
        }
    }

    /// A native object of type `T`.
    public func native<T: NativeObject>(_ i: Int, as type: T.Type, expected: String? = nil) throws -> T {
        if case .native(let n) = self[i], let t = n as? T { return t }
        throw typeError(i, expected: expected)
    }

    /// A native object of type `T`, or nil when the argument is nil.
    public func optionalNative<T: NativeObject>(_ i: Int, as type: T.Type, expected: String? = nil) throws -> T? {
        if self[i].isNil { return nil }
        return try native(i, as: type, expected: expected)
    }

    /// A shape: several Ints in the variadic parameter, or one List (or Range) of Ints.
    /// `i` is the variadic parameter's index, used in messages.
    public func shape(_ i: Int) throws -> [Int] {
        var items = variadic
        if items.count == 1 {
            switch items[0] {
            case .list(let l): items = l.items
            case .range(let r):
                return (0..<min(r.count, 64)).map { r.element($0) }
            default: break
            }
        }
        var dims: [Int] = []
        for (k, v) in items.enumerated() {
            switch v {
            case .int(let n): dims.append(n)
            case .native(let o) where o.scalarValue.map { $0 == $0.rounded() && abs($0) < 9.2e18 } == true:
                dims.append(Int(o.scalarValue ?? 0))
            default:
                let p = i < spec.parameters.count ? spec.parameters[i].name : "?"
                throw runtimeError("\(qualifiedName): argument \(i + k + 1) (`\(p)`) expects Int or List, got \(v.typeName)",
                                   kind: "type")
            }
        }
        return dims
    }

    /// Every element of an iterable argument (list, range, tensor rows, record keys, ...).
    public func elements(_ i: Int) throws -> [Value] {
        do {
            return try interpreter.elements(of: self[i])
        } catch let e as RuntimeError where e.kind == "type" && !isIterable(self[i]) {
            throw typeError(i, expected: "an iterable (List, Range, ...)")
        }
    }

    private func isIterable(_ v: Value) -> Bool {
        switch v {
        case .list, .range, .string, .record, .native: return true
        default: return false
        }
    }

    /// Calls a function value with positional arguments (and named ones), as user code would.
    public func call(_ function: Value, _ positional: [Value], named: [(name: String, value: Value)] = []) throws -> Value {
        try interpreter.call(function, CallArguments(positional, named: named), site: nil)
    }
}
