// How adaptive an optimizer is right now: the spread of its per-coordinate rates and where ε sits against √v̂.
import Foundation

/// The rate of one coordinate as a function of its second-moment entry, for one parameter.
public struct RateRule {
    /// The state slot holding the second moment the rates come from ("exp_avg_sq", "max_exp_avg_sq").
    public var slot: String
    /// v → (r, √v̂): the rate r multiplying the raw first moment m (w ← w − r·m, without AvaGrad's
    /// γ), and the root of the second moment ε is added to.
    public var rate: (Double) -> (rate: Double, root: Double)

    public init(slot: String, rate: @escaping (Double) -> (rate: Double, root: Double)) {
        self.slot = slot
        self.rate = rate
    }
}

/// An optimizer whose update is a per-coordinate rate times the first moment, w ← w − r ⊙ m, with
/// r = α/(√v̂ + ε) up to corrections: it can say how its rates are spread and which regime ε puts
/// it in (thesis §6.2: ε ≪ √v̂ is adaptive, Adam-like; ε ≫ √v̂ is SGD with momentum at α/ε).
public protocol AdaptiveOptimizer<Scalar>: Optimizer {
    /// True when the rates come from the previous second moment (Delayed Adam, AvaGrad): then the
    /// rates known after a step are the ones the *next* step will use. Otherwise they are the last
    /// step's (they depend on its gradient).
    var ratesAreDelayed: Bool { get }
    /// ε as the rates see it (the last ε_t of a schedule).
    var currentEps: Double { get }
    /// A factor on every rate: AvaGrad's γ for the step the rates are for; nil for none.
    var rateScale: Double? { get }
    /// The rule giving one parameter's rates from its state at the rate `lr`; nil before its first step.
    func rateRule(_ state: ParamState<Scalar>, lr: Double) -> RateRule?
}

/// The spread of the effective per-coordinate rates and the ε-to-√v̂ ratio, over some coordinates.
public struct RateSpread: Equatable, Sendable {
    /// The coordinates counted (entries kept by masks, of parameters stepped at least once).
    public var count: Int
    /// The smallest, median and largest effective rate r (γ included).
    public var min: Double, median: Double, max: Double
    /// ε / median(√v̂): ≫ 1 means SGD-like (ε dominates every denominator), ≪ 1 Adam-like.
    public var epsRatio: Double
    /// The fraction of coordinates with √v̂ > ε (where the rate is adaptive).
    public var adaptiveFraction: Double

    /// max / median: > 1e4 means a few coordinates (v ≈ 0: dead units, masked weights) dominate,
    /// which collapses AvaGrad's γ (spec pitfall 3).
    public var spread: Double { median > 0 ? max / median : .infinity }

    /// Which regime ε puts the coordinates in, in words.
    public var regime: String {
        if epsRatio > 10 { return "SGD-like (eps dominates sqrt(v))" }
        if epsRatio < 0.1 { return "Adam-like (sqrt(v) dominates eps)" }
        return "in between (eps comparable to sqrt(v))"
    }

    /// - Parameter rates: pairs (r, √v̂); sorted here.
    init?(rates: [Double], roots: [Double], eps: Double) {
        guard !rates.isEmpty else { return nil }
        let r = rates.sorted(), v = roots.sorted()
        count = r.count
        min = r[0]
        max = r[r.count - 1]
        median = RateSpread.median(r)
        let rootMedian = RateSpread.median(v)
        epsRatio = rootMedian > 0 ? eps / rootMedian : .infinity
        adaptiveFraction = Double(roots.filter { $0 > eps }.count) / Double(roots.count)
    }

    static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    var entries: [(name: String, value: ReportValue)] {
        [("rate_min", .number(min)), ("rate_median", .number(median)), ("rate_max", .number(max)),
         ("spread", .number(spread)), ("eps_ratio", .number(epsRatio)),
         ("adaptive_fraction", .number(adaptiveFraction)), ("regime", .text(regime)), ("count", .int(count))]
    }
}

/// What `opt.last_step.adaptivity`, `adaptivity(opt)` and `explain(opt)` show: the rates over
/// every coordinate and per parameter, ε, AvaGrad's γ, and the moments' norms.
public struct Adaptivity: Equatable, Sendable {
    /// "last step" or "next step" (see `AdaptiveOptimizer.ratesAreDelayed`).
    public var ratesFor: String
    /// The rate α the figures were computed at.
    public var lr: Double
    public var eps: Double
    /// AvaGrad's γ (nil for the others).
    public var gamma: Double?
    /// Over every coordinate.
    public var overall: RateSpread
    /// Per parameter path, in order.
    public var byParam: [(path: String, spread: RateSpread)]
    /// ‖m‖ and ‖v‖ over every parameter (the slots `exp_avg`, `exp_avg_sq`).
    public var firstMomentNorm: Double, secondMomentNorm: Double

