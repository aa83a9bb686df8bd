// ShrinkNets: switch gradients, the kill rules on hand-made θ sequences, collection (outputs and optimizer state), folding, bad input.
import XCTest
@testable import Core

final class ShrinkNetsTests: XCTestCase {
    var rng = RandomStream(seed: 3)

    // MARK: - The switch layer

    func testSwitchGradientsMatchFiniteDifferences() throws {
        for gate in SwitchGate.allCases {
            let sw = try Switch<Double>(3, gate: gate, using: &rng)
            sw.theta.value = try Tensor(shape: [3], scalars: [0.7, -0.4, 1.3])
            checkLayerGradients(sw, input: gcRandom([2, 3], seed: 1))
            checkLayerGradients(sw, input: gcRandom([2, 3, 2, 2], seed: 2))
            // Followed by a ReLU, a Sequential runs the pair as one fused node.
            checkLayerGradients(Sequential<Double>([sw, ReLU()]), input: gcRandom([2, 3, 2, 2], seed: 4))
        }
    }

    func testPowerSumGradientsAndValues() throws {
        let x = gcRandom([3, 4], seed: 5)
        checkGradients([x]) { _, v in try v[0].powerSum(1) }
        checkGradients([x]) { _, v in try v[0].powerSum(2) }
        let t = Tape<Float>()
        XCTAssertEqual(try t.constant(T([3], [1, -2, 0.5])).powerSum(2).value.scalars, [5.25])
        XCTAssertEqual(try t.constant(T([3], [1, -2, 0.5])).powerSum(1).value.scalars, [3.5])
        XCTAssertThrowsError(try t.constant(T([1], [1])).powerSum(3))
    }

    func testSwitchForwardByHand() throws {
        let sw = try Switch<Float>(2, gate: .relu, using: &rng)
        sw.theta.value = T([2], [2, -1])
        XCTAssertEqual(try sw(T([1, 2, 1, 2], [1, 2, 3, 4])).scalars, [2, 4, 0, 0], "max(0, θ) per channel")
        let linear = try Switch<Float>(2, initial: .ones, using: &rng)
        XCTAssertEqual(linear.theta.value.scalars, [1, 1])
        XCTAssertThrowsError(try linear(T([1, 3], [1, 2, 3]))) { e in
            XCTAssertEqual("\(e)", "shape mismatch in `Switch`: expected [*, 2] or [*, 2, H, W], got [1, 3]")
        }
    }

    // MARK: - Kill rules on hand-made sequences

    /// The steps at which `rule` kills, observing `thetas` from a start at θ⁰ = `start`.
    func killSteps(_ rule: KillRule, start: Double, _ thetas: [Double], settings: KillSettings = KillSettings()) -> [Int] {
        var mean = start > 0 ? 1.0 : (start < 0 ? -1 : 0), last = mean
        return thetas.enumerated().compactMap { i, t in
            rule.observe(theta: t, factor: t, mean: &mean, lastSign: &last, settings: settings) ? i : nil
        }
    }

    func testSignVarianceKillsOnTheSecondFlip() {
        // m: 1 → 0.8 (v = 0.36) → 0.62 (v = 0.6156 > γ = 0.5).
        XCTAssertEqual(killSteps(.signVariance, start: 0.3, [-0.01, -0.02, 0.5]), [1, 2])
        var mean = 1.0, last = 1.0
        _ = KillRule.signVariance.observe(theta: -1, factor: -1, mean: &mean, lastSign: &last, settings: KillSettings())
        XCTAssertEqual(mean, 0.8, accuracy: 1e-12)
        var lenient = KillSettings()
        lenient.gamma = 0.7
        XCTAssertEqual(killSteps(.signVariance, start: 0.3, [-0.01, -0.02, -0.03], settings: lenient), [2], "1 − 0.458² = 0.79 > 0.7")
        XCTAssertEqual(killSteps(.signVariance, start: 0.3, [0.2, 0.1, 0.05]), [], "a steady sign is never killed")
    }

    func testSignChangeKillsWhenThetaCrossesZero() {
        XCTAssertEqual(killSteps(.signChange, start: 0.5, [0.4, 0.2, -0.1, -0.2]), [2])
        XCTAssertEqual(killSteps(.signChange, start: -0.5, [-0.4, 0.1]), [1])
    }

