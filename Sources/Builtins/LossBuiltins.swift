// The "Losses and metrics" built-ins: cross_entropy, mse, bce, accuracy, evaluate, r2, f1.
import Core
import Interpreter
import Lang

enum LossBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Losses and metrics", summary: summary, details: details,
                    example: example, body: body)
    }

    /// The Core loss for a `loss:` argument: nil (automatic), a built-in loss, or any function of
    /// (output, target) returning a tensor (its mean is taken), evaluated on the training tape.
    static func loss(_ a: Arguments, _ name: String) throws -> Loss<Float>? {
        let v = a[name]
        if v.isNil { return nil }
        if case .builtin(let b) = v, b.receiver == nil {
            switch b.spec.name {
            case "cross_entropy": return .crossEntropy
            case "mse": return .mse
            case "bce": return .bce
            default: break
            }
        }
        if case .string(let s) = v {
            switch s {
            case "cross_entropy": return .crossEntropy
            case "mse": return .mse
            case "bce": return .bce
            default: throw a.valueError(name, "must be cross_entropy, mse, bce or a function, got \"\(s)\"")
            }
        }
        let f = try a.function(name)
        return .custom(name: "custom") { output, target in
            try AutogradContext.withTape(output.tape) {
                let r = try a.call(f, [.native(TensorObject(node: output)), .tensor(target)])
                guard let t = try TensorConversion.operand(r) else {
                    throw runtimeError("the loss function must return a Tensor, got \(r.typeName)", kind: "type")
                }
                if let n = t.node, n.tape === output.tape { return n }
                return output.tape.constant(t.tensor)
            }
        }
    }

    /// A data argument for metrics: a Dataset, or a record/list of (x, y).
    static func data(_ a: Arguments, _ name: String) throws -> Dataset {
        switch a[name] {
        case .native(let n as DatasetObject): return n.data
        case .record(let r):
            guard let x = r["x"], let y = r["y"], let tx = try TensorConversion.operand(x), let ty = try TensorConversion.operand(y) else {
                throw a.typeError(name, expected: "Dataset or {x, y}")
            }
            return try Dataset(x: tx.tensor, y: ty.tensor)
        case .list(let l) where l.items.count == 2:
            guard let tx = try TensorConversion.operand(l.items[0]), let ty = try TensorConversion.operand(l.items[1]) else {
                throw a.typeError(name, expected: "Dataset or [x, y]")
            }
            return try Dataset(x: tx.tensor, y: ty.tensor)
        default: throw a.typeError(name, expected: "Dataset")
        }
    }

    static let table: [BuiltinSpec] = [
        spec("cross_entropy", [.required("logits", "Tensor"), .required("labels", "Tensor")],
             "Mean cross-entropy of logits [N, C] against class indices [N] (a stable log-softmax).",
             example: "cross_entropy(net(x), y)") { a in
            let labels = try a.tensorValue("labels")
            return .native(try TensorMath.apply([try a.tensor("logits")]) { try $0[0].crossEntropy(labels: labels) })
        },
        spec("mse", [.required("pred", "Tensor"), .required("target", "Tensor")], "Mean squared error.",
             example: "mse(x @ w, y)") { a in
            let target = try a.tensorValue("target")
            return .native(try TensorMath.apply([try a.tensor("pred")]) { try $0[0].mse(target: target) })
        },
        spec("bce", [.required("logits", "Tensor"), .required("target", "Tensor")],
             "Mean binary cross-entropy of logits against targets in [0, 1] (computed stably from logits).",
             example: "bce(net(x), y)") { a in
            let target = try a.tensorValue("target")
            return .native(try TensorMath.apply([try a.tensor("logits")]) { try $0[0].bce(target: target) })
        },
        spec("accuracy", [.required("net", "Net or Tensor"), .required("data", "Dataset or Tensor")],
             "The fraction of examples classified correctly: accuracy(net, data) or accuracy(logits, labels).",
             details: "With a net, it runs in eval mode (the previous mode is restored) in batches of 256.",
             example: "accuracy(net, data.test)") { a in
            if case .native(let n) = a["net"], let net = n as? LayerObject {
                return .float(try Core.accuracy(net.layer, on: try data(a, "data")))
            }
            return .float(try Core.accuracy(logits: try a.tensorValue("net"), labels: try a.tensorValue("data")))
        },
        spec("evaluate", [.required("net", "Net"), .required("data", "Dataset"), .named("loss", "Function", .null)],
             "Mean loss and accuracy of the net over the data, as {loss, accuracy} (eval mode, restored after).",
             example: "evaluate(net, data.test)") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            let e = try Core.evaluate(net, on: try data(a, "data"), loss: try loss(a, "loss"))
            return .record([("loss", .float(e.loss)), ("accuracy", e.accuracy.map { .float($0) } ?? .null)])
        },
        spec("r2", [.required("pred", "Tensor"), .required("target", "Tensor")], "The coefficient of determination R².",
             example: "r2(x @ w, y)") { a in .float(try Core.r2(try a.tensorValue("pred"), try a.tensorValue("target"))) },
        spec("f1", [.required("pred", "Tensor"), .required("target", "Tensor")],
             "The F1 score of 0/1 predictions against 0/1 targets.", example: "f1(support(w) , support(w_true))") { a in
            .float(try Core.f1(try a.tensorValue("pred"), try a.tensorValue("target")))
        },
    ]
}
