// The language's Optimizer: lr readable and settable, last_step, and the optimizer built-ins.
import Core
import Interpreter
import Lang

/// An optimizer bound to a net (or a list of parameters), shared by reference.
public final class OptimizerObject: NativeObject {
    let optimizer: any Optimizer<Float>

    init(_ optimizer: any Optimizer<Float>) { self.optimizer = optimizer }

    public var typeName: String { "Optimizer" }
    public var memberTable: MemberTable? { OptimizerMembers.table }
    public func render(width: Int) -> String { optimizer.description }
    public var byteSize: Int { optimizer.core.stateTensors().reduce(0) { $0 + $1.tensor.count * 4 } + 128 }
}

enum OptimizerMembers {
    static func opt(_ o: NativeObject) -> any Optimizer<Float> { (o as! OptimizerObject).optimizer }

    /// What the last step did, as a record (nil before the first step).
    static func lastStep(_ o: any Optimizer<Float>) -> Value {
        guard let s = o.lastStep else { return .null }
        return .record([("step", .int(s.step)), ("loss", s.loss.map { .float($0) } ?? .null), ("lr", .float(s.lr)),
                        ("grad_norm", .float(s.gradNorm)), ("update_norm", .float(s.updateNorm))])
    }

    static let table = MemberTable(
        typeName: "Optimizer",
        summary: "Updates a net's parameters from their gradients.",
        fields: [
            FieldSpec("lr", "Float", summary: "the learning rate of the next step (assignable)",
                      get: { .float(opt($0).lr) },
                      set: { o, v in
                          guard let lr = v.numberValue else {
                              throw runtimeError("Optimizer.lr expects a Float >= 0, got \(v.typeName)", kind: "type")
                          }
                          guard lr.isFinite, lr >= 0 else {
                              throw runtimeError("Optimizer.lr must be a finite Float >= 0, got \(lr)", kind: "value")
                          }
                          let optimizer = opt(o)
                          optimizer.lr = lr
                          return o
                      }),
            FieldSpec("last_step", "Record or nil", summary: "what the last step did: step, loss, lr, grad_norm, update_norm",
                      get: { lastStep(opt($0)) }),
            FieldSpec("name", "String", summary: "the optimizer's name", get: { .string(opt($0).name) }),
            FieldSpec("steps", "Int", summary: "the number of steps taken", get: { .int(opt($0).core.steps) }),
        ])
}

enum OptimizerBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Optimizers and training", summary: summary, details: details,
                    example: example, body: body)
    }

    /// What an optimizer updates: a net (re-enumerated every step, so masks added later count) or
    /// a list / record of parameters.
    static func source(_ a: Arguments, _ i: Int) throws -> ParamSource<Float> {
        switch a[i] {
        case .native(let n as LayerObject): return .network(n.layer)
        case .list(let l): return .params(try params(l.items, a, i))
        case .record(let r): return .params(try params(r.values, a, i))
        default: throw a.typeError(i, expected: "Net or List of Params")
        }
    }

    static func params(_ items: [Value], _ a: Arguments, _ i: Int) throws -> [Param<Float>] {
        try items.map { v in
            guard case .native(let n as ParamObject) = v else { throw a.valueError(i, "must hold Params, found \(v.typeName)") }
            return n.param
        }
    }

    static func wrap(_ o: any Optimizer<Float>) -> Value { .native(OptimizerObject(o)) }

    static let table: [BuiltinSpec] = [
        spec("sgd", [.required("net", "Net or List"), .named("lr", "Float", .float(0.01)), .named("momentum", "Float", .float(0)),
                     .named("nesterov", "Bool", .bool(false)), .named("weight_decay", "Float", .float(0))],
             "Stochastic gradient descent, with optional (Nesterov) momentum and weight decay (on weights only).",
             example: "opt = sgd(net, lr: 0.1, momentum: 0.9)") { a in
            wrap(try SGD(try source(a, 0), lr: try a.double(1), momentum: try a.double(2), nesterov: try a.bool(3),
                         weightDecay: try a.double(4)))
        },
        spec("adam", [.required("net", "Net or List"), .named("lr", "Float", .float(1e-3)), .named("beta1", "Float", .float(0.9)),
                      .named("beta2", "Float", .float(0.999)), .named("eps", "Float", .float(1e-8)),
                      .named("weight_decay", "Float", .float(0))],
             "Adam (Kingma & Ba, 2015): bias-corrected first and second moment estimates.",
             example: "opt = adam(net, lr: 1e-3)") { a in
            wrap(try Adam(try source(a, 0), lr: try a.double(1), beta1: try a.double(2), beta2: try a.double(3),
                          eps: try a.double(4), weightDecay: try a.double(5)))
        },
        spec("adamw", [.required("net", "Net or List"), .named("lr", "Float", .float(1e-3)), .named("beta1", "Float", .float(0.9)),
                       .named("beta2", "Float", .float(0.999)), .named("eps", "Float", .float(1e-8)),
                       .named("weight_decay", "Float", .float(0.01))],
             "AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay (on weights only).",
             example: "opt = adamw(net, lr: 1e-3, weight_decay: 0.01)") { a in
            wrap(try Adam.adamW(try source(a, 0), lr: try a.double(1), beta1: try a.double(2), beta2: try a.double(3),
                                eps: try a.double(4), weightDecay: try a.double(5)))
        },
        spec("step_lr", [.required("opt", "Optimizer"), .required("milestones", "List"), .named("gamma", "Float", .float(0.1))],
             "Multiplies the learning rate by gamma at each milestone epoch (fit applies it after every epoch).",
             example: "step_lr(opt, [30, 60], gamma: 0.1)") { a in
            let o = try a.native(0, as: OptimizerObject.self, expected: "Optimizer").optimizer
            o.core.schedule = try StepLR(milestones: try TensorConversion.ints(a[1], what: "`step_lr`: argument 2 (`milestones`)"),
                                         gamma: try a.double(2))
            return a[0]
        },
        spec("exp_lr", [.required("opt", "Optimizer"), .required("gamma", "Float")],
             "Multiplies the learning rate by gamma after every epoch.",
             example: "exp_lr(opt, 0.95)") { a in
            let o = try a.native(0, as: OptimizerObject.self, expected: "Optimizer").optimizer
            o.core.schedule = try ExpLR(gamma: try a.double(1))
            return a[0]
        },
    ]
}
