// HRCO: the hybrid random concentrated search (GS/CS) of Bertrand, Broniatowski & Stummer (2025).
import Foundation

/// Which of the two generators a step uses.
public enum SearchRegime: String, Sendable {
    /// Global search: sample around the control point c, move c to any feasible sample.
    case gs
    /// Concentrated search: sample tightly around the best point s.
    case cs
}

/// When to use GS and when CS.
public enum SearchSchedule: Equatable, Sendable {
    /// m even → GS, m odd → CS (m from 0), the paper's recommendation.
    case alternate
    /// GS for m < at, CS afterwards.
    case switchAt(Int)
    /// GS until s has not improved for `patience` GS steps, then CS for good.
    case switchOnStall(Int)
    case gsOnly, csOnly

    public var name: String {
        switch self {
        case .alternate: return "alternate"
        case .switchAt(let m): return "switch_at(\(m))"
        case .switchOnStall(let p): return "switch_on_stall(\(p))"
        case .gsOnly: return "gs"
        case .csOnly: return "cs"
        }
    }
}

/// The distribution of the raw draws, both at unit variance.
public enum SearchDistribution: String, Sendable {
    case normal
    /// Laplace(0, 1/√2): the normal's variance, heavier tails (the control rule then bites).
    case laplace
}

/// The CS standard deviation per coordinate: the paper's formula σ/√(nK), or σ/√n (§1.5, pitfall P0-3).
public enum SpreadMode: String, Sendable {
    case paper
    case perCoordinate = "per_coordinate"
}

/// The defaults of `hrco`, written once.
public enum HRCODefaults {
    /// The control window's half-width in units of |x^k| (Proposition 1 needs C > 2).
    public static let C = 2.1
    public static let schedule = "alternate"
    public static let dist = "normal"
    public static let spread = "paper"
    public static let nMode = "fixed"
    /// Patience of `switch_on_stall`, in GS steps.
    public static let patience = 20
    /// Floor on |x^k| in σ and the window (0: off, zero components stay frozen as in the paper).
    public static let zeroFloor = 0.0
    public static let acceptTies = false
}

/// The settings of one search.
public struct HRCOSettings: Sendable {
    public var C = HRCODefaults.C
    public var schedule = SearchSchedule.alternate
    public var distribution = SearchDistribution.normal
    /// r = n/K, the CS sample count in multiples of K (≥ 1).
    public var r = 1
    /// Variant 2 of the paper: r ~ Uniform{1, …, m} at step m.
    public var randomR = false
    public var spread = SpreadMode.paper
    public var zeroFloor = HRCODefaults.zeroFloor
    public var acceptTies = HRCODefaults.acceptTies
    public var seed: UInt64 = 0

    public init() {}
}

/// One step of a search, as the log keeps it.
public struct SearchStepRecord: Sendable {
    /// The step counter m of this step (from 0).
    public var m: Int
    public var regime: SearchRegime
    /// Whether α ∈ S was asked and the answer (nil: not asked, CS with no decrease of f).
    public var feasible: Bool?
    public var improved: Bool
    /// f(α) (nil: not evaluated, a GS sample outside S).
    public var f: Double?
    /// The best f after the step.
    public var best: Double
    /// Components the control rule put back to the centre, and components frozen (σ = 0).
    public var rejected: Int
    /// ‖α − x‖₂ for the sample, and the Lemma-1 ring radius σ̄·scale·√K it concentrates under.
    public var distance: Double
    public var ringRadius: Double
    /// r = n/K used by this step.
    public var r: Int
}

/// Counters of one regime.
public struct RegimeCounters: Sendable {
    public var steps = 0
    /// Times α ∈ S was asked, and answered yes.
    public var asked = 0
    public var feasible = 0
    public var improvements = 0
    public var rejections = 0
    public var lastRejections = 0
    /// The fraction of asked samples in S, and of steps that improved s.
    public var feasibleRate: Double { asked > 0 ? Double(feasible) / Double(asked) : 0 }
    public var improvementRate: Double { steps > 0 ? Double(improvements) / Double(steps) : 0 }
    public var meanRejections: Double { steps > 0 ? Double(rejections) / Double(steps) : 0 }
}

/// One improvement of s: (m, regime, Δf, score when known).
public struct SearchImprovement: Sendable {
    public var m: Int
    public var regime: SearchRegime
    public var delta: Double
    public var score: Double?
}

