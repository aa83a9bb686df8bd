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
                        ("grad_norm", .float(s.gradNorm)), ("update_norm", .float(s.updateNorm)),
                        ("hooks", TrainingPlatform.hooks(s.hooks))])
    }

    static let table = MemberTable(
        typeName: "Optimizer",
        summary: "Updates a net's parameters from their gradients.",
        fields: [
            FieldSpec("lr", "Float", summary: "the learning rate of the next step (assignable)",
                      get: { .float(opt($0).lr) },
                      set: { o, v in
                          guard let lr = v.numberValue, lr.isFinite, lr >= 0 else {
                              throw runtimeError("Optimizer.lr expects a Float >= 0, got \(v.typeName)", kind: "type")
                          }
                          let optimizer = opt(o)
                          optimizer.lr = lr
                          return o
                      }),
            FieldSpec("last_step", "Record or nil",
                      summary: "what the last step did: step, loss, lr, grad_norm, update_norm, and hooks (each training hook's report by name)",
                      get: { lastStep(opt($0)) }),
            FieldSpec("only", "List or nil", summary: "the roles this optimizer updates (nil: every role)",
                      get: { opt($0).core.roles.map { .list($0.map(\.name).sorted().map { .string($0) }) } ?? .null }),
            FieldSpec("parts", "List", summary: "the optimizers of a `combine` (empty for any other)",
                      get: { .list(((opt($0) as? Combined<Float>)?.parts ?? []).map(OptimizerBuiltins.wrap)) }),
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
    static func source(_ a: Arguments, _ name: String) throws -> ParamSource<Float> {
        switch a[name] {
        case .native(let n as LayerObject): return .network(n.layer)
        case .list(let l): return .params(try params(l.items, a, name))
        case .record(let r): return .params(try params(r.values, a, name))
        default: throw a.typeError(name, expected: "Net or List of Params")
        }
    }

    static func params(_ items: [Value], _ a: Arguments, _ name: String) throws -> [Param<Float>] {
        try items.map { v in
            guard case .native(let n as ParamObject) = v else { throw a.valueError(name, "must hold Params, found \(v.typeName)") }
            return n.param
        }
    }

    static func wrap(_ o: any Optimizer<Float>) -> Value { .native(OptimizerObject(o)) }

    /// Adam's and AdamW's parameters, which differ only in the weight decay's default.
    static func adamParameters(weightDecay: Double) -> [ParameterSpec] {
        [.required("net", "Net or List"), .named("lr", "Float", .float(AdamDefaults.lr)),
         .named("beta1", "Float", .float(AdamDefaults.beta1)), .named("beta2", "Float", .float(AdamDefaults.beta2)),
         .named("eps", "Float", .float(AdamDefaults.eps)), .named("weight_decay", "Float", .float(weightDecay))]
            + TrainingPlatform.optimizerParameters
    }

    static let table: [BuiltinSpec] = [
        spec("sgd", [.required("net", "Net or List"), .named("lr", "Float", .float(SGDDefaults.lr)),
                     .named("momentum", "Float", .float(SGDDefaults.momentum)),
                     .named("nesterov", "Bool", .bool(SGDDefaults.nesterov)),
                     .named("weight_decay", "Float", .float(SGDDefaults.weightDecay))] + TrainingPlatform.optimizerParameters,
             "Stochastic gradient descent, with optional (Nesterov) momentum and weight decay (on weights only).",
             example: "opt = sgd(net, lr: 0.1, momentum: 0.9)") { a in
            try TrainingPlatform.optimizer(a) { source in
                try SGD(source, lr: try a.double("lr"), momentum: try a.double("momentum"), nesterov: try a.bool("nesterov"),
                        weightDecay: try a.double("weight_decay"))
            }
        },
        spec("adam", adamParameters(weightDecay: AdamDefaults.weightDecay),
             "Adam (Kingma & Ba, 2015): bias-corrected first and second moment estimates.",
             example: "opt = adam(net, lr: 1e-3)") { a in
            try TrainingPlatform.optimizer(a) { source in
                try Adam(source, lr: try a.double("lr"), beta1: try a.double("beta1"), beta2: try a.double("beta2"),
                         eps: try a.double("eps"), weightDecay: try a.double("weight_decay"))
            }
        },
        spec("adamw", adamParameters(weightDecay: AdamDefaults.adamWWeightDecay),
             "AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay (on weights only).",
             example: "opt = adamw(net, lr: 1e-3, weight_decay: 0.01)") { a in
            try TrainingPlatform.optimizer(a) { source in
                try Adam.adamW(source, lr: try a.double("lr"), beta1: try a.double("beta1"), beta2: try a.double("beta2"),
                               eps: try a.double("eps"), weightDecay: try a.double("weight_decay"))
            }
        },
        spec("step_lr", [.required("opt", "Optimizer"), .required("milestones", "List"), .optional("gamma", "Float", .float(StepLR.defaultGamma))],
             "Multiplies the learning rate by gamma at each milestone epoch (fit applies it after every epoch).",
             example: "step_lr(opt, [30, 60], gamma: 0.1)") { a in
            let o = try a.native("opt", as: OptimizerObject.self, expected: "Optimizer").optimizer
            o.core.schedule = try StepLR(milestones: try TensorConversion.ints(a["milestones"], what: "`step_lr`: argument 2 (`milestones`)"),
                                         gamma: try a.double("gamma"))
            return a["opt"]
        },
        spec("exp_lr", [.required("opt", "Optimizer"), .required("gamma", "Float")],
             "Multiplies the learning rate by gamma after every epoch.",
             example: "exp_lr(opt, 0.95)") { a in
            let o = try a.native("opt", as: OptimizerObject.self, expected: "Optimizer").optimizer
            o.core.schedule = try ExpLR(gamma: try a.double("gamma"))
            return a["opt"]
        },
    ]
}
