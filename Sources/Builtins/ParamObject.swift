// The language's Param: a network's trainable tensor, a reference with value, grad, role, path.
import Core
import Interpreter
import Lang

/// A parameter of a network, shared by reference with the network it belongs to.
///
/// Accepted wherever a tensor is: inside a differentiation call it enters the tape as the
/// parameter's own leaf (so `grad` reaches `param.grad`); elsewhere it stands for its value.
public final class ParamObject: NativeObject {
    let param: Param<Float>
    /// The other paths of a shared parameter, when it was listed from a net (`params(net)`).
    let aliases: [String]

    init(_ param: Param<Float>, aliases: [String] = []) {
        self.param = param
        self.aliases = aliases
    }

    public var typeName: String { "Param" }

    /// The tensor this parameter stands for in an expression.
    var asTensor: TensorObject {
        if let tape = AutogradContext.current { return TensorObject(node: tape.variable(for: param)) }
        return TensorObject(param.value)
    }

    public func binary(_ op: Lang.BinaryOperator, _ other: Value, reversed: Bool) throws -> Value? {
        try asTensor.binary(op, other, reversed: reversed)
    }
    public func unary(_ op: Lang.UnaryOperator) throws -> Value? { try asTensor.unary(op) }
    public func compare(_ op: ComparisonOperator, _ other: Value, reversed: Bool) throws -> Value? {
        if case .native(let o) = other, o === self {
            if op == .equal { return .bool(true) }
            if op == .notEqual { return .bool(false) }
        }
        return try asTensor.compare(op, other, reversed: reversed)
    }
    public func subscriptGet(_ indices: [SubscriptIndex]) throws -> Value { try asTensor.subscriptGet(indices) }

    /// `p[i] = v` writes into the parameter's value in place (a Param is a reference).
    public func subscriptSet(_ indices: [SubscriptIndex], to value: Value) throws -> NativeObject {
        let updated = try TensorObject(param.value).subscriptSet(indices, to: value)
        if let t = updated as? TensorObject { param.value = t.tensor }
        return self
    }

    public var memberTable: MemberTable? { ParamMembers.table }

    public func makeIterator() throws -> AnyIterator<Value> { try TensorObject(param.value).makeIterator() }

    public func isEqual(to other: Value) -> Bool {
        if case .native(let o) = other, o === self { return true }
        return false
    }

    public func render(width: Int) -> String {
        let frozen = param.isFrozen ? ", frozen" : ""
        let shared = aliases.isEmpty ? "" : ", also \(aliases.joined(separator: ", "))"
        return "Param \(param.path) (\(param.role.name)\(frozen)\(shared))\n" + TensorRendering.render(param.value, width: width)
    }

    public var byteSize: Int { (param.value.count + (param.grad?.count ?? 0)) * 4 + 96 }

    public var scalarValue: Double? { param.value.rank == 0 ? Double(param.value.scalars[0]) : nil }

    /// `copy(p)` gives the value as a plain tensor: a parameter detached from its network.
    public func copy() throws -> NativeObject { TensorObject(param.value) }
}

/// The fields of `Param`.
enum ParamMembers {
    static let table = MemberTable(
        typeName: "Param",
        summary: "A network's trainable tensor: a reference shared with its network.",
        fields: [
            FieldSpec("value", "Tensor", summary: "the current value (assignable; the shape must stay)",
                      get: { .tensor(($0 as! ParamObject).param.value) },
                      set: { obj, v in
                          let p = (obj as! ParamObject).param
                          guard let t = try TensorConversion.operand(v)?.tensor else {
                              throw runtimeError("Param.value expects a Tensor, got \(v.typeName)", kind: "type")
                          }
                          guard t.shape == p.value.shape else {
                              throw runtimeError("shape mismatch in `Param.value`: \(Tensor<Float>.describe(p.value.shape)) and \(Tensor<Float>.describe(t.shape))", kind: "shape")
                          }
                          p.value = t
                          p.enforceKeepMask()  // entries a mask removed stay zero
                          return obj
                      }),
            FieldSpec("grad", "Tensor or nil", summary: "the gradient of the last differentiation call",
                      get: { (($0 as! ParamObject).param.grad).map { .tensor($0) } ?? .null }),
            FieldSpec("role", "String", summary: "what it is for: weight, bias, bn, mask_logit, ...",
                      get: { .string(($0 as! ParamObject).param.role.name) }),
            FieldSpec("path", "String", summary: "its dotted path in the network, e.g. `3.weight` (the first, when shared)",
                      get: { .string(($0 as! ParamObject).param.path) }),
            FieldSpec("aliases", "List", summary: "the other paths of a parameter several layers share (from `params(net)`)",
                      get: { .list(($0 as! ParamObject).aliases.map { .string($0) }) }),
            FieldSpec("gates", "List", summary: "the gates acting on it, in order, e.g. [\"mask hard\"]",
                      get: { .list(($0 as! ParamObject).param.gates.map { .string($0.summary) }) }),
            FieldSpec("frozen", "Bool", summary: "a frozen parameter gets no gradient and no update",
                      get: { .bool(($0 as! ParamObject).param.isFrozen) },
                      set: { obj, v in
                          guard case .bool(let b) = v else {
                              throw runtimeError("Param.frozen expects Bool, got \(v.typeName)", kind: "type")
                          }
                          (obj as! ParamObject).param.isFrozen = b
                          return obj
                      }),
            FieldSpec("size", "Int", summary: "the number of values (as a tensor's `size`)",
                      get: { .int(($0 as! ParamObject).param.value.count) }),
            FieldSpec("rank", "Int", summary: "the number of axes (as a tensor's `rank`)",
                      get: { .int(($0 as! ParamObject).param.value.rank) }),
            FieldSpec("shape", "List", summary: "the value's shape",
                      get: { .list(($0 as! ParamObject).param.value.shape.map { .int($0) }) }),
        ])
}
