// Continuous sparsification, IMP and tickets: the spec's test vectors, gradient checks, rounds, rewinding, bake, bad input.
import XCTest
@testable import Core

final class ContinuousSparsificationTests: XCTestCase {
    /// A gate on a [1, 5] Dense weight holding the spec's logits.
    func specGate(keepsTies: Bool = true) throws -> CSGate<Float> {
        let g = try CSGate<Float>(weightShape: [1, 5], unitAxis: 1, sInit: 0, keepsTies: keepsTies)
        g.logits.value = T([1, 5], [0.1, -0.1, 0.0, 0.5, -0.02])
        return g
    }

    func testGateValuesAndTieRuleMatchTheSpec() throws {
        let g = try specGate()
        let expected: [(Double, [Float])] = [(1, [0.524979, 0.475021, 0.5, 0.622459, 0.495000]),
                                             (10, [0.731059, 0.268941, 0.5, 0.993307, 0.450166])]
        for (beta, values) in expected {
            g.beta = beta
            for (a, b) in zip(g.softGate.scalars, values) { XCTAssertEqual(a, b, accuracy: 1e-6, "β = \(beta)") }
        }
        g.beta = 200
        let s200 = g.softGate.scalars
        XCTAssertEqual(1 - Double(s200[0]), 0, accuracy: 1e-7)
        XCTAssertEqual(Double(s200[1]), 2.06e-9, accuracy: 1e-10, "σ(−20), not rounded to 0 by 1 − σ")
        XCTAssertEqual(s200[2], 0.5)
        XCTAssertEqual(s200[4], 0.017986, accuracy: 1e-6)
        XCTAssertEqual(g.hardGate.scalars, [1, 0, 1, 1, 0], "H(s) with ≥")
        XCTAssertEqual(try specGate(keepsTies: false).hardGate.scalars, [1, 0, 0, 1, 0], "H(s) with >")
    }

    func testTheFloatLanesMatchTheDoubleGateAndSlope() throws {
        // Two parallel chunks and a tail of 13 past the eight-lane blocks, z = βs from −100 to 100:
        // the lanes' exponential must give libm's values to Float precision (below e^−87, where σ
        // is 0 to Float precision, it may differ in size but not in being tiny).
        let n = 2 * UpdateLanes.parallelMinimum + 13
        var rng = RandomStream(seed: 5)
        var s = try Tensor<Float>.uniform([n], low: -0.5, high: 0.5, using: &rng)
        s.scalars[0] = 0
        s.scalars[1] = -0.0
        for beta in [1.0, 200.0] {
            let (g, slope) = CSKernels.gateAndSlope(s, beta: Float(beta))
            // The reference from the same Float z = βs: z's own rounding is not the exponential's error.
            let z = s.scalars.map { Double(Float(beta) * $0) }
            let (gd, slopeD) = CSKernels.gateAndSlope(Tensor<Double>(uncheckedShape: [n], scalars: z), beta: 1)
            for i in 0..<n {
                XCTAssertEqual(Double(g.scalars[i]), gd.scalars[i], accuracy: 4e-7 * gd.scalars[i] + 1e-37, "σ(βs) at \(i), β = \(beta)")
                XCTAssertEqual(Double(slope.scalars[i]), slopeD.scalars[i], accuracy: 4e-7 * slopeD.scalars[i] + 1e-37, "slope at \(i), β = \(beta)")
            }
            XCTAssertEqual(g.scalars[0], 0.5)
            XCTAssertEqual(g.scalars[1], 0.5)
        }
    }

    /// The soft gate's one-pass backward on both cores against the gradients written out, at a
    /// size that splits over the cores: ∂θ = G·g·c, ∂s = G·θ·(slope·cβ).
    func testTheOnePassBackwardMatchesTheFormula() throws {
        let n = 2 * UpdateLanes.parallelMinimum + 13
        var rng = RandomStream(seed: 8)
        let grad = try Tensor<Float>.uniform([n], low: -1, high: 1, using: &rng)
        let theta = try Tensor<Float>.uniform([n], low: -1, high: 1, using: &rng)
        let s = try Tensor<Float>.uniform([n], low: -0.05, high: 0.05, using: &rng)
        let (gate, slope) = CSKernels.gateAndSlope(s, beta: 50)
        let (dTheta, ds) = CSKernels.softGateGradients(grad, theta: theta, gate: gate, slope: slope, scale: 1.5, slopeScale: 75)
        for i in [0, 1, n / 2 - 1, n / 2, n / 2 + 1, n - 1] {
            XCTAssertEqual(dTheta.scalars[i], grad.scalars[i] * gate.scalars[i] * 1.5, "∂θ at \(i)")
            XCTAssertEqual(ds.scalars[i], grad.scalars[i] * theta.scalars[i] * (slope.scalars[i] * 75), "∂s at \(i)")
        }
        XCTAssertEqual(ds.shape, [n])
    }

