// RVSM: the prox maps against brute force, the closed-form population gradient against finite differences, a step by hand, u kept exactly sparse.
import XCTest
@testable import Core

final class RVSMTests: XCTestCase {
    /// argmin_u τ·P(u) + ½(u − w)² on a fine grid (plus u = 0 and u = w).
    func bruteForce(_ penalty: SparsePenalty, _ w: Double, tau: Double) -> Double {
        let objective = { (u: Double) in tau * penalty.value(u) + 0.5 * (u - w) * (u - w) }
        var best = 0.0, bestValue = objective(0)
        let steps = 10_000, span = Swift.abs(w) + 1
        for i in 0...steps {
            let u = -span + 2 * span * Double(i) / Double(steps)
            if objective(u) < bestValue { best = u; bestValue = objective(u) }
        }
        if objective(w) < bestValue { best = w }
        return best
    }

    func testProxMapsMatchBruteForce() throws {
        var rng = RandomStream(seed: 7)
        for penalty in [SparsePenalty.l1, .l0, .tl1(a: 1), .tl1(a: 0.3), .tl1(a: 4)] {
            for _ in 0..<40 {
                let w = (rng.nextDouble() * 2 - 1) * 3, tau = rng.nextDouble() * 0.8
                let closed = penalty.prox(w, tau: tau), brute = bruteForce(penalty, w, tau: tau)
                let objective = { (u: Double) in tau * penalty.value(u) + 0.5 * (u - w) * (u - w) }
                XCTAssertLessThanOrEqual(objective(closed), objective(brute) + 1e-7, "\(penalty) w = \(w) τ = \(tau)")
                XCTAssertEqual(closed, brute, accuracy: 2e-3, "\(penalty) w = \(w) τ = \(tau)")
            }
        }
        // The cutoffs at the paper's VGG-16 setting τ = 1e-3: ℓ1 1e-3, ℓ0 0.0447, TL1 (a = 1) 2e-3.
        XCTAssertEqual(SparsePenalty.l1.cutoff(1e-3), 1e-3)
        XCTAssertEqual(SparsePenalty.l0.cutoff(1e-3), 0.04472, accuracy: 1e-5)
        XCTAssertEqual(SparsePenalty.tl1(a: 1).cutoff(1e-3), 2e-3, accuracy: 1e-12)
        XCTAssertEqual(SparsePenalty.l0.prox(SparsePenalty.l0.cutoff(0.02), tau: 0.02), 0, "at the ℓ0 cutoff, 0")
        XCTAssertEqual(SparsePenalty.l1.prox(T([3], [0.1, -0.5, 2]), tau: 0.2).scalars, [0, -0.3, 1.8])
    }

    func testPopulationGradientAgainstFiniteDifferencesAndCriticalPoints() throws {
        var rng = RandomStream(seed: 2)
        let k = 4, d = 6
        var wStar = (0..<d).map { _ in rng.nextDouble() - 0.5 }
        let ns = NoOverlapPopulation.norm(wStar)
        wStar = wStar.map { $0 / ns }
        let w = (0..<d).map { _ in rng.nextDouble() - 0.5 }
        let g = try NoOverlapPopulation.gradient(w, wStar, k: k)
        let h = 1e-6
        for i in 0..<d {
            var plus = w, minus = w
            plus[i] += h
            minus[i] -= h
            let fd = (try NoOverlapPopulation.loss(plus, wStar, k: k) - NoOverlapPopulation.loss(minus, wStar, k: k)) / (2 * h)
            XCTAssertEqual(g[i], fd, accuracy: 1e-8)
        }
        XCTAssertEqual(try NoOverlapPopulation.loss(wStar, wStar, k: k), 0, accuracy: 1e-14)
        for x in try NoOverlapPopulation.gradient(wStar, wStar, k: k) { XCTAssertEqual(x, 0, accuracy: 1e-12) }
        for x in try NoOverlapPopulation.gradient(NoOverlapPopulation.saddle(wStar, k: k), wStar, k: k) { XCTAssertEqual(x, 0, accuracy: 1e-12) }
        // f(0) = a‖w*‖²/k².
        let b = Double(k * k - k) / (2 * Double.pi), a = b + Double(k) / 2
        XCTAssertEqual(try NoOverlapPopulation.loss([Double](repeating: 0, count: d), wStar, k: k), a / Double(k * k), accuracy: 1e-14)
        XCTAssertThrowsError(try NoOverlapPopulation.gradient([Double](repeating: 0, count: d), wStar, k: k))
    }

