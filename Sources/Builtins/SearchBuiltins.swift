// Gradient-free search in the language: hrco, step(h), search, the paper's fast problems, and lasso.
import Core
import Interpreter
import Lang

/// What a search point stands for in the language: how the Whittle functions receive it and how
/// `h.best` shows it.
enum SearchPointKind {
    case tensor
    case list
    /// A net's parameters: f and feasible receive the net with the candidate loaded; the net holds s between steps.
    case net(any Layer<Float>)
}

/// A search in progress, shared by reference.
public final class SearchObject: NativeObject {
    let search: Search
    let kind: SearchPointKind
    let source: ProblemObject?

    init(_ search: Search, kind: SearchPointKind, source: ProblemObject?) {
        self.search = search
        self.kind = kind
        self.source = source
    }

    public var typeName: String { "Search" }
    public var memberTable: MemberTable? { SearchMembers.table }
    public func render(width: Int) -> String {
        let h = search
        return "Search(HRCO \(h.settings.schedule.name), K = \(h.s.count), m = \(h.m), best f \(formatted(h.fs)), \(h.improvements.count) improvements, next \(h.nextRegime.rawValue))"
    }
    public var byteSize: Int { search.s.count * 8 * 4 + 256 }

    /// After any step, a net holds the best point.
    func syncNet() {
        if case .net(let net) = kind { SearchBuiltins.load(search.s, into: net) }
    }
}

enum SearchMembers {
    static func h(_ o: NativeObject) -> Search { (o as! SearchObject).search }
    static func obj(_ o: NativeObject) -> SearchObject { o as! SearchObject }

    static func counters(_ k: RegimeCounters) -> Value {
        .record([("steps", .int(k.steps)), ("asked", .int(k.asked)), ("feasible", .int(k.feasible)),
                 ("feasible_rate", .float(k.feasibleRate)), ("improvements", .int(k.improvements)),
                 ("improvement_rate", .float(k.improvementRate)), ("rejections_mean", .float(k.meanRejections)),
                 ("rejections_last", .int(k.lastRejections))])
    }

    static func pruning(_ o: NativeObject) throws -> Value {
        guard let p = obj(o).source?.pruning else { return .null }
        let s = h(o).s
        return .record([("t", .float(p.t)), ("eta", .float(p.eta)), ("pruned", .float(p.prunedFraction(s))),
                        ("accuracy", .float(try h(o).scoreOfBest())),
                        ("per_tensor", .record(p.prunedByTensor(s).map { ($0.path, .float($0.fraction)) })),
                        ("near_threshold", .int(p.nearThreshold(s))),
                        ("images_scored", .int(p.imagesScored)), ("decisions", .int(p.decisions))])
    }

