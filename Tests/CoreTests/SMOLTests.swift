// SMOL: the quantizer's levels, s ↔ bits, gradients of the relaxed loss, the straight-through estimator, clamp, freeze, stacking, bits, energy, checkpoints, errors.
import XCTest
import Foundation
@testable import Core

final class SMOLTests: XCTestCase {
    // MARK: - The number format

    func testQuantizerHandValues() {
        // p = 1: {−1, +1}; 0 goes to the level above.
        XCTAssertEqual(FixedPoint.quantize(Float(0.3), bits: 1), 1)
        XCTAssertEqual(FixedPoint.quantize(Float(-0.3), bits: 1), -1)
        XCTAssertEqual(FixedPoint.quantize(Float(0), bits: 1), 1)
        XCTAssertEqual(FixedPoint.quantize(Float(7), bits: 1), 1, "clamped to 2 − 2^0")
        XCTAssertEqual(FixedPoint.quantize(Float(-7), bits: 1), -1)
        // p = 2: {±0.5, ±1.5}; the thesis' example q(0.2, 2) = 0.5.
        XCTAssertEqual(FixedPoint.quantize(Float(0.2), bits: 2), 0.5)
        XCTAssertEqual(FixedPoint.quantize(Float(0.99), bits: 2), 0.5)
        XCTAssertEqual(FixedPoint.quantize(Float(1.0), bits: 2), 1.5, "a tie goes up")
        XCTAssertEqual(FixedPoint.quantize(Float(-1.2), bits: 2), -1.5)
        XCTAssertEqual(FixedPoint.quantize(Float(1.99), bits: 2), 1.5)
        // p = 8: Δ = 1/64, levels (k + ½)/64, largest 2 − 1/128.
        XCTAssertEqual(FixedPoint.quantize(Float(0.2), bits: 8), 12.5 / 64)
        XCTAssertEqual(FixedPoint.quantize(Float(-0.2), bits: 8), -12.5 / 64)
        XCTAssertEqual(FixedPoint.quantize(Float(2), bits: 8), 2 - 1.0 / 128)
        // p = 0 is the pruned weight.
        XCTAssertEqual(FixedPoint.quantize(Float(1.3), bits: 0), 0)
        // The levels of G_p for p = 1…4, and the rounding error bound 2^(1−p) inside the range.
        for p in 1...4 {
            let levels = Set(stride(from: -2.0, through: 2.0, by: 1.0 / 256).map { Double(FixedPoint.quantize(Float($0), bits: p)) })
            let step = Foundation.pow(2.0, Double(1 - p))
            XCTAssertEqual(levels.count, 1 << p, "2^p levels at p = \(p)")
            XCTAssertTrue(levels.allSatisfy { ($0 / step).rounded() == $0 / step && Int(($0 / step).rounded()) % 2 != 0 }, "odd multiples of 2^(1−p)")
            XCTAssertFalse(levels.contains(0))
        }
        for p in 1...8 {
            let bound = 2 - Foundation.pow(2.0, Double(1 - p)), err = Foundation.pow(2.0, Double(1 - p))
            for w in stride(from: -bound, through: bound, by: 0.0137) {
                XCTAssertLessThanOrEqual(abs(w - FixedPoint.quantize(w, bits: p)), err + 1e-12, "w \(w), p \(p)")
            }
        }
    }