    func testTeacherDataMatchesTheLayerAndTheMonteCarloLoss() throws {
        let t = try NoOverlapTeacher(d: 8, k: 3, nonzero: 3, samples: 20_000, seed: 4)
        XCTAssertEqual(t.wStar.scalars.filter { $0 != 0 }.count, 3)
        XCTAssertEqual(t.wStar.scalars.reduce(0) { $0 + Double($1) * Double($1) }, 1, accuracy: 1e-6)
        var rng = RandomStream(seed: 9)
        let net = try NoOverlap<Float>(d: 8, k: 3, using: &rng)
        net.weight.value = Tensor(uncheckedShape: [8, 1], scalars: t.wStar.scalars)
        let first = try net(try t.data.x.slice([.slice(start: 0, stop: 5, step: 1), .all]))
        for (a, b) in zip(first.scalars, t.data.y.scalars.prefix(5)) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        // The sample MSE of another filter against the closed-form population loss.
        let w = try Tensor<Float>.normal([8, 1], using: &rng)
        net.weight.value = w
        let out = try net(t.data.x)
        let mse = zip(out.scalars, t.data.y.scalars).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / 20_000
        let exact = try NoOverlapPopulation.loss(w.scalars.map(Double.init), t.wStar.scalars.map(Double.init), k: 3)
        XCTAssertEqual(mse, exact, accuracy: 0.03 * exact)
    }

    func testOneStepByHandAndUStaysExactlySparse() throws {
        let net = try Dense<Float>(weight: T([3, 1], [0.5, -0.05, 0.2]), bias: T([1], [0.1]))
        let opt = try RVSM(.network(net), penalty: .l1, lambda: 0.01, beta: 0.1, lr: 0.5)
        // τ = 0.1: u⁰ = prox(w⁰) = [0.4, 0, 0.1].
        XCTAssertEqual(opt.sparseCopy(of: "weight", net.weight).scalars.map { Double($0) }, [0.4, 0, 0.1].map { Double(Float($0)) })
        net.weight.grad = T([3, 1], [0.2, 0.4, -0.2])
        net.bias?.grad = T([1], [1])
        try optimizerStep(opt)
        // w¹ = w⁰ − η(g + β(w⁰ − u⁰)): [0.5 − 0.5(0.2 + 0.01), −0.05 − 0.5(0.4 − 0.005), 0.2 − 0.5(−0.2 + 0.01)].
        let expected: [Float] = [0.395, -0.2475, 0.295]
        for (a, b) in zip(net.weight.value.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(net.bias?.value.scalars[0] ?? 0, 0.1 - 0.5, accuracy: 1e-6, "biases: a plain gradient step")
        // Order B: u¹ = prox(w¹).
        let u = opt.sparseCopy(of: "weight", net.weight).scalars
        for (a, b) in zip(u, [0.295, -0.1475, 0.195] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let report = try XCTUnwrap(opt.lastStep?.hooks.first { $0.hook == "rvsm" }?.report)
        XCTAssertEqual(report["zeros_u"], .number(0))

        // Training on teacher data: u stays exactly prox(w), with exact zeros below the cutoff.
        let t = try NoOverlapTeacher(d: 16, k: 4, nonzero: 4, samples: 256, seed: 1)
        var rng = RandomStream(seed: 3)
        let student = try NoOverlap<Float>(d: 16, k: 4, using: &rng)
        let l0 = try RVSM(.network(student), penalty: .l0, lambda: 4e-4, beta: 0.04, lr: 0.5)
        for _ in 0..<200 { try trainStep(l0, x: t.data.x, y: t.data.y) }
        let w = student.weight.value, uu = l0.sparseCopy(of: "weight", student.weight)
        XCTAssertEqual(uu.scalars, SparsePenalty.l0.prox(w, tau: 0.01).scalars)
        XCTAssertGreaterThan(uu.scalars.filter { $0 == 0 }.count, 8)
        for (a, b) in zip(w.scalars, uu.scalars) where b == 0 { XCTAssertLessThanOrEqual(Swift.abs(a), 0.1414214) }
        let sparse = try l0.sparseNetwork()
        XCTAssertEqual(sparse.params[0].value.scalars, uu.scalars)
        XCTAssertNotEqual(student.weight.value.scalars, uu.scalars, "the training net keeps its dense w")
    }

    func testOrderAAndBadInput() throws {
        let net = try Dense<Float>(weight: T([2, 1], [1, 0.05]), bias: nil)
        let opt = try RVSM(.network(net), penalty: .l0, lambda: 0.02, beta: 1, lr: 0.1, order: .listing)
        net.weight.grad = T([2, 1], [-10, 0])
        try optimizerStep(opt)
        // The listing's order: u¹ = prox(w⁰), not of the new w.
        XCTAssertEqual(opt.sparseCopy(of: "weight", net.weight).scalars, [1, 0])
        XCTAssertThrowsError(try RVSM(.network(net), penalty: .l1, lambda: -1, beta: 1, lr: 0.1)) { error in
            XCTAssertEqual(String(describing: error), "rvsm: lambda must be a non-negative number, got -1.0")
        }
        XCTAssertThrowsError(try SparsePenalty(name: "tll", a: 1, op: "rvsm")) { error in
            XCTAssertEqual(String(describing: error), "rvsm: penalty must be \"l1\", \"l0\" or \"tl1\", got \"tll\"; did you mean \"tl1\"?")
        }
    }
}