    static let table = MemberTable(
        typeName: "Search",
        summary: "A gradient-free HRCO search (GS/CS): its centres, counters and log.",
        fields: [
            FieldSpec("m", "Int", summary: "steps taken so far (the next step's index)", get: { .int(h($0).m) }),
            FieldSpec("regime", "String or nil", summary: "the regime of the last step, \"gs\" or \"cs\"",
                      get: { h($0).lastRegime.map { .string($0.rawValue) } ?? .null }),
            FieldSpec("next_regime", "String", summary: "the regime the next step will use", get: { .string(h($0).nextRegime.rawValue) }),
            FieldSpec("schedule", "String", summary: "the regime schedule", get: { .string(h($0).settings.schedule.name) }),
            FieldSpec("best", "Tensor or List", summary: "s, the best feasible point so far",
                      get: { SearchBuiltins.point(h($0).s, h($0).layout, obj($0).kind) }),
            FieldSpec("center", "Tensor or List", summary: "c, the GS control point",
                      get: { SearchBuiltins.point(h($0).c, h($0).layout, obj($0).kind) }),
            FieldSpec("best_f", "Float", summary: "f(s)", get: { .float(h($0).fs) }),
            FieldSpec("center_f", "Float", summary: "f(c)", get: { .float(h($0).fc) }),
            FieldSpec("start_f", "Float", summary: "f(x0)", get: { .float(h($0).f0) }),
            FieldSpec("score", "Float", summary: "score(s) (computed on demand after an early decision)",
                      get: { .float(try h($0).scoreOfBest()) }),
            FieldSpec("center_score", "Float", summary: "score(c)", get: { .float(try h($0).scoreOfCenter()) }),
            FieldSpec("threshold", "Float", summary: "the feasibility threshold", get: { .float(h($0).problem.threshold) }),
            FieldSpec("margin", "Float", summary: "score(s) − threshold", get: { .float(try h($0).margin()) }),
            FieldSpec("l1", "Float", summary: "‖s‖₁", get: { .float(h($0).bestL1) }),
            FieldSpec("center_l1", "Float", summary: "‖c‖₁", get: { .float(h($0).centerL1) }),
            FieldSpec("distance", "Float", summary: "‖c − s‖₂", get: { .float(h($0).centerToBest) }),
            FieldSpec("frozen", "Record", summary: "components that cannot move (x^k = 0): {center, best}",
                      get: { .record([("center", .int(h($0).frozenInCenter)), ("best", .int(h($0).frozenInBest))]) }),
            FieldSpec("sigma", "Record", summary: "σ·scale of the next step's centre: {min, median, max}",
                      get: { let s = h($0).sigma; return .record([("min", .float(s.min)), ("median", .float(s.median)), ("max", .float(s.max))]) }),
            FieldSpec("spread", "String", summary: "the CS spread mode, \"paper\" or \"per_coordinate\"", get: { .string(h($0).settings.spread.rawValue) }),
            FieldSpec("r", "Int or String", summary: "n/K of CS (\"random\" for n_mode: \"random\")",
                      get: { h($0).settings.randomR ? .string("random") : .int(h($0).settings.r) }),
            FieldSpec("gs", "Record", summary: "GS counters: steps, asked, feasible, feasible_rate, improvements, improvement_rate, rejections_mean, rejections_last",
                      get: { counters(h($0).gs) }),
            FieldSpec("cs", "Record", summary: "CS counters, as `gs`", get: { counters(h($0).cs) }),
            FieldSpec("improvements", "List", summary: "the improvement log: {m, regime, delta, score}",
                      get: { .list(h($0).improvements.map { .record([("m", .int($0.m)), ("regime", .string($0.regime.rawValue)),
                                                                   ("delta", .float($0.delta)), ("score", $0.score.map { .float($0) } ?? .null)]) }) }),
            FieldSpec("ring", "Record or nil", summary: "the last sample's ‖α − x‖₂ and the Lemma-1 ring radius σ̄·scale·√K",
                      get: { h($0).ring.map { .record([("distance", .float($0.distance)), ("radius", .float($0.radius))]) } ?? .null }),
            FieldSpec("history", "List", summary: "the best f after each step", get: { .list(h($0).bestCurve.map { .float($0) }) }),
            FieldSpec("steps", "List", summary: "one record per step: m, regime, feasible, f, improved, best, rejected, distance, ring_radius",
                      get: { o in .list(h(o).log.map { TrainingPlatform.record(h(o).report($0)) }) }),
            FieldSpec("timings", "Record", summary: "seconds and calls of f and of the feasibility test",
                      get: { .record([("f_seconds", .float(h($0).fSeconds)), ("f_calls", .int(h($0).fCalls)),
                                      ("feasible_seconds", .float(h($0).feasibleSeconds)), ("feasible_calls", .int(h($0).feasibleCalls))]) }),
            FieldSpec("pruning", "Record or nil", summary: "for prune_problem: t, eta, pruned (T_t(s)), accuracy (P_t(s)), per_tensor, near_threshold (|s| within ±1 % of t)",
                      get: { try pruning($0) }),
        ])
}

