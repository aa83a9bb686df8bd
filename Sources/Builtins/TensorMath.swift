// Dispatch of tensor operations: plain values straight to Core kernels, tracked ones onto the tape.
import Core
import Runtime
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
            let vars = try operands.map { o -> Core.Variable<Float> in
                if let n = o.node, n.tape === tape { return n }
                // A node of another (enclosing) `grad` call would silently become a constant.
                if o.node?.requiresGrad == true { throw nestedGradient() }
                return tape.constant(o.tensor)
            }
            let result = try op(vars)
            return result.requiresGrad ? TensorObject(node: result) : TensorObject(result.value)
        }
        let tape = Tape<Float>(recording: false)
        return TensorObject(try op(operands.map { tape.constant($0.tensor) }).value)
    }

    /// The error for a gradient of a gradient: the inner call's result would be a constant to
    /// the outer one, so the second derivative would silently be 0.
    static func nestedGradient() -> RuntimeError {
        runtimeError("`grad` inside `grad` is not supported: the inner gradient would be a constant to the outer call, so the second derivative would be 0; differentiate a closed-form derivative instead",
                     kind: "value")
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
            return tracked ? try apply([a, b]) { try $0[0].matmul($0[1]) }
                : TensorObject(try a.tensor.matmul(b.tensor, token: CancellationToken.running))
        case .floorDivide:
            // Piecewise constant: a zero gradient almost everywhere, computed on values.
            return TensorObject(try a.tensor.binary(.divide, b.tensor).unary(.floor))
        case .modulo:
            // a − floor(a / b)·b with the quotient a constant: ∂/∂a = 1, ∂/∂b = −floor(a / b).
            let q = try a.tensor.binary(.divide, b.tensor).unary(.floor)
            return try apply([a, b]) { v in try v[0].subtracting(v[0].constant(q).multiplying(v[1])) }
        default:
            guard let (plain, recorded) = elementwise[op] else {
                throw runtimeError("`\(op.rawValue)` is not defined on tensors", kind: "type")
            }
            return tracked ? try apply([a, b]) { try recorded($0[0], $0[1]) } : TensorObject(try a.tensor.binary(plain, b.tensor))
        }
    }

    /// `t[indices]`: a copy of the selected region; on a tracked tensor the selection is recorded.
    ///
    /// An index list or a rank-1 tensor of indices at an axis gathers those entries in that order
    /// (`t[[2, 0]]`, `t[topk(x, 2).indices]`); several such axes each select independently.
    static func subscriptGet(_ t: TensorObject, _ indices: [SubscriptIndex]) throws -> TensorObject {
        var basic = indices
        var gathers: [(axis: Int, rows: [Int])] = []
        var droppedBefore = 0
        for (axis, index) in indices.enumerated() {
            guard case .index(let v) = index else { continue }
            if let rows = try TensorConversion.indexList(v) {
                let size = axis < t.tensor.rank ? t.tensor.shape[axis] : 0
                let rows = try maskOrIndices(v, rows, axisSize: size)
                gathers.append((axis - droppedBefore, rows))
                basic[axis] = .slice(start: nil, stop: nil, step: nil)
            } else {
                droppedBefore += 1   // an Int index drops its axis
            }
        }
        var result = try basicSubscript(t, basic)
        for g in gathers {
            result = try apply([result]) { try $0[0].taking(g.rows, axis: g.axis) }
        }
        return result
    }

    /// The positions a gathering subscript selects. A comparison's result (`t[t > 0]`) is a mask:
    /// the positions where it is 1, and its length must be the axis'. An untagged tensor of 0s and
    /// 1s as long as the axis could be either, so it is refused rather than guessed (a silent
    /// wrong answer either way); a List is always indices.
    static func maskOrIndices(_ v: Value, _ rows: [Int], axisSize: Int) throws -> [Int] {
        guard case .native(let n) = v, let t = n as? TensorObject else { return rows }
        let binary = rows.allSatisfy { $0 == 0 || $0 == 1 }
        if t.isMask {
            guard rows.count == axisSize else {
                throw runtimeError("a mask subscript has \(rows.count) entries, the axis \(axisSize)", kind: "shape")
            }
            return rows.indices.filter { rows[$0] != 0 }
        }
        if binary, rows.count == axisSize, axisSize > 2 {
            throw runtimeError("a tensor of 0s and 1s as long as the axis could be a mask or indices: use a comparison (`t[m > 0]`) to select where it is 1, or a List of Ints to gather those rows",
                               kind: "value")
        }
        return rows
    }

    /// `t[indices]` for Int and slice indices.
    private static func basicSubscript(_ t: TensorObject, _ indices: [SubscriptIndex]) throws -> TensorObject {
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

    /// An element-wise function: differentiable ones on the tape, the piecewise-constant ones
    /// (zero gradient almost everywhere) on values.
    static func unary(_ op: Core.UnaryOperator, _ t: TensorObject) throws -> TensorObject {
        switch op {
        case .exp: return try apply([t]) { $0[0].exp() }
        case .log: return try apply([t]) { $0[0].log() }
        case .log2: return try apply([t]) { $0[0].log2() }
        case .sqrt: return try apply([t]) { $0[0].sqrt() }
        case .abs: return try apply([t]) { $0[0].abs() }
        case .relu: return try apply([t]) { $0[0].relu() }
        case .sigmoid: return try apply([t]) { $0[0].sigmoid() }
        case .softplus: return try apply([t]) { $0[0].softplus() }
        case .logSigmoid: return try apply([t]) { $0[0].logSigmoid() }
        case .tanh: return try apply([t]) { $0[0].tanh() }
        case .sin: return try apply([t]) { $0[0].sin() }
        case .cos: return try apply([t]) { $0[0].cos() }
        case .acos: return try apply([t]) { $0[0].acos() }
        case .erf: return try apply([t]) { $0[0].erf() }
        case .negate: return try apply([t]) { $0[0].negated() }
        case .sign, .round, .floor, .ceil: return TensorObject(t.tensor.unary(op))
        }
    }

    /// Raises "`name` has no gradient" when a tensor the operation reads is being differentiated,
    /// so `grad` never silently returns zeros through an operation that is computed on values.
    static func requireNoGradient(_ name: String, _ operands: [TensorObject]) throws {
        if operands.contains(where: { $0.node?.requiresGrad == true }) {
            throw runtimeError("`\(name)` has no gradient; call it outside `grad`, or on `detach(x)` to use its value as a constant",
                               kind: "value")
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
