// Continuous sparsification, magnitude pruning and lottery tickets in the language: cs, imp, gmp, ticket, rewind, gates, masks, mask_overlap, flips, bake, sparse, and the Ticket object.
import Core
import Interpreter
import Lang

/// A lottery ticket (`ticket(opt)`): masks by weight path and the weights to retrain from.
public final class TicketObject: NativeObject {
    let ticket: Ticket<Float>
    init(_ ticket: Ticket<Float>) { self.ticket = ticket }

    public var typeName: String { "Ticket" }
    public var memberTable: MemberTable? { TicketMembers.table }
    public func render(width: Int) -> String {
        let kept = ticket.kept, total = ticket.total
        let share = total == 0 ? 0 : 100 * Double(kept) / Double(total)
        return "Ticket(\(ticket.method), round \(ticket.round), \(kept) of \(total) weights kept (\(String(format: "%.2f", share))%), rewind to epoch \(ticket.rewindEpoch))"
    }
    public var byteSize: Int {
        (ticket.masks.reduce(0) { $0 + $1.mask.count } + ticket.weights.params.reduce(0) { $0 + $1.value.count }) * 4 + 64
    }
}

enum TicketMembers {
    static func ticket(_ o: NativeObject) -> Ticket<Float> { (o as! TicketObject).ticket }
    static let table = MemberTable(
        typeName: "Ticket",
        summary: "A lottery ticket: a binary mask per pruned weight and the early weights to retrain from.",
        fields: [
            FieldSpec("mask", "Record", summary: "the 0/1 masks by weight path",
                      get: { .record(ticket($0).masks.map { ($0.path, .tensor($0.mask)) }) }),
            FieldSpec("weights", "Record", summary: "the net's own tensors at the rewind point, by path",
                      get: { .record(ticket($0).weights.params.map { ($0.path, .tensor($0.value)) }) }),
            FieldSpec("kept", "Int", summary: "the weights the masks keep", get: { .int(ticket($0).kept) }),
            FieldSpec("total", "Int", summary: "the weights the masks cover", get: { .int(ticket($0).total) }),
            FieldSpec("remaining", "Float", summary: "kept / total",
                      get: { let t = ticket($0); return .float(t.total == 0 ? 0 : Double(t.kept) / Double(t.total)) }),
            FieldSpec("method", "String", summary: "the method that found it (cs, imp, imp-c)", get: { .string(ticket($0).method) }),
            FieldSpec("round", "Int", summary: "the round it was taken in", get: { .int(ticket($0).round) }),
            FieldSpec("rewind", "Int", summary: "the epoch of round 1 the weights come from", get: { .int(ticket($0).rewindEpoch) }),
        ])
}

