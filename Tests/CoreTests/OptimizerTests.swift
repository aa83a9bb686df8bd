// Optimizers: one step by hand, convergence, roles, lazy state, records, schedules.
import XCTest
@testable import Core

final class OptimizerTests: XCTestCase {
    /// A weight and a bias with given values and gradients.
    func params(_ w: [Float], _ gw: [Float], _ b: [Float] = [1], _ gb: [Float] = [0.5]) -> [Param<Float>] {
        let weight = Param(T([w.count], w), role: .weight, name: "w")
        weight.grad = T([gw.count], gw)
        let bias = Param(T([b.count], b), role: .bias, name: "b")
        bias.grad = T([gb.count], gb)
        return [weight, bias]
    }

    func testSGDStepByHandWithDecayOnWeightsOnly() throws {
        let ps = params([1, 2], [0.5, -1])
        let opt = try SGD<Float>(.params(ps), lr: 0.1, weightDecay: 0.1)
        let record = try opt.step()
        // weight: w − 0.1·(g + 0.1·w); bias: no decay.
        XCTAssertEqual(ps[0].value.scalars[0], 1 - 0.1 * (0.5 + 0.1), accuracy: 1e-6)
        XCTAssertEqual(ps[0].value.scalars[1], 2 - 0.1 * (-1 + 0.2), accuracy: 1e-6)
        XCTAssertEqual(ps[1].value.scalars[0], 1 - 0.05, accuracy: 1e-6)
        XCTAssertEqual(record.gradNorm, (0.25 + 1 + 0.25).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(record.step, 1)
        XCTAssertEqual(opt.lastStep, record)
    }

    func testSGDMomentumAndNesterov() throws {
        let ps = params([1], [1])
        let opt = try SGD<Float>(.params(ps), lr: 0.1, momentum: 0.9)
        try opt.step()            // b = 1, w = 0.9
        try opt.step()            // b = 1.9, w = 0.71
        XCTAssertEqual(ps[0].value.scalars[0], 0.71, accuracy: 1e-6)
        let qs = params([1], [1])
        let nesterov = try SGD<Float>(.params(qs), lr: 0.1, momentum: 0.9, nesterov: true)
        try nesterov.step()       // b = 1, d = 1 + 0.9 = 1.9, w = 0.81
        try nesterov.step()       // b = 1.9, d = 1 + 1.71 = 2.71, w = 0.539
        XCTAssertEqual(qs[0].value.scalars[0], 0.539, accuracy: 1e-6)
        XCTAssertThrowsError(try SGD<Float>(.params(qs), nesterov: true))
    }

    func testAdamFirstStepsByHand() throws {
        let ps = params([1, -1], [0.2, -3])
        let opt = try Adam<Float>(.params(ps), lr: 0.01)
        try opt.step()
        // The first bias-corrected step is lr · g / (|g| + eps).
        XCTAssertEqual(ps[0].value.scalars[0], 1 - 0.01 * 0.2 / (0.2 + 1e-8), accuracy: 1e-6)
        XCTAssertEqual(ps[0].value.scalars[1], -1 + 0.01, accuracy: 1e-6)
        // Second step with gradient 0: m = 0.09·g·..., computed in Double.
        ps[0].grad = T([2], [0, 0])
        try opt.step()
        let m = 0.9 * 0.1 * 0.2, v = 0.999 * 0.001 * 0.04
        let expected = (1 - 0.01 * 0.2 / (0.2 + 1e-8)) - 0.01 * (m / (1 - 0.81)) / ((v / (1 - 0.999 * 0.999)).squareRoot() + 1e-8)
        XCTAssertEqual(Double(ps[0].value.scalars[0]), expected, accuracy: 1e-6)
        XCTAssertEqual(opt.core.state["w"]?.slots.keys.sorted(), ["exp_avg", "exp_avg_sq"])
    }

    /// The norms the lanes measure as they update, with no copy of the parameter, against the
    /// norms of the change itself: over several parallel tiles and a tail of five, for a rule
    /// without state (SGD), with two slots (Adam), and under a mask, whose update is measured
    /// after the mask.
    func testUpdateNormsMeasuredInTheLanesMatchTheChange() throws {
        let n = 5 * UpdateLanes.tile + 5
        var rng = RandomStream(seed: 9)
        let start = try Tensor<Float>.uniform([n], using: &rng), gradient = try Tensor<Float>.uniform([n], using: &rng)
        func norms(of make: ([Param<Float>]) throws -> any Optimizer<Float>, mask: Bool) throws -> (StepRecord, Double) {
            let weight = Param(start, role: .weight, name: "w")
            weight.grad = gradient
            if mask {
                let gate = HardMask<Float>(shape: [n])
                try weight.addGate(gate)
                try gate.setMask(start.map { $0 > 0.5 ? 1 : 0 }, on: weight)
            }
            let before = weight.value.scalars
            let record = try make([weight]).step()
            var change = 0.0
            for i in 0..<n { let d = Double(weight.value.scalars[i] - before[i]); change += d * d }
            return (record, change.squareRoot())
        }
        let gradNorm = gradient.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        for mask in [false, true] {
            for make in [{ try SGD<Float>(.params($0), lr: 0.1) as any Optimizer<Float> },
                         { try Adam<Float>(.params($0), lr: 0.01) as any Optimizer<Float> }] {
                let (record, change) = try norms(of: make, mask: mask)
                XCTAssertGreaterThan(change, 0)
                XCTAssertEqual(record.updateNorm, change, accuracy: 1e-5 * change, "mask: \(mask)")
                XCTAssertEqual(record.gradNorm, gradNorm, accuracy: 1e-5 * gradNorm)
            }
        }
    }

    func testAdamWDecouplesDecay() throws {
        let ps = params([2], [0])
        ps[0].grad = T([1], [1])
        let opt = try Adam<Float>.adamW(.params(ps), lr: 0.1, weightDecay: 0.5)
        try opt.step()
        XCTAssertEqual(ps[0].value.scalars[0], 2 * (1 - 0.05) - 0.1, accuracy: 1e-5)
        XCTAssertEqual(ps[1].value.scalars[0], 1 - 0.1, accuracy: 1e-5, "no decay on the bias")
        XCTAssertEqual(opt.description, "adamw(lr: 0.1, betas: (0.9, 0.999), eps: 1e-08, weight_decay: 0.5)")
    }

    func testConvergenceOnAQuadratic() throws {
        for make in [{ try SGD<Float>(.params($0), lr: 0.1, momentum: 0.5) as any Optimizer<Float> },
                     { try Adam<Float>(.params($0), lr: 0.05) as any Optimizer<Float> }] {
            let w = Param(T([3], [3, -2, 1]), role: .weight, name: "w")
            let opt = try make([w])
            let target = T([3], [1, 1, 1])
            for _ in 0..<300 {
                _ = try valueAndGradient(of: { tape in
                    try tape.variable(for: w).mse(target: target)
                }, for: [w])
                try opt.step()
            }
            for v in w.value.scalars { XCTAssertEqual(v, 1, accuracy: 1e-2, opt.name) }
        }
    }

    func testStateIsLazyAndPicksUpLaterParams() throws {
        var rng = RandomStream(seed: 1)
        let net = Sequential<Float>([try Dense(2, 2, using: &rng)])
        let opt = try Adam<Float>(.network(net))
        let x = T([1, 2], [1, 2]), y = T([1, 2], [0, 1])
        try trainStep(opt, x: x, y: y, loss: .mse)
        XCTAssertEqual(opt.core.state.keys.sorted(), ["0.bias", "0.weight"])
        net.append(try Dense(2, 2, using: &rng))
        try trainStep(opt, x: x, y: y, loss: .mse)
        XCTAssertEqual(opt.core.state.keys.sorted(), ["0.bias", "0.weight", "1.bias", "1.weight"])
        XCTAssertEqual(opt.core.state["0.weight"]?.step, 2)
        XCTAssertEqual(opt.core.state["1.weight"]?.step, 1)
        XCTAssertEqual(opt.core.groups.map(\.role), [.weight, .bias])
    }

    func testLearningRateAndSchedules() throws {
        let ps = params([1], [1])
        let opt = try SGD<Float>(.params(ps), lr: 1)
        opt.lr = 0.5
        XCTAssertEqual(opt.lr, 0.5)
        opt.core.schedule = try StepLR(milestones: [2, 4], gamma: 0.1)
        var rates: [Double] = []
        for _ in 0..<5 { opt.epochEnded(); rates.append(opt.lr) }
        for (a, b) in zip(rates, [0.5, 0.05, 0.05, 0.005, 0.005]) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let exp = try ExpLR(gamma: 0.5)
        XCTAssertEqual(exp.lr(base: 2, epoch: 3), 0.25)
        XCTAssertThrowsError(try SGD<Float>(.params(ps), lr: -1))
    }

    func testStepWithoutNetworkIsAnError() throws {
        let opt = try SGD<Float>(.params(params([1], [1])))
        XCTAssertThrowsError(try trainStep(opt, x: T([1, 1], [1]), y: T([1, 1], [1]))) { error in
            XCTAssertEqual(String(describing: error),
                "step: this sgd optimizer was made from parameters, not a net; pass a net to sgd(…) to step on a batch")
        }
    }
}

final class OptimizerStateTests: XCTestCase {
    func testStateSavesAndRestores() throws {
        let w = Param(T([2], [1, 2]), role: .weight, name: "0.weight")
        w.grad = T([2], [0.5, -0.25])
        let a = try Adam<Float>(.params([w]), lr: 0.1)
        try a.step()
        let afterOne = w.value
        let saved = a.core.stateTensors()
        XCTAssertEqual(saved.map(\.name), ["0.weight.exp_avg", "0.weight.exp_avg_sq", "0.weight.step"])
        try a.step()
        let afterTwo = w.value
        // A fresh optimizer restored from the saved state takes the same second step.
        w.value = afterOne
        let b = try Adam<Float>(.params([w]), lr: 0.1)
        try b.core.restoreState(saved)
        try b.step()
        XCTAssertEqual(w.value, afterTwo)
        XCTAssertEqual(b.core.state["0.weight"]?.step, 2)
        XCTAssertThrowsError(try b.core.restoreState([("nodot", T([1], [1]))]))
    }
}