    func testPrecisionFormulaAndRoundingAtTheBoundaries() throws {
        let s8 = try FixedPoint.logit(bits: 8)
        XCTAssertEqual(s8, -Foundation.log(127), accuracy: 1e-12)
        XCTAssertEqual(Tensor<Double>.sigmoid(s8), 1.0 / 128, accuracy: 1e-15)
        XCTAssertEqual(FixedPoint.continuousBits(s8), 8, accuracy: 1e-12)
        // Stored in float32, s_init(8) still gives 8 bits, not 7 (pitfall D1).
        XCTAssertEqual(FixedPoint.bits(Double(Float(s8))), 8)
        for (p, s) in [(2.0, 0.0), (3, -1.0986), (4, -1.9459), (5, -2.7081), (6, -3.4340), (7, -4.1431)] {
            XCTAssertEqual(try FixedPoint.logit(bits: p), s, accuracy: 1e-4)
            XCTAssertEqual(FixedPoint.bits(Double(Float(try FixedPoint.logit(bits: p)))), Int(p))
        }
        // log2(1 + e^(−s)) = 2.5: floor 3 bits, round 4, ceil 4; = 3 exactly: 4 bits every way.
        let half = -Foundation.log(Foundation.pow(2, 2.5) - 1)
        XCTAssertEqual(FixedPoint.bits(half, rounding: .floor), 3)
        XCTAssertEqual(FixedPoint.bits(half, rounding: .round), 4)
        XCTAssertEqual(FixedPoint.bits(half, rounding: .ceil), 4)
        let whole = -Foundation.log(7.0)
        for r in PrecisionRounding.allCases { XCTAssertEqual(FixedPoint.bits(whole, rounding: r), 4, r.rawValue) }
        // Just past an integer: floor stays, ceil goes up.
        let past = -Foundation.log(Foundation.pow(2, 3.01) - 1)
        XCTAssertEqual(FixedPoint.bits(past, rounding: .floor), 4)
        XCTAssertEqual(FixedPoint.bits(past, rounding: .ceil), 5)
        // Large s: 1 bit at least; very negative s: capped at 32; stable far out.
        XCTAssertEqual(FixedPoint.bits(40), 1)
        XCTAssertEqual(FixedPoint.bits(-200), 32)
        XCTAssertNil(FixedPoint.bits(.nan))
        XCTAssertEqual(FixedPoint.extraBits(-100), 100 / M_LN2, accuracy: 1e-9)
        XCTAssertThrowsError(try FixedPoint.logit(bits: 1)) { error in
            XCTAssertEqual(String(describing: error), "quantized: p_init must be a number of bits above 1 and at most 32 (1 bit would need s = +∞), got 1")
        }
        // Zero-precision allocation: w = 0.2 at 2 bits has error 0.3 > 0.2, so 0 bits; 0.6 keeps 2.
        XCTAssertTrue(FixedPoint.prefersZero(Float(0.2), bits: 2))
        XCTAssertFalse(FixedPoint.prefersZero(Float(0.6), bits: 2))
        XCTAssertTrue(FixedPoint.prefersZero(Float(0), bits: 3))
        // A tie (|w| = error): strict keeps the bits, non-strict prunes.
        XCTAssertFalse(FixedPoint.prefersZero(Float(0.25), bits: 2, strict: true))
        XCTAssertTrue(FixedPoint.prefersZero(Float(0.25), bits: 2, strict: false))
    }

    // MARK: - Gradients

    /// A Dense<Double> with a quantizer at `granularity` and logits spread around s_init.
    func gatedDense(_ granularity: QuantizerGranularity) throws -> (Dense<Double>, QuantizerGate<Double>) {
        let dense = try Dense<Double>(weight: gcRandom([3, 4], seed: 1), bias: nil)
        var rng = RandomStream(seed: 7)
        let gate = try XCTUnwrap(try addQuantizers(to: Sequential<Double>([dense]), pInit: 3, granularity: granularity, using: &rng).first?.gate)
        let s = try XCTUnwrap(gate.precision)
        s.value = Tensor(uncheckedShape: s.value.shape, scalars: s.value.scalars.enumerated().map { $0.element + 0.3 * Double($0.offset % 5) - 0.6 })
        return (dense, gate)
    }

    func testRelaxedLossGradientMatchesFiniteDifferencesWithFixedNoise() throws {
        for granularity in QuantizerGranularity.allCases {
            let (dense, gate) = try gatedDense(granularity)
            let s = try XCTUnwrap(gate.precision)
            let x = gcRandom([2, 3], seed: 2), r = gcRandom([2, 4], seed: 3)
            let start = gate.rng, lambda = 0.05
            // L = Σ r ⊙ (x @ (w + σ(s)⊙ε)) + λ·Σ n_g log2(1 + e^(−s)), ε fixed by rewinding the stream.
            func loss() throws -> (Double, Tape<Double>) {
                gate.rng = start
                let tape = Tape<Double>()
                let y = try dense.forward(tape.constant(x))
                let data = try y.multiplying(tape.constant(r)).sum()
                let pen = try XCTUnwrap(gate.penaltySum(on: tape)).scaled(by: lambda)
                let total = try data.adding(pen)
                return (total.value.scalars[0], tape)
            }
            let (_, t) = try loss()
            try t.backward(from: Variable(tape: t, id: t.count - 1))
            let grads = [try XCTUnwrap(dense.weight.grad), try XCTUnwrap(s.grad)]
            for (k, param) in [dense.weight, s].enumerated() {
                for j in 0..<param.count {
                    let h = 1e-6, v0 = param.value.scalars[j]
                    param.value.scalars[j] = v0 + h
                    let plus = try loss().0
                    param.value.scalars[j] = v0 - h
                    let minus = try loss().0
                    param.value.scalars[j] = v0
                    let numeric = (plus - minus) / (2 * h), analytic = grads[k].scalars[j]
                    XCTAssertEqual(analytic, numeric, accuracy: 1e-6 * max(1, abs(numeric)), "\(granularity) input \(k)[\(j)]")
                }
            }
        }
    }

