// The method platform in the language: hook reports as records, `only:` routing, combine, next_round.
import Core
import Interpreter
import Lang

/// How the training platform's Core values become language values, and the arguments every
/// optimizer built-in shares.
enum TrainingPlatform {
    // MARK: - Reports

    static func value(_ v: ReportValue) -> Value {
        switch v {
        case .number(let x): return .float(x)
        case .int(let n): return .int(n)
        case .text(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .list(let items): return .list(items.map(value))
        case .report(let r): return record(r)
        }
    }

    static func record(_ r: Report) -> Value { .record(r.entries.map { ($0.name, value($0.value)) }) }

    /// The hooks' reports as a record keyed by hook name: `opt.last_step.hooks.cs.beta`.
    static func hooks(_ reports: [HookReport]) -> Value { .record(reports.map { ($0.hook, record($0.report)) }) }

    // MARK: - `only:` on every optimizer

    /// The roles named by `only:` ("weight", ["weight", "bias"]); nil when not given.
    static func roles(_ a: Arguments) throws -> Set<Role>? {
        switch a["only"] {
        case .null: return nil
        case .string(let s): return [Role(s)]
        case .list(let l):
            return Set(try l.items.map { item -> Role in
                guard case .string(let s) = item else { throw a.typeError("only", expected: "a role name or a List of them", got: item) }
                return Role(s)
            })
        default: throw a.typeError("only", expected: "a role name or a List of them")
        }
    }

    /// Builds an optimizer from its built-in's arguments and routes it to the roles of `only:`.
    /// - Throws: an argument error when no parameter has those roles.
    static func optimizer(_ a: Arguments, _ make: (ParamSource<Float>) throws -> any Optimizer<Float>) throws -> Value {
        let o = try make(try OptimizerBuiltins.source(a, "net"))
        if let roles = try roles(a) {
            o.core.roles = roles
            if o.core.namedParams.isEmpty {
                let present = Set(o.core.source.allParams.map(\.role.name)).sorted()
                throw a.valueError("only", "selects no parameter; the roles present are \(present.joined(separator: ", "))")
            }
        }
        return OptimizerBuiltins.wrap(o)
    }

    /// The parameters every optimizer built-in takes after its own (read by `optimizer(_:_:)`).
    static let optimizerParameters: [ParameterSpec] = [.named("only", "String or List", .null)]

    static let table: [BuiltinSpec] = [
        BuiltinSpec("combine", [.variadic("opts", "Optimizer")], topic: "Optimizers and training",
                    summary: "Several optimizers in one step, each on its own parameters (chosen with `only:`).",
                    details: "`step` and `fit` accept the result like any optimizer: each part updates its parameters with its own rule, rate and state; a parameter two parts would update is an error. `opt.parts` lists the parts; setting `opt.lr` sets every part's rate.",
                    example: "opt = combine(adam(net, only: \"weight\"), sgd(net, only: \"bias\", lr: 0.1))\nstep(opt, [x, y])") { a in
            let parts = try a.variadic.enumerated().map { i, v -> any Optimizer<Float> in
                guard case .native(let o as OptimizerObject) = v else {
                    throw runtimeError("`combine`: argument \(i + 1) expects Optimizer, got \(v.typeName)", kind: "type")
                }
                return o.optimizer
            }
            return OptimizerBuiltins.wrap(try Combined(parts))
        },
        BuiltinSpec("next_round", [.required("opt", "Optimizer"), .named("net", "Net", .null)], topic: "Optimizers and training",
                    summary: "Ends a round of a method that works in rounds (ticket search): every training hook's round-end step.",
                    details: "Returns a record of what each hook did, keyed by hook name; an optimizer with no hook that works in rounds is an error. `net:` is needed only for an optimizer made from a list of parameters.",
                    example: "next_round(opt)") { a in
            let o = try a.native("opt", as: OptimizerObject.self, expected: "Optimizer").optimizer
            guard let net = try a.optionalNative("net", as: LayerObject.self, expected: "Net")?.layer ?? o.core.network else {
                throw TrainingError.noNetwork(optimizer: o.name)
            }
            let reports = try endRound(net: net, optimizer: o)
            // No hook acting at round ends means rounds mean nothing here: say so rather than do nothing.
            guard !reports.isEmpty else {
                throw runtimeError("`next_round`: \(o.name) works in no rounds; wrap it in a method that does, e.g. cs(\(o.name)(net), round_epochs: 5) or imp(\(o.name)(net))", kind: "value")
            }
            return hooks(reports)
        },
    ]
}

extension ParamSource {
    /// Every parameter of the source, whatever the roles chosen.
    var allParams: [Param<Scalar>] {
        switch self {
        case .network(let net): return net.params
        case .params(let ps): return ps
        }
    }
}