enum SparsificationBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, topic: String = "Optimizers and training",
                     details: String = "", example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: topic, summary: summary, details: details, example: example, body: body)
    }

    static func optimizer(_ a: Arguments) throws -> any Optimizer<Float> {
        try a.native("opt", as: OptimizerObject.self, expected: "Optimizer").optimizer
    }

    static func enumValue<E: RawRepresentable & CaseIterable>(_ a: Arguments, _ name: String, _ type: E.Type) throws -> E where E.RawValue == String {
        let s = try a.string(name)
        guard let v = E(rawValue: s) else {
            throw a.valueError(name, "must be " + E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ") + ", got \"\(s)\"")
        }
        return v
    }

    /// The optimizer a ticket comes from, whichever ticket-search controller it is (possibly
    /// inside a combination).
    static func ticket(of o: any Optimizer<Float>) throws -> Ticket<Float> {
        for part in [o as AnyObject] + o.hookProviders {
            if let cs = part as? ContinuousSparsification<Float> { return try cs.ticket() }
            if let imp = part as? IterativeMagnitudePruning<Float> { return try imp.ticket() }
        }
        throw runtimeError("`ticket`: \(o.name) searches for no ticket; wrap the optimizer first: cs(\(o.name)(net), …) or imp(\(o.name)(net), …)", kind: "value")
    }

    /// A set of masks by weight path from a Net (its gates' keep masks), a Ticket, a Record of
    /// path → Tensor (`masks(net)`, `ticket.mask`) or one Tensor.
    static func maskSet(_ a: Arguments, _ name: String) throws -> [(path: String, mask: Tensor<Float>)] {
        switch a[name] {
        case .native(let n as LayerObject): return keepMasks(n.layer)
        case .native(let n as TicketObject): return n.ticket.masks.map { ($0.path, $0.mask) }
        case .record(let r):
            return try zip(r.keys, r.values).map { key, v in
                guard let t = try TensorConversion.operand(v)?.tensor else {
                    throw a.valueError(name, "must map weight paths to mask Tensors, got \(v.typeName) for \"\(key)\"")
                }
                return (key, t)
            }
        case let v:
            if case .native = v, let t = try TensorConversion.operand(v)?.tensor { return [("mask", t)] }
            throw a.typeError(name, expected: "Net, Ticket, Record of masks or Tensor")
        }
    }

    static func comparisonRecord(_ c: MaskComparison) -> [(String, Value)] {
        [("removed", .int(c.removed)), ("restored", .int(c.restored)), ("hamming", .int(c.hamming)),
         ("entries", .int(c.entries)), ("fraction", .float(c.entries == 0 ? 0 : Double(c.hamming) / Double(c.entries)))]
    }

    static let table: [BuiltinSpec] = [
        spec("flips", [.required("net", "Net"), .required("since")],
             "How many weights changed between kept and removed since a saved mask: removed, restored, per layer.",
             topic: "Queries",
             details: "`since` is a saved mask set: `masks(net)` taken earlier, a Ticket, or another Net. The net's masks are what its gates keep now (H(s) for CS gates in any mode but off). The result has `removed` (kept then, removed now), `restored`, `hamming` (their sum), `fraction` of all entries, and `layers`, one record per weight. A CS mask that still flips often between epochs has not settled; IMP masks only ever lose entries.",
             example: "before = masks(net)\nfit(net, data, opt, epochs: 1)\nflips(net, since: before).hamming") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            let c = try compareMasks(try maskSet(a, "since"), keepMasks(net), op: "flips")
            let layers = c.rows.map { r in
                Value.record([("path", .string(r.path)), ("removed", .int(r.removed)), ("restored", .int(r.restored)),
                              ("hamming", .int(r.hamming)), ("entries", .int(r.entries))])
            }
            return .record(comparisonRecord(c) + [("layers", .list(layers))])
        },
        spec("gates", [.required("net", "Net"), .named("input", "List", .null), .named("eps", "Float", .float(0.01)),
                       .named("undecided", "Float", .float(5))],
             "A per-layer table of what the gates on the weights are doing: density, soft density, undecided and saturated gates, β, the penalty share.",
             topic: "Queries",
             details: "For each Dense / Conv2D layer: its gates (`mask`, `cs`, …) and mode, the weights, density (kept by H(s) or the hard mask), and for CS gates: soft density (σ(βs) > eps), undecided (|βs| < undecided: binarising still changes the function there), saturated (slope β·g·(1 − g) < 1e-6: the mask no longer learns), the mean gate, β and Σσ(βs) (the layer's share of the penalty before λ). `input:` (one sample's shape) weighs convolutions by their output size for the FLOP-weighted density. Fields: `rows`, `density`, `flop_density`.",
             example: "gates(net, input: [1, 28, 28])\ngates(net).rows[0].undecided") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            let shape = a["input"].isNil ? nil : try TensorConversion.ints(a["input"], what: "`gates`: argument `input`")
            let eps = try a.double("eps"), z = try a.double("undecided")
            guard eps >= 0 && eps < 1 else { throw a.valueError("eps", "must be in [0, 1), got \(eps)") }
            guard z > 0 && z.isFinite else { throw a.valueError("undecided", "must be a positive number, got \(z)") }
            return .native(GateReportObject(try gateReport(net, eps: eps, undecidedBelow: z, inputShape: shape)))
        },
        spec("gmp", [.required("opt", "Optimizer"), .named("final", "Float", .null), .named("initial", "Float", .float(0)),
                     .named("start", "Int", .int(0)), .named("every", "Int", .int(100)), .named("steps", "Int", .int(10)),
                     .named("only", "List", .null)],
             "Gradual magnitude pruning around an optimizer: the smallest weights of each layer are masked on a cubic schedule while training goes on.",
             details: "Adds hard masks to the Dense / Conv2D layers (`only:` chooses them). At optimizer steps t = start, start + every, …, start + steps·every each layer is pruned (smallest |w| first, ties keep the lower index) to the sparsity s_t = final + (initial − final)·(1 − (t − start)/(steps·every))³ (Zhu & Gupta 2017); removed weights and their optimizer state stay zero. The first update is step 1. `opt.last_step.hooks.gmp` reports each pruning step.",
             example: "opt = gmp(sgd(net, lr: 0.1, momentum: 0.9), final: 0.9, start: 200, every: 100, steps: 10)\nfit(net, data, opt, epochs: 5)\nsparsity(net)") { a in
            guard !a["final"].isNil else { throw a.valueError("final", "is required: the sparsity to reach, e.g. final: 0.9") }
            return OptimizerBuiltins.wrap(try GradualMagnitudePruning(try optimizer(a), initialSparsity: try a.double("initial"),
                                                                      finalSparsity: try a.double("final"), start: try a.int("start"),
                                                                      every: try a.int("every"), count: try a.int("steps"),
                                                                      only: try QueryBuiltins.paths(a["only"])))
        },
        spec("mask_overlap", [.required("a"), .required("b")],
             "How alike two pruning masks are: intersection over union of the kept entries and the Hamming distance.",
             topic: "Queries",
             details: "Each side is a Net (its gates' keep masks), a Ticket, a Record of masks by weight path (`masks(net)`) or one mask Tensor; both must cover the same weights. The result has `iou` (|a ∩ b| / |a ∪ b| of kept entries, 1 when both keep nothing), `hamming` (entries that differ), `fraction` (hamming / entries), `kept_a`, `kept_b`, `kept_both` — e.g. a CS mask against the global-magnitude mask at the same sparsity, or round r against round r − 1.",
             example: "mask_overlap(ticket(opt), masks(net)).iou") { a in
            let c = try compareMasks(try maskSet(a, "a"), try maskSet(a, "b"), op: "mask_overlap")
            return .record([("iou", .float(c.intersectionOverUnion))] + comparisonRecord(c).filter { $0.0 == "hamming" || $0.0 == "entries" || $0.0 == "fraction" }
                           + [("kept_a", .int(c.keptBefore)), ("kept_b", .int(c.keptAfter)), ("kept_both", .int(c.keptInBoth))])
        },
        spec("masks", [.required("net", "Net")],
             "The keep mask of every Dense / Conv2D weight by weight path: a snapshot for `flips` and `mask_overlap`.",
             topic: "Queries",
             details: "What the gates keep now (H(s) for a CS gate in soft or hard mode, a hard mask's ones), or the weight's nonzero entries where no gate reports a mask. The tensors are copies: later training does not change them.",
             example: "m = masks(net)\nsum(m[\"0.weight\"])") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            return .record(keepMasks(net).map { ($0.path, .tensor($0.mask)) })
        },
        spec("bake", [.required("net", "Net")],
             "Folds every gate into its weight (the weight becomes what the layer used) and removes the gates; returns the net.",
             topic: "Layers and networks",
             details: "A hard mask or a CS gate in hard mode zeroes the removed weights; a CS gate in soft mode folds c·σ(βs) in; a gate that is off is dropped unchanged. The net computes the same function afterwards, with plain weights (PyTorch's `prune.remove`).",
             example: "bake(net)\nsparsity(net)") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            try bake(net)
            return a["net"]
        },
        spec("cs", [.required("opt", "Optimizer"), .named("lambda", "Float", .float(CSSettings().lambda)),
                    .named("beta_final", "Float", .float(CSSettings().betaFinal)), .named("round_epochs", "Int", .null),
                    .named("round_steps", "Int", .null), .named("rewind", "Int", .int(CSSettings().rewindEpoch)),
                    .named("schedule", "String", .string(CSSettings().schedule.rawValue)),
                    .named("reset", "String", .string("beta")), .named("reset_momentum", "Bool", .bool(CSSettings().resetsMomentum))],
             "Continuous sparsification around an optimizer: the penalty λΣσ(βs), β annealed to beta_final over a round, round resets and tickets.",
             details: "The net needs CS gates first (`masked(net, gate: \"cs\", s_init: 0)`). Used by `fit` and `step` like the optimizer it wraps. β = beta_final^(t/T) after every step (T = round_epochs × batches per epoch, or round_steps); `schedule: \"epoch\"` grows it once per epoch instead (the reference code). `next_round(opt)` applies s ← min(β·s, s_init) with the old β (`reset: \"none\"`: min(s, s_init), the reference code), sets β ← 1, drops the logits' momentum (unless `reset_momentum: false`) and restarts the rate schedule. The net's weights and BatchNorm statistics at the end of epoch `rewind` of round 1 (0: now) are kept for `ticket(opt)`. For a supermask search (weights frozen), wrap an optimizer made with `only: \"mask_logit\"`. `opt.last_step.hooks.cs` has β, the round and the penalty.",
             example: "masked(net, gate: \"cs\", s_init: 0)\nopt = cs(adam(net, lr: 1e-3), lambda: 1e-8, beta_final: 200, round_epochs: 5, rewind: 1)\nfit(net, data.train, opt, epochs: 5)\nnext_round(opt)") { a in
            var s = CSSettings()
            s.lambda = try a.double("lambda")
            s.betaFinal = try a.double("beta_final")
            s.roundEpochs = try a.optionalInt("round_epochs")
            s.roundSteps = try a.optionalInt("round_steps")
            s.rewindEpoch = try a.int("rewind")
            s.schedule = try enumValue(a, "schedule", BetaSchedule.self)
            let reset = try a.string("reset")
            guard reset == "beta" || reset == "none" else { throw a.valueError("reset", "must be \"beta\" or \"none\", got \"\(reset)\"") }
            s.resetUsesFinalBeta = reset == "beta"
            s.resetsMomentum = try a.bool("reset_momentum")
            return OptimizerBuiltins.wrap(try ContinuousSparsification(try optimizer(a), settings: s))
        },
        spec("imp", [.required("opt", "Optimizer"), .named("rate", "Float", .float(0.2)), .named("scope", "String", .string("global")),
                     .named("rates", "Record", .null), .named("only", "List", .null), .named("rewind", "Int", .int(0)),
                     .named("continued", "Bool", .bool(false))],
             "Iterative magnitude pruning around an optimizer: each `next_round` prunes `rate` of the kept weights, then rewinds the survivors.",
             details: "Adds hard masks to the Dense / Conv2D layers (`only:` chooses them). `next_round(opt)` masks the fraction `rate` of the weights still kept, smallest |w| first (`scope: \"global\"` over all layers, `\"layer\"` per layer; `rates: {\"0\": 0.15, \"3\": 0.2}` per layer), then puts every tensor the layers own back to its value at the end of epoch `rewind` of round 1 (0: now), dropping the optimizer state. `continued: true` is IMP-C (`continue` is a keyword): keep training the trained weights. After r rounds (1 − rate)^r of the weights remain. `ticket(opt)` gives the masks and the rewind weights.",
             example: "opt = imp(sgd(net, lr: 0.1, momentum: 0.9), rate: 0.2, rewind: 1)\nfor r in 0..<5 { fit(net, data, opt, epochs: 3); next_round(opt) }") { a in
            let scope = try enumValue(a, "scope", PruningScope.self)
            var rates: [(path: String, rate: Double)]?
            if case .record(let r) = a["rates"] {
                rates = try zip(r.keys, r.values).map { key, v in
                    guard let x = v.numberValue else { throw a.valueError("rates", "must map layer paths to Floats, got \(v.typeName) for \"\(key)\"") }
                    return (key, x)
                }
            } else if !a["rates"].isNil {
                throw a.typeError("rates", expected: "Record")
            }
            return OptimizerBuiltins.wrap(try IterativeMagnitudePruning(try optimizer(a), rate: try a.double("rate"), scope: scope,
                                                                        rates: rates, only: try QueryBuiltins.paths(a["only"]),
                                                                        rewindEpoch: try a.int("rewind"), continues: try a.bool("continued")))
        },
        spec("rewind", [.required("net", "Net"), .required("ticket", "Ticket")],
             "Puts a ticket in place: its weights (BatchNorm statistics included) and its masks as hard masks, ready to retrain.",
             details: "CS gates are turned off; the masks become the hard masks `<layer>.mask`, so the removed weights and their optimizer state stay exactly zero while the ticket retrains. The net must be the one the ticket came from or a copy of it (same paths and shapes); otherwise it is an error and the net is unchanged. Returns the net.",
             example: "t = ticket(opt)\nrewind(net, t)\nfit(net, data.train, adam(net), epochs: 5)") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            let t = try a.native("ticket", as: TicketObject.self, expected: "Ticket").ticket
            try Core.rewind(net, to: t)
            return a["net"]
        },
        spec("sparse", [.required("net", "Net"), .named("batch", "Int", .int(64))],
             "An inference copy of a pruned net whose Dense layers run on compressed-sparse-row kernels where that is faster here.",
             topic: "Layers and networks",
             details: "Gates are folded in first (as `bake` does, on the copy). Each Dense layer is timed side by side as dense and as CSR on a batch of `batch` rows, and the faster is kept, so the copy is never slower by choice; the outputs equal the dense net's to float rounding. Printing the copy shows `SparseDense(…, CSR)` where CSR won. Conv2D layers stay dense (no sparse convolution kernel yet). The copy is for inference: it has no trainable parameters in its CSR layers.",
             example: "fast = sparse(net, batch: 1)\nfast(x)") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            return .native(LayerObject(try sparseCopy(net, batch: try a.int("batch")).net))
        },
        spec("ticket", [.required("opt", "Optimizer")],
             "The lottery ticket of a cs or imp optimizer: its binary masks and the weights at the rewind epoch.",
             details: "For cs the mask is H(s) (with the gates' tie rule); for imp the current hard masks. The weights are every tensor the layers own at the end of epoch `rewind` of round 1. Put it in place with `rewind(net, ticket)`.",
             example: "t = ticket(opt)\nprint(t.remaining)\nrewind(net, t)") { a in
            .native(TicketObject(try ticket(of: try optimizer(a))))
        },
    ]
}
