// The Differentiation built-ins: grad and value_and_grad of user functions.
import Core
import Interpreter
import Lang

/// `grad(f, x)` runs `f` on a fresh recording tape (owned by this call) with `x` as its leaves,
/// then differentiates the sum of f's value. `x` may be a tensor, a list or record of tensors, or a
/// net (every parameter is a leaf; each `Param.grad` is set; the result is keyed by path).
enum DifferentiationBuiltins {
    /// The leaves of `x` and how to put the gradients back into x's structure.
    struct Leaves {
        var tensors: [Tensor<Float>]
        var rebuild: ([Tensor<Float>]) -> Value
        /// The arguments `f` receives: `x` with tensors replaced by tape nodes.
        var argument: ([Core.Variable<Float>]) -> Value
    }

    /// The tensor `v` stands for as a leaf; a tensor another `grad` call is differentiating is
    /// refused, since its dependence on that call's inputs would be lost.
    static func leaf(_ v: Value) throws -> Tensor<Float>? {
        guard let t = try TensorConversion.operand(v) else { return nil }
        if t.node?.requiresGrad == true { throw TensorMath.nestedGradient() }
        return t.tensor
    }

    static func leaves(of x: Value, _ a: Arguments) throws -> Leaves {
        switch x {
        case .list(let l):
            let ts = try l.items.enumerated().map { i, v -> Tensor<Float> in
                guard let t = try leaf(v) else { throw a.valueError("x", "element \(i) is \(v.typeName), not a Tensor") }
                return t
            }
            return Leaves(tensors: ts,
                          rebuild: { .list($0.map { .tensor($0) }) },
                          argument: { .list($0.map { .native(TensorObject(node: $0)) }) })
        case .record(let r):
            let keys = r.keys
            let ts = try r.values.enumerated().map { i, v -> Tensor<Float> in
                guard let t = try leaf(v) else { throw a.valueError("x", "field `\(keys[i])` is \(v.typeName), not a Tensor") }
                return t
            }
            return Leaves(tensors: ts,
                          rebuild: { g in .record(zip(keys, g.map { .tensor($0) }).map { ($0, $1) }) },
                          argument: { vs in .record(zip(keys, vs.map { .native(TensorObject(node: $0)) }).map { ($0, $1) }) })
        default:
            guard let t = try leaf(x) else {
                throw a.typeError("x", expected: "Tensor, List or Record of tensors, or Net")
            }
            return Leaves(tensors: [t], rebuild: { .tensor($0[0]) }, argument: { .native(TensorObject(node: $0[0])) })
        }
    }

    /// The value of calling `f`, as a tape node of `tape` (a constant when it does not depend on x).
    static func output(_ v: Value, on tape: Tape<Float>) throws -> Core.Variable<Float> {
        guard let t = try TensorConversion.operand(v) else {
            throw runtimeError("`grad`: the function must return a Tensor or a number, got \(v.typeName)", kind: "type")
        }
        if let n = t.node, n.tape === tape { return n }
        if t.node?.requiresGrad == true { throw TensorMath.nestedGradient() }
        return tape.constant(t.tensor)
    }

    /// Runs the differentiation and returns (value, gradient structure).
    static func differentiate(_ a: Arguments) throws -> (Value, Value) {
        let f = try a.function("f")
        if case .native(let n) = a["x"], let params = NetAccess.params(of: n) {
            let value = try valueAndGradient(of: { tape in
                try AutogradContext.withTape(tape) { try output(try a.call(f, [a["x"]]), on: tape) }
            }, for: params)
            let grads: [(String, Value)] = params.map { p in (p.path, p.grad.map { .tensor($0) } ?? .null) }
            return (.tensor(value), .record(grads))
        }
        let leaves = try leaves(of: a["x"], a)
        let r = try valueAndGradient(of: { tape, vars in
            try AutogradContext.withTape(tape) { try output(try a.call(f, [leaves.argument(vars)]), on: tape) }
        }, at: leaves.tensors)
        return (.tensor(r.value), leaves.rebuild(r.gradients))
    }

    static let table: [BuiltinSpec] = [
        BuiltinSpec("grad", [.required("f", "Function"), .required("x", "Tensor, List, Record or Net")],
                    topic: "Differentiation", summary: "The gradient of f at x (of the sum of f's value).",
                    details: "f is called once with x on a tape owned by this call. For a net, every parameter's `.grad` is set (overwritten, never accumulated) and the result is a record keyed by parameter path. Nothing is recorded outside such a call.",
                    example: "grad(fn(x) sum(x ^ 2), tensor([1, 2, 3]))   # [2, 4, 6]\ngrad(fn(n) cross_entropy(n(x), y), net)") { a in
            try differentiate(a).1
        },
        BuiltinSpec("value_and_grad", [.required("f", "Function"), .required("x", "Tensor, List, Record or Net")],
                    topic: "Differentiation", summary: "f's value and its gradient at x, as {value, grad}.",
                    details: "Like `grad`, but also returns the value f computed, so a training loop needs one call.",
                    example: "r = value_and_grad(fn(w) mse(x @ w, y), w)\nw = w - 0.1 * r.grad") { a in
            let (v, g) = try differentiate(a)
            return .record([("value", v), ("grad", g)])
        },
    ]
}