    /// The figures as a report (the language shows it as a record).
    public var report: Report {
        var out: [(name: String, value: ReportValue)] = [("rates_for", .text(ratesFor)), ("lr", .number(lr)), ("eps", .number(eps))]
        if let gamma { out.append(("gamma", .number(gamma))) }
        out += overall.entries
        out += [("m_norm", .number(firstMomentNorm)), ("v_norm", .number(secondMomentNorm)),
                ("by_param", .report(Report(byParam.map { ($0.path, .report(Report($0.spread.entries))) })))]
        return Report(out)
    }

    public static func == (a: Adaptivity, b: Adaptivity) -> Bool { a.report == b.report }
}

extension AdaptiveOptimizer {
    /// The current adaptivity figures, computed from the state (nil before any parameter has stepped).
    ///
    /// Computed on demand, not at every step: the median needs a sort of every rate, which costs
    /// more than the update itself. The state only changes at a step, so the figures are those of
    /// the last step (or, for delayed rates, of the next one) whenever they are asked for.
    public func adaptivity() -> Adaptivity? {
        let lr = ratesAreDelayed ? core.lr : (lastStep?.lr ?? core.lr)
        let scale = rateScale ?? 1, eps = currentEps
        var all: [Double] = [], allRoots: [Double] = [], byParam: [(path: String, spread: RateSpread)] = []
        var mSq = 0.0, vSq = 0.0
        for (path, param) in core.namedParams {
            guard let state = core.state[path], let rule = rateRule(state, lr: lr),
                  let second = state.slots[rule.slot] else { continue }
            let keep = param.keepMask?.scalars
            var rates: [Double] = [], roots: [Double] = []
            rates.reserveCapacity(second.count)
            roots.reserveCapacity(second.count)
            for (i, x) in second.scalars.enumerated() where keep.map({ i < $0.count && $0[i] != 0 }) ?? true {
                let (r, root) = rule.rate(x.doubleValue)
                rates.append(r * scale)
                roots.append(root)
            }
            if let spread = RateSpread(rates: rates, roots: roots, eps: eps) { byParam.append((path, spread)) }
            all += rates
            allRoots += roots
            mSq += state.slots["exp_avg"].map(Adaptivity.squaredNorm) ?? 0
            vSq += state.slots["exp_avg_sq"].map(Adaptivity.squaredNorm) ?? 0
        }
        guard let overall = RateSpread(rates: all, roots: allRoots, eps: eps) else { return nil }
        return Adaptivity(ratesFor: ratesAreDelayed ? "next step" : "last step", lr: lr, eps: eps, gamma: rateScale,
                          overall: overall, byParam: byParam,
                          firstMomentNorm: mSq.squareRoot(), secondMomentNorm: vSq.squareRoot())
    }
}

extension Adaptivity {
    static func squaredNorm<S: TensorScalar>(_ t: Tensor<S>) -> Double {
        t.scalars.reduce(0) { $0 + $1.doubleValue * $1.doubleValue }
    }
}

// MARK: - The rates of each adaptive optimizer

/// Adam's rate r = (α/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε), from the slot `slot` (AMSGrad: the maximum).
func biasCorrectedRate(slot: String, lr: Double, eps: Double, correction1: Double, correction2: Double) -> RateRule {
    let step = lr / correction1, root = correction2.squareRoot()
    return RateRule(slot: slot) { v in
        let r = v.squareRoot() / root
        return (step / (r + eps), r)
    }
}

extension Adam: AdaptiveOptimizer {
    public var ratesAreDelayed: Bool { false }
    public var currentEps: Double { epsSchedule?.current ?? eps }
    public var rateScale: Double? { nil }
    public func rateRule(_ state: ParamState<Scalar>, lr: Double) -> RateRule? {
        guard state.step > 0 else { return nil }
        let t = Double(state.step)
        var rate = lr
        // The schedule's α_t = lr·ε_t/ε_1 of the last step.
        if let schedule = epsSchedule, schedule.scalesLR, let first = schedule.first { rate = lr * currentEps / first }
        return biasCorrectedRate(slot: "exp_avg_sq", lr: rate, eps: currentEps,
                                 correction1: 1 - pow(beta1, t), correction2: 1 - pow(beta2, t))
    }
}

extension AMSGrad: AdaptiveOptimizer {
    public var ratesAreDelayed: Bool { false }
    public var currentEps: Double { moments.eps }
    public var rateScale: Double? { nil }
    public func rateRule(_ state: ParamState<Scalar>, lr: Double) -> RateRule? {
        guard state.step > 0 else { return nil }
        return biasCorrectedRate(slot: "max_exp_avg_sq", lr: lr, eps: moments.eps,
                                 correction1: moments.correction1(state.step), correction2: moments.correction2(state.step))
    }
}

