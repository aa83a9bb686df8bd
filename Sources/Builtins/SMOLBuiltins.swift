// SMOL in the language: quantized, smol, freeze_precision, quant_eval, bits, energy, and the Bits report.
import Core
import Interpreter
import Lang

/// The result of `bits(net)`: prints as a per-layer table, stands for the average bits per
/// quantized weight in arithmetic and comparisons.
public final class BitsObject: ScalarReport {
    let report: BitsReport
    init(_ report: BitsReport) { self.report = report }

    public var typeName: String { "Bits" }
    public var scalarValue: Double? { report.average }
    public var memberTable: MemberTable? { BitsMembers.table }

    public func render(width: Int) -> String {
        func ratio(_ avg: Double) -> String { avg == 0 ? "-" : String(format: "%.1fx", 32 / avg) }
        let rows = report.rows.map { r -> [String] in
            guard r.quantized else { return [r.path, r.kind, NetAccess.formatCount(r.weights), "32 (float)", "", "", "", "1.0x"] }
            return [r.path, r.kind, NetAccess.formatCount(r.weights), String(format: "%.3f", r.average), String(r.minBits), String(r.maxBits),
                    String(format: "%.1f%%", r.weights == 0 ? 0 : 100 * Double(r.zeroBits) / Double(r.weights)), ratio(r.average)]
        }
        let totals = [["quantized", "", NetAccess.formatCount(report.quantizedWeights), String(format: "%.3f", report.average), "", "",
                       String(format: "%.1f%%", 100 * report.zeroFraction), ratio(report.average)],
                      ["whole model", "", NetAccess.formatCount(report.allParameters), String(format: "%.3f", report.wholeModel), "", "", "",
                       ratio(report.wholeModel)]]
        let table = TextTable.render(header: ["path", "kind", "weights", "bits/weight", "min", "max", "0 bits", "ratio"],
                                     rows: rows, closing: totals, rightAlignedFrom: 2)
        return report.frozen ? table : table + "\n(not frozen: the bits freeze_precision would give now)"
    }
}

enum BitsMembers {
    static func report(_ o: NativeObject) -> BitsReport { (o as! BitsObject).report }
    /// Counts per number of bits, up to the largest present.
    static func histogram(_ h: [Int]) -> Value {
        let last = h.lastIndex { $0 > 0 } ?? 0
        return .list(h[0...last].map { .int($0) })
    }
    static let table = MemberTable(
        typeName: "Bits",
        summary: "Bits per weight of a quantized net: per-layer rows and both counting conventions.",
        fields: [
            FieldSpec("average", "Float", summary: "Σ bits / quantized weights (0-bit weights count 0): the thesis' bpp",
                      get: { .float(report($0).average) }),
            FieldSpec("whole_model", "Float", summary: "bits per parameter with every unquantized parameter at 32",
                      get: { .float(report($0).wholeModel) }),
            FieldSpec("compression", "Float", summary: "32 / average", get: { .float(report($0).compression) }),
            FieldSpec("whole_model_compression", "Float", summary: "32 / whole_model",
                      get: { .float(report($0).wholeModelCompression) }),
            FieldSpec("histogram", "List", summary: "quantized weights with 0, 1, 2, … bits",
                      get: { histogram(report($0).histogram) }),
            FieldSpec("zero_fraction", "Float", summary: "the share of quantized weights at 0 bits (pruned)",
                      get: { .float(report($0).zeroFraction) }),
            FieldSpec("weights", "Int", summary: "the quantized weights", get: { .int(report($0).quantizedWeights) }),
            FieldSpec("total_bits", "Int", summary: "Σ bits over the quantized weights", get: { .int(report($0).quantizedBits) }),
            FieldSpec("frozen", "Bool", summary: "whether the precisions are frozen (else: the bits freezing now would give)",
                      get: { .bool(report($0).frozen) }),
            FieldSpec("rows", "List", summary: "one record per layer: path, kind, weights, quantized, bits, min, max, zero, histogram",
                      get: { .list(report($0).rows.map { r in
                          .record([("path", .string(r.path)), ("kind", .string(r.kind)), ("weights", .int(r.weights)),
                                   ("quantized", .bool(r.quantized)), ("bits", .float(r.average)), ("min", .int(r.minBits)),
                                   ("max", .int(r.maxBits)), ("zero", .int(r.zeroBits)), ("histogram", histogram(r.histogram))]) }) }),
        ])
}

