// Dispatch of tensor operations: plain values straight to Core kernels, tracked ones onto the tape.
import Core
import Interpreter
import Lang

/// Runs tensor operations for the language. Each operation is written once on tape variables:
/// plain operands go through a throwaway non-recording tape (which keeps nothing), tracked ones
/// through the tape they live on, so `grad` differentiates any user function without a second
/// implementation of any op.
enum TensorMath {
    /// Applies a differentiable operation to `operands`.
    static func apply(_ operands: [TensorObject],
                      _ op: ([Core.Variable<Float>]) throws -> Core.Variable<Float>) throws -> TensorObject {
        if let tape = operands.lazy.compactMap({ $0.node?.tape }).first {
            let vars = operands.map { o -> Core.Variable<Float> in
                if let n = o.node, n.tape === tape { return n }
                return tape.constant(o.tensor)
            }
            let result = try op(vars)
            return result.requiresGrad ? TensorObject(node: result) : TensorObject(result.value)
        }
        let tape = Tape<Float>(recording: false)
        return TensorObject(try op(operands.map { tape.constant($0.tensor) }).value)
    }

    /// The element-wise operators: the Core kernel for plain values and the tape op for tracked ones.
    static let elementwise: [Lang.BinaryOperator: (Core.BinaryOperator, (Core.Variable<Float>, Core.Variable<Float>) throws -> Core.Variable<Float>)] = [
        .add: (.add, { try $0.adding($1) }),
        .subtract: (.subtract, { try $0.subtracting($1) }),
        .multiply: (.multiply, { try $0.multiplying($1) }),
        .divide: (.divide, { try $0.dividing($1) }),
        .power: (.power, { try $0.power($1) }),
    ]

    /// `a op b` for the language's arithmetic operators.
    static func binary(_ op: Lang.BinaryOperator, _ a: TensorObject, _ b: TensorObject) throws -> TensorObject {
        let tracked = a.node != nil || b.node != nil
        switch op {
        case .matmul:
            guard a.tensor.rank >= 1, b.tensor.rank >= 1 else {
                throw CoreError.shapeMismatch(op: "@", shapes: [a.tensor.shape, b.tensor.shape],
                                              message: "`@` needs tensors of rank 1 or more, got \(Tensor<Float>.describe(a.tensor.shape)) @ \(Tensor<Float>.describe(b.tensor.shape))")
            }
            return tracked ? try apply([a, b]) { try $0[0].matmul($0[1]) } : TensorObject(try a.tensor.matmul(b.tensor))
        case .floorDivide, .modulo:
            // Piecewise constant (floor) or with the gradient of `a` only: computed on values.
            let q = try a.tensor.binary(.divide, b.tensor).map { $0.rounded(.down) }
            if op == .floorDivide { return TensorObject(q) }
            return TensorObject(try a.tensor.binary(.subtract, try q.binary(.multiply, b.tensor)))
        default:
            guard let (plain, recorded) = elementwise[op] else {
                throw runtimeError("`\(op.rawValue)` is not defined on tensors", kind: "type")
            }
            return tracked ? try apply([a, b]) { try recorded($0[0], $0[1]) } : TensorObject(try a.tensor.binary(plain, b.tensor))
        }
    }

    /// `t[indices]`: a copy of the selected region; on a tracked tensor the selection is recorded.
    static func subscriptGet(_ t: TensorObject, _ indices: [SubscriptIndex]) throws -> TensorObject {
        let core = try TensorConversion.coreIndices(indices)
        guard let node = t.node else { return TensorObject(try t.tensor.slice(core)) }
        let shape = node.shape
        guard core.count <= shape.count else {
            throw CoreError.badArgument(op: "index", message: "\(core.count) indices for a tensor of rank \(shape.count)")
        }
        var ranges: [SliceRange] = []
        var kept: [Int] = []
        for (axis, index) in core.enumerated() {
            switch index {
            case let .slice(start, stop, step):
                ranges.append(SliceRange(start, stop, step: step ?? 1))
                kept.append(axis)
            case .index(let i):
                let n = shape[axis]
                let k = i < 0 ? i + n : i
                guard k >= 0, k < n else {
                    throw CoreError.badArgument(op: "index",
                        message: "index \(i) is out of range for axis \(axis) of extent \(n) in shape \(Tensor<Float>.describe(shape))")
                }
                ranges.append(SliceRange(k, k + 1))
            }
        }
        let dropped = Set(0..<core.count).subtracting(kept)
        return try apply([t]) { v in
            let s = try v[0].sliced(ranges)
            guard !dropped.isEmpty else { return s }
            let newShape = s.shape.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
            return try s.reshaped(newShape)
        }
    }

    /// An element-wise function: differentiable ones on the tape, the others on values.
    static func unary(_ name: String, _ t: TensorObject) throws -> TensorObject {
        switch name {
        case "exp": return try apply([t]) { $0[0].exp() }
        case "log": return try apply([t]) { $0[0].log() }
        case "sqrt": return try apply([t]) { $0[0].sqrt() }
        case "abs": return try apply([t]) { $0[0].abs() }
        case "relu": return try apply([t]) { $0[0].relu() }
        case "sigmoid": return try apply([t]) { $0[0].sigmoid() }
        case "tanh": return try apply([t]) { $0[0].tanh() }
        case "sign": return TensorObject(t.tensor.unary(.sign))
        case "round": return TensorObject(t.tensor.unary(.round))
        default: throw runtimeError("unknown element-wise function `\(name)`", kind: "value")
        }
    }

    /// A reduction over every element (a 0-d result) or over `axis`.
    static func reduce(_ op: ReductionOperator, _ t: TensorObject, axis: Int?, keepDims: Bool) throws -> TensorObject {
        switch op {
        case .sum: return try apply([t]) { try $0[0].sum(axis: axis, keepDims: keepDims) }
        case .mean: return try apply([t]) { try $0[0].mean(axis: axis, keepDims: keepDims) }
        case .max: return try apply([t]) { try $0[0].max(axis: axis, keepDims: keepDims) }
        case .min: return try apply([t]) { try $0[0].negated().max(axis: axis, keepDims: keepDims).negated() }
        case .variance, .std:
            guard t.node != nil else { return TensorObject(try t.tensor.reduce(op, axis: axis, keepDims: keepDims)) }
            return try apply([t]) { v in
                let centred = try v[0].subtracting(try v[0].mean(axis: axis, keepDims: true))
                let variance = try centred.multiplying(centred).mean(axis: axis, keepDims: keepDims)
                return op == .std ? variance.sqrt() : variance
            }
        default:
            return TensorObject(try t.tensor.reduce(op, axis: axis, keepDims: keepDims))
        }
    }
}
