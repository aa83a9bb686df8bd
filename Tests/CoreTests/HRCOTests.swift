// HRCO search: the spec's test vectors (sampler variances, control rejections, frozen zeros, parity), a boundary minimum, early feasibility, bad input.
import XCTest
@testable import Core

final class HRCOTests: XCTestCase {
    /// A problem whose f never decreases (so s stays put) and where every point is feasible.
    func flat(count: Int) -> SearchProblem {
        SearchProblem(name: "flat", f: { _ in 1 }, score: { _ in 1 }, threshold: 0)
    }

    func settings(_ schedule: SearchSchedule, _ configure: (inout HRCOSettings) -> Void = { _ in }) -> HRCOSettings {
        var s = HRCOSettings()
        s.schedule = schedule
        configure(&s)
        return s
    }

    /// The variance of α − s over the coordinates of one CS draw around s^k = 3 (σ = 1).
    func csVariance(K: Int, r: Int, spread: SpreadMode) throws -> Double {
        let h = try Search(x0: [Double](repeating: 3, count: K), layout: SearchLayout(shapes: [[K]]), problem: flat(count: K),
                           settings: settings(.csOnly) { $0.r = r; $0.spread = spread })
        try h.step()
        let d = zip(h.lastSample, h.s).map { $0 - $1 }
        return d.reduce(0) { $0 + $1 * $1 } / Double(K)
    }

    func testCSSamplerVarianceIsSigmaSquaredOverNKOrOverN() throws {
        let K = 20_000
        // paper: σ²/(nK) = 1/(rK²); per coordinate: σ²/n = 1/(rK).
        XCTAssertEqual(try csVariance(K: K, r: 1, spread: .paper) * Double(K * K), 1, accuracy: 0.03)
        XCTAssertEqual(try csVariance(K: K, r: 4, spread: .paper) * Double(4 * K * K), 1, accuracy: 0.03)
        XCTAssertEqual(try csVariance(K: K, r: 1, spread: .perCoordinate) * Double(K), 1, accuracy: 0.03)
        XCTAssertEqual(try csVariance(K: K, r: 2, spread: .perCoordinate) * Double(2 * K), 1, accuracy: 0.03)
    }

    func testGSControlRejectsAlmostNothingForTheNormalAndE6Point3Root2ForLaplace() throws {
        let K = 100_000, steps = 10
        func rejectionRate(_ dist: SearchDistribution) throws -> Double {
            let h = try Search(x0: [Double](repeating: 3, count: K), layout: SearchLayout(shapes: [[K]]), problem: flat(count: K),
                               settings: settings(.gsOnly) { $0.distribution = dist; $0.seed = 7 })
            for _ in 0..<steps { try h.step() }
            XCTAssertEqual(h.gs.steps, steps)
            return Double(h.gs.rejections) / Double(K * steps)
        }
        // Normal: P(|Z| > 6.3) = 2.98e-10, so none in 1e6 draws.
        XCTAssertLessThanOrEqual(try rejectionRate(.normal), 2e-6)
        // Laplace with the normal's variance: e^(−6.3·√2) = 1.35e-4 (135 expected, sd ≈ 12).
        XCTAssertEqual(try rejectionRate(.laplace), exp(-6.3 * 2.0.squareRoot()), accuracy: 0.35e-4)
    }

    func testAZeroComponentIsFrozenUnderBothRegimesUnlessAFloorIsSet() throws {
        let x0: [Double] = [0, 1, 2, 0]
        let h = try Search(x0: x0, layout: SearchLayout(shapes: [[4]]), problem: flat(count: 4), settings: settings(.alternate))
        for _ in 0..<20 { try h.step() }
        XCTAssertEqual(h.c[0], 0); XCTAssertEqual(h.c[3], 0)
        XCTAssertEqual(h.lastSample[0], 0)
        XCTAssertNotEqual(h.c[1], 1)
        XCTAssertEqual(h.frozenInCenter, 2)
        let floored = try Search(x0: x0, layout: SearchLayout(shapes: [[4]]), problem: flat(count: 4),
                                 settings: settings(.gsOnly) { $0.zeroFloor = 0.5 })
        try floored.step()
        XCTAssertNotEqual(floored.c[0], 0)
        XCTAssertEqual(floored.frozenInCenter, 0)
    }

    func testStepZeroIsGSAndSchedulesPickTheirRegimes() throws {
        func regimes(_ schedule: SearchSchedule, _ n: Int) throws -> String {
            let h = try Search(x0: [1, 2], layout: SearchLayout(shapes: [[2]]), problem: flat(count: 2), settings: settings(schedule))
            for _ in 0..<n { try h.step() }
            return h.log.map { $0.regime == .gs ? "g" : "c" }.joined()
        }
        XCTAssertEqual(try regimes(.alternate, 5), "gcgcg")
        XCTAssertEqual(try regimes(.switchAt(3), 5), "gggcc")
        XCTAssertEqual(try regimes(.gsOnly, 3), "ggg")
        XCTAssertEqual(try regimes(.csOnly, 3), "ccc")
        // f never improves: after 2 GS steps without gain the stall switch goes to CS for good.
        XCTAssertEqual(try regimes(.switchOnStall(2), 5), "ggccc")
    }