enum SearchBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Optimizers and training", summary: summary, details: details,
                    example: example, body: body)
    }

    // MARK: - Points

    /// A flat point as the language shows it.
    static func point(_ v: [Double], _ layout: SearchLayout, _ kind: SearchPointKind) -> Value {
        let ts = layout.tensors(v)
        if case .tensor = kind, let t = ts.first { return .tensor(t) }
        return .list(ts.map { .tensor($0) })
    }

    /// Writes a flat point into a net's parameters, in `params` order.
    static func load(_ v: [Double], into net: any Layer<Float>) {
        var offset = 0
        for p in net.params {
            let n = p.value.count
            guard offset + n <= v.count, let t = try? Tensor<Float>(shape: p.value.shape, scalars: v[offset..<offset + n].map(Float.init)) else { return }
            p.value = t
            offset += n
        }
    }

    /// x0 as a flat vector, its layout and kind.
    static func start(_ a: Arguments) throws -> ([Double], SearchLayout, SearchPointKind) {
        switch a["x0"] {
        case .native(let t as TensorObject):
            let (v, l) = SearchLayout.flatten([t.tensor])
            return (v, l, .tensor)
        case .native(let n as LayerObject):
            let (v, l) = SearchLayout.flatten(n.layer.params.map(\.value))
            return (v, l, .net(n.layer))
        case .list(let list):
            let ts = try list.items.map { item -> Tensor<Float> in
                guard case .native(let t as TensorObject) = item else { throw a.valueError("x0", "must hold tensors, found \(item.typeName)") }
                return t.tensor
            }
            let (v, l) = SearchLayout.flatten(ts)
            return (v, l, .list)
        default: throw a.typeError("x0", expected: "Tensor, List of Tensors or Net")
        }
    }

    /// The argument a Whittle function receives for a flat point.
    static func argument(_ v: [Double], _ layout: SearchLayout, _ kind: SearchPointKind) -> Value {
        if case .net(let net) = kind {
            load(v, into: net)
            return .native(LayerObject(net))
        }
        return point(v, layout, kind)
    }

    /// The problem made of the Whittle functions `f:` and `feasible:`.
    static func userProblem(_ a: Arguments, layout: SearchLayout, kind: SearchPointKind) throws -> SearchProblem {
        let f = try a.function("f"), feasible = try a.function("feasible")
        let threshold = try a.double("threshold"), strict = try a.bool("strict")
        func fValue(_ v: [Double]) throws -> Double {
            let out = try a.call(f, [argument(v, layout, kind)])
            guard let x = out.numberValue else {
                throw runtimeError("`hrco`: f must return a number, got \(out.typeName)", kind: "type")
            }
            return x
        }
        func answer(_ v: [Double]) throws -> (Bool, Double) {
            let out = try a.call(feasible, [argument(v, layout, kind)])
            if case .bool(let b) = out { return (b, b ? 1 : 0) }
            guard let x = out.numberValue else {
                throw runtimeError("`hrco`: feasible must return a Bool or a score (a number), got \(out.typeName)", kind: "type")
            }
            return (x.isFinite && (strict ? x > threshold : x >= threshold), x)
        }
        return SearchProblem(name: "f subject to feasible", f: fValue, score: { try answer($0).1 }, threshold: threshold, strict: strict,
                             decide: { let (b, s) = try answer($0); return (b, s) })
    }

    static func settings(_ a: Arguments, K: Int) throws -> HRCOSettings {
        var s = HRCOSettings()
        s.C = try a.double("C")
        switch try a.string("schedule") {
        case "alternate": s.schedule = .alternate
        case "switch_at":
            guard let at = try a.optionalInt("at") else { throw a.valueError("at", "is needed by schedule: \"switch_at\"") }
            s.schedule = .switchAt(at)
        case "switch_on_stall": s.schedule = .switchOnStall(try a.int("patience"))
        case "gs": s.schedule = .gsOnly
        case "cs": s.schedule = .csOnly
        case let other: throw a.valueError("schedule", "must be \"alternate\", \"switch_at\", \"switch_on_stall\", \"gs\" or \"cs\", got \"\(other)\"")
        }
        guard let dist = SearchDistribution(rawValue: try a.string("dist")) else { throw a.valueError("dist", "must be \"normal\" or \"laplace\"") }
        s.distribution = dist
        guard let spread = SpreadMode(rawValue: try a.string("spread")) else { throw a.valueError("spread", "must be \"paper\" or \"per_coordinate\"") }
        s.spread = spread
        if let n = try a.optionalInt("n") {
            guard n >= K, n % K == 0 else { throw a.valueError("n", "must be a positive multiple of K = \(K), got \(n)") }
            s.r = n / K
        }
        switch try a.string("n_mode") {
        case "fixed": s.randomR = false
        case "random": s.randomR = true
        default: throw a.valueError("n_mode", "must be \"fixed\" or \"random\"")
        }
        s.zeroFloor = try a.double("zero_floor")
        s.acceptTies = try a.bool("accept_ties")
        s.seed = UInt64(bitPattern: Int64(try DataBuiltins.seed(a, "seed")))
        return s
    }

    /// One step of a search (what `step(h)` does); returns the step's record.
    static func step(_ o: SearchObject) throws -> Value {
        defer { o.syncNet() }
        let r = try o.search.step()
        return TrainingPlatform.record(o.search.report(r))
    }

    /// The best f per step, and the improvements of each regime as points (the regimes marked).
    static func plotSeries(_ h: Search) -> [PlotSeries] {
        var out = [PlotSeries(name: "best f", x: h.log.map { Double($0.m) }, y: h.bestCurve)]
        for regime in [SearchRegime.gs, .cs] {
            let marks = h.log.filter { $0.improved && $0.regime == regime }
            if !marks.isEmpty {
                out.append(PlotSeries(name: "\(regime.rawValue) improvements", x: marks.map { Double($0.m) }, y: marks.map(\.best)))
            }
        }
        return out
    }

    static func lassoRecord(_ r: LassoResult) -> Value {
        .record([("coef", .tensor(Tensor(r.coef.map(Float.init)))), ("intercept", .float(r.intercept)), ("n_iter", .int(r.nIter)),
                 ("dual_gap", .float(r.dualGap)), ("objective", .float(r.objective)), ("converged", .bool(r.converged))])
    }

    static let table: [BuiltinSpec] = [
        spec("hrco", [.optional("x0", "Tensor, List or Net", .null), .named("f", "Function", .null), .named("feasible", "Function", .null),
                      .named("problem", "Problem", .null), .named("threshold", "Float", .float(0)), .named("strict", "Bool", .bool(false)),
                      .named("C", "Float", .float(HRCODefaults.C)), .named("schedule", "String", .string(HRCODefaults.schedule)),
                      .named("at", "Int", .null), .named("patience", "Int", .int(HRCODefaults.patience)),
                      .named("dist", "String", .string(HRCODefaults.dist)), .named("n", "Int", .null),
                      .named("n_mode", "String", .string(HRCODefaults.nMode)), .named("spread", "String", .string(HRCODefaults.spread)),
                      .named("zero_floor", "Float", .float(HRCODefaults.zeroFloor)), .named("accept_ties", "Bool", .bool(HRCODefaults.acceptTies)),
                      .named("seed", "Int", .null)],
             "A gradient-free hybrid random concentrated search (HRCO, GS/CS) minimising f over the points where feasible holds; returns a Search.",
             details: "x0 is a tensor, a list of tensors or a net (then f and feasible receive the net with the candidate loaded, and the net holds the best point between steps). feasible returns a Bool, or a score compared with `threshold:` (≥, or > with `strict: true`); a non-finite f or score means infeasible, and an infeasible x0 is refused. `problem:` takes a built-in problem (`l1_problem`, `prune_problem`) instead of f and feasible. schedule: \"alternate\" (m even GS, odd CS), \"switch_at\" (GS for m < at), \"switch_on_stall\" (GS until `patience` GS steps without gain), \"gs\", \"cs\". n (a multiple of K, default K) sets the CS spread; spread: \"paper\" uses σ/√(nK), \"per_coordinate\" σ/√n. zero_floor > 0 lets zero components move. `step(h)` does one draw, `search(h, steps:)` many; `explain(h)` and `plot(h)` show the state.",
             example: "h = hrco(tensor([1.0, 2.0]), f: fn(x) sum(x * x), feasible: fn(x) sum(x) >= 1, seed: 0)\nsearch(h, steps: 200)\nh.best_f") { a in
            let source = try a.optionalNative("problem", as: ProblemObject.self, expected: "Problem")
            var (x0, layout, kind): ([Double], SearchLayout, SearchPointKind)
            if a["x0"].isNil {
                guard let p = source, let start = p.start else { throw a.valueError("x0", "is needed (only prune_problem has a start of its own)") }
                (x0, layout, kind) = (start, p.layout, .list)
            } else {
                (x0, layout, kind) = try start(a)
            }
            let problem: SearchProblem
            if let p = source {
                guard a["f"].isNil, a["feasible"].isNil else { throw a.valueError("problem", "comes with its own f and feasible; give one or the other") }
                guard x0.count == p.layout.count else { throw a.valueError("x0", "has \(x0.count) components but the problem has K = \(p.layout.count)") }
                if case .net = kind { throw a.valueError("x0", "must be a tensor or a list with problem:") }
                problem = p.problem
                if case .tensor = kind {} else { layout = p.layout }
            } else {
                guard !a["f"].isNil, !a["feasible"].isNil else { throw a.valueError("f", "and feasible: are needed (or problem:)") }
                problem = try userProblem(a, layout: layout, kind: kind)
            }
            let search: Search
            do {
                search = try Search(x0: x0, layout: layout, problem: problem, settings: try settings(a, K: x0.count))
            } catch {
                if case .net(let net) = kind { load(x0, into: net) }
                throw error
            }
            let o = SearchObject(search, kind: kind, source: source)
            o.syncNet()
            return .native(o)
        },
        spec("search", [.required("h", "Search"), .named("steps", "Int", .int(100))],
             "Runs `steps` steps of a search with a progress line (best f, regime); Ctrl-C stops between steps and keeps the search.",
             details: "Returns the search. The steps' records are in `last_run.records` (m, regime, feasible, f, improved, best, rejected, distance, ring_radius).",
             example: "search(h, steps: 600)\nh.improvements") { a in
            let o = try a.native("h", as: SearchObject.self, expected: "Search")
            let run = Run()
            a.interpreter.userGlobals.cell("last_run").value = .native(RunObject(run))
            defer { o.syncNet() }
            try o.search.run(steps: try a.int("steps"), into: run)
            return a["h"]
        },
        spec("l1_problem", [.required("X", "Tensor"), .required("y", "Tensor"), .named("r2", "Float", .float(0.999))],
             "The HRCO paper's L1-reduction problem: minimise ‖θ‖₁ over θ = (b, w) keeping R² ≥ r2, evaluated through the Gram matrix.",
             details: "G = X̃ᵀX̃ (X̃ = [1, X]) is built once in Double (`dsyrk` on row chunks); each R² is then one `dsymv` on K = p + 1 components. Start the search from a Lasso fit: cat([intercept], coef).",
             example: "r = make_regression(2000, 50, informative: 30, seed: 42)\nfit = lasso(r.data.x, r.data.y, alpha: 0.1)\np = l1_problem(r.data.x, r.data.y)\nh = hrco(cat([tensor([fit.intercept]), fit.coef]), problem: p)") { a in
            let l1 = try L1Problem(x: try a.tensorValue("X"), y: try a.tensorValue("y"), threshold: try a.double("r2"))
            return .native(ProblemObject(l1.problem, layout: SearchLayout(shapes: [[l1.K]]), l1: l1))
        },
        spec("lasso", [.required("X", "Tensor"), .required("y", "Tensor"), .named("alpha", "Float", .float(LassoDefaults.alpha)),
                       .named("tol", "Float", .float(LassoDefaults.tol)), .named("max_iter", "Int", .int(LassoDefaults.maxIter)),
                       .named("fit_intercept", "Bool", .bool(LassoDefaults.fitIntercept))],
             "Lasso by coordinate descent in Double, scikit-learn's objective and stopping rule: {coef, intercept, n_iter, dual_gap, objective, converged}.",
             details: "Minimises (1/(2N))‖y − Xw − b‖² + alpha·‖w‖₁ (the intercept by centring). Passes stop when the largest change is below tol·max|w| and the duality gap below tol·‖y‖², or after max_iter passes (`converged` is then false). The passes are in `last_run.records`; Ctrl-C stops between passes.",
             example: "r = make_regression(1000, 50, informative: 10, seed: 42)\nfit = lasso(r.data.x, r.data.y, alpha: 0.1)\nfit.n_iter") { a in
            let run = Run()
            a.interpreter.userGlobals.cell("last_run").value = .native(RunObject(run))
            return lassoRecord(try lasso(try a.tensorValue("X"), try a.tensorValue("y"), alpha: try a.double("alpha"), tol: try a.double("tol"),
                                         maxIter: try a.int("max_iter"), fitIntercept: try a.bool("fit_intercept"), run: run))
        },
        spec("prune_problem", [.required("net", "Net"), .required("data", "Dataset"), .named("t", "Float", .float(0.01)), .named("eta", "Float", .float(0.87)),
                               .named("early", "Bool", .bool(true))],
             "The HRCO paper's pruning problem on a net's dense part: maximise T_t (the fraction with |c| ≤ t) keeping accuracy P_t > eta on `data`.",
             details: "The layers before the dense part are frozen and their features of `data` computed once; f = −T_t; feasibility stops counting as soon as the correct answers settle it (the same decisions as a full evaluation; `early: false` scores every image, for checking). `problem.start` is the dense part now; `hrco(problem: p)` starts there. Use a validation split as `data` and report test accuracy apart.",
             example: "p = prune_problem(net, data.test, t: 0.01, eta: 0.87)\nh = hrco(problem: p, schedule: \"alternate\")") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            let p = try PruningProblem(net: net, data: try LossBuiltins.data(a, "data"), t: try a.double("t"), eta: try a.double("eta"))
            var problem = p.problem
            if try !a.bool("early") { problem.decide = nil }
            return .native(ProblemObject(problem, layout: p.layout, start: p.start, pruning: p))
        },
    ]
}