    func testFloatSweepMatchesTheDoubleReference() throws {
        // Two whole tiles of the parallel sweep and 1,003 entries more (a tail after the eight-lane
        // blocks), so ε past a tile boundary must be the same draw; logits from −100 to 30.
        let n = 2 * QuantizerKernels.sweepTile + 1003
        var rng = RandomStream(seed: 21)
        let w = try Tensor<Double>.uniform([n], low: -2, high: 2, using: &rng)
        var s = try Tensor<Double>.uniform([n], low: -12, high: 6, using: &rng)
        s.scalars[0] = -100
        s.scalars[1] = 30
        s.scalars[2] = 0
        let wf = Tensor<Float>(uncheckedShape: [n], scalars: w.scalars.map { Float($0) })
        let sf = Tensor<Float>(uncheckedShape: [n], scalars: s.scalars.map { Float($0) })
        let reference = QuantizerKernels.softForward(w, logits: Tensor(uncheckedShape: [n], scalars: sf.scalars.map { Double($0) }), key: 99) { $0 }
        let fast = QuantizerKernels.softForward(wf, logits: sf, key: 99) { $0 }
        for i in 0..<n {
            XCTAssertEqual(Double(fast.output[i]), reference.output[i], accuracy: 2e-6 * max(1, abs(reference.output[i])), "output \(i)")
            // ε itself is a float32 value near 0 at times: the error is relative to σ'(s), not to ε·σ'(s).
            let sig = Tensor<Double>.sigmoid(Double(sf.scalars[i]))
            XCTAssertEqual(Double(fast.backwardFactor[i]), reference.backwardFactor[i], accuracy: 2e-6 * sig * (1 - sig) + 1e-30, "ε·σ' \(i)")
            XCTAssertEqual(Double(fast.penaltySlope[i]), reference.penaltySlope[i], accuracy: 2e-6 * max(1e-3, reference.penaltySlope[i]), "σ(−s)/ln 2 \(i)")
        }
        XCTAssertEqual(fast.penaltySum, reference.penaltySum, accuracy: 1e-6 * reference.penaltySum)
        // ε is uniform on (−1, 1): its mean and range over the draw.
        let eps = (0..<n).map { (reference.output[$0] - w.scalars[$0]) / Tensor<Double>.sigmoid(Double(sf.scalars[$0])) }
        XCTAssertLessThan(abs(eps[3...].reduce(0, +) / Double(n - 3)), 0.06)
        XCTAssertTrue(eps[3...].allSatisfy { abs($0) < 1 })
    }

    func testNoiseIsDrawnOncePerStepAndFreshAcrossSteps() throws {
        let (dense, _) = try gatedDense(.weight)
        let x = gcRandom([1, 3], seed: 4)
        let tape = Tape<Double>()
        let a = try dense.forward(tape.constant(x)).value, b = try dense.forward(tape.constant(x)).value
        XCTAssertEqual(a, b, "two uses on one tape share ε")
        let c = try dense.forward(Tape<Double>().constant(x)).value
        XCTAssertNotEqual(a, c, "a new step draws a new ε")
        let clean = try x.matmul(dense.weight.value)
        XCTAssertNotEqual(a, clean, "noise changed the output")
        XCTAssertEqual(try dense(x), clean, "inference uses the clean weight by default")
    }