    /// min (x1 − 0.2)² + (x2 − 0.2)² outside the unit disk in the positive quadrant (not convex):
    /// the minimum is on the boundary at (1/√2, 1/√2), f* = 2(1/√2 − 0.2)².
    func testReachesTheBoundaryMinimumOfANonConvexSet() throws {
        let problem = SearchProblem(name: "outside the disk",
                                    f: { ($0[0] - 0.2) * ($0[0] - 0.2) + ($0[1] - 0.2) * ($0[1] - 0.2) },
                                    score: { x in x[0] > 0 && x[1] > 0 ? x[0] * x[0] + x[1] * x[1] : -1 }, threshold: 1, strict: true)
        let h = try Search(x0: [2, 1.5], layout: SearchLayout(shapes: [[2]]), problem: problem,
                           settings: settings(.alternate) { $0.spread = .perCoordinate; $0.seed = 3 })
        for _ in 0..<3000 { try h.step() }
        let best = 2 * (0.5.squareRoot() - 0.2) * (0.5.squareRoot() - 0.2)
        XCTAssertEqual(h.fs, best, accuracy: 2e-3)
        XCTAssertEqual(h.s[0], 0.5.squareRoot(), accuracy: 0.05)
        XCTAssertGreaterThan(h.s[0] * h.s[0] + h.s[1] * h.s[1], 1)
        XCTAssertGreaterThan(h.improvements.count, 5)
    }

    func testEarlyFeasibilityGivesTheFullEvaluationsDecisions() throws {
        var rng = RandomStream(seed: 5)
        let net = Sequential<Float>([try Dense(8, 24, using: &rng), ReLU(), try Dense(24, 3, using: &rng)])
        let data = try makeBlobs(samples: 900, features: 8, centers: 3, std: 4, seed: 1).data
        let probe = try PruningProblem(net: net, data: data, t: 0.05, eta: 0)
        let start = try probe.accuracy(probe.start)
        let early = try PruningProblem(net: net, data: data, t: 0.05, eta: start - 0.04, chunkRows: 100)
        // Stored hardest first: the start point's margins rise along the images.
        let margins = try early.margins(early.start)
        XCTAssertEqual(margins, margins.sorted())
        XCTAssertLessThan(margins[0], 0)
        var full = try PruningProblem(net: net, data: data, t: 0.05, eta: start - 0.04).problem
        full.decide = nil
        var s = HRCOSettings()
        s.seed = 11
        s.spread = .perCoordinate
        let a = try Search(x0: early.start, layout: early.layout, problem: early.problem, settings: s)
        let b = try Search(x0: early.start, layout: early.layout, problem: full, settings: s)
        for _ in 0..<200 {
            let ra = try a.step(), rb = try b.step()
            XCTAssertEqual(ra.feasible, rb.feasible, "step \(ra.m)")
        }
        XCTAssertEqual(a.s, b.s)
        XCTAssertGreaterThan(a.gs.feasible, 2 * early.resortAfter, "the images were sorted again along the way")
        XCTAssertLessThan(a.gs.feasible, a.gs.asked)
        // The early decision looked at fewer images than 900 per decision.
        XCTAssertLessThan(early.imagesScored, early.decisions * 900)
        XCTAssertGreaterThan(early.prunedFraction(a.s), early.prunedFraction(early.start))
    }

    func testBadInputIsAClearError() throws {
        let layout = SearchLayout(shapes: [[2]])
        let inside = SearchProblem(name: "x1 > 1", f: { $0[0] }, score: { $0[0] }, threshold: 1, strict: true)
        XCTAssertThrowsError(try Search(x0: [0.5, 1], layout: layout, problem: inside, settings: HRCOSettings())) {
            XCTAssertEqual(String(describing: $0), "hrco: x0 is not feasible, its score is 0.5 against the threshold 1.0; the search must start inside S")
        }
        var bad = HRCOSettings()
        bad.C = 0
        XCTAssertThrowsError(try Search(x0: [2, 1], layout: layout, problem: inside, settings: bad)) {
            XCTAssertEqual(String(describing: $0), "hrco: C must be positive, got 0.0 (the paper uses 2.1; Proposition 1 needs C > 2)")
        }
        let nanF = SearchProblem(name: "nan", f: { _ in .nan }, score: { _ in 1 }, threshold: 0)
        XCTAssertThrowsError(try Search(x0: [2, 1], layout: layout, problem: nanF, settings: HRCOSettings()))
    }

    func testL1ProblemsGramTrickMatchesTheDirectR2() throws {
        let r = try makeRegression(samples: 300, features: 12, informative: 6, noise: 5, seed: 2)
        let p = try L1Problem(x: r.data.x, y: r.data.y, threshold: 0.9)
        let theta = [0.5] + r.coef.scalars.map { Double($0) * 0.9 }
        let x = r.data.x.scalars.map(Double.init), y = r.data.y.scalars.map(Double.init)
        var ss = 0.0
        for i in 0..<300 {
            var pred = theta[0]
            for j in 0..<12 { pred += x[i * 12 + j] * theta[j + 1] }
            ss += (y[i] - pred) * (y[i] - pred)
        }
        XCTAssertEqual(try p.residualSumOfSquares(theta), ss, accuracy: ss * 1e-10)
        XCTAssertThrowsError(try p.r2([1, 2]))
    }
}
