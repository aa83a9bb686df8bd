// Iterative hard thresholding: H_s's tie rule, a step by hand, support bookkeeping, the L₂ₛ estimate against brute force, HT-stability.
import XCTest
@testable import Core

final class IHTTests: XCTestCase {
    /// A 3 → 1 dense layer (weight [3, 1], bias [1]): n = 4.
    func layer(_ w: [Float], _ b: Float) throws -> Dense<Float> {
        try Dense(weight: T([3, 1], w), bias: T([1], [b]))
    }

    func testHardThresholdKeepsTheSmallerIndexOnATie() throws {
        XCTAssertEqual(try T([3], [1, -3, 1]).hardThreshold(2).scalars, [1, -3, 0], "the spec's vector")
        let net = try layer([1, -3, 1], 0)
        let opt = try IHT(.network(net), s: 2, lr: 0.1)
        XCTAssertEqual(net.weight.value.scalars, [1, -3, 0])
        XCTAssertEqual(opt.support, [0, 1])
        let (_, tie) = try opt.project([1, -3, 1, 0], keep: nil)
        XCTAssertTrue(tie, "|1| at index 0 and 2: a tie at the boundary")
        XCTAssertFalse(try opt.project([2, -3, 1, 0], keep: nil).tie)
    }

    func testOneStepByHand() throws {
        let net = try layer([0.5, -0.2, 0.1], 0.3)
        let opt = try IHT(.network(net), s: 2, lr: 0.5)
        // H_2 of [0.5, -0.2, 0.1, 0.3] keeps 0.5 and 0.3.
        XCTAssertEqual(net.weight.value.scalars, [0.5, 0, 0])
        XCTAssertEqual(net.bias?.value.scalars, [0.3])
        net.weight.grad = T([3, 1], [0.2, 1.0, -0.1])
        net.bias?.grad = T([1], [0.8])
        let record = try opt.step()
        // z = θ − γg = [0.4, -0.5, 0.05, -0.1]; H_2 keeps -0.5 (index 1) and 0.4 (index 0).
        XCTAssertEqual(net.weight.value.scalars[0], 0.4, accuracy: 1e-7)
        XCTAssertEqual(net.weight.value.scalars[1], -0.5, accuracy: 1e-7)
        XCTAssertEqual(net.weight.value.scalars[2], 0)
        XCTAssertEqual(net.bias?.value.scalars, [0])
        XCTAssertEqual(record.gradNorm, (0.04 + 1 + 0.01 + 0.64 as Double).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(record.updateNorm, (0.01 + 0.25 + 0.09 as Double).squareRoot(), accuracy: 1e-6)
        // Bookkeeping: w21 entered, b1 left, at step 1.
        XCTAssertEqual(opt.support, [0, 1])
        XCTAssertEqual(opt.entered, [1])
        XCTAssertEqual(opt.left, [3])
        XCTAssertEqual(opt.lastChange, 1)
        let report = try opt.afterUpdate(HookContext(net: net, step: 1))
        XCTAssertEqual(report["entered"], .list([.text("w21")]))
        XCTAssertEqual(report["left"], .list([.text("b1")]))
        // A second step with the same support leaves last_change at 1.
        net.weight.grad = T([3, 1], [0, 0, 0])
        net.bias?.grad = T([1], [0])
        try opt.step()
        XCTAssertEqual(opt.entered, [])
        XCTAssertEqual(opt.lastChange, 1)
        XCTAssertEqual(opt.supportReport["changed"], .bool(true))
        XCTAssertEqual(opt.supportReport["initial"], .list([.text("w11"), .text("b1")]))
    }

    func testRandomSparseStartAndNames() throws {
        var rng = RandomStream(seed: 3)
        let net = try Dense<Float>(4, 3, using: &rng)
        let before = net.flatParams().scalars
        let opt = try IHT(.network(net), s: 5, lr: 0.1, supportSeed: 84)
        let after = net.flatParams().scalars
        XCTAssertEqual(opt.support.count, 5)
        for i in 0..<15 { XCTAssertEqual(after[i], opt.support.contains(i) ? before[i] : 0) }
        let again = try Dense<Float>(weight: T([4, 3], Array(before[0..<12])), bias: T([3], Array(before[12...])))
        XCTAssertEqual(try IHT(.network(again), s: 5, lr: 0.1, supportSeed: 84).support, opt.support, "the seed decides")
        XCTAssertEqual(opt.vector.name(of: 5), "w23")
        XCTAssertEqual(opt.vector.name(of: 13), "b2")
        let two = Sequential<Float>([try Dense(2, 2, using: &rng), ReLU(), try Dense(2, 1, using: &rng)])
        XCTAssertEqual(FlatVector(two.namedParams).name(of: 7), "2.w21")
    }

    func testMasksAndBadInput() throws {
        let net = try layer([3, 2, 1], 0.5)
        let mask = HardMask<Float>(shape: [3, 1])
        try net.weight.addGate(mask)
        try mask.setMask(T([3, 1], [0, 1, 1]), on: net.weight)
        let opt = try IHT(.network(net), s: 2, lr: 0.1)
        XCTAssertEqual(net.weight.value.scalars, [0, 2, 1], "a masked entry is never kept")
        net.weight.grad = T([3, 1], [-100, 0, 0])
        net.bias?.grad = T([1], [0])
        try opt.step()
        XCTAssertEqual(net.weight.value.scalars[0], 0)
        for s in [0, 5] {
            XCTAssertThrowsError(try IHT(.network(try layer([1, 2, 3], 0)), s: s, lr: 0.1)) { error in
                XCTAssertEqual(String(describing: error), "iht: s must be between 1 and the number of parameters (4), got \(s)")
            }
        }
        let fresh = try IHT(.network(try layer([1, 2, 3], 0)), s: 2, lr: 0.1)
        XCTAssertThrowsError(try fresh.step()) { error in
            XCTAssertTrue(String(describing: error).contains("no gradients yet"))
        }
    }

    /// The spec's self-check: least squares with m = 30, n = 12, s = 3, through the network path.
    func testL2sEstimateAgainstBruteForce() throws {
        var rng = RandomStream(seed: 11)
        let x = try Tensor<Float>.normal([30, 12], using: &rng)
        let y = try Tensor<Float>.normal([30, 1], using: &rng)
        let net = try Dense<Float>(12, 1, bias: false, using: &rng)
        let e = try estimateL2s(net: net, paths: nil, x: x, y: y, loss: .mse, s: 3, samples: 100, seed: 1)
        let exact = try exactL2s(x, s: 3)
        // mse is (1/m)‖Xθ − y‖², so its constants are 2/m times those of ½‖Xθ − y‖².
        let scale = 2.0 / 30
        XCTAssertEqual(e.ratios.count + e.skipped, 100)
        XCTAssertGreaterThan(e.l2s, 0)
        XCTAssertLessThanOrEqual(e.l2s, scale * exact.lipschitz * (1 + 1e-4), "a ratio never passes the restricted Lipschitz constant")
        XCTAssertGreaterThanOrEqual(exact.lipschitz, exact.l2s * (1 - 1e-9))
        XCTAssertLessThanOrEqual(e.minimum, e.median)
        XCTAssertLessThanOrEqual(e.median, e.maximum)
        XCTAssertEqual(e.maximum, e.l2s)
        XCTAssertEqual(e.lr, 1 / e.l2s)
        // The eigen solver on a block with a known spectrum: diag(1, 4, 2) → 4.
        XCTAssertEqual(largestEigenvalue([1, 0, 0, 0, 4, 0, 0, 0, 2], n: 3, rows: [0, 1, 2]), 4, accuracy: 1e-12)
        XCTAssertEqual(largestEigenvalue([2, 1, 1, 2], n: 2, rows: [0, 1]), 3, accuracy: 1e-12)
    }

    func testHTStabilityAtAConvergedPointAndAwayFromIt() throws {
        // A least-squares problem whose solution is exactly 2-sparse: y = 2·x₀ − x₂.
        var rng = RandomStream(seed: 5)
        let x = try Tensor<Float>.normal([40, 3], using: &rng)
        let y = try x.matmul(T([3, 1], [2, 0, -1]))
        let net = try Dense<Float>(weight: T([3, 1], [1, 1, 0]), bias: nil)
        let opt = try IHT(.network(net), s: 2, lr: 0.2)
        for _ in 0..<300 { try trainStep(opt, x: x, y: y, loss: .mse) }
        XCTAssertEqual(opt.support, [0, 2])
        let h = try htStability(net: net, paths: nil, x: x, y: y, loss: .mse, s: 2, lr: 0.2)
        XCTAssertTrue(h.stable)
        XCTAssertTrue(h.fixedPoint)
        XCTAssertLessThan(h.supportGradient, 1e-4)
        XCTAssertEqual(h.margin, 1 - 0.2 * h.offSupportGradient, accuracy: 1e-4)
        // On the wrong support, the off-support gradient is large: not stable.
        net.weight.value = T([3, 1], [0, 0.01, 0])
        let away = try htStability(net: net, paths: nil, x: x, y: y, loss: .mse, s: 2, lr: 0.2)
        XCTAssertFalse(away.stable)
        XCTAssertFalse(away.fixedPoint)
        XCTAssertLessThan(away.margin, 0)
    }
}