    func testStraightThroughEstimatorInHardMode() throws {
        let dense = try Dense<Float>(weight: T([2, 2], [0.2, -0.7, 1.1, 0.05]), bias: nil)
        let net = Sequential<Float>([dense])
        var rng = RandomStream(seed: 1)
        try addQuantizers(to: net, using: &rng)
        try freezePrecision(net, zeroPrecision: false, uniformBits: 2)
        XCTAssertEqual(dense.weight.gates.first?.mode, .hard)
        // Q(w, 2): 0.5, −0.5, 1.5, 0.5.
        XCTAssertEqual(try dense(T([1, 2], [1, 0])), T([1, 2], [0.5, -0.5]))
        XCTAssertEqual(try dense(T([1, 2], [0, 1])), T([1, 2], [1.5, 0.5]))
        let tape = Tape<Float>()
        let y = try net.forward(tape.constant(T([1, 2], [3, -2]))).sum()
        try tape.backward(from: y)
        XCTAssertEqual(dense.weight.grad, T([2, 2], [3, 3, -2, -2]), "∂/∂w = ∂/∂Q(w): x^T·1, though Q is flat")
    }

    // MARK: - Clamp, freeze, stacking

    func testClampAfterEachStep() throws {
        let dense = try Dense<Float>(weight: T([2, 1], [5, -0.3]), bias: nil)
        let net = Sequential<Float>([dense])
        var rng = RandomStream(seed: 2)
        let gate = try XCTUnwrap(try addQuantizers(to: net, using: &rng).first?.gate)
        XCTAssertEqual(dense.weight.value.scalars[0], 2 - 1.0 / 128, "clamped into ±(2 − 2^(1−p_init)) when added")
        let opt = try SMOL(try SGD<Float>(.network(net), lr: 100), settings: SMOLSettings())
        let x = T([1, 2], [1, 1]), y = T([1, 1], [-50])
        try trainStep(opt, x: x, y: y)
        // The big step pushed both weights far down; each is clamped to −(2 − σ(s)) with the updated s.
        let s = try XCTUnwrap(gate.precision).value.scalars
        for i in 0..<2 {
            XCTAssertEqual(dense.weight.value.scalars[i], -(2 - Tensor<Float>.sigmoid(s[i])), accuracy: 1e-6)
        }
        XCTAssertEqual(opt.lastStep?.hooks.first { $0.hook == "quant" }?.report["clipped"], .int(2))
        // After the freeze the bound is the grid's, ±(2 − 2^(1−p)).
        try freezePrecision(net, zeroPrecision: false, uniformBits: 3)
        dense.weight.value = T([2, 1], [3, -3])
        try gate.clamp(dense.weight)
        XCTAssertEqual(dense.weight.value, T([2, 1], [1.75, -1.75]))
    }

    func testTheClampOfALargeWeightRunsOverTilesAndCountsEveryEntry() throws {
        // Five tiles and a part: the scan is split over the cores by tile, so entries at the tile
        // edges and in the last partial tile must all be clamped and counted once.
        let tile = QuantizerKernels.sweepTile, n = 5 * tile + 77
        var values = [Float](repeating: 0.5, count: n)
        let outside = [0, tile - 1, tile, 3 * tile + 5, 5 * tile, n - 1]
        for (k, i) in outside.enumerated() { values[i] = k % 2 == 0 ? 3 : -3 }
        values[2 * tile] = 1.2  // beyond 1 but within 2 − σ(s) for the logits below: left as it is
        var w = Tensor<Float>(uncheckedShape: [n], scalars: values)
        let s = Tensor<Float>(uncheckedShape: [n], scalars: [Float](repeating: -2, count: n))
        let moved = QuantizerKernels.clampSoft(&w, logits: s) { $0 }
        XCTAssertEqual(moved, outside.count)
        let bound = 2 - Tensor<Float>.sigmoid(-2)
        for (k, i) in outside.enumerated() { XCTAssertEqual(w.scalars[i], k % 2 == 0 ? bound : -bound, "entry \(i)") }
        XCTAssertEqual(w.scalars[2 * tile], 1.2)
        XCTAssertEqual(w.scalars.filter { $0 == 0.5 }.count, n - outside.count - 1)
    }

