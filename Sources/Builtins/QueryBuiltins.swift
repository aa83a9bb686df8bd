// Masks, pruning and sparsity: masked, prune, sparsity, mode / enable / disable / toggle.
import Core
import Interpreter
import Lang

/// The result of `sparsity(net)`: prints as a per-layer table, stands for the global sparsity in
/// arithmetic and comparisons, and has `rows`, `weights`, `kept`, `global` fields.
public final class SparsityObject: ScalarReport {
    let report: SparsityReport
    init(_ report: SparsityReport) { self.report = report }

    public var typeName: String { "Sparsity" }
    public var scalarValue: Double? { report.sparsity }
    public var memberTable: MemberTable? { SparsityMembers.table }

    public func render(width: Int) -> String {
        let rows = report.rows.map { [$0.path, $0.kind, NetAccess.formatCount($0.weights), NetAccess.formatCount($0.kept), percent($0.sparsity)] }
        return TextTable.render(header: ["path", "kind", "weights", "kept", "sparsity"], rows: rows,
                                closing: [["total", "", NetAccess.formatCount(report.weights), NetAccess.formatCount(report.kept), percent(report.sparsity)]],
                                rightAlignedFrom: 2)
    }

    private func percent(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }
}

enum SparsityMembers {
    static func report(_ o: NativeObject) -> SparsityReport { (o as! SparsityObject).report }
    static let table = MemberTable(
        typeName: "Sparsity",
        summary: "A sparsity report: per-layer rows and the global figure.",
        fields: [
            FieldSpec("global", "Float", summary: "the fraction of weights that are zero or masked", get: { .float(report($0).sparsity) }),
            FieldSpec("weights", "Int", summary: "the number of weights counted", get: { .int(report($0).weights) }),
            FieldSpec("kept", "Int", summary: "the number of weights kept", get: { .int(report($0).kept) }),
            FieldSpec("rows", "List", summary: "one record per layer: path, kind, weights, kept, sparsity",
                      get: { .list(report($0).rows.map { r in
                          .record([("path", .string(r.path)), ("kind", .string(r.kind)), ("weights", .int(r.weights)),
                                   ("kept", .int(r.kept)), ("sparsity", .float(r.sparsity))]) }) }),
        ])
}