// MARK: - Problems (last in the file: the method helper below builds specs of its own)

/// A problem made by `l1_problem` or `prune_problem`, to hand to `hrco(problem:)`.
public final class ProblemObject: NativeObject {
    let problem: SearchProblem
    let layout: SearchLayout
    /// The natural start (the trained net's dense part), when the problem has one.
    let start: [Double]?
    let pruning: PruningProblem?
    let l1: L1Problem?

    init(_ problem: SearchProblem, layout: SearchLayout, start: [Double]? = nil, pruning: PruningProblem? = nil, l1: L1Problem? = nil) {
        self.problem = problem
        self.layout = layout
        self.start = start
        self.pruning = pruning
        self.l1 = l1
    }

    public var typeName: String { "Problem" }
    public var memberTable: MemberTable? { ProblemMembers.table }
    public func render(width: Int) -> String { "Problem(\(problem.name), K = \(layout.count))" }
}

enum ProblemMembers {
    static func problem(_ o: NativeObject) -> ProblemObject { o as! ProblemObject }

    static let table = MemberTable(
        typeName: "Problem",
        summary: "A built-in search problem (fast f and feasibility) for `hrco(problem:)`.",
        fields: [
            FieldSpec("name", "String", summary: "what is minimised, subject to what", get: { .string(problem($0).problem.name) }),
            FieldSpec("k", "Int", summary: "the number of components K", get: { .int(problem($0).layout.count) }),
            FieldSpec("threshold", "Float", summary: "the feasibility threshold (R² or η)", get: { .float(problem($0).problem.threshold) }),
            FieldSpec("start", "List or nil", summary: "the natural start (the net's dense part)",
                      get: { o in problem(o).start.map { SearchBuiltins.point($0, problem(o).layout, .list) } ?? .null }),
        ],
        methods: [
            method("f", "f at a point (a Tensor or a List of Tensors with K components).", example: "p.f(h.best)") { p, x in try p.problem.f(x) },
            method("score", "The feasibility score at a point: R² or the accuracy P_t.", example: "p.score(h.best)") { p, x in try p.problem.score(x) },
        ])

    /// A method of a Problem taking one point.
    static func method(_ name: String, _ summary: String, example: String,
                       _ body: @escaping (ProblemObject, [Double]) throws -> Double) -> BuiltinSpec {
        BuiltinSpec(name, [.required("x", "Tensor or List")], topic: "Optimizers and training", summary: summary, example: example) { a in
            guard case .native(let n)? = a.receiver, let p = n as? ProblemObject else { throw a.typeError("x") }
            let tensors: [Tensor<Float>]
            switch a["x"] {
            case .native(let t as TensorObject): tensors = [t.tensor]
            case .list(let l):
                tensors = try l.items.map { item in
                    guard case .native(let t as TensorObject) = item else { throw a.valueError("x", "must hold tensors, found \(item.typeName)") }
                    return t.tensor
                }
            default: throw a.typeError("x", expected: "Tensor or List of Tensors")
            }
            let v = SearchLayout.flatten(tensors).vector
            guard v.count == p.layout.count else { throw a.valueError("x", "has \(v.count) components, the problem has K = \(p.layout.count)") }
            return .float(try body(p, v))
        }
    }
}