    func testThresholdAndProx() {
        XCTAssertEqual(killSteps(.threshold, start: 1, [0.5, 0.01, 0.0005, -0.0009]), [2, 3])
        XCTAssertEqual(KillRule.prox(0.3, tau: 0.1, gate: .linear), 0.2, accuracy: 1e-12)
        XCTAssertEqual(KillRule.prox(-0.3, tau: 0.1, gate: .linear), -0.2, accuracy: 1e-12)
        XCTAssertEqual(KillRule.prox(-0.05, tau: 0.1, gate: .linear), 0)
        XCTAssertEqual(KillRule.prox(-0.5, tau: 0.1, gate: .relu), -0.5, "the relu penalty is flat below 0")
        XCTAssertEqual(killSteps(.prox, start: 1, [0.2, 0]), [1])
    }

    func mlp(_ units: Int = 5) throws -> Sequential<Float> {
        Sequential<Float>([try Dense(3, units, using: &rng), try Switch(units, using: &rng), ReLU(), try Dense(units, 2, using: &rng)])
    }

    func testTheLastUnitOfASwitchIsNeverKilled() throws {
        let net = try mlp()
        let sw = net.layers[1] as! Switch<Float>
        sw.theta.value = T([5], [0.5, -2, 0.1, 1.5, -0.2])
        var s = ShrinkSettings()
        s.rule = .threshold
        s.kill.threshold = 10   // every unit is a candidate
        let opt = try ShrinkNets(try Adam(.network(net)), settings: s)
        let step = HookContext<Float>(net: net, step: 1)
        XCTAssertEqual(try opt.afterUpdate(step)["killed"], .int(4))
        XCTAssertEqual(sw.alive, 1)
        XCTAssertEqual(sw.factors, [0, -2, 0, 0, 0], "the largest |θ| is spared")
        XCTAssertEqual(opt.kills.map(\.unit), [0, 2, 3, 4])
        XCTAssertEqual(opt.kills.map(\.theta), [0.5, 0.1, 1.5, -0.2].map { Double(Float($0)) })
        XCTAssertEqual(try opt.afterUpdate(step)["killed"], .int(0))
        XCTAssertEqual(sw.alive, 1)
    }

    func testTheProxRuleKeepsItsLastUnitAlive() throws {
        let net = try mlp()
        let sw = net.layers[1] as! Switch<Float>
        sw.theta.value = T([5], [0.5, -2, 0.1, 0.9, -0.2])
        var s = ShrinkSettings()
        s.rule = .prox
        s.lambda = 1000   // τ = lr·λ = 1 zeroes every θ but −2 in one step, and −2 the next
        let opt = try ShrinkNets(try SGD(.network(net), lr: 1e-3), settings: s)
        let step = HookContext<Float>(net: net, step: 1)
        XCTAssertEqual(try opt.afterUpdate(step)["killed"], .int(4))
        XCTAssertEqual(sw.factors, [0, -1, 0, 0, 0])
        XCTAssertEqual(try opt.afterUpdate(step)["killed"], .int(0))
        XCTAssertEqual(sw.factors, [0, -1, 0, 0, 0], "the last unit keeps its θ")
        XCTAssertEqual(sw.alive, 1)
    }

    func testKilledUnitsStayAtZeroUnderTraining() throws {
        let net = try mlp()
        let sw = net.layers[1] as! Switch<Float>
        var s = ShrinkSettings()
        s.collectEvery = 0
        let opt = try ShrinkNets(try Adam(.network(net), lr: 0.05), settings: s)
        let x = T([4, 3], (0..<12).map { Float($0) / 6 - 1 }), y = T([4, 2], [1, 0, 0, 1, 1, 1, 0, 0])
        for _ in 0..<3 { try trainStep(opt, x: x, y: y) }
        // Killed with moments of its own: momentum must not carry it away from 0.
        XCTAssertNotEqual(opt.core.state["1.switch"]?.slots["exp_avg"]?.scalars[2], 0)
        sw.kill(2)
        for _ in 0..<5 { try trainStep(opt, x: x, y: y) }
        XCTAssertEqual(sw.theta.value.scalars[2], 0)
        XCTAssertEqual(opt.core.state["1.switch"]?.slots["exp_avg"]?.scalars[2], 0)
        XCTAssertEqual(opt.lastStep?.hooks.first?.hook, "shrink")
    }