enum QueryBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, topic: String = "Queries",
                     details: String = "", example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: topic, summary: summary, details: details, example: example, body: body)
    }

    /// Layer paths from an `only:` argument: nil, an Int, a String, or a List of them.
    static func paths(_ v: Value) throws -> [String]? {
        switch v {
        case .null: return nil
        case .int(let i): return [String(i)]
        case .string(let s): return [s]
        case .list(let l): return try l.items.map { item in
            switch item {
            case .int(let i): return String(i)
            case .string(let s): return s
            default: throw runtimeError("`only:` expects layer paths (Int or String), got \(item.typeName)", kind: "type")
            }
        }
        default: throw runtimeError("`only:` expects a layer path or a List of them, got \(v.typeName)", kind: "type")
        }
    }

    static func gateMode(_ a: Arguments, _ mode: GateMode) throws -> Value {
        let layer = try a.native("layer", as: LayerObject.self, expected: "Layer").layer
        try setGateMode(mode, on: layer)
        return a["layer"]
    }

    static let table: [BuiltinSpec] = [
        spec("masked", [.required("net", "Net"), .named("only", "List", .null), .named("gate", "String", .string("hard")),
                        .named("s_init", "Float", .float(0)), .named("granularity", "String", .string("weight")),
                        .named("ties", "String", .string("keep")), .named("scale", "String", .string("none"))],
             "Adds a mask to the Dense and Conv2D layers of a net, in place: a hard 0/1 mask, or a continuous-sparsification gate; returns the net.",
             topic: "Layers and networks",
             details: "`only:` names the layers by path (`[0, 3]` or `[\"2.body.0\"]`). `gate: \"hard\"` adds the buffer `<layer>.mask` (all ones); masked weights stay exactly zero through every optimizer step. `gate: \"cs\"` adds the logits `<layer>.mask_logit` (role mask_logit: no weight decay), filled with `s_init`, and a gate with modes soft (weight ⊙ σ(βs)), hard (weight ⊙ H(s)) and off; train it with `cs(opt)`. For CS: `granularity: \"unit\"` gives one logit per output unit (Dense column, Conv2D filter); `ties: \"drop\"` makes H(0) = 0 (the reference code's s > 0; default \"keep\", s ≥ 0); `scale: \"inverse_init\"` multiplies the gate by 1/σ(s_init), as the reference code does. The weight keeps its path.",
             example: "masked(net, only: [9, 12])\nmasked(net, gate: \"cs\", s_init: -0.05)\nsparsity(net)") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            let only = try paths(a["only"])
            switch try a.string("gate") {
            case "hard": try addMasks(to: net, only: only)
            case "cs":
                let ties = try a.string("ties")
                guard ties == "keep" || ties == "drop" else { throw a.valueError("ties", "must be \"keep\" or \"drop\", got \"\(ties)\"") }
                try addCSGates(to: net, sInit: try a.double("s_init"), only: only,
                               granularity: try SparsificationBuiltins.enumValue(a, "granularity", GateGranularity.self),
                               keepsTies: ties == "keep", scale: try SparsificationBuiltins.enumValue(a, "scale", CSGateScale.self))
            case let other: throw a.valueError("gate", "must be \"hard\" or \"cs\", got \"\(other)\"")
            }
            return a["net"]
        },
        spec("prune", [.required("x", "Net or Tensor"), .named("threshold", "Float", .null), .named("amount", "Float", .null),
                       .named("scope", "String", .string("global")), .named("only", "List", .null)],
             "Magnitude pruning: masks the weights with |w| < threshold, or the smallest `amount` fraction of those kept.",
             topic: "Optimizers and training",
             details: "Give exactly one of `threshold:` / `amount:`. `scope: \"global\"` ranks all layers' weights together, `\"layer\"` each layer apart. On a net without masks it adds them first; masks only ever lose entries. On a tensor it returns a pruned copy.",
             example: "prune(net, threshold: 0.01)\nprune(net, amount: 0.5, scope: \"layer\")") { a in
            let threshold = try a.optionalDouble("threshold"), amount = try a.optionalDouble("amount")
            guard (threshold == nil) != (amount == nil) else {
                throw runtimeError("`prune`: give exactly one of `threshold:` and `amount:`", kind: "argument")
            }
            let scopeName = try a.string("scope")
            guard let scope = PruningScope(rawValue: scopeName) else { throw a.valueError("scope", "must be \"global\" or \"layer\", got \"\(scopeName)\"") }
            if case .native(let n as LayerObject) = a["x"] {
                let only = try paths(a["only"])
                let r = try threshold.map { try prune(n.layer, threshold: $0, only: only) }
                    ?? prune(n.layer, amount: amount ?? 0, scope: scope, only: only)
                return .record([("removed", .int(r.removed)), ("kept", .int(r.kept)), ("total", .int(r.total))])
            }
            let t = try a.tensorValue("x")
            if let th = threshold {
                guard th >= 0 else { throw a.valueError("threshold", "must be >= 0") }
                return .tensor(t.map { Swift.abs($0) >= Float(th) ? $0 : 0 })
            }
            let f = amount ?? 0
            guard f >= 0, f <= 1 else { throw a.valueError("amount", "must be in [0, 1]") }
            let keep = t.count - Int((Double(t.count) * f).rounded())
            return .tensor(try t.hardThreshold(keep))
        },
        spec("sparsity", [.required("x", "Net or Tensor")],
             "The fraction of zero weights: a per-layer table for a net (masks counted), a number for a tensor.",
             details: "For a net, the result prints as a table (path, kind, weights, kept, sparsity) with the global figure, and stands for the global fraction in arithmetic and comparisons.",
             example: "sparsity(net)\nsparsity(net) > 0.9\nsparsity(tensor([0, 1, 0, 2]))   # 0.5") { a in
            if case .native(let n as LayerObject) = a["x"] { return .native(SparsityObject(sparsityReport(n.layer))) }
            return .float(Core.sparsity(of: try a.tensorValue("x")))
        },
        spec("support", [.required("t", "Tensor")], "1 where the tensor is non-zero, 0 elsewhere.",
             example: "support(tensor([0, 3, 0]))   # [0, 1, 0]") { a in
            .tensor(try a.tensorValue("t").map { $0 != 0 ? 1 : 0 })
        },
        spec("mode", [.required("layer", "Layer"), .required("mode", "String")],
             "Sets how a method layer acts: \"hard\", \"soft\" or \"off\" (a mask: on or bypassed).",
             topic: "Layers and networks",
             example: "mode(net.layers[9], \"off\")") { a in
            let name = try a.string("mode")
            guard let m = GateMode(rawValue: name) else { throw a.valueError("mode", "must be \"hard\", \"soft\" or \"off\", got \"\(name)\"") }
            return try gateMode(a, m)
        },
        spec("enable", [.required("layer", "Layer")], "Turns a method layer on (a mask: hard).", topic: "Layers and networks",
             example: "enable(net.layers[0])") { a in try gateMode(a, .hard) },
        spec("disable", [.required("layer", "Layer")], "Turns a method layer off (the raw weight is used).", topic: "Layers and networks",
             example: "disable(net.layers[0])") { a in try gateMode(a, .off) },
        spec("toggle", [.required("layer", "Layer")], "Turns a method layer off when on, on when off.", topic: "Layers and networks",
             example: "toggle(net.layers[0])") { a in
            let layer = try a.native("layer", as: LayerObject.self, expected: "Layer").layer
            guard let gated = layer as? any GatedLayer<Float>, let gate = gated.weight.gates.first else {
                try setGateMode(.hard, on: layer)  // raises the error naming the layers that accept it
                return a["layer"]
            }
            try setGateMode(gate.mode == .off ? .hard : .off, on: layer)
            return a["layer"]
        },
    ]
}