extension AdaBound: AdaptiveOptimizer {
    public var ratesAreDelayed: Bool { false }
    public var currentEps: Double { moments.eps }
    public var rateScale: Double? { nil }
    public func rateRule(_ state: ParamState<Scalar>, lr: Double) -> RateRule? {
        let t = state.step
        guard t > 0 else { return nil }
        let (lo, hi) = bounds(step: t, lr: lr)
        let step = lr * moments.correction2(t).squareRoot() / moments.correction1(t), eps = moments.eps
        // ε is added to the raw √v here, as in the reference code.
        return RateRule(slot: amsbound ? "max_exp_avg_sq" : "exp_avg_sq") { v in
            let root = v.squareRoot()
            return (Swift.min(Swift.max(step / (root + eps), lo), hi), root)
        }
    }
}

/// The delayed methods' rate for their next step (count t + 1) from v_t.
func delayedRate(moments: Moments, form: DelayedForm, step t: Int, lr: Double) -> RateRule? {
    guard t > 0 else { return nil }
    let eps = moments.eps
    let step = form == .thesis ? lr : lr / moments.correction1(t + 1)
    let root = form == .thesis ? 1 : moments.correction2(t).squareRoot()
    return RateRule(slot: "exp_avg_sq") { v in
        let r = v.squareRoot() / root
        return (step / (r + eps), r)
    }
}

extension DelayedAdam: AdaptiveOptimizer {
    public var ratesAreDelayed: Bool { true }
    public var currentEps: Double { moments.eps }
    public var rateScale: Double? { nil }
    public func rateRule(_ state: ParamState<Scalar>, lr: Double) -> RateRule? {
        delayedRate(moments: moments, form: form, step: state.step, lr: lr)
    }
}

extension AvaGrad: AdaptiveOptimizer {
    public var ratesAreDelayed: Bool { true }
    public var currentEps: Double { moments.eps }
    /// γ for the next step, from the moments as they stand (the reference code's `group['gamma']`).
    public var rateScale: Double? {
        let items = core.namedParams.compactMap { path, param in
            core.state[path].map { (param: param, state: $0, t: $0.step + 1) }
        }
        return items.isEmpty ? nil : normaliser(items)
    }
    public func rateRule(_ state: ParamState<Scalar>, lr: Double) -> RateRule? {
        delayedRate(moments: moments, form: form, step: state.step, lr: lr)
    }
}

// MARK: - In explanations

extension AdaptiveOptimizer {
    /// The figures `explain(opt)` adds for an adaptive optimizer: its β₁, β₂, ε, the moments' norms,
    /// then the spread of its rates, AvaGrad's γ and the regime ε puts it in; and one part per
    /// parameter with its own spread (for up to 16 parameters).
    func adaptiveExplanation(_ title: String, summary: String, formula: [String], moments: Moments) -> Explanation {
        var numbers = core.explainedNumbers
        numbers.insert(contentsOf: [ExplainedValue("beta1", moments.beta1), ExplainedValue("beta2", moments.beta2),
                                    ExplainedValue("eps", currentEps)], at: 1)
        numbers += [ExplainedValue("‖m‖ (first moment)", core.slotNorm("exp_avg")),
                    ExplainedValue("‖v‖ (second moment)", core.slotNorm("exp_avg_sq"))]
        guard let figures = adaptivity() else {
            return Explanation(title, summary: summary, formula: formula, numbers: numbers)
        }
        numbers += figures.explainedValues
        let parts = figures.byParam.count <= 16 ? figures.byParam.map { path, spread in
            Explanation(path, summary: spread.line)
        } : []
        return Explanation(title, summary: summary, formula: formula, numbers: numbers, parts: parts)
    }
}

extension Adaptivity {
    /// The overall figures as explanation lines.
    public var explainedValues: [ExplainedValue] {
        var out = [ExplainedValue("rates for", ratesFor)]
        if let gamma { out.append(ExplainedValue("γ (1/rms of η)", gamma)) }
        out += [ExplainedValue("rate r (w −= r·m)", overall.range),
                ExplainedValue("ε / median √v̂", "\(Explanation.format(overall.epsRatio)): \(overall.regime)"),
                ExplainedValue("coordinates with √v̂ > ε", overall.adaptiveFraction)]
        if overall.spread > 1e4 {
            out.append(ExplainedValue("warning", "the largest rate is \(Explanation.format(overall.spread))× the median: coordinates with v ≈ 0 (dead units, unused weights) dominate"))
        }
        return out
    }
}

extension RateSpread {
    /// "min 0.001 / median 0.002 / max 0.1".
    var range: String {
        "min \(Explanation.format(min)) / median \(Explanation.format(median)) / max \(Explanation.format(max))"
    }

    /// The range and ε/√v̂, for one parameter's line.
    var line: String { range + ", ε/√v̂ \(Explanation.format(epsRatio))" }
}