    func testFreezeDiscardsLogitsAndTheirOptimizerState() throws {
        var rng = RandomStream(seed: 3)
        let net = Sequential<Float>([try Dense(3, 4, using: &rng), ReLU(), try Dense(4, 2, using: &rng)])
        try addQuantizers(to: net, using: &rng)
        XCTAssertEqual(net.namedParams.map(\.path), ["0.weight", "0.bias", "0.precision", "2.weight", "2.bias", "2.precision"])
        let opt = try SMOL(try Adam<Float>(.network(net), lr: 0.01), settings: SMOLSettings())
        XCTAssertEqual(opt.task.core.namedParams.map(\.path), ["0.weight", "0.bias", "2.weight", "2.bias"], "routed away from the logits")
        let x = try Tensor<Float>.uniform([5, 3], using: &rng), y = T([5], [0, 1, 1, 0, 1])
        try trainStep(opt, x: x, y: y)
        XCTAssertEqual(opt.precisionOptimizer.core.state.keys.sorted(), ["0.precision", "2.precision"])
        XCTAssertNotEqual(net.param("0.precision")?.value.scalars[0], Float(try FixedPoint.logit(bits: 8)), "Adam moved the logits")
        try freezePrecision(net)
        XCTAssertEqual(net.namedParams.map(\.path), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(net.namedBuffers.map(\.path), ["0.bits", "2.bits"])
        try trainStep(opt, x: x, y: y)
        XCTAssertTrue(opt.precisionOptimizer.core.state.isEmpty, "the logits' Adam state is gone")
        XCTAssertEqual(try bitsReport(net).frozen, true)
        XCTAssertThrowsError(try freezePrecision(net)) { error in
            XCTAssertEqual(String(describing: error), "freeze_precision: 0.weight is frozen already (its precision logits were discarded)")
        }
        let first = try XCTUnwrap(net.layers[0] as? Dense<Float>)
        XCTAssertThrowsError(try first.weight.setGateMode(.soft, kind: "quant")) { error in
            XCTAssertEqual(String(describing: error), "mode: a quant gate accepts \"hard\" or \"off\", not \"soft\"")
        }
    }

    func testMaskAndQuantizerStackedOnOneWeight() throws {
        let dense = try Dense<Float>(weight: T([2, 2], [0.9, 0.8, -0.7, 0.6]), bias: nil)
        let net = Sequential<Float>([dense])
        let mask = try XCTUnwrap(try addMasks(to: net).first?.mask)
        try mask.setMask(T([2, 2], [1, 0, 1, 1]), on: dense.weight)
        var rng = RandomStream(seed: 4)
        try addQuantizers(to: net, using: &rng)
        XCTAssertEqual(dense.weight.gates.map(\.kind), ["quant", "mask"], "the quantizer acts first, the mask on Q(w)")
        XCTAssertEqual(dense.description, "Dense(2 -> 2, quant soft, mask hard)")
        // Soft mode in training: the noisy weight, still 0 where masked.
        let tape = Tape<Float>()
        let used = try tape.gatedVariable(for: dense.weight).value
        XCTAssertEqual(used.scalars[1], 0)
        XCTAssertNotEqual(used.scalars[0], 0.9)
        // Frozen at 2 bits without zero precision: Q(0.9) = 0.5, Q(−0.7) = −0.5, Q(0.6) = 0.5, masked 0.
        try freezePrecision(net, zeroPrecision: false, uniformBits: 2)
        XCTAssertEqual(try Tape<Float>(recording: false).gatedVariable(for: dense.weight).value, T([2, 2], [0.5, 0, -0.5, 0.5]))
        let report = try bitsReport(net)
        XCTAssertEqual(report.rows[0].histogram[0], 1, "the pruned weight counts 0 bits")
        XCTAssertEqual(report.quantizedBits, 6)
        XCTAssertEqual(report.average, 1.5)
        XCTAssertEqual(net.buffer("0.bits")?.value, T([2, 2], [2, 0, 2, 2]))
        // Training keeps the pruned weight at exactly 0.
        let opt = try Adam<Float>(.network(net), lr: 0.1)
        try trainStep(opt, x: T([2, 2], [1, 2, 3, 4]), y: T([2, 2], [1, -1, 1, -1]))
        XCTAssertEqual(dense.weight.value.scalars[1], 0)
        XCTAssertEqual(sparsityReport(net).kept, 3)
    }

    func testQuantizerStacksWithACSGateAndBothControllersTrainTogether() throws {
        var rng = RandomStream(seed: 13)
        let dense = try Dense<Float>(3, 2, using: &rng)
        let net = Sequential<Float>([dense])
        try addCSGates(to: net, sInit: 0.5)
        try addQuantizers(to: net, using: &rng)
        XCTAssertEqual(dense.weight.gates.map(\.kind), ["quant", "cs"])
        XCTAssertEqual(net.namedParams.map(\.path), ["0.weight", "0.bias", "0.precision", "0.mask_logit"])
        // cs around smol: Adam on the weights, Adam on the precision logits, both penalties.
        var settings = CSSettings()
        settings.roundSteps = 10
        let opt = try ContinuousSparsification(try SMOL(try Adam<Float>(.network(net), lr: 0.01), settings: SMOLSettings()),
                                               settings: settings)
        let x = try Tensor<Float>.uniform([4, 3], using: &rng), y = T([4], [0, 1, 1, 0])
        let s0 = try XCTUnwrap(net.param("0.precision")).value, m0 = try XCTUnwrap(net.param("0.mask_logit")).value
        try trainStep(opt, x: x, y: y)
        XCTAssertNotEqual(net.param("0.precision")?.value, s0)
        XCTAssertNotEqual(net.param("0.mask_logit")?.value, m0)
        XCTAssertEqual(Set(opt.lastStep?.hooks.map(\.hook) ?? []), ["cs", "smol"])
        // The CS mask committed (hard) removes entries: they freeze to 0 bits and stay 0.
        net.param("0.mask_logit")?.value = T([3, 2], [1, -1, 1, 1, -1, 1])
        try dense.weight.setGateMode(.hard, kind: "cs")
        try freezePrecision(net, zeroPrecision: false)
        XCTAssertEqual(net.buffer("0.bits")?.value.scalars.map { $0 == 0 }, [false, true, false, false, true, false])
        XCTAssertEqual(try bitsReport(net).rows[0].zeroBits, 2)
        try trainStep(opt, x: x, y: y)
        XCTAssertEqual(dense.weight.value.scalars[1], 0)
        XCTAssertEqual(dense.weight.value.scalars[4], 0)
    }

    func testZeroPrecisionAtTheFreezeIsSparsity() throws {
        let dense = try Dense<Float>(weight: T([1, 4], [0.2, 0.6, -0.1, -1.2]), bias: nil)
        let net = Sequential<Float>([dense])
        var rng = RandomStream(seed: 5)
        try addQuantizers(to: net, using: &rng)
        try freezePrecision(net, uniformBits: 2)
        // 0.2 → 0 bits (error 0.3 > 0.2), 0.6 keeps 2 (0.5), −0.1 → 0, −1.2 keeps 2 (−1.5).
        XCTAssertEqual(net.buffer("0.bits")?.value, T([1, 4], [0, 2, 0, 2]))
        XCTAssertEqual(dense.weight.value.scalars[0], 0, "0-bit weights are removed entries")
        XCTAssertEqual(try dense(T([1, 1], [1])), T([1, 4], [0, 0.5, 0, -1.5]))
        XCTAssertEqual(sparsityReport(net).kept, 2)
        XCTAssertEqual(try bitsReport(net).zeroFraction, 0.5)
    }

    // MARK: - Queries

    func testBitsOnAHandBuiltNet() throws {
        // Layer 0 quantized (weights 2 × 2, bias 2), layer 2 not (weights 2 × 1, bias 1).
        let first = try Dense<Float>(weight: T([2, 2], [0.9, 0.1, -0.8, 1.6]), bias: T([2], [0, 0]))
        let second = try Dense<Float>(weight: T([2, 1], [0.5, 0.5]), bias: T([1], [0]))
        let net = Sequential<Float>([first, ReLU(), second])
        var rng = RandomStream(seed: 6)
        try addQuantizers(to: net, pInit: 4, only: ["0"], using: &rng)
        // Before the freeze: p_init bits, except 0.1, where 0 is nearer than its 4-bit level 0.125.
        var report = try bitsReport(net)
        XCTAssertFalse(report.frozen)
        XCTAssertEqual(report.rows.map(\.quantized), [true, false])
        XCTAssertEqual(report.rows[0].histogram[4], 4, "0.1 is 0.025 from 0.125, nearer than 0")
        try freezePrecision(net, uniformBits: 1)
        // 1 bit: ±1. 0.9 → 1 (error 0.1), 0.1 → 0 bits, −0.8 → −1, 1.6 → 1 (error 0.6 < 1.6).
        report = try bitsReport(net)
        XCTAssertEqual(report.quantizedWeights, 4)
        XCTAssertEqual(report.quantizedBits, 3)
        XCTAssertEqual(report.average, 0.75)
        XCTAssertEqual(report.compression, 32 / 0.75)
        XCTAssertEqual(report.histogram[0...1], [1, 3])
        XCTAssertEqual(report.zeroFraction, 0.25)
        // Whole model: 3 bits + 32 × (2 biases + 2 weights + 1 bias) over 9 parameters.
        XCTAssertEqual(report.allParameters, 9)
        XCTAssertEqual(report.wholeModel, Double(3 + 32 * 5) / 9)
        XCTAssertThrowsError(try bitsReport(Sequential<Float>([second]))) { error in
            XCTAssertEqual(String(describing: error), "bits: the net has no quantizers; add them first with quantized(net)")
        }
    }

    func testEnergyModelReproducesTheThesisExample() throws {
        // Last conv of ResNet-20: SMOL 74 % 1-bit, 24.5 % 2-bit, 1.5 % 3-bit against BSQ's all 2-bit.
        let smol = try EnergyEstimate(histogram: [0, 740, 245, 15], costs: .fourBitActivations)
        let bsq = try EnergyEstimate(histogram: [0, 0, 1000], costs: .fourBitActivations)
        XCTAssertEqual(smol.power / bsq.power, 0.576, accuracy: 5e-4)
        XCTAssertEqual(smol.latency / bsq.latency, 0.649, accuracy: 5e-4)
        XCTAssertEqual(smol.energy / bsq.energy, 0.374, accuracy: 5e-4)
        // Pruned weights cost nothing; bits past the table are an error.
        XCTAssertEqual(try EnergyEstimate(histogram: [500, 500], costs: .fourBitActivations).power, 0.5)
        XCTAssertThrowsError(try EnergyEstimate(histogram: [0, 1, 0, 0, 2], costs: .fourBitActivations)) { error in
            XCTAssertEqual(String(describing: error), "energy: 2 weights have 4 bits, and the cost table stops at 3 bits; give power: and latency: lists that cover 4 bits")
        }
    }

    // MARK: - Checkpoints and bad input

    func testCheckpointOfAQuantizedNetRoundTripsItsBitMaps() throws {
        var rng = RandomStream(seed: 8)
        let net = Sequential<Float>([try Dense(4, 3, using: &rng), ReLU(), try Dense(3, 2, using: &rng)])
        try addQuantizers(to: net, using: &rng)
        net.param("0.precision")?.value = try Tensor<Float>.uniform([4, 3], low: -3, high: 2, using: &rng)
        try freezePrecision(net)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("smol-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try saveCheckpoint(net, to: file)
        XCTAssertEqual(try readSafetensors(file).tensors.map(\.name).sorted(), ["0.bias", "0.bits", "0.weight", "2.bias", "2.bits", "2.weight"])

        let fresh = Sequential<Float>([try Dense(4, 3, using: &rng), ReLU(), try Dense(3, 2, using: &rng)])
        try addQuantizers(to: fresh, using: &rng)
        XCTAssertThrowsError(try loadCheckpoint(fresh, from: file), "a soft net has logits, not bit maps")
        try freezePrecision(fresh)
        try loadCheckpoint(fresh, from: file)
        XCTAssertEqual(fresh.buffer("0.bits")?.value, net.buffer("0.bits")?.value)
        XCTAssertEqual(fresh.buffer("2.bits")?.value, net.buffer("2.bits")?.value)
        XCTAssertNotEqual(Set(net.buffer("0.bits")?.value.scalars ?? []).count, 1, "a mixed map, not a constant")
        let x = try Tensor<Float>.uniform([5, 4], using: &rng)
        XCTAssertEqual(try fresh(x), try net(x))
        XCTAssertEqual(try bitsReport(fresh), try bitsReport(net))

        // A map holding a value that is no number of bits is a clear error, not a crash.
        fresh.buffer("0.bits")?.value.scalars[0] = 1.5
        XCTAssertThrowsError(try fresh(x)) { error in
            XCTAssertTrue(String(describing: error).contains("a bit map holds 1.5; bits are whole numbers from 0 to 32"), "\(error)")
        }
        fresh.buffer("0.bits")?.value.scalars[0] = .nan
        XCTAssertThrowsError(try bitsReport(fresh))
    }

    func testBadInputIsAClearError() throws {
        var rng = RandomStream(seed: 9)
        let net = Sequential<Float>([try Dense(2, 2, using: &rng)])
        XCTAssertThrowsError(try SMOL(try Adam<Float>(.network(net)), settings: SMOLSettings())) { error in
            XCTAssertEqual(String(describing: error), "smol: the net has no quantizers; add them first with quantized(net)")
        }
        XCTAssertThrowsError(try addQuantizers(to: net, pInit: 0.5, using: &rng))
        XCTAssertThrowsError(try addQuantizers(to: net, only: ["7"], using: &rng)) { error in
            XCTAssertEqual(String(describing: error), "quantized: layer \"7\" cannot take a quantizer; layers that accept one: 0 (Dense)")
        }
        try addQuantizers(to: net, using: &rng)
        XCTAssertThrowsError(try addQuantizers(to: net, using: &rng)) { error in
            XCTAssertEqual(String(describing: error), "quantized: layer 0 is quantized already")
        }
        var bad = SMOLSettings()
        bad.lambda = -1
        XCTAssertThrowsError(try SMOL(try Adam<Float>(.network(net)), settings: bad)) { error in
            XCTAssertEqual(String(describing: error), "smol: lambda must be a finite number >= 0, got -1.0")
        }
        XCTAssertThrowsError(try freezePrecision(net, uniformBits: 33)) { error in
            XCTAssertEqual(String(describing: error), "freeze_precision: bits must be from 0 to 32, got 33")
        }
        net.param("0.precision")?.value.scalars[1] = .nan
        XCTAssertThrowsError(try freezePrecision(net)) { error in
            XCTAssertEqual(String(describing: error), "quantized: a precision logit is nan; lower the precision learning rate")
        }
        XCTAssertNotNil(net.param("0.precision"), "nothing changed")
    }

    // MARK: - End to end

    /// A small run: larger λ gives fewer bits, the map is mixed, and the quantized net still fits.
    func testLargerLambdaGivesFewerBits() throws {
        func run(_ lambda: Double) throws -> (bits: Double, distinct: Int, loss: Double) {
            var rng = RandomStream(seed: 11)
            let net = Sequential<Float>([try Dense(4, 16, using: &rng), ReLU(), try Dense(16, 3, using: &rng)])
            try addQuantizers(to: net, using: &rng)
            var s = SMOLSettings()
            s.lambda = lambda
            s.precisionLR = 0.05
            let opt = try SMOL(try Adam<Float>(.network(net), lr: 0.01), settings: s)
            var data = RandomStream(seed: 12)
            let x = try Tensor<Float>.uniform([64, 4], low: -1, high: 1, using: &data)
            var labels: [Float] = []
            for i in 0..<64 {
                let v = x.scalars[4 * i ..< 4 * i + 4]
                let label: Float = v[4 * i] + v[4 * i + 1] > 0 ? 1 : (v[4 * i + 2] > 0 ? 2 : 0)
                labels.append(label)
            }
            let y = Tensor<Float>(uncheckedShape: [64], scalars: labels)
            for _ in 0..<150 { try trainStep(opt, x: x, y: y) }
            try freezePrecision(net)
            var loss = 0.0
            for _ in 0..<50 { loss = try trainStep(opt, x: x, y: y) }
            let report = try bitsReport(net)
            return (report.average, report.histogram.filter { $0 > 0 }.count, loss)
        }
        let low = try run(1e-4), high = try run(1e-2)
        XCTAssertLessThan(high.bits, low.bits)
        XCTAssertGreaterThan(low.distinct, 2, "a heterogeneous map")
        XCTAssertLessThan(low.loss, 0.6, "the quantized net still fits")
    }
}
