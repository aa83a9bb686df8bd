// Layers and networks: shapes, values, paths, descriptions, errors, modes, copies, summaries.
import XCTest
@testable import Core

final class LayerTests: XCTestCase {
    func testDenseComputesXTimesWPlusB() throws {
        let dense = try Dense<Float>(weight: T([2, 3], [1, 2, 3, 4, 5, 6]), bias: T([3], [0.5, 0, -1]))
        let y = try dense(T([1, 2], [1, -1]))
        XCTAssertEqual(y.shape, [1, 3])
        XCTAssertEqual(y.scalars, [-2.5, -3, -4])
        XCTAssertEqual(dense.description, "Dense(2 -> 3, bias)")
    }

    func testDefaultInitialisationIsUniformInInverseSqrtFanIn() throws {
        var rng = RandomStream(seed: 1)
        let dense = try Dense<Float>(100, 50, using: &rng)
        let bound: Float = 0.1
        XCTAssertTrue(dense.weight.value.scalars.allSatisfy { Swift.abs($0) <= bound })
        let maxAbs = dense.weight.value.scalars.map { Swift.abs($0) }.max() ?? 0
        XCTAssertGreaterThan(maxAbs, 0.09)  // spread over the whole interval
        let conv = try Conv2D<Float>(4, 8, kernel: 3, using: &rng)
        let convBound = Float(1 / (36.0).squareRoot())
        XCTAssertTrue(conv.weight.value.scalars.allSatisfy { Swift.abs($0) <= convBound })
        XCTAssertEqual(conv.weight.value.shape, [8, 4, 3, 3])
        // Same seed, same weights.
        var again = RandomStream(seed: 1)
        XCTAssertEqual(try Dense<Float>(100, 50, using: &again).weight.value, dense.weight.value)
    }

    func testPathsFollowPyTorchStateDict() throws {
        var rng = RandomStream(seed: 2)
        let net = Sequential<Float>([
            try Conv2D(1, 2, kernel: 3, using: &rng), try BatchNorm(2), ReLU(),
            Residual(Sequential([Flatten(), try Dense(2, 2, bias: false, using: &rng)])),
            try Dense(2, 1, using: &rng),
        ])
        XCTAssertEqual(net.namedParams.map(\.path),
                       ["0.weight", "0.bias", "1.weight", "1.bias", "3.body.1.weight", "4.weight", "4.bias"])
        XCTAssertEqual(net.namedBuffers.map(\.path), ["1.running_mean", "1.running_var"])
        XCTAssertEqual(net.params.map(\.role), [.weight, .bias, .bn, .bn, .weight, .weight, .bias])
        XCTAssertTrue(net.param("4.bias") === (net.layers[4] as? Dense<Float>)?.bias)
        XCTAssertTrue(net.layer(at: "3.body.1") is Dense<Float>)
        XCTAssertNil(net.param("9.weight"))
    }

    func testW1NetworkCountsAndSummary() throws {
        let net = try TrainBenchTests.w1Network()
        XCTAssertEqual(net.countParams, 412_778)
        let rows = try net.summary(inputShape: [1, 28, 28])
        XCTAssertEqual(rows.map(\.outputShape), [
            [1, 64, 28, 28], [1, 64, 28, 28], [1, 64, 14, 14], [1, 64, 14, 14],
            [1, 32, 14, 14], [1, 32, 14, 14], [1, 32, 7, 7], [1, 32, 7, 7],
            [1, 1568], [1, 256], [1, 256], [1, 256], [1, 10]])
        XCTAssertEqual(rows.map(\.params), [320, 0, 0, 0, 8224, 0, 0, 0, 0, 401_664, 0, 0, 2570])
        XCTAssertEqual(rows[9].layer, "Dense(1568 -> 256, bias)")
        XCTAssertEqual(rows[0].layer, "Conv2D(1 -> 64, kernel 2, pad \"same\", bias)")
        XCTAssertTrue(net.layers[3].isTraining, "summary restores the mode")
    }

    func testBadInputShapeNamesTheLayer() throws {
        var rng = RandomStream(seed: 3)
        let net = Sequential<Float>([ReLU(), try Dense(1568, 256, using: &rng)])
        let x = try Tensor<Float>(shape: [64, 1500], repeating: 1)
        XCTAssertThrowsError(try net(x)) { error in
            XCTAssertEqual(String(describing: error),
                           "in layer 1 (Dense) of Sequential: expected [*, 1568], got [64, 1500]")
        }
        let outer = Sequential<Float>([Residual(try Conv2D(3, 3, kernel: 1, using: &rng))])
        XCTAssertThrowsError(try outer(try Tensor<Float>(shape: [1, 2, 4, 4], repeating: 0))) { error in
            XCTAssertEqual(String(describing: error),
                "in layer 0 (Residual) of Sequential: in layer 0 (Conv2D) of Residual: expected [*, 3, H, W], got [1, 2, 4, 4]")
        }
    }

    func testFlatParamsRoundTrip() throws {
        var rng = RandomStream(seed: 4)
        let net = Sequential<Float>([try Dense(3, 2, using: &rng), try Dense(2, 1, using: &rng)])
        let flat = net.flatParams()
        XCTAssertEqual(flat.shape, [11])
        XCTAssertEqual(Array(flat.scalars[0..<6]), net.params[0].value.scalars)
        let replaced = try Tensor<Float>(shape: [11], scalars: (0..<11).map(Float.init))
        try net.setParams(replaced)
        XCTAssertEqual(net.params[1].value.scalars, [6, 7])
        XCTAssertEqual(net.params[3].value.scalars, [10])
        XCTAssertThrowsError(try net.setParams(try Tensor<Float>(shape: [10], repeating: 0))) { error in
            XCTAssertEqual(String(describing: error),
                           "shape mismatch in `set_params`: expected 11 values (count_params), got 10")
        }
    }

