// ShrinkNets in the language: switch layers, the shrink controller, collect, fold_switches and switches.
import Core
import Interpreter
import Lang

enum ShrinkBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, topic: String = "Optimizers and training",
                     details: String = "", example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: topic, summary: summary, details: details, example: example, body: body)
    }

    static func net(_ a: Arguments) throws -> any Layer<Float> {
        try a.native("net", as: LayerObject.self, expected: "Net").layer
    }

    /// The shrink controller of an optimizer (possibly inside a combination), if it has one.
    static func controller(_ o: any Optimizer<Float>) -> ShrinkNets<Float>? {
        ([o as AnyObject] + o.hookProviders).lazy.compactMap { $0 as? ShrinkNets<Float> }.first
    }

    /// `switches(net)`: one record per switch, then the net's size.
    static func report(_ net: any Layer<Float>, input: [Int]?) throws -> [(String, Value)] {
        let layers = switchStatistics(net).map { s -> Value in
            .record([("path", .string(s.path)), ("units", .int(s.units)), ("initial", .int(s.initial)), ("alive", .int(s.alive)),
                     ("alive_fraction", .float(Double(s.alive) / Double(max(s.initial, 1)))), ("gate", .string(s.gate.rawValue)),
                     ("histogram", .record([("edges", .list(s.histogramEdges.map { .float($0) })),
                                            ("counts", .list(s.histogramCounts.map { .int($0) }))])),
                     ("sign_mean", .float(s.signMean)), ("sign_variance", .float(s.signVarianceMean)),
                     ("sign_variance_max", .float(s.signVarianceMax))])
        }
        let flops = try estimatedFLOPs(net, inputShape: input)
        return [("layers", .list(layers)), ("widths", .list(shrinkSwitches(net).map { .int($0.layer.units) })),
                ("params", .int(net.countParams)), ("flops", flops.map { .int($0) } ?? .null),
                ("live_inputs", .int(liveInputs(net)))]
    }

    static let table: [BuiltinSpec] = [
        spec("collect", [.required("net", "Net"), .required("opt", "Optimizer")],
             "Removes every dead unit of the net's switches from the layers and from the optimizer's state (ShrinkNets' garbage collection).",
             details: "For each switch: the rows and bias of the layer before it, its BatchNorm's four vectors, the switch's θ, and the inputs of the Dense or Conv2D after it (through a Flatten, the H·W block of each channel) are cut, and every optimizer state slot of those parameters (momentum, Adam's moments) is cut the same way; step counts stay. The live net's outputs do not change. A switch keeps at least one unit. `shrink` collects once per epoch of `fit` by default; through a shrink optimizer the collection is logged (`opt.collections`). Returns what was done: the layers' widths before and after, the slices, and the parameter counts.",
             example: "collect(net, opt)\nswitches(net).widths") { a in
            let net = try net(a)
            let o = try SparsificationBuiltins.optimizer(a)
            let record: CollectionRecord
            if let c = controller(o), c.net === net { record = try c.collect() } else { record = try collectDeadUnits(net, optimizer: o) }
            return TrainingPlatform.record(record.report)
        },
        spec("fold_switches", [.required("net", "Net")],
             "A copy of the net without its switches, computing the same function: each θ folded into the nearest linear layer.",
             topic: "Layers and networks",
             details: "Backwards into the BatchNorm (γ, β) or the Dense / Conv2D (its output rows and bias) the switch follows; else forwards into the Dense / Conv2D it feeds (its inputs). Dropout, average pooling and Flatten are crossed; ReLU and max pooling only when every factor is >= 0 (ReLU(θz) = θ·ReLU(z) for θ >= 0). The copy's layers are renumbered. A switch with no linear layer reachable without crossing a nonlinearity is an error.",
             example: "small = fold_switches(net)\naccuracy(small, data.test)") { a in
            LayerBuiltins.wrap(try foldSwitches(try net(a)))
        },
        spec("shrink", [.required("opt", "Optimizer"), .named("lambda", "Float", .float(ShrinkSettings().lambda)),
                        .named("lambda2", "Float", .float(ShrinkSettings().lambda2)), .named("p", "Int", .int(ShrinkSettings().p)),
                        .named("kill", "String", .string(ShrinkSettings().rule.rawValue)),
                        .named("gamma", "Float", .float(KillSettings().gamma)), .named("mu", "Float", .float(KillSettings().mu)),
                        .named("threshold", "Float", .float(KillSettings().threshold)),
                        .named("warmup", "Int", .int(KillSettings().warmup)),
                        .named("collect_every", "Int", .int(ShrinkSettings().collectEvery)),
                        .named("min_units", "Int", .int(ShrinkSettings().minUnits))],
             "ShrinkNets around an optimizer: an L1 pull on the switches, λ₂‖W‖ₚᵖ on the weights, a kill rule after each step, dead units removed every epoch.",
             details: "The net needs switches (`switch(units)` after its hidden Dense / Conv2D layers). The loss gets λ·Σ|θ| (relu gate: λ·Σmax(0, θ)) + λ₂·Σ‖W‖ₚᵖ over the weights (p 1 or 2; keep λ₂ > 0: without it θ shrinks while W grows). After each step the kill rule decides: `\"sign_variance\"` (m ← μ·m + (1−μ)·sgn θ, kill when 1 − m² > gamma), `\"sign_change\"` (θ crossed 0), `\"threshold\"` (|θ| < threshold) or `\"prox\"` (θ ← sgn θ·max(|θ| − lr·λ, 0), kill at 0). No kill in the first `warmup` steps; every switch keeps at least `min_units`. A killed unit is 0 and masked, so no optimizer moves it. Every `collect_every` epochs of `fit` (0: never by itself) the dead units are cut out of the net and the optimizer state (see `collect`). `opt.kills`, `opt.collections`, `opt.cost` (Σ live inputs per epoch) and `opt.widths` read the logs; `opt.last_step.hooks.shrink` has the penalties and kills of the step.",
             example: "net = sequential(dense(784, 512), switch(512), relu(), dense(512, 10))\nopt = shrink(adam(net, lr: 1e-3), lambda: 1e-3, lambda2: 1e-5)\nfit(net, data.train, opt, epochs: 3)\nopt.widths") { a in
            var s = ShrinkSettings()
            s.lambda = try a.double("lambda")
            s.lambda2 = try a.double("lambda2")
            s.p = try a.int("p")
            s.rule = try SparsificationBuiltins.enumValue(a, "kill", KillRule.self)
            s.kill.gamma = try a.double("gamma")
            s.kill.mu = try a.double("mu")
            s.kill.threshold = try a.double("threshold")
            s.kill.warmup = try a.int("warmup")
            s.collectEvery = try a.int("collect_every")
            s.minUnits = try a.int("min_units")
            return OptimizerBuiltins.wrap(try ShrinkNets(try SparsificationBuiltins.optimizer(a), settings: s))
        },
        spec("switch", [.required("units", "Int"), .named("init", "String", .string(SwitchDefaults.initial.rawValue)),
                        .named("gate", "String", .string(SwitchDefaults.gate.rawValue))],
             "A ShrinkNets switch layer: out = θ_c · in over channel c, one learnable θ per unit (parameter `<layer>.switch`, role switch).",
             topic: "Layers and networks",
             details: "Put it after a hidden Dense or Conv2D (after its BatchNorm when there is one), before the activation. θ starts N(0, 1) (`init: \"normal\"`, the paper's) or at 1 (`\"ones\"`). `gate: \"relu\"` applies max(0, θ) instead (a unit with θ <= 0 is dead). Trained with `shrink(opt)`, which pulls θ toward 0 and removes dead units; `fold_switches(net)` folds the θ's away for inference.",
             example: "sequential(dense(784, 512), switch(512), relu(), dense(512, 10))\nsequential(conv2d(1, 64, 2), switch(64), relu(), maxpool(2))") { a in
            var rng = RandomState.fork(a.interpreter)
            return LayerBuiltins.wrap(try Switch<Float>(try a.int("units"), initial: try SparsificationBuiltins.enumValue(a, "init", SwitchInit.self),
                                                        gate: try SparsificationBuiltins.enumValue(a, "gate", SwitchGate.self), using: &rng))
        },
        spec("switches", [.required("x", "Net or Optimizer"), .named("input", "List", .null)],
             "What the net's switches are doing: per switch the alive and initial units, a histogram of θ and the sign statistics; the net's size and FLOPs.",
             topic: "Layers and networks",
             details: "Given a shrink optimizer, also its kill log (`kills`: step, layer, unit, rule, θ), its collection log (`collections`) and the cost proxy Σ live inputs per epoch (`cost`, `total_cost`). FLOPs are 2 × multiply-adds of the Dense and Conv2D layers for one sample; Conv2D layers need `input:` (one sample's shape, e.g. [1, 28, 28]), else `flops` is nil.",
             example: "switches(net).widths\nswitches(opt).kills\nswitches(net, input: [1, 28, 28]).flops") { a in
            let input = a["input"].isNil ? nil : try TensorConversion.ints(a["input"], what: "`switches`: argument 2 (`input`)")
            guard case .native(let n) = a["x"] else { throw a.typeError("x") }
            if let l = n as? LayerObject { return .record(try report(l.layer, input: input)) }
            guard let o = n as? OptimizerObject else { throw a.typeError("x") }
            guard let c = controller(o.optimizer) else {
                throw a.valueError("x", "is not a shrink optimizer (it is \(o.optimizer.name)); pass the net, or wrap it: shrink(\(o.optimizer.name)(net))")
            }
            return .record(try report(c.net, input: input) + [
                ("kills", .list(c.kills.map { TrainingPlatform.record($0.report) })),
                ("collections", .list(c.collections.map { TrainingPlatform.record($0.report) })),
                ("cost", .list(c.cost.map { .int($0) })), ("total_cost", .int(c.cost.reduce(0, +)))])
        },
    ]
}