/// The hybrid random concentrated search (HRCO / CICS) of Bertrand, Broniatowski & Stummer,
/// "Hybrid Random Concentrated Optimization Without Convexity Assumption" (2025).
///
/// Minimises f over S = {x : score(x) ≥ threshold} without gradients. Two centres: c (GS, moves to
/// any feasible sample) and s (CS, the best feasible point so far, f(s) = fs). A step samples
/// a^k = x^k + σ^k·scale·Z^k with σ^k = |x^k|/3 (scale 1 in GS; 1/√(nK) or 1/√n in CS), and the
/// control rule keeps a^k only when |a^k − x^k| ≤ C·|x^k|. GS asks α ∈ S on every step; CS computes
/// f(α) first and asks α ∈ S only when f decreased. Draws come from a private seeded stream.
public final class Search {
    public let problem: SearchProblem
    public let layout: SearchLayout
    public let settings: HRCOSettings
    /// The GS centre c and the best point s, with f(s), f(c) and their scores when known.
    public private(set) var c: [Double]
    public private(set) var s: [Double]
    public private(set) var fs: Double
    public private(set) var fc: Double
    var knownScoreS: Double?
    var knownScoreC: Double?
    /// The step counter m: steps taken so far.
    public private(set) var m = 0
    public private(set) var log: [SearchStepRecord] = []
    public private(set) var improvements: [SearchImprovement] = []
    public private(set) var gs = RegimeCounters()
    public private(set) var cs = RegimeCounters()
    /// The value of f at the start, for the change shown by explanations.
    public let f0: Double
    /// Seconds spent in f and in feasibility, and the number of calls of each.
    public private(set) var fSeconds = 0.0, feasibleSeconds = 0.0
    public private(set) var fCalls = 0, feasibleCalls = 0
    /// The last sample α (for ‖α − x‖₂ queries).
    public private(set) var lastSample: [Double] = []
    var rng: RandomStream
    /// `switch_on_stall`: GS steps since s last improved, and whether the switch happened.
    var gsStepsSinceImprovement = 0
    var stalled = false

    /// Starts a search at x0 (c₀ = s₀ = x0).
    /// - Throws: `CoreError.badArgument` for C ≤ 0, r < 1, Laplace with r ≠ 1, an empty x0, or an
    ///   x0 outside S (or with a non-finite f).
    public init(x0: [Double], layout: SearchLayout, problem: SearchProblem, settings: HRCOSettings) throws {
        let op = "hrco"
        guard settings.C > 0, settings.C.isFinite else {
            throw CoreError.badArgument(op: op, message: "C must be positive, got \(settings.C) (the paper uses 2.1; Proposition 1 needs C > 2)")
        }
        guard settings.r >= 1 else { throw CoreError.badArgument(op: op, message: "n must be a positive multiple of K") }
        guard settings.zeroFloor >= 0, settings.zeroFloor.isFinite else {
            throw CoreError.badArgument(op: op, message: "zero_floor must be finite and ≥ 0, got \(settings.zeroFloor)")
        }
        if settings.distribution == .laplace, settings.r != 1 || settings.randomR {
            throw CoreError.badArgument(op: op, message: "dist: \"laplace\" needs n = K and n_mode \"fixed\" (a sum of Laplace draws is not Laplace)")
        }
        switch settings.schedule {
        case .switchAt(let at) where at < 0: throw CoreError.badArgument(op: op, message: "at must be ≥ 0, got \(at)")
        case .switchOnStall(let p) where p < 1: throw CoreError.badArgument(op: op, message: "patience must be ≥ 1, got \(p)")
        default: break
        }
        guard !x0.isEmpty else { throw CoreError.badArgument(op: op, message: "x0 has no components") }
        guard x0.allSatisfy(\.isFinite) else { throw CoreError.badArgument(op: op, message: "x0 has a non-finite component") }
        self.problem = problem
        self.layout = layout
        self.settings = settings
        let start = try problem.membership(x0)
        guard start.isFeasible else {
            let detail = start.score.map { ", its score is \(formatted($0)) against the threshold \(formatted(problem.threshold))" } ?? ""
            throw CoreError.badArgument(op: op, message: "x0 is not feasible\(detail); the search must start inside S")
        }
        let f = try problem.f(x0)
        guard f.isFinite else { throw CoreError.badArgument(op: op, message: "f(x0) is \(f); f must be finite at the start") }
        c = x0
        s = x0
        fs = f
        fc = f
        f0 = f
        knownScoreS = start.score
        knownScoreC = start.score
        rng = RandomStream(seed: settings.seed, stream: 0x4852_434F)   // "HRCO"
    }

    // MARK: - The schedule

    /// The regime step m would use, given the state now.
    public var nextRegime: SearchRegime { regime(at: m) }

    func regime(at m: Int) -> SearchRegime {
        switch settings.schedule {
        case .alternate: return m % 2 == 0 ? .gs : .cs
        case .switchAt(let at): return m < at ? .gs : .cs
        case .switchOnStall: return stalled ? .cs : .gs
        case .gsOnly: return .gs
        case .csOnly: return .cs
        }
    }

    /// The regime of the last step (nil before the first).
    public var lastRegime: SearchRegime? { log.last?.regime }

