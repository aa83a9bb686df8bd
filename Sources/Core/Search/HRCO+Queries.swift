// What a user can ask an HRCO search (spec §1.15): norms, frozen components, σ statistics, the ring, and `explain`.

/// Minimum, median and maximum of a set of numbers.
public struct Spread: Sendable {
    public var min: Double, median: Double, max: Double
}

extension Search {
    /// The score of s and of c (computed now when an early decision skipped it, then kept).
    public func scoreOfBest() throws -> Double {
        if let known = knownScoreS { return known }
        let v = try problem.score(s)
        knownScoreS = v
        return v
    }

    public func scoreOfCenter() throws -> Double {
        if let known = knownScoreC { return known }
        let v = try problem.score(c)
        knownScoreC = v
        return v
    }

    /// score(s) − threshold: how far the best point is from the boundary of S.
    public func margin() throws -> Double { try scoreOfBest() - problem.threshold }

    public var bestL1: Double { s.reduce(0) { $0 + Swift.abs($1) } }
    public var centerL1: Double { c.reduce(0) { $0 + Swift.abs($1) } }
    /// ‖c − s‖₂.
    public var centerToBest: Double { zip(c, s).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }

    /// Components that cannot move (|x^k| = 0 with no floor): of c and of s.
    public var frozenInCenter: Int { frozen(c) }
    public var frozenInBest: Int { frozen(s) }
    func frozen(_ x: [Double]) -> Int { settings.zeroFloor > 0 ? 0 : x.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } }

    /// σ^k = max(|x^k|, floor)/3 · scale over the centre the next step samples around.
    public var sigma: Spread {
        let regime = nextRegime
        let x = regime == .gs ? c : s
        let factor = scale(regime, r: settings.r)
        var sigmas = x.map { radius($0) / 3 * factor }
        sigmas.sort()
        let n = sigmas.count
        let median = n % 2 == 1 ? sigmas[n / 2] : (sigmas[n / 2 - 1] + sigmas[n / 2]) / 2
        return Spread(min: sigmas.first ?? 0, median: median, max: sigmas.last ?? 0)
    }

    /// The last step's ‖α − x‖₂ and the Lemma-1 ring radius σ̄·scale·√K (σ̄/√n for the paper's CS).
    public var ring: (distance: Double, radius: Double)? {
        log.last.map { ($0.distance, $0.ringRadius) }
    }

    /// The best f after each step.
    public var bestCurve: [Double] { log.map(\.best) }
}

extension Search: Explainable {
    public var explanation: Explanation {
        let change = f0 != 0 ? (fs - f0) / Swift.abs(f0) * 100 : 0
        var numbers = [ExplainedValue("problem", problem.name),
                       ExplainedValue("schedule", settings.schedule.name),
                       ExplainedValue("steps m", m),
                       ExplainedValue("last regime", lastRegime?.rawValue ?? "none"),
                       ExplainedValue("next regime", nextRegime.rawValue),
                       ExplainedValue("f(s) best", fs),
                       ExplainedValue("f(c) centre", fc),
                       ExplainedValue("change of f", "\(Explanation.format(fs - f0)) (\(Explanation.format(change)) %)")]
        if let margin = try? margin() {
            numbers.append(ExplainedValue("margin score(s) − threshold", margin))
        }
        let sg = sigma
        numbers += [ExplainedValue("‖s‖₁, ‖c‖₁", "\(Explanation.format(bestL1)), \(Explanation.format(centerL1))"),
                    ExplainedValue("‖c − s‖₂", centerToBest),
                    ExplainedValue("frozen components (c, s)", "\(frozenInCenter), \(frozenInBest) of \(s.count)"),
                    ExplainedValue("σ next step (min, median, max)",
                                   "\(Explanation.format(sg.min)), \(Explanation.format(sg.median)), \(Explanation.format(sg.max))"),
                    ExplainedValue("CS spread, r = n/K", "\(settings.spread.rawValue), \(settings.randomR ? "random" : String(settings.r))")]
        for (name, k) in [("GS", gs), ("CS", cs)] where k.steps > 0 {
            numbers.append(ExplainedValue("\(name) steps, in S, improved",
                                          "\(k.steps), \(k.feasible)/\(k.asked) (\(Explanation.format(k.feasibleRate * 100)) %), \(k.improvements) (\(Explanation.format(k.improvementRate * 100)) %)"))
            numbers.append(ExplainedValue("\(name) control rejections (mean, last)",
                                          "\(Explanation.format(k.meanRejections)), \(k.lastRejections)"))
        }
        if let r = ring {
            numbers.append(ExplainedValue("last ‖α − x‖₂ vs ring radius", "\(Explanation.format(r.distance)) vs \(Explanation.format(r.radius))"))
        }
        let shown = improvements.suffix(5).map { "m \($0.m) \($0.regime.rawValue) Δf \(Explanation.format($0.delta))" }
        numbers.append(ExplainedValue("improvements", "\(improvements.count)\(shown.isEmpty ? "" : "; last: " + shown.joined(separator: ", "))"))
        return Explanation("Search (HRCO)", summary: "gradient-free hybrid random concentrated search (Bertrand, Broniatowski & Stummer 2025): GS moves a control point c to any feasible sample, CS samples tightly around the best point s.",
                           formula: ["a^k = x^k + σ^k·scale·Z,  σ^k = |x^k|/3,  keep a^k only if |a^k − x^k| ≤ C·|x^k| (C = \(Explanation.format(settings.C)))",
                                     "GS (x = c, scale 1): α ∈ S → c = α, and s = α if f(α) < f(s);  CS (x = s, scale \(settings.spread == .paper ? "1/√(nK)" : "1/√n")): f(α) < f(s) and α ∈ S → s = α"],
                           numbers: numbers)
    }
}