    /// A platform fix found here: the element-wise step read the keep-mask after swapping in its
    /// placeholder value, so a mask set mid-training did not hold against momentum.
    func testAMaskSetMidTrainingHoldsAgainstMomentum() throws {
        for make in [{ try Adam<Float>(.network($0), lr: 0.05) as any Optimizer<Float> },
                     { try SGD<Float>(.network($0), lr: 0.05, momentum: 0.9) as any Optimizer<Float> },
                     { try AvaGrad<Float>(.network($0), lr: 0.05) as any Optimizer<Float> }] as [(any Layer<Float>) throws -> any Optimizer<Float>] {
            let net = try mlp()
            let opt = try make(net)
            let x = T([4, 3], (0..<12).map { Float($0) / 6 - 1 }), y = T([4, 2], [1, 0, 0, 1, 1, 1, 0, 0])
            for _ in 0..<3 { try trainStep(opt, x: x, y: y) }
            let masks = try addMasks(to: net, only: ["0"])
            var keep = masks[0].mask.mask.value
            keep.scalars[0] = 0
            try masks[0].mask.setMask(keep, on: masks[0].weight)
            for _ in 0..<3 { try trainStep(opt, x: x, y: y) }
            XCTAssertEqual(masks[0].weight.value.scalars[0], 0, opt.name)
        }
    }

    // MARK: - Collection

