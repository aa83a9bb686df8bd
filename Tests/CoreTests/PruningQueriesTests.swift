// Gradual magnitude pruning's cubic schedule, the gate report, and mask comparisons (IoU, Hamming, flips).
import XCTest
@testable import Core

final class PruningQueriesTests: XCTestCase {
    func testGMPScheduleIsZhuAndGuptasCubic() throws {
        var rng = RandomStream(seed: 1)
        let net = Sequential<Float>([try Dense<Float>(10, 10, using: &rng)])
        let gmp = try GradualMagnitudePruning(try SGD<Float>(.network(net), lr: 0.1), initialSparsity: 0.1,
                                              finalSparsity: 0.9, start: 100, every: 50, count: 4)
        // s_t = 0.9 + (0.1 − 0.9)(1 − (t − 100)/200)³
        for (t, expected) in [(0, 0.1), (100, 0.1), (150, 0.9 - 0.8 * 0.421875), (200, 0.8), (250, 0.9 - 0.8 * 0.015625),
                              (300, 0.9), (1000, 0.9)] {
            XCTAssertEqual(gmp.targetSparsity(atStep: t), expected, accuracy: 1e-12, "t = \(t)")
        }
        XCTAssertEqual((0...400).filter(gmp.prunes(atStep:)), [100, 150, 200, 250, 300])
    }

    func testGMPPrunesEachLayerToTheTargetWhileTrainingAndMasksStayZero() throws {
        var rng = RandomStream(seed: 2)
        let net = Sequential<Float>([try Dense<Float>(8, 16, using: &rng), ReLU(), try Dense<Float>(16, 4, using: &rng)])
        let gmp = try GradualMagnitudePruning(try SGD<Float>(.network(net), lr: 0.05, momentum: 0.9), finalSparsity: 0.75,
                                              start: 2, every: 2, count: 3)
        let x = try Tensor<Float>.uniform([16, 8], using: &rng)
        let y = Tensor<Float>((0..<16).map { Float($0 % 4) })
        var sparsities: [Double] = []
        for _ in 0..<10 {
            _ = try trainStep(gmp, x: x, y: y)
            sparsities.append(sparsityReport(net).sparsity)
        }
        // Targets at steps 2, 4, 6, 8: 0, 0.75·(1 − (2/3)³), 0.75·(1 − (1/3)³), 0.75, reached per layer
        // (each layer's count rounded), never undone between pruning steps.
        XCTAssertEqual(sparsities[0], 0)
        XCTAssertEqual(sparsities[3], 0.75 * (1 - 8.0 / 27), accuracy: 0.01)
        XCTAssertEqual(sparsities[5], 0.75 * (1 - 1.0 / 27), accuracy: 0.01)
        XCTAssertEqual(sparsities[7], 0.75, accuracy: 1e-9)
        XCTAssertEqual(sparsities[9], 0.75, accuracy: 1e-9)
        for (a, b) in zip(sparsities, sparsities.dropFirst()) { XCTAssertLessThanOrEqual(a, b + 1e-12) }
        XCTAssertEqual(gmp.log.map(\.step), [2, 4, 6, 8])
        for (_, weight, mask) in gmp.masks {
            for (w, m) in zip(weight.value.scalars, mask.mask.value.scalars) where m == 0 { XCTAssertEqual(w, 0) }
            XCTAssertEqual(Double(mask.kept), Double(weight.count) * 0.25, accuracy: 0.5)
        }
    }

    func testGMPBadInputIsAClearError() throws {
        var rng = RandomStream(seed: 3)
        let net = Sequential<Float>([try Dense<Float>(4, 4, using: &rng)])
        let sgd = try SGD<Float>(.network(net), lr: 0.1)
        for (initial, final, every, count, needle) in [(0.0, 1.0, 1, 1, "final must be a sparsity in [0, 1)"),
                                                       (0.5, 0.2, 1, 1, "must be at least initial"),
                                                       (0.0, 0.5, 0, 1, "every and steps must be at least 1"),
                                                       (0.0, Double.nan, 1, 1, "final must be a sparsity")] {
            XCTAssertThrowsError(try GradualMagnitudePruning(sgd, initialSparsity: initial, finalSparsity: final, every: every, count: count)) {
                XCTAssertTrue("\($0)".contains(needle), "\($0)")
            }
        }
        XCTAssertThrowsError(try GradualMagnitudePruning(sgd, finalSparsity: 0.5, every: Int.max, count: 3)) {
            XCTAssertTrue("\($0)".contains("too large"), "\($0)")
        }
    }

