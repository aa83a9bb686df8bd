// Bound arguments of a built-in call, and the helpers that read them and own the error wording.
import Lang

/// The arguments of one built-in call, bound to its parameters (defaults filled in).
///
/// Read them by name through the typed helpers (`a.double("lr")`), so adding a parameter never
/// shifts the others: each throws "`zeros`: argument 1 (`shape`) expects Int or List, got String" on
/// a bad value, so every built-in words its errors the same way.
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

    /// The value of parameter `i` (its default when omitted); for the interpreter's binding and
    /// for computed defaults. Built-in bodies read parameters by name.
    public subscript(_ i: Int) -> Value { i < values.count ? values[i] : .null }

    /// The value of the parameter named `name` (nil when there is none).
    public subscript(_ name: String) -> Value {
        guard let i = spec.parameters.firstIndex(where: { $0.name == name }) else { return .null }
        return self[i]
    }

    /// The position of the parameter named `name`.
    ///
    /// - Throws: an `internal` error when the spec has no such parameter: a misspelt name in a
    ///   built-in's body, which `ArgumentNameTests` catches for every registered spec.
    public func position(_ name: String) throws -> Int {
        if let i = spec.parameters.firstIndex(where: { $0.name == name }) { return i }
        throw runtimeError("\(qualifiedName): internal error: the body reads `\(name)`, which is not a parameter of `\(spec.signature)`",
                           kind: "internal")
    }

    /// True when the caller passed parameter `name` (not just its default).
    public func isGiven(_ name: String) -> Bool {
        guard let i = spec.parameters.firstIndex(where: { $0.name == name }) else { return false }
        return i < given.count && given[i]
    }

    /// "`name`" or "`Type.name`" for messages.
    public var qualifiedName: String {
        if let receiver { return "`\(receiver.typeName).\(spec.name)`" }
        return "`\(spec.name)`"
    }

    /// "argument 2 (`lr`)" for messages (the position counts from 1).
    private func argumentLabel(_ name: String) -> String {
        guard let i = spec.parameters.firstIndex(where: { $0.name == name }) else { return "argument `\(name)`" }
        return "argument \(i + 1) (`\(name)`)"
    }

    /// The standard bad-argument error for parameter `name`.
    public func typeError(_ name: String, expected: String? = nil, got value: Value? = nil) -> RuntimeError {
        let p = spec.parameters.first { $0.name == name }
        let wanted = expected ?? (p?.type.isEmpty == false ? p?.type : nil) ?? "another type"
        let v = value ?? self[name]
        return runtimeError("\(qualifiedName): \(argumentLabel(name)) expects \(wanted), got \(v.typeName)", kind: "type")
    }

    /// A bad-value error for parameter `name` ("`seed`: argument 1 (`n`) must be >= 0").
    public func valueError(_ name: String, _ message: String) -> RuntimeError {
        runtimeError("\(qualifiedName): \(argumentLabel(name)) \(message)", kind: "value")
    }

    // MARK: - Typed readers

    /// Parameter `name` as an Int (integral Floats and 0-d tensors accepted).
    public func int(_ name: String) throws -> Int {
        let v = self[try position(name)]
        switch v {
        case .int(let n): return n
        case .float(let f) where f == f.rounded() && abs(f) < 9.2e18: return Int(f)
        case .native(let n):
            if let d = n.scalarValue, d == d.rounded(), abs(d) < 9.2e18 { return Int(d) }
        default: break
        }
        throw typeError(name, expected: "Int")
    }

    /// Parameter `name` as an Int, or nil when it is nil.
    public func optionalInt(_ name: String) throws -> Int? { try optional(name, int) }

    /// Parameter `name` as a Double (Ints and 0-d tensors accepted; not Bools).
    public func double(_ name: String) throws -> Double {
        if let d = self[try position(name)].numberValue { return d }
        throw typeError(name, expected: "Float")
    }

    /// Parameter `name` as a Double, or nil when it is nil.
    public func optionalDouble(_ name: String) throws -> Double? { try optional(name, double) }

    /// Parameter `name` as a Bool.
    public func bool(_ name: String) throws -> Bool {
        if case .bool(let b) = self[try position(name)] { return b }
        throw typeError(name, expected: "Bool")
    }

    /// Parameter `name` as a String.
    public func string(_ name: String) throws -> String {
        if case .string(let s) = self[try position(name)] { return s }
        throw typeError(name, expected: "String")
    }

    /// Parameter `name` as a String, or nil when it is nil.
    public func optionalString(_ name: String) throws -> String? { try optional(name, string) }

    /// nil when parameter `name` is nil, else what `read` makes of it.
    private func optional<T>(_ name: String, _ read: (String) throws -> T) throws -> T? {
        self[try position(name)].isNil ? nil : try read(name)
    }

    /// Parameter `name` as a List (a reference: mutations are seen by the caller).
    public func list(_ name: String) throws -> ListObject {
        if case .list(let l) = self[try position(name)] { return l }
        throw typeError(name, expected: "List")
    }

    /// Parameter `name` as a Record (a reference).
    public func record(_ name: String) throws -> RecordObject {
        if case .record(let r) = self[try position(name)] { return r }
        throw typeError(name, expected: "Record")
    }

    /// A function value (user closure, built-in, or callable native) to call back.
    public func function(_ name: String) throws -> Value {
        let v = self[try position(name)]
        switch v {
        case .closure, .builtin, .native: return v
        default: throw typeError(name, expected: "Function")
        }
    }

    /// A native object of type `T`.
    public func native<T: NativeObject>(_ name: String, as type: T.Type, expected: String? = nil) throws -> T {
        if case .native(let n) = self[try position(name)], let t = n as? T { return t }
        throw typeError(name, expected: expected)
    }

    /// A native object of type `T`, or nil when the argument is nil.
    public func optionalNative<T: NativeObject>(_ name: String, as type: T.Type, expected: String? = nil) throws -> T? {
        if self[try position(name)].isNil { return nil }
        return try native(name, as: type, expected: expected)
    }

    /// A shape: several Ints in the variadic parameter `name`, or one List (or Range) of Ints.
    public func shape(_ name: String) throws -> [Int] {
        let i = try position(name)
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
                throw runtimeError("\(qualifiedName): argument \(i + k + 1) (`\(name)`) expects Int or List, got \(v.typeName)",
                                   kind: "type")
            }
        }
        return dims
    }

    /// Every element of an iterable argument (list, range, tensor rows, record keys, ...).
    public func elements(_ name: String) throws -> [Value] {
        let v = self[try position(name)]
        do {
            return try interpreter.elements(of: v)
        } catch let e as RuntimeError where e.kind == "type" && !isIterable(v) {
            throw typeError(name, expected: "an iterable (List, Range, ...)")
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
