// The bridge protocol: how Core objects (tensors, nets, datasets, ...) behave as Whittle values.
import Lang

/// One index inside `obj[...]`, already evaluated.
public enum SubscriptIndex {
    /// `obj[i]`: any value (Int, String key, a tensor mask, ...).
    case index(Value)
    /// `obj[start:stop:step]`; a missing bound is nil. Bounds are Ints (0-d tensors accepted).
    case slice(start: Int?, stop: Int?, step: Int?)
}

/// A Core object seen from the language. Builtins makes Tensor, Param, Net, Dataset, Optimizer,
/// Search and Run conform; the interpreter needs nothing else to support them.
///
/// Every requirement has a default (in the extension below) that throws "`Type` does not support
/// ...", so a conformance implements only what its type does. Fields and methods normally come from
/// `memberTable` (registered with docs like built-ins); override `field`/`callMethod` for dynamic ones.
///
/// Value semantics: a copy-on-write type (Tensor) must not be mutated in place by `subscriptSet` or
/// `setField`: it returns a new object holding the changed value, and the evaluator stores that
/// object back into the variable, field or element the target came from. A reference type (Net,
/// Param) mutates itself and returns `self`.
public protocol NativeObject: AnyObject {
    /// The name `type(x)` shows (`Tensor`, `Net`).
    var typeName: String { get }

    /// `self op other` (or `other op self` when `reversed`); nil when the operands are not supported,
    /// so the evaluator can try the other operand or report a type error.
    func binary(_ op: BinaryOperator, _ other: Value, reversed: Bool) throws -> Value?
    /// `-self`; nil when unsupported.
    func unary(_ op: UnaryOperator) throws -> Value?
    /// `self op other` (or reversed); may return a native (element-wise tensor comparison); nil when
    /// unsupported. `==`/`!=` fall back to `isEqual` when this returns nil.
    func compare(_ op: ComparisonOperator, _ other: Value, reversed: Bool) throws -> Value?

    /// `self[indices]`.
    func subscriptGet(_ indices: [SubscriptIndex]) throws -> Value
    /// `self[indices] = value`; returns the object to store back (self, or a new box for a value type).
    func subscriptSet(_ indices: [SubscriptIndex], to value: Value) throws -> NativeObject

    /// `self.name`; nil when there is no such field (the evaluator reports it with "did you mean").
    func field(_ name: String) throws -> Value?
    /// `self.name = value`; returns the object to store back (see value semantics above).
    func setField(_ name: String, to value: Value) throws -> NativeObject
    /// Field and method names, for completion and "did you mean".
    var memberNames: [String] { get }
    /// Documented fields and methods (for `?Type.name`, completion and argument binding).
    var memberTable: MemberTable? { get }
    /// `self.name(args)`; nil when there is no such method.
    func callMethod(_ name: String, _ arguments: CallArguments, in interpreter: Interpreter) throws -> Value?

    /// `self(args)` (e.g. `net(x)`).
    func call(_ arguments: CallArguments, in interpreter: Interpreter) throws -> Value
    /// `for x in self`.
    func makeIterator() throws -> AnyIterator<Value>
    /// The parts of `for a, b in [self]` / unpacking into `count` names, when they differ from
    /// iteration (a Dataset iterates examples but unpacks into its `x` and `y`); nil to iterate.
    func destructure(count: Int) throws -> [Value]?
    /// `self == other` for non-native or unsupported comparisons, and inside lists and records.
    func isEqual(to other: Value) -> Bool
    /// The text `print` and the prompt show, at most `width` columns wide where it can.
    func render(width: Int) -> String
    /// Approximate memory held, for `:vars`.
    var byteSize: Int { get }
    /// The number this object stands for (a 0-d tensor), or nil. Such an object is accepted wherever
    /// a number is: arithmetic with numbers, comparisons giving Bool, Int/Float arguments.
    var scalarValue: Double? { get }
    /// A deep copy for `copy(x)`.
    func copy() throws -> NativeObject
}

extension NativeObject {
    public func binary(_ op: BinaryOperator, _ other: Value, reversed: Bool) throws -> Value? { nil }
    public func unary(_ op: UnaryOperator) throws -> Value? { nil }
    public func compare(_ op: ComparisonOperator, _ other: Value, reversed: Bool) throws -> Value? { nil }

    public func subscriptGet(_ indices: [SubscriptIndex]) throws -> Value {
        throw runtimeError("\(typeName) cannot be indexed", kind: "type")
    }
    public func subscriptSet(_ indices: [SubscriptIndex], to value: Value) throws -> NativeObject {
        throw runtimeError("\(typeName) does not support element assignment", kind: "type")
    }

    public var memberTable: MemberTable? { nil }
    public var memberNames: [String] { memberTable?.names ?? [] }

    public func field(_ name: String) throws -> Value? {
        guard let table = memberTable else { return nil }
        if let f = table.field(name) { return try f.getter(self) }
        if let m = table.method(name) { return .builtin(BuiltinFunction(spec: m, receiver: .native(self))) }
        return nil
    }

    public func setField(_ name: String, to value: Value) throws -> NativeObject {
        guard let f = memberTable?.field(name) else {
            throw runtimeError("\(typeName) has no field `\(name)`", kind: "key")
        }
        guard let set = f.setter else {
            throw runtimeError("field `\(name)` of \(typeName) cannot be assigned", kind: "type")
        }
        return try set(self, value)
    }

    public func callMethod(_ name: String, _ arguments: CallArguments, in interpreter: Interpreter) throws -> Value? {
        guard let m = memberTable?.method(name) else { return nil }
        return try interpreter.callBuiltin(m, arguments, receiver: .native(self))
    }

    public func call(_ arguments: CallArguments, in interpreter: Interpreter) throws -> Value {
        throw runtimeError("\(typeName) is not callable", kind: "type")
    }
    public func makeIterator() throws -> AnyIterator<Value> {
        throw runtimeError("cannot iterate over \(typeName)", kind: "type")
    }
    public func destructure(count: Int) throws -> [Value]? { nil }
    public func isEqual(to other: Value) -> Bool {
        if case .native(let o) = other { return o === self }
        return false
    }
    public func render(width: Int) -> String { "<\(typeName)>" }
    public var byteSize: Int { 64 }
    public var scalarValue: Double? { nil }
    public func copy() throws -> NativeObject {
        throw runtimeError("\(typeName) cannot be copied", kind: "type")
    }
}