    func testGradientVectorOfTheSpec() throws {
        // θ = 0.5, s = 0.1, β = 10, upstream G = 0.2 (the input), λ = 1e-8.
        let dense = try Dense<Float>(weight: T([1, 1], [0.5]), bias: nil)
        let gate = try CSGate<Float>(weightShape: [1, 1], unitAxis: 1, sInit: 0.1)
        gate.beta = 10
        try dense.weight.addGate(gate)
        let tape = Tape<Float>()
        let y = try dense.forward(tape.constant(T([1, 1], [0.2]))).sum()
        let objective = try y.adding(try gate.penaltySum(on: tape).scaled(by: 1e-8))
        try tape.backward(from: objective)
        XCTAssertEqual(try XCTUnwrap(dense.weight.grad).scalars[0], 0.146212, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(gate.logits.grad).scalars[0], 0.196612, accuracy: 1e-6)
    }

    func testGradientsByFiniteDifferencesAtBothGranularities() throws {
        for granularity in GateGranularity.allCases {
            var rng = RandomStream(seed: 3)
            let dense = try Dense<Double>(3, 4, using: &rng)
            let gate = try CSGate<Double>(weightShape: [3, 4], unitAxis: 1, sInit: 0, granularity: granularity, scale: .inverseInit)
            gate.logits.value = gcRandom(gate.logits.value.shape, seed: 5)
            gate.beta = 3
            try dense.weight.addGate(gate)
            checkLayerGradients(dense, input: gcRandom([2, 3], seed: 9))
        }
        var rng = RandomStream(seed: 4)
        let conv = try Conv2D<Double>(2, 3, kernel: 3, using: &rng)
        let gate = try CSGate<Double>(weightShape: conv.weight.value.shape, unitAxis: 0, sInit: 0, granularity: .unit)
        gate.logits.value = gcRandom([3], seed: 6)
        gate.beta = 2
        try conv.weight.addGate(gate)
        checkLayerGradients(conv, input: gcRandom([1, 2, 4, 4], seed: 8), checkInput: false)
    }