    func testDropoutTrainAndEval() throws {
        var rng = RandomStream(seed: 5)
        let dropout = try Dropout<Float>(0.25, using: &rng)
        let x = try Tensor<Float>(shape: [100, 100], repeating: 1)
        let y = try dropout(x)
        let zeros = y.scalars.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeros) / 10_000, 0.25, accuracy: 0.02)
        XCTAssertTrue(y.scalars.allSatisfy { $0 == 0 || Swift.abs($0 - 4.0 / 3.0) < 1e-6 })
        XCTAssertNotEqual(try dropout(x), y, "each pass draws a new mask")
        dropout.eval()
        XCTAssertEqual(try dropout(x), x)
        XCTAssertThrowsError(try Dropout<Float>(1, using: &rng))
    }

    func testBatchNormStatistics() throws {
        let bn = try BatchNorm<Float>(1)
        let x = T([4, 1], [1, 2, 3, 6])  // mean 3, biased var 3.5, unbiased 14/3
        let y = try bn(x)
        let inv = 1 / Float(3.5 + 1e-5).squareRoot()
        for (a, b) in zip(y.scalars, [-2, -1, 0, 3].map { Float($0) * inv }) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(bn.runningMean.value.scalars[0], 0.3, accuracy: 1e-6)
        XCTAssertEqual(bn.runningVar.value.scalars[0], 0.9 + 0.1 * 14 / 3, accuracy: 1e-5)
        bn.eval()
        let z = try bn(T([1, 1], [0.3]))
        XCTAssertEqual(z.scalars[0], 0, accuracy: 1e-6)
        XCTAssertEqual(bn.runningMean.value.scalars[0], 0.3, accuracy: 1e-6, "eval leaves statistics alone")
    }

    func testModesCopiesAndFreezing() throws {
        var rng = RandomStream(seed: 6)
        let net = Sequential<Float>([try Dense(2, 2, using: &rng), try Dropout(0.5, using: &rng)])
        net.eval()
        XCTAssertFalse(net.layers[1].isTraining)
        net.train()
        XCTAssertTrue(net.layers[1].isTraining)
        guard let copy = net.copy() as? Sequential<Float> else { return XCTFail("copy kind") }
        copy.params[0].value.scalars[0] = 42
        XCTAssertNotEqual(net.params[0].value.scalars[0], 42)
        XCTAssertEqual(copy.params[1].value, net.params[1].value)
        net.layers[0].freeze()
        XCTAssertTrue(net.params.allSatisfy(\.isFrozen))
        _ = try valueAndGradient(of: { tape in try net.forward(tape.constant(T([1, 2], [1, 1]))).sum() },
                                 for: net.params)
        XCTAssertNil(net.params[0].grad)
        net.unfreeze()
        XCTAssertFalse(net.params[0].isFrozen)
    }

    func testDescriptions() throws {
        var rng = RandomStream(seed: 7)
        let net = Sequential<Float>([try Conv2D(1, 4, kernel: 3, stride: 2, padding: .valid, using: &rng),
                                     try MaxPool(2), Residual(Tanh()), try BatchNorm(4)])
        XCTAssertEqual(net.description, """
            Sequential(
              (0) Conv2D(1 -> 4, kernel 3, stride 2, pad "valid", bias)
              (1) MaxPool(2)
              (2) Residual(
                Tanh()
              )
              (3) BatchNorm(4)
            )
            """)
    }

    func testPoolingAndConvolutionValues() throws {
        let x = T([1, 1, 2, 5], [1, 5, 2, 0, 9, 3, -1, 7, 7, 9])
        XCTAssertEqual(try MaxPool<Float>(2)(x).scalars, [5, 7])
        XCTAssertEqual(try AvgPool<Float>(2)(x).scalars, [2, 4])
        // A 2×2 "same" convolution pads at the bottom/right: y[i, j] = Σ w · x[i + a, j + b].
        var rng = RandomStream(seed: 9)
        let conv = try Conv2D<Float>(1, 1, kernel: 2, using: &rng)
        conv.weight.value = T([1, 1, 2, 2], [1, 2, 3, 4])
        conv.bias?.value = T([1], [0.5])
        let y = try conv(T([1, 1, 2, 2], [1, 2, 3, 4]))
        XCTAssertEqual(y.scalars, [30.5, 14.5, 11.5, 4.5])
        let fused = Sequential<Float>([conv, ReLU()])
        conv.bias?.value = T([1], [-10])
        XCTAssertEqual(try fused(T([1, 1, 2, 2], [1, 2, 3, 4])).scalars, [20, 4, 1, 0])
    }

    func testConvolutionOutputShapes() throws {
        var rng = RandomStream(seed: 8)
        let x = try Tensor<Float>(shape: [2, 3, 9, 9], repeating: 1)
        XCTAssertEqual(try Conv2D<Float>(3, 4, kernel: 2, using: &rng)(x).shape, [2, 4, 9, 9])
        XCTAssertEqual(try Conv2D<Float>(3, 4, kernel: 3, stride: 2, using: &rng)(x).shape, [2, 4, 5, 5])
        XCTAssertEqual(try Conv2D<Float>(3, 4, kernel: 3, padding: .valid, using: &rng)(x).shape, [2, 4, 7, 7])
        XCTAssertEqual(try Conv2D<Float>(3, 4, kernel: 3, padding: .explicit(2), using: &rng)(x).shape, [2, 4, 11, 11])
        XCTAssertEqual(try AvgPool<Float>(2)(x).shape, [2, 3, 4, 4])
        XCTAssertEqual(try Flatten<Float>()(x).shape, [2, 243])
    }
}