    func testGateReportOnHandSetLogits() throws {
        let dense = try Dense<Float>(weight: T([1, 4], [1, 1, 1, 1]), bias: nil)
        let gate = try CSGate<Float>(weightShape: [1, 4], unitAxis: 1, sInit: 0)
        gate.logits.value = T([1, 4], [1, -0.01, 0.2, -3])
        gate.beta = 10
        try dense.weight.addGate(gate)
        let net = Sequential<Float>([dense])
        let report = try gateReport(net, eps: 0.01, undecidedBelow: 5)
        let row = try XCTUnwrap(report.rows.first)
        // βs = 10, −0.1, 2, −30: σ = 0.99995, 0.475, 0.881, 9.4e-14.
        XCTAssertEqual(row.kept, 2)
        XCTAssertEqual(row.hardDensity, 0.5)
        XCTAssertEqual(try XCTUnwrap(row.softDensity), 0.75)
        XCTAssertEqual(try XCTUnwrap(row.undecided), 0.5, "|βs| < 5 for −0.1 and 2")
        // Slope β·g(1 − g): 4.5e-4, 2.5, 1.05, 9.4e-13 → one below 1e-6.
        XCTAssertEqual(try XCTUnwrap(row.saturated), 0.25)
        let sigmoids = [10.0, -0.1, 2, -30].map { 1 / (1 + exp(-$0)) }
        XCTAssertEqual(try XCTUnwrap(row.meanGate), sigmoids.reduce(0, +) / 4, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(row.gateSum), sigmoids.reduce(0, +), accuracy: 1e-5)
        XCTAssertEqual(row.gates, "cs")
        XCTAssertEqual(row.mode, "soft")
    }

    func testFLOPWeightedDensityWeighsConvolutionsByTheirOutputSize() throws {
        var rng = RandomStream(seed: 4)
        let net = Sequential<Float>([try Conv2D<Float>(1, 2, kernel: 3, padding: .same, using: &rng), Flatten(),
                                     try Dense<Float>(2 * 4 * 4, 2, using: &rng)])
        _ = try prune(net, amount: 0.5, scope: .layer, only: ["2"])  // the Dense layer keeps half
        let report = try gateReport(net, inputShape: [1, 4, 4])
        XCTAssertEqual(report.rows.map(\.flopsPerWeight), [16, 1])
        // Conv: 18 weights × 16 positions all kept; Dense: 64 weights, 32 kept.
        XCTAssertEqual(report.flopWeightedDensity, (18.0 * 16 + 32) / (18.0 * 16 + 64), accuracy: 1e-12)
        XCTAssertEqual(report.density, (18.0 + 32) / (18 + 64), accuracy: 1e-12)
    }

    func testMaskComparisonCountsRemovedRestoredAndIoU() throws {
        let before = [("a", T([2, 3], [1, 1, 0, 1, 0, 0])), ("b", T([2], [1, 1]))]
        let after = [("b", T([2], [0, 1])), ("a", T([2, 3], [1, 0, 1, 1, 0, 0]))]
        let c = try compareMasks(before, after, op: "flips")
        XCTAssertEqual(c.rows.map(\.path), ["a", "b"])
        XCTAssertEqual(c.rows[0].removed, 1)
        XCTAssertEqual(c.rows[0].restored, 1)
        XCTAssertEqual(c.rows[1].removed, 1)
        XCTAssertEqual(c.hamming, 3)
        // Kept: before 5, after 4, both 3 → IoU 3 / 6.
        XCTAssertEqual(c.intersectionOverUnion, 0.5)
        XCTAssertEqual(try compareMasks([("a", T([1], [0]))], [("a", T([1], [0]))], op: "x").intersectionOverUnion, 1)
        XCTAssertThrowsError(try compareMasks(before, [("a", T([2, 3], [1, 1, 1, 1, 1, 1]))], op: "mask_overlap")) {
            XCTAssertTrue("\($0)".contains("`b` is only in the first"), "\($0)")
        }
        XCTAssertThrowsError(try compareMasks([("a", T([2], [1, 1]))], [("a", T([1, 2], [1, 1]))], op: "mask_overlap")) {
            XCTAssertTrue("\($0)".contains("different shapes"), "\($0)")
        }
    }

    func testKeepMasksFollowTheGatesAndFlipsSeeACSMaskMove() throws {
        let dense = try Dense<Float>(weight: T([1, 3], [0.5, 0, 2]), bias: nil)
        let net = Sequential<Float>([dense])
        // No gate: the nonzero entries.
        XCTAssertEqual(keepMasks(net).map(\.path), ["0.weight"])
        XCTAssertEqual(keepMasks(net)[0].mask.scalars, [1, 0, 1])
        let gate = try CSGate<Float>(weightShape: [1, 3], unitAxis: 1, sInit: 0.1)
        try dense.weight.addGate(gate)
        let start = keepMasks(net)
        XCTAssertEqual(start[0].mask.scalars, [1, 1, 1], "H(s): the CS gate keeps the zero weight too")
        gate.logits.value = T([1, 3], [0.1, -0.2, -0.3])
        let c = try compareMasks(start, keepMasks(net), op: "flips")
        XCTAssertEqual(c.removed, 2)
        XCTAssertEqual(c.restored, 0)
    }
}