    /// r for step m: fixed, or Uniform{1, …, m} (1 at m = 0).
    func sampleCount(at m: Int) -> Int {
        settings.randomR ? 1 + rng.nextInt(below: max(m, 1)) : settings.r
    }

    /// The factor on σ for a regime: 1 in GS; 1/√(nK) (paper) or 1/√n (per coordinate) in CS.
    public func scale(_ regime: SearchRegime, r: Int) -> Double {
        guard regime == .cs else { return 1 }
        let K = Double(s.count), n = Double(r) * K
        return settings.spread == .paper ? 1 / (n * K).squareRoot() : 1 / n.squareRoot()
    }

    /// σ^k = max(|x^k|, floor)/3.
    @inline(__always)
    func radius(_ x: Double) -> Double { Swift.max(Swift.abs(x), settings.zeroFloor) }

    // MARK: - One step

    /// One draw: samples α around the active centre, applies the control rule, updates c and s.
    /// - Returns: what the step did.
    /// - Throws: what f or the feasibility test throws (the state is then unchanged).
    @discardableResult
    public func step() throws -> SearchStepRecord {
        let regime = regime(at: m)
        let r = regime == .cs ? sampleCount(at: m) : 1
        let x = regime == .gs ? c : s
        let K = x.count
        let factor = scale(regime, r: r)
        let z = try draws(K)
        var alpha = [Double](repeating: 0, count: K)
        var rejected = 0, distance2 = 0.0, sigmaMax = 0.0
        let C = settings.C
        for k in 0..<K {
            let xk = x[k], w = radius(xk)
            let sd = w / 3 * factor
            if sd > sigmaMax { sigmaMax = sd }
            let a = xk + sd * z[k]
            let d = a - xk
            if Swift.abs(d) <= C * w {
                alpha[k] = a
                distance2 += d * d
            } else {
                alpha[k] = xk
                rejected += 1
            }
        }
        var record = SearchStepRecord(m: m, regime: regime, feasible: nil, improved: false, f: nil, best: fs,
                                      rejected: rejected, distance: distance2.squareRoot(),
                                      ringRadius: sigmaMax * Double(K).squareRoot(), r: r)
        if regime == .gs {
            let (inS, score) = try membership(alpha)
            var feasible = inS
            var fa = Double.nan
            if inS {
                fa = try value(alpha)
                feasible = fa.isFinite   // a non-finite f means outside S
            }
            record.feasible = feasible
            if feasible {
                record.f = fa
                c = alpha
                fc = fa
                knownScoreC = score
                if improves(fa) { accept(alpha, fa, score: score, regime: .gs, into: &record) }
            }
        } else {
            let fa = try value(alpha)
            record.f = fa
            if fa.isFinite, improves(fa) {
                let (inS, score) = try membership(alpha)
                record.feasible = inS
                if inS { accept(alpha, fa, score: score, regime: .cs, into: &record) }
            }
        }
        count(record)
        lastSample = alpha
        log.append(record)
        m += 1
        return record
    }

    func improves(_ fa: Double) -> Bool { settings.acceptTies ? fa <= fs : fa < fs }

    func accept(_ alpha: [Double], _ fa: Double, score: Double?, regime: SearchRegime, into record: inout SearchStepRecord) {
        improvements.append(SearchImprovement(m: m, regime: regime, delta: fa - fs, score: score))
        s = alpha
        fs = fa
        knownScoreS = score
        record.improved = true
        record.best = fa
    }

    func count(_ record: SearchStepRecord) {
        var counters = record.regime == .gs ? gs : cs
        counters.steps += 1
        if let f = record.feasible {
            counters.asked += 1
            if f { counters.feasible += 1 }
        }
        if record.improved { counters.improvements += 1 }
        counters.rejections += record.rejected
        counters.lastRejections = record.rejected
        if record.regime == .gs { gs = counters } else { cs = counters }
        if case .switchOnStall(let patience) = settings.schedule, record.regime == .gs {
            gsStepsSinceImprovement = record.improved ? 0 : gsStepsSinceImprovement + 1
            if gsStepsSinceImprovement >= patience { stalled = true }
        }
    }

    /// K unit-variance draws of the chosen distribution.
    func draws(_ K: Int) throws -> [Double] {
        switch settings.distribution {
        case .normal: return try Tensor<Double>.normal([K], using: &rng).scalars
        case .laplace: return try Tensor<Double>.laplace([K], scale: 1 / 2.0.squareRoot(), using: &rng).scalars
        }
    }

    // MARK: - Timed evaluations

    func value(_ x: [Double]) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            fSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            fCalls += 1
        }
        return try problem.f(x)
    }

    func membership(_ x: [Double]) throws -> (Bool, Double?) {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            feasibleSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            feasibleCalls += 1
        }
        let answer = try problem.membership(x)
        return (answer.isFeasible, answer.score)
    }
}