    func testRoundResetVectors() {
        XCTAssertEqual(CSGate.roundReset(T([4], [0.01, -0.05, 0.0, -0.001]), beta: 200, sInit: 0).scalars, [0, -10, 0, -0.2])
        let r = CSGate.roundReset(T([3], [0.3, -0.0001, -0.2]), beta: 200, sInit: -0.1).scalars
        for (a, b) in zip(r, [-0.1, -0.1, -40] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testBetaScheduleFactorsAndClosedForm() {
        typealias CS = ContinuousSparsification<Float>
        XCTAssertEqual(CS.beta(final: 200, step: 1, of: 85), 1.064317, accuracy: 1e-6)
        XCTAssertEqual(CS.beta(final: 200, step: 1, of: 84), 1.065107, accuracy: 1e-6)
        XCTAssertEqual(CS.beta(final: 200, step: 1, of: 160), 1.033669, accuracy: 1e-6)
        XCTAssertEqual(CS.beta(final: 200, step: 85, of: 85), 200, accuracy: 1e-9)
        XCTAssertEqual(CS.beta(final: 200, step: 90, of: 85), 200, accuracy: 1e-9, "t is clamped to T")
    }

    func testIMPRemainingFractionsFollowPowersOfOneMinusRate() throws {
        var rng = RandomStream(seed: 1)
        let net = Sequential<Float>([try Dense<Float>(100, 100, using: &rng)])
        let imp = try IterativeMagnitudePruning(try SGD<Float>(.network(net), lr: 0.1), rate: 0.2)
        var remaining: [Int: Double] = [:]
        for r in 1...8 {
            let report = try endRound(net: net, optimizer: imp)
            guard case .number(let f)? = report.first?.report["remaining"] else { return XCTFail("no remaining") }
            remaining[r] = f
        }
        for (r, expected) in [(4, 0.4096), (6, 0.262144), (7, 0.2097152), (8, 0.16777216)] {
            XCTAssertEqual(try XCTUnwrap(remaining[r]), expected, accuracy: 2e-4, "round \(r)")
        }
        XCTAssertEqual(1 - sparsityReport(net).sparsity, try XCTUnwrap(remaining[8]), accuracy: 1e-12)
    }

    /// A small conv net with BatchNorm on 4×4 images of two classes.
    func convNet() throws -> (Sequential<Float>, Dataset) {
        var rng = RandomStream(seed: 11)
        let net = Sequential<Float>([try Conv2D<Float>(1, 4, kernel: 3, using: &rng), try BatchNorm<Float>(4), ReLU(), Flatten(),
                                     try Dense<Float>(64, 2, using: &rng)])
        let x = try Tensor<Float>.uniform([32, 1, 4, 4], using: &rng)
        let y = Tensor<Float>(x.scalars.enumerated().reduce(into: [Float](repeating: 0, count: 32)) { acc, e in
            if e.offset % 16 == 0 { acc[e.offset / 16] = e.element > 0.5 ? 1 : 0 }
        })
        return (net, try Dataset(x: x, y: y))
    }

    func testCSRoundsAnnealRewindAndRetrainTheTicket() throws {
        let (net, data) = try convNet()
        try addCSGates(to: net, sInit: 0.05)
        XCTAssertEqual(net.namedParams.map(\.path), ["0.weight", "0.bias", "0.mask_logit", "1.weight", "1.bias", "4.weight", "4.bias", "4.mask_logit"])
        var settings = CSSettings()
        settings.roundEpochs = 2
        settings.rewindEpoch = 1
        settings.lambda = 1e-4
        let cs = try ContinuousSparsification(try Adam<Float>(.network(net), lr: 0.05, weightDecay: 0.1), settings: settings)
        XCTAssertEqual(cs.core.groups.first { $0.role == .maskLogit }?.weightDecay, 0, "no weight decay on the logits")
        var atRewind: [String: Tensor<Float>] = [:]
        try fit(net, data: data, optimizer: cs, settings: FitSettings(epochs: 2, batchSize: 8)) { record in
            if record.epoch == 1 {
                for (p, t) in net.namedParams where t.role != .maskLogit { atRewind[p] = t.value }
                for (p, b) in net.namedBuffers { atRewind[p] = b.value }
            }
        }
        XCTAssertEqual(cs.beta, 200, accuracy: 1e-9, "β reaches β_final at the end of the round (8 steps)")
        let report = try XCTUnwrap(cs.lastStep?.hooks.first { $0.hook == "cs" }?.report)
        guard case .number(let penalty)? = report["penalty"] else { return XCTFail("no penalty in \(report)") }
        XCTAssertGreaterThan(penalty, 0)
        let logits = net.param("4.mask_logit")?.value ?? T([1], [0])
        try endRound(net: net, optimizer: cs)
        XCTAssertEqual(net.param("4.mask_logit")?.value, CSGate.roundReset(logits, beta: 200, sInit: 0.05), "s ← min(β·s, s_init)")
        XCTAssertEqual(cs.round, 2)
        XCTAssertEqual(cs.beta, 1)
        XCTAssertNil(cs.core.state["4.mask_logit"], "the logits' momentum is dropped")
        XCTAssertNotNil(cs.core.state["4.weight"])

        let ticket = try cs.ticket()
        try rewind(net, to: ticket)
        for (p, t) in net.namedParams where t.role != .maskLogit {
            let mask = net.buffer(p.replacingOccurrences(of: "weight", with: "mask"))?.value
            let expected = try XCTUnwrap(atRewind[p])
            XCTAssertEqual(t.value, mask.map { m in Tensor(uncheckedShape: expected.shape, scalars: zip(expected.scalars, m.scalars).map { $1 == 0 ? 0 : $0 }) } ?? expected, p)
        }
        XCTAssertEqual(net.buffer("1.running_mean")?.value, atRewind["1.running_mean"])
        XCTAssertEqual(net.buffer("1.running_var")?.value, atRewind["1.running_var"])
        XCTAssertEqual(sparsityReport(net).kept, ticket.kept)

        // Retraining the ticket: the removed weights and their moments stay exactly zero.
        let retrain = try Adam<Float>(.network(net), lr: 0.05)
        try fit(net, data: data, optimizer: retrain, settings: FitSettings(epochs: 2, batchSize: 8))
        for (path, mask) in ticket.masks {
            let w = try XCTUnwrap(net.param(path)).value
            let m = try XCTUnwrap(retrain.core.state[path]?.slots["exp_avg"])
            for i in 0..<mask.count where mask.scalars[i] == 0 {
                XCTAssertEqual(w.scalars[i], 0)
                XCTAssertEqual(m.scalars[i], 0)
            }
        }
        XCTAssertEqual(sparsityReport(net).kept, ticket.kept)
    }

    func testSparsityCountsHOfSInSoftModeAndBakeKeepsTheFunction() throws {
        let dense = try Dense<Float>(weight: T([2, 2], [1, 2, 3, 4]), bias: nil)
        let net = Sequential<Float>([dense])
        let gate = try XCTUnwrap(try addCSGates(to: net, sInit: 0).first?.gate)
        gate.logits.value = T([2, 2], [1, -1, 0, -0.5])
        gate.beta = 4
        XCTAssertEqual(sparsityReport(net).kept, 2, "H(s) ≥ 0, though no gate is 0")
        XCTAssertEqual(dense.weight.value, T([2, 2], [1, 2, 3, 4]), "soft mode leaves the weights alone")
        let x = T([1, 2], [1, -2])
        let soft = try net(x)
        XCTAssertEqual(try bake(net), 1)
        assertClose(try net(x), soft, tolerance: 1e-6)
        XCTAssertTrue(dense.weight.gates.isEmpty)
        XCTAssertEqual(net.namedParams.map(\.path), ["0.weight"])

        let hard = Sequential<Float>([try Dense<Float>(weight: T([2, 2], [1, 2, 3, 4]), bias: nil)])
        let g2 = try XCTUnwrap(try addCSGates(to: hard, sInit: 0, keepsTies: false).first?.gate)
        g2.logits.value = T([2, 2], [1, -1, 0, 2])
        try hard.layers[0].params[0].setGateMode(.hard, kind: "cs")
        XCTAssertTrue(g2.logits.isFrozen, "a committed mask is not trained")
        try bake(hard)
        XCTAssertEqual(hard.params[0].value, T([2, 2], [1, 0, 0, 4]))
    }

    func testBadInputIsAClearError() throws {
        let (net, _) = try convNet()
        assertThrows(.badArgument(op: "masked", message: "s_init must be a finite number, got nan")) {
            try addCSGates(to: net, sInit: .nan)
        }
        let sgd = try SGD<Float>(.network(net), lr: 0.1)
        assertThrows(.badArgument(op: "cs", message: "the net has no cs gates; add them first with masked(net, gate: \"cs\", s_init: 0)")) {
            var s = CSSettings()
            s.roundEpochs = 1
            return try ContinuousSparsification(sgd, settings: s)
        }
        assertThrows(.badArgument(op: "imp", message: "a pruning rate must be in [0, 1) (the fraction of the kept weights each round removes), got 1.0")) {
            try IterativeMagnitudePruning(sgd, rate: 1)
        }
        let imp = try IterativeMagnitudePruning(sgd, rewindEpoch: 2)
        assertThrows(.badArgument(op: "next_round", message: "no rewind point yet: the weights are saved at the end of epoch 2 of round 1 (rewind: 2); train that many epochs with fit first")) {
            try endRound(net: net, optimizer: imp)
        }
        XCTAssertEqual(imp.round, 1, "a failing round changes nothing")
        var rng = RandomStream(seed: 2)
        let other = Sequential<Float>([try Dense<Float>(3, 2, using: &rng)])
        let t = try IterativeMagnitudePruning(try SGD<Float>(.network(other), lr: 0.1)).ticket()
        let before = net.flatParams()
        assertThrows(.badArgument(op: "rewind", message: "the ticket's mask for 0.weight [3, 2] does not fit this net (it has [4, 1, 3, 3]); a ticket goes back into the net it came from or a copy of it")) {
            try rewind(net, to: t)
        }
        XCTAssertEqual(net.flatParams(), before)
    }
}

final class SparseExecutionTests: XCTestCase {
    func testCSRRoundTripAndSparseCopyGiveTheDenseOutputs() throws {
        var rng = RandomStream(seed: 21)
        let net = Sequential<Float>([try Dense<Float>(30, 40, using: &rng), ReLU(), try Dense<Float>(40, 5, using: &rng)])
        try prune(net, amount: 0.9, scope: .layer)
        let w = net.params[0].value
        let csr = try CSRMatrix(w)
        XCTAssertEqual(csr.nonZeros, 120)
        XCTAssertEqual(csr.dense, w)
        let x = try Tensor<Float>.uniform([7, 30], using: &rng)
        let (copy, choices) = try sparseCopy(net, batch: 7, repeats: 1)
        XCTAssertEqual(choices.map(\.path), ["0", "2"])
        assertClose(try copy(x), try net(x), tolerance: 1e-5)
        // Forcing the CSR layers gives the same outputs at batch 1 and 7.
        let forced = Sequential<Float>([try SparseDense(net.layers[0] as? Dense<Float> ?? Dense<Float>(1, 1, using: &rng)), ReLU(),
                                        try SparseDense(net.layers[2] as? Dense<Float> ?? Dense<Float>(1, 1, using: &rng))])
        assertClose(try forced(x), try net(x), tolerance: 1e-5)
        let row = try x.slice([.slice(start: 0, stop: 1, step: nil)])
        assertClose(try forced(row), try net(row), tolerance: 1e-5)
        XCTAssertTrue(forced.description.contains("SparseDense(30 -> 40, bias, 120 of 1200 weights, CSR)"), forced.description)
        XCTAssertThrowsError(try CSRMatrix<Float>(rows: 2, columns: 2, values: [1], columnIndices: [5], rowPointers: [0, 1, 1]))
    }
}