enum SMOLBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, topic: String = "Optimizers and training",
                     details: String = "", example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: topic, summary: summary, details: details, example: example, body: body)
    }

    static func net(_ a: Arguments) throws -> any Layer<Float> {
        try a.native("net", as: LayerObject.self, expected: "Net").layer
    }

    /// The SMOL controllers an optimizer holds (itself, or inside a combination).
    static func controllers(_ o: any Optimizer<Float>) -> [SMOL<Float>] {
        ([o as AnyObject] + o.hookProviders).compactMap { $0 as? SMOL<Float> }
    }

    /// A List of positive finite costs.
    static func costs(_ a: Arguments, _ name: String) throws -> [Double]? {
        guard !a[name].isNil else { return nil }
        let items = try a.list(name).items
        return try items.map { v in
            guard let d = v.numberValue, d.isFinite, d >= 0 else {
                throw a.valueError(name, "must be a List of finite numbers >= 0 (cost of 1, 2, … bits), got \(v.typeName)")
            }
            return d
        }
    }

    static func energyRecord(_ e: EnergyEstimate) -> [(String, Value)] {
        [("power", .float(e.power)), ("latency", .float(e.latency)), ("energy", .float(e.energy))]
    }

    static let table: [BuiltinSpec] = [
        spec("bits", [.required("net", "Net")],
             "Bits per weight of a quantized net: a per-layer table with the average over quantized weights and over the whole model.",
             topic: "Queries",
             details: "`average` is the thesis' bpp: Σ p over the quantized weights / their number, 0-bit (pruned) weights counting 0; `whole_model` also counts every other parameter (biases, unquantized layers) at 32 bits. `compression` is 32 / average; `histogram` counts the weights at 0, 1, 2, … bits; `zero_fraction` is the share at 0 bits. Weights another gate removes (a mask) count 0 bits. Before `freeze_precision` it shows the bits freezing now would give. It stands for `average` in arithmetic.",
             example: "quantized(net)\nbits(net).average\nbits(net).histogram") { a in
            .native(BitsObject(try bitsReport(try net(a))))
        },
        spec("energy", [.required("net", "Net"), .named("activation_bits", "Int", .int(4)), .named("power", "List", .null),
                        .named("latency", "List", .null), .named("versus", "Int", .null)],
             "The thesis' energy model (§5.4.4) for a quantized net's multiplies: power, latency and energy relative to 1-bit weights.",
             topic: "Queries",
             details: "power = Σ_b frac_b·P_b and latency = Σ_b frac_b·L_b over the share frac_b of weights at b bits (0-bit weights cost nothing; accumulation costs the same at every precision); energy = power × latency. The built-in table is the thesis' for 4-bit activations and 1–3-bit weights (power 1, 2.41, 3.83; latency 1, 1.91, 2.10); for other activations, or weights with more bits, give `power:` and `latency:` (cost of 1, 2, … bits). `versus: b` adds the ratios to the same weights all at b bits (BSQ's 2 bits in the thesis). Returns a record with the whole net's figures and `layers`.",
             example: "energy(net, versus: 2).energy") { a in
            let n = try net(a)
            let activation = try a.int("activation_bits")
            var table = MultiplierCosts.fourBitActivations
            let power = try costs(a, "power"), latency = try costs(a, "latency")
            guard activation == 4 || (power != nil && latency != nil) else {
                throw a.valueError("activation_bits", "is \(activation); the thesis' cost table is for 4-bit activations only, so give power: and latency: for \(activation)-bit activations")
            }
            if let power { table.power = power }
            if let latency { table.latency = latency }
            let report = try bitsReport(n)
            let whole = try EnergyEstimate(histogram: report.histogram, costs: table)
            var fields: [(String, Value)] = energyRecord(whole)
            if let b = try a.optionalInt("versus") {
                guard b >= 1, b <= FixedPoint.maxBits else { throw a.valueError("versus", "must be a number of bits from 1 to \(FixedPoint.maxBits), got \(b)") }
                var uniform = [Int](repeating: 0, count: b + 1)
                uniform[b] = report.quantizedWeights
                let base = try EnergyEstimate(histogram: uniform, costs: table)
                fields += [("power_ratio", .float(base.power == 0 ? 0 : whole.power / base.power)),
                           ("latency_ratio", .float(base.latency == 0 ? 0 : whole.latency / base.latency)),
                           ("energy_ratio", .float(base.energy == 0 ? 0 : whole.energy / base.energy))]
            }
            let layers = try report.rows.filter(\.quantized).map { r -> Value in
                .record([("path", .string(r.path))] + energyRecord(try EnergyEstimate(histogram: r.histogram, costs: table)))
            }
            return .record(fields + [("layers", .list(layers))])
        },
        spec("freeze_precision", [.required("net", "Net"), .named("rounding", "String", .string(PrecisionRounding.floor.rawValue)),
                                  .named("zero_precision", "Bool", .null), .named("strict", "Bool", .bool(true)),
                                  .named("bits", "Int", .null), .named("opt", "Optimizer", .null)],
             "Freezes SMOL's learned precisions into integer bits per weight and switches the quantizers to hard mode for fine-tuning; returns bits(net).",
             details: "p = 1 + op(log2(1 + e^(−s))) with `rounding: \"floor\"` (the thesis' experiments; \"round\" is its Algorithm 5, \"ceil\" keeps every rounding error within σ(s)). With zero-precision allocation (`zero_precision:`, default the one `smol` set, else true) a weight goes to 0 bits when |w| < |w − Q(w, p)| (`strict: false`: ≤); weights a mask removes get 0 bits. The logits `<layer>.precision` are discarded (so is their Adam state: at once with `opt:`, else at the next step of the smol optimizer) and the map is the buffer `<layer>.bits`, saved with `save`. `bits: k` gives every weight k bits instead: uniform k-bit quantization. Afterwards the quantizers use Q(w, p) forward and pass gradients straight through; 0-bit weights stay exactly 0. To load a frozen checkpoint into a fresh net, call `quantized(net)` and `freeze_precision(net)` first.",
             example: "freeze_precision(net)\nfit(net, data.train, opt, epochs: 1)\nbits(net)") { a in
            let n = try net(a)
            let rounding = try SparsificationBuiltins.enumValue(a, "rounding", PrecisionRounding.self)
            let zero = a["zero_precision"].isNil ? nil : try a.bool("zero_precision")
            let uniform = try a.optionalInt("bits")
            if let b = uniform, !(0...FixedPoint.maxBits).contains(b) {
                throw a.valueError("bits", "must be from 0 to \(FixedPoint.maxBits), got \(b)")
            }
            try freezePrecision(n, rounding: rounding, zeroPrecision: zero, strict: try a.bool("strict"), uniformBits: uniform)
            if let o = try a.optionalNative("opt", as: OptimizerObject.self, expected: "Optimizer")?.optimizer {
                for c in controllers(o) { c.dropFrozenState() }
            }
            return .native(BitsObject(try bitsReport(n)))
        },
        spec("quant_eval", [.required("net", "Net"), .required("mode", "String")],
             "What SMOL's soft quantizers do in inference (accuracy, evaluate, net(x)): the clean weights, Q(w, p) \"if frozen now\", or one noisy sample.",
             topic: "Layers and networks",
             details: "`mode` is \"clean\" (the default: w), \"frozen\" (Q(w, p) with the bits freeze_precision would give now, zero-precision allocation included) or \"noisy\" (w + σ(s)⊙ε, a fresh ε per pass). Training steps always use the noisy weights; frozen quantizers always use Q(w, p). Returns the net.",
             example: "quant_eval(net, \"frozen\")\naccuracy(net, data.test)") { a in
            let n = try net(a)
            let mode = try SparsificationBuiltins.enumValue(a, "mode", QuantizerEvaluation.self)
            let gates = quantizers(n)
            guard !gates.isEmpty else { throw a.valueError("net", "has no quantizers; add them first with quantized(net)") }
            for q in gates { q.gate.evaluation = mode }
            return a["net"]
        },
        spec("quantize", [.required("x", "Tensor"), .required("bits", "Int")],
             "SMOL's fixed-point quantizer q(x, p): each entry to the nearest p-bit level in [−2, 2] (0 bits: 0).",
             topic: "Tensors",
             details: "Bit j of a p-bit number is ±2^(1−j), so p bits give the 2^p levels ±2^(1−p), ±3·2^(1−p), …, ±(2 − 2^(1−p)), spaced 2^(2−p) apart; 0 is not one of them. q(x, p) = Δ·(⌊x/Δ⌋ + ½) clamped to ±(2 − Δ/2), Δ = 2^(2−p): an entry on a multiple of Δ (0 included) goes to the level above.",
             example: "quantize(tensor([0.2, -0.3, 1.0]), 2)   # [0.5, -0.5, 1.5]") { a in
            .tensor(try FixedPoint.quantize(try a.tensorValue("x"), bits: try a.int("bits")))
        },
        spec("quantized", [.required("net", "Net"), .named("p_init", "Float", .float(8)),
                           .named("granularity", "String", .string(QuantizerGranularity.weight.rawValue)), .named("only", "List", .null)],
             "Adds SMOL quantizers to the Dense and Conv2D layers of a net, in place: a precision logit per weight (or channel, or layer); returns the net.",
             topic: "Layers and networks",
             details: "Each layer gets the parameter `<layer>.precision` (role precision: no weight decay; `smol` steps it with Adam), filled with s_init = −ln(2^(p_init−1) − 1) so every weight starts at p_init bits (8: s = −4.8442). Weights live in [−2, 2] in signed fixed point (bit j is ±2^(1−j); p bits give the levels ±2^(1−p), ±3·2^(1−p), …, no 0) and are clamped to ±(2 − 2^(1−p_init)) now and to ±(2 − σ(s)) after every step. Mode soft trains w + σ(s)⊙ε with ε ~ U(−1, 1) drawn once per step; mode hard uses Q(w, p), the nearest level, with a straight-through gradient. `granularity: \"channel\"` shares one logit per output channel (Dense column, Conv2D filter), `\"layer\"` one per layer (SMOL-L). The quantizer acts before any mask on the same weight, so masked weights stay 0 and count 0 bits. `only:` names the layers by path. There is no scale factor (the thesis has none): layers without a following BatchNorm keep their own weight scale.",
             example: "quantized(net)\nopt = smol(adam(net), lambda: 1e-6)\nfit(net, data.train, opt, epochs: 2)\nfreeze_precision(net)") { a in
            let n = try net(a)
            var rng = RandomState.fork(a.interpreter)
            try addQuantizers(to: n, pInit: try a.double("p_init"),
                              granularity: try SparsificationBuiltins.enumValue(a, "granularity", QuantizerGranularity.self),
                              only: try QueryBuiltins.paths(a["only"]), using: &rng)
            return a["net"]
        },
        spec("smol", [.required("opt", "Optimizer"), .named("lambda", "Float", .float(SMOLSettings().lambda)),
                      .named("precision_lr", "Float", .float(SMOLSettings().precisionLR)),
                      .named("zero_precision", "Bool", .bool(SMOLSettings().zeroPrecision)),
                      .named("weighted_groups", "Bool", .bool(SMOLSettings().weightedGroups))],
             "SMOL around a task optimizer: Adam on the precision logits in the same step and the bit penalty λ·Σ log2(1 + e^(−s)).",
             details: "The net needs quantizers first (`quantized(net)`). The task optimizer updates every other parameter (it is routed away from the role precision); Adam at `precision_lr`, no weight decay, updates the logits in the same step (as `combine` would). λ multiplies a sum over every quantized weight, so it must shrink as the model grows (the thesis: 1e-6 to 5e-7 on ResNet-20's 0.27M weights); a logit shared by a channel or a layer counts once per weight (`weighted_groups: false`: once). `zero_precision:` is the default of the freeze. Phase 1: `fit` with it; then `freeze_precision(net)` and keep fitting with the same optimizer to fine-tune the quantized net. `opt.last_step.hooks.smol` has the penalty and the mean continuous bits; `explain(opt)` the bits so far.",
             example: "quantized(net)\nopt = smol(adam(net, lr: 1e-3), lambda: 1e-6, precision_lr: 1e-2)\nfit(net, data.train, opt, epochs: 2)\nfreeze_precision(net, opt: opt)\nfit(net, data.train, opt, epochs: 1)") { a in
            var s = SMOLSettings()
            s.lambda = try a.double("lambda")
            s.precisionLR = try a.double("precision_lr")
            s.zeroPrecision = try a.bool("zero_precision")
            s.weightedGroups = try a.bool("weighted_groups")
            return OptimizerBuiltins.wrap(try SMOL(try SparsificationBuiltins.optimizer(a), settings: s))
        },
    ]
}
