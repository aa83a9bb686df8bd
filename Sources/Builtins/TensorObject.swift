// The language's Tensor value: a Core tensor (or a node on the active tape) bridged as a NativeObject.
import Core
import Interpreter
import Lang

/// A Float32 tensor as the language sees it.
///
/// Outside differentiation a tensor is a plain `Tensor<Float>` value (copy-on-write; the box is
/// immutable, so `a = b; a[0] = 1` makes a new box and leaves `b` alone). Inside `grad`, `step` or
/// `fit`, a tensor that depends on the inputs is a node of the call's tape, so every operation on
/// it is recorded; it becomes a plain value again when the call returns.
public final class TensorObject: NativeObject {
    /// A tracked tensor's node, or nil for a plain value.
    let node: Core.Variable<Float>?
    private let plain: Tensor<Float>?
    /// True for the 0/1 result of a comparison (`t > 0`): as a subscript it selects where it is 1,
    /// as NumPy's boolean masks do, instead of gathering rows 0 and 1.
    let isMask: Bool

    init(_ tensor: Tensor<Float>, isMask: Bool = false) {
        plain = tensor
        node = nil
        self.isMask = isMask
    }

    init(node: Core.Variable<Float>) {
        self.node = node
        plain = nil
        isMask = false
    }

    /// The current value (a tracked tensor's value on its tape).
    var tensor: Tensor<Float> { plain ?? node?.value ?? Tensor(scalar: 0) }

    public var typeName: String { "Tensor" }

    // MARK: - Operators

    public func binary(_ op: Lang.BinaryOperator, _ other: Value, reversed: Bool) throws -> Value? {
        guard let rhs = try TensorConversion.operand(other) else { return nil }
        let (a, b) = reversed ? (rhs, self) : (self, rhs)
        return .native(try TensorMath.binary(op, a, b))
    }

    public func unary(_ op: Lang.UnaryOperator) throws -> Value? {
        .native(try TensorMath.apply([self]) { v in v[0].negated() })
    }

    public func compare(_ op: ComparisonOperator, _ other: Value, reversed: Bool) throws -> Value? {
        guard let rhs = try TensorConversion.operand(other) else {
            // A tensor is never equal to a non-numeric value.
            switch op {
            case .equal: return .bool(false)
            case .notEqual: return .bool(true)
            default: return nil
            }
        }
        let (a, b) = reversed ? (rhs, self) : (self, rhs)
        let x = a.tensor, y = b.tensor
        // 0-d against 0-d (or a number) is a plain question with a Bool answer: `if loss < best`.
        if x.rank == 0, y.rank == 0 {
            let l = x.scalars[0], r = y.scalars[0]
            switch op {
            case .equal: return .bool(l == r)
            case .notEqual: return .bool(l != r)
            case .less: return .bool(l < r)
            case .lessEqual: return .bool(l <= r)
            case .greater: return .bool(l > r)
            case .greaterEqual: return .bool(l >= r)
            }
        }
        let coreOp: Core.BinaryOperator
        switch op {
        case .equal: coreOp = .equal
        case .notEqual: coreOp = .notEqual
        case .less: coreOp = .less
        case .lessEqual: coreOp = .lessEqual
        case .greater: coreOp = .greater
        case .greaterEqual: coreOp = .greaterEqual
        }
        return .native(TensorObject(try x.binary(coreOp, y), isMask: true))
    }

    // MARK: - Subscripts

    public func subscriptGet(_ indices: [SubscriptIndex]) throws -> Value {
        let result = try TensorMath.subscriptGet(self, indices)
        return .native(result)
    }

    public func subscriptSet(_ indices: [SubscriptIndex], to value: Value) throws -> NativeObject {
        guard node == nil else {
            throw runtimeError("cannot assign into a tensor that is being differentiated; build a new one with `where` or `cat`",
                               kind: "value")
        }
        guard let source = try TensorConversion.operand(value) else {
            throw runtimeError("cannot assign \(value.typeName) into a Tensor", kind: "type")
        }
        var copy = tensor
        try copy.assign(source.tensor, at: try TensorConversion.coreIndices(indices))
        return TensorObject(copy)
    }

    // MARK: - Members

    public var memberTable: MemberTable? { TensorMembers.table }

    public func makeIterator() throws -> AnyIterator<Value> {
        let t = tensor
        guard t.rank > 0 else { throw runtimeError("cannot iterate over a 0-d Tensor", kind: "type") }
        var i = 0
        let n = t.shape[0]
        return AnyIterator {
            guard i < n, let row = try? t.slice([.index(i)]) else { return nil }
            i += 1
            return .native(TensorObject(row))
        }
    }

    public func isEqual(to other: Value) -> Bool {
        guard case .native(let n) = other, let o = n as? TensorObject else { return false }
        let a = tensor, b = o.tensor
        return a.shape == b.shape && a.scalars == b.scalars
    }

    public func render(width: Int) -> String { TensorRendering.render(tensor, width: width) }

    public var byteSize: Int { tensor.count * MemoryLayout<Float>.stride + 64 }

    public var scalarValue: Double? {
        let t = tensor
        return t.rank == 0 ? Double(t.scalars[0]) : nil
    }

    public func copy() throws -> NativeObject { TensorObject(tensor) }
}

extension Value {
    /// Wraps a Core tensor as a language value.
    static func tensor(_ t: Tensor<Float>) -> Value { .native(TensorObject(t)) }
}