    /// Kills `dead` units of every switch, collects, and checks the eval outputs are unchanged and
    /// the widths shrank.
    func assertCollectionKeepsOutputs(_ net: Sequential<Float>, input: Tensor<Float>, dead: [Int],
                                      setUp: () -> Void = {}, check: () -> Void = {}, file: StaticString = #filePath, line: UInt = #line) throws {
        let opt = try Adam<Float>(.network(net))
        try trainStep(opt, x: input, y: T([input.shape[0]], [Float](repeating: 1, count: input.shape[0])), loss: .crossEntropy)
        setUp()
        let switches = shrinkSwitches(net).map(\.layer)
        for sw in switches { for c in dead { sw.kill(c) } }
        net.eval()
        let before = try net(input)
        let paramsBefore = net.countParams
        let record = try collectDeadUnits(net, optimizer: opt)
        let after = try net(input)
        XCTAssertEqual(before.shape, after.shape, file: file, line: line)
        for (a, b) in zip(before.scalars, after.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6, file: file, line: line) }
        XCTAssertEqual(record.removed, dead.count * switches.count, file: file, line: line)
        XCTAssertLessThan(net.countParams, paramsBefore, file: file, line: line)
        XCTAssertEqual(record.paramsAfter, net.countParams, file: file, line: line)
        for p in net.params {
            for (name, slot) in opt.core.state[p.path]?.slots ?? [:] {
                XCTAssertEqual(slot.shape, p.value.shape, "\(p.path).\(name)", file: file, line: line)
            }
        }
        check()
        net.train()
        try trainStep(opt, x: input, y: T([input.shape[0]], [Float](repeating: 1, count: input.shape[0])), loss: .crossEntropy)
    }

    func testCollectionKeepsTheOutputsOfADenseNet() throws {
        let net = try mlp(6)
        try assertCollectionKeepsOutputs(net, input: T([4, 3], (0..<12).map { Float($0) / 5 - 1 }), dead: [0, 3, 4])
        XCTAssertEqual((net.layers[0] as! Dense<Float>).outputs, 3)
        XCTAssertEqual((net.layers[3] as! Dense<Float>).weight.value.shape, [3, 2])
        XCTAssertEqual((net.layers[1] as! Switch<Float>).originalIndex, [1, 2, 5])
    }

    func testCollectionKeepsTheOutputsOfAConvNetWithBatchNorm() throws {
        let net = Sequential<Float>([try Conv2D(2, 4, kernel: 3, using: &rng), try BatchNorm(4), try Switch(4, using: &rng), ReLU(),
                                     try Conv2D(4, 3, kernel: 3, using: &rng), try Switch(3, using: &rng), ReLU(), try AvgPool(2),
                                     Flatten(), try Dense(12, 2, using: &rng)])
        // A batch norm with statistics of its own, so slicing its buffers matters.
        let bn = net.layers[1] as! BatchNorm<Float>
        let x = try Tensor<Float>.normal([2, 2, 4, 4], using: &rng)
        try assertCollectionKeepsOutputs(net, input: x, dead: [1], setUp: {
            bn.runningMean.value = T([4], [0.1, -0.2, 0.3, 0.05])
            bn.runningVar.value = T([4], [1.5, 0.7, 1.1, 2])
        }, check: {
            XCTAssertEqual(bn.runningMean.value.scalars, [0.1, 0.3, 0.05])
            XCTAssertEqual(bn.runningVar.value.scalars, [1.5, 1.1, 2])
            XCTAssertEqual(bn.weight.value.shape, [3])
        })
        XCTAssertEqual((net.layers[4] as! Conv2D<Float>).weight.value.shape, [2, 3, 3, 3])
        XCTAssertEqual((net.layers[9] as! Dense<Float>).inputs, 8, "2 channels × 2·2 positions")
    }

    func testCollectionCutsTheFlattenedBlockOfEachChannel() throws {
        let net = Sequential<Float>([try Conv2D(1, 4, kernel: 2, using: &rng), try Switch(4, using: &rng), ReLU(), try MaxPool(2),
                                     Flatten(), try Dense(16, 3, using: &rng)])
        let dense = net.layers[5] as! Dense<Float>
        var rowsOfChannel2: [Float] = []
        try assertCollectionKeepsOutputs(net, input: try Tensor<Float>.normal([2, 1, 4, 4], using: &rng), dead: [0, 1, 3], setUp: {
            // Channel 2 is the H·W = 4 inputs 8 ..< 12 of the Dense (NCHW flattens channel-major).
            rowsOfChannel2 = Array(dense.weight.value.scalars[(2 * 4 * 3)..<(3 * 4 * 3)])
        }, check: {
            XCTAssertEqual(dense.weight.value.shape, [4, 3])
            XCTAssertEqual(dense.weight.value.scalars, rowsOfChannel2)
        })
        XCTAssertEqual(dense.inputs, 4)
    }

    /// One step after a collection equals the same step on a net built at the smaller size with
    /// the same values and state (cut here by hand, not by `collect`).
    func testTheOptimizerStateIsCutToMatch() throws {
        let makers: [(String, (ParamSource<Float>) throws -> any Optimizer<Float>)] = [
            ("adam", { try Adam($0, lr: 0.01) }), ("sgd", { try SGD($0, lr: 0.05, momentum: 0.9) })]
        let x = T([4, 3], (0..<12).map { Float($0) / 5 - 1 }), y = T([4, 2], [1, 0, 0, 1, 1, 1, 0, 0])
        let kept = [1, 2, 4]
        for (name, make) in makers {
            let big = try mlp()
            let opt = try make(.network(big))
            for _ in 0..<3 { try trainStep(opt, x: x, y: y) }
            let sw = big.layers[1] as! Switch<Float>
            for c in [0, 3] { sw.kill(c) }
            // The small net and its state, cut by hand: columns of 0.weight, entries of 0.bias and
            // 1.switch, rows of 3.weight.
            func cut(_ t: Tensor<Float>, _ path: String) -> Tensor<Float> {
                switch path {
                case "0.weight": return T([3, 3], (0..<3).flatMap { r in kept.map { t.scalars[r * 5 + $0] } })
                case "3.weight": return T([3, 2], kept.flatMap { r in [t.scalars[r * 2], t.scalars[r * 2 + 1]] })
                case "3.bias": return t
                default: return T([3], kept.map { t.scalars[$0] })
                }
            }
            let small = try mlp(3)
            for p in small.params { p.value = cut(big.param(p.path)!.value, p.path) }
            let smallOpt = try make(.network(small))
            for (path, s) in opt.core.state {
                let copy = smallOpt.core.state(for: path)
                copy.step = s.step
                for (k, v) in s.slots { copy.slots[k] = cut(v, path) }
            }
            try collectDeadUnits(big, optimizer: opt)
            try trainStep(opt, x: x, y: y)
            try trainStep(smallOpt, x: x, y: y)
            for p in small.params {
                let q = big.param(p.path)!
                XCTAssertEqual(p.value.shape, q.value.shape, "\(name) \(p.path)")
                for (a, b) in zip(p.value.scalars, q.value.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6, "\(name) \(p.path)") }
                XCTAssertEqual(opt.core.state[p.path]?.step, smallOpt.core.state[p.path]?.step)
                for (k, v) in smallOpt.core.state[p.path]?.slots ?? [:] {
                    XCTAssertEqual(opt.core.state[p.path]?.slots[k]?.scalars ?? [], v.scalars, "\(name) \(p.path).\(k)")
                }
            }
        }
    }

    func testShrinkCollectsAtTheEndOfEachEpoch() throws {
        let net = try mlp(8)
        var s = ShrinkSettings()
        s.lambda = 3
        s.rule = .prox
        let opt = try ShrinkNets(try Adam(.network(net), lr: 0.05), settings: s)
        let data = try Dataset(x: T([8, 3], (0..<24).map { Float($0 % 7) / 3 - 1 }), y: T([8], [0, 1, 0, 1, 1, 0, 1, 0]))
        let run = try fit(net, data: data, optimizer: opt, settings: FitSettings(epochs: 3, batchSize: 4))
        let sw = net.layers[1] as! Switch<Float>
        XCTAssertLessThan(sw.units, 8)
        XCTAssertEqual(sw.units, sw.alive, "collected: no dead unit left")
        XCTAssertEqual(opt.collections.count, 3)
        XCTAssertEqual(opt.cost.count, 3)
        XCTAssertEqual(opt.cost[0], 3 + 8 - (opt.collections[0].removed), "live inputs: 3 + the live units")
        XCTAssertEqual(run.history.last?.hooks.first?.report["widths"], .list([.int(sw.units)]))
    }

    // MARK: - Folding

    func testFoldingKeepsTheOutputs() throws {
        let net = Sequential<Float>([try Switch(1, using: &rng), try Conv2D(1, 4, kernel: 2, using: &rng), try BatchNorm(4),
                                     try Switch(4, using: &rng), ReLU(), try Conv2D(4, 3, kernel: 2, using: &rng),
                                     try Switch(3, using: &rng), ReLU(), try MaxPool(2), Flatten(), try Dense(12, 5, using: &rng),
                                     ReLU(), try Switch(5, using: &rng), try Dense(5, 2, using: &rng)])
        (net.layers[12] as! Switch<Float>).theta.value = T([5], [0.5, 1.5, 0, 2, 0.1])  // crosses the ReLU before it
        (net.layers[3] as! Switch<Float>).theta.value = T([4], [-0.5, 1.5, 0.3, -2])     // negative: folds into BatchNorm
        net.eval()
        let x = try Tensor<Float>.normal([2, 1, 4, 4], using: &rng)
        let folded = try foldSwitches(net)
        XCTAssertTrue(shrinkSwitches(folded).isEmpty)
        XCTAssertEqual((folded as! Sequential<Float>).layers.count, net.layers.count - 4)
        let a = try net(x), b = try folded(x)
        for (u, v) in zip(a.scalars, b.scalars) { XCTAssertEqual(u, v, accuracy: 1e-5 * Swift.max(1, Swift.abs(u))) }
        XCTAssertEqual(shrinkSwitches(net).count, 4, "the net itself keeps its switches")
    }

    func testFoldingRefusesToCrossANonlinearity() throws {
        let net = Sequential<Float>([try Dense(3, 4, using: &rng), Tanh(), try Switch(4, using: &rng), Tanh(), try Dense(4, 2, using: &rng)])
        XCTAssertThrowsError(try foldSwitches(net)) { e in
            XCTAssertEqual("\(e)", "fold_switches: the switch at 2 has no linear layer to fold into on either side without crossing a nonlinearity (a ReLU or max pooling can be crossed only when every factor is >= 0)")
        }
    }

    // MARK: - Bad input

    func testBadInputIsAClearError() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        let net = try mlp()
        var s = ShrinkSettings()
        s.p = 3
        XCTAssertEqual(message { _ = try ShrinkNets(try Adam(.network(net)), settings: s) }, "shrink: p must be 1 or 2, got 3")
        s = ShrinkSettings()
        s.kill.gamma = 2
        XCTAssertEqual(message { _ = try ShrinkNets(try Adam(.network(net)), settings: s) },
                       "shrink: gamma must be in [0, 1] (the sign variance 1 − m² is), got 2.0")
        let plain = Sequential<Float>([try Dense(3, 2, using: &rng)])
        XCTAssertEqual(message { _ = try ShrinkNets(try Adam(.network(plain)), settings: ShrinkSettings()) },
                       "shrink: the net has no switches; put switch(units) after its hidden Dense or Conv2D layers")
        let last = Sequential<Float>([try Dense(3, 2, using: &rng), try Switch(2, using: &rng)])
        XCTAssertEqual(message { _ = try ShrinkNets(try Adam(.network(last)), settings: ShrinkSettings()) },
                       "shrink: the switch at 1 has no Dense or Conv2D after it in its sequential: the net's output width cannot shrink (put switches on hidden layers only)")
        let sigmoid = Sequential<Float>([try Dense(3, 2, using: &rng), try Switch(2, using: &rng), Sigmoid(), try Dense(2, 2, using: &rng)])
        XCTAssertTrue(message { try collectDeadUnits(sigmoid, optimizer: nil) }.contains("(Sigmoid), which does not map 0 to 0"))
        let onlyWeights = try Adam<Float>(.network(net))
        onlyWeights.core.roles = [.weight]
        XCTAssertEqual(message { _ = try ShrinkNets(onlyWeights, settings: ShrinkSettings()) },
                       "shrink: adam does not update the switches (role switch); leave out `only:` or include \"switch\"")
        try addMasks(to: net)
        XCTAssertEqual(message { try collectDeadUnits(net, optimizer: nil) }, "collect: layer 0 has a mask gate on its weight; bake(net) first, then collect")
        XCTAssertEqual(message { _ = try Switch<Float>(0, using: &rng) }, "switch: units must be at least 1, got 0")
    }
}
