// Finite-difference checks (Double, ~1e-6 relative) of every differentiable op and every layer.
import XCTest
@testable import Core

final class GradCheckOpTests: XCTestCase {
    func testArithmeticWithBroadcasting() {
        let a = gcRandom([3, 4], seed: 1), b = gcRandom([4], seed: 2), c = gcRandom([3, 1], seed: 3)
        checkGradients([a, b]) { _, v in try v[0] + v[1] }
        checkGradients([a, c]) { _, v in try v[0] - v[1] }
        checkGradients([a, b]) { _, v in try v[0] * v[1] }
        checkGradients([a, c]) { _, v in try v[0] / v[1] }
        checkGradients([a]) { _, v in -(v[0] * 3.0) + 2.0 }
    }

    func testPowerOnPositiveBase() {
        let base = gcRandom([2, 3], seed: 4).map { Swift.abs($0) + 0.5 }
        let exponent = gcRandom([3], seed: 5)
        checkGradients([base, exponent]) { _, v in try v[0].power(v[1]) }
        checkGradients([base]) { _, v in v[0].power(2.5) }
    }

    func testNodeUsedTwiceAccumulates() {
        let a = gcRandom([2, 3], seed: 6)
        checkGradients([a]) { _, v in try (v[0] * v[0]) + v[0].exp() }
        // x·x has gradient 2x exactly.
        let (_, grads) = try! valueAndGradient(of: { _, v in try (v[0] * v[0]).sum() }, at: [a])
        for (g, x) in zip(grads[0].scalars, a.scalars) { XCTAssertEqual(g, 2 * x, accuracy: 1e-12) }
    }

    func testUnaryFunctions() {
        let x = gcRandom([2, 5], seed: 8)
        let positive = x.map { Swift.abs($0) + 0.2 }
        checkGradients([x]) { _, v in v[0].exp() }
        checkGradients([positive]) { _, v in v[0].log() }
        checkGradients([positive]) { _, v in v[0].sqrt() }
        checkGradients([x]) { _, v in v[0].abs() }
        checkGradients([x]) { _, v in v[0].relu() }
        checkGradients([x]) { _, v in v[0].sigmoid() }
        checkGradients([x]) { _, v in v[0].tanh() }
        checkGradients([x]) { _, v in v[0].clamped(-0.5, 0.5) }
    }

    func testWhereSelectsAndBroadcasts() {
        let cond = try! Tensor<Double>(shape: [2, 3], scalars: [1, 0, 1, 0, 0, 1])
        let a = gcRandom([2, 3], seed: 9), b = gcRandom([3], seed: 10)
        checkGradients([a, b]) { _, v in try Variable.select(cond, v[0], v[1]) }
    }

    func testReductions() {
        let x = gcRandom([2, 3, 4], seed: 11)
        checkGradients([x]) { _, v in try v[0].sum() }
        checkGradients([x]) { _, v in try v[0].sum(axis: 1) }
        checkGradients([x]) { _, v in try v[0].mean(axis: -1, keepDims: true) }
        checkGradients([x]) { _, v in try v[0].mean() }
        checkGradients([x]) { _, v in try v[0].max(axis: 2) }
        checkGradients([x]) { _, v in try v[0].max() }
    }

    func testShapeOps() {
        let x = gcRandom([2, 3, 4], seed: 12), y = gcRandom([2, 2, 4], seed: 13)
        checkGradients([x]) { _, v in try v[0].reshaped([6, -1]) }
        checkGradients([x]) { _, v in try v[0].transposed([2, 0, 1]) }
        checkGradients([x]) { _, v in try v[0].sliced([SliceRange(1, nil), SliceRange(nil, nil, step: -2)]) }
        checkGradients([x]) { _, v in try v[0].indexed(-1) }
        checkGradients([x, y]) { _, v in try Variable.cat([v[0], v[1], v[0]], axis: 1) }
        checkGradients([x, x]) { _, v in try Variable.stack([v[0], v[1]]) }
    }

    func testMatmulAndAffine() {
        let a = gcRandom([3, 4], seed: 14), b = gcRandom([4, 2], seed: 15), bias = gcRandom([2], seed: 16)
        checkGradients([a, b]) { _, v in try v[0].matmul(v[1]) }
        checkGradients([a, b, bias]) { _, v in try v[0].affine(weight: v[1], bias: v[2]) }
        checkGradients([a, b, bias]) { _, v in try v[0].affine(weight: v[1], bias: v[2], relu: true) }
    }

    func testConvolutionBothPaths() {
        // Direct path (C·k² = 4) and GEMM path (C·k² = 27), with "same", "valid", explicit and stride 2.
        let x1 = gcRandom([2, 1, 5, 6], seed: 17), w1 = gcRandom([3, 1, 2, 2], seed: 18), b1 = gcRandom([3], seed: 19)
        checkGradients([x1, w1, b1]) { _, v in try v[0].conv2d(weight: v[1], bias: v[2]) }
        checkGradients([x1, w1, b1]) { _, v in try v[0].conv2d(weight: v[1], bias: v[2], stride: 2, padding: .explicit(1)) }
        let x3 = gcRandom([2, 3, 5, 5], seed: 20), w3 = gcRandom([2, 3, 3, 3], seed: 21), b3 = gcRandom([2], seed: 22)
        checkGradients([x3, w3, b3]) { _, v in try v[0].conv2d(weight: v[1], bias: v[2], padding: .same) }
        checkGradients([x3, w3, b3]) { _, v in try v[0].conv2d(weight: v[1], bias: v[2], relu: true) }
        checkGradients([x1, w1, b1]) { _, v in try v[0].conv2d(weight: v[1], bias: v[2], relu: true) }
        checkGradients([x3, w3, b3]) { _, v in try v[0].conv2d(weight: v[1], bias: v[2], stride: 2, padding: .valid) }
        let w5 = gcRandom([2, 3, 1, 1], seed: 42), w6 = gcRandom([2, 3, 1, 3], seed: 43)  // patches 3 and 9
        checkGradients([x3, w5, b3]) { _, v in try v[0].conv2d(weight: v[1], bias: v[2]) }
        checkGradients([x3, w6, b3]) { _, v in try v[0].conv2d(weight: v[1], bias: v[2], stride: 2) }
        let w4 = gcRandom([2, 3, 2, 2], seed: 23)
        checkGradients([x3, w4]) { _, v in try v[0].conv2d(weight: v[1], bias: nil, padding: .same) }
    }

    func testPooling() {
        let x = gcRandom([2, 2, 4, 5], seed: 24)
        checkGradients([x]) { _, v in try v[0].maxPool(2) }
        checkGradients([x]) { _, v in try v[0].avgPool(2) }
    }

    func testSoftmaxAndLosses() {
        let logits = gcRandom([4, 3], seed: 25)
        let labels = try! Tensor<Double>(shape: [4], scalars: [0, 2, 1, 2])
        let target = gcRandom([4, 3], seed: 26)
        let probs = target.map { ($0 + 1) / 2 }
        checkGradients([logits]) { _, v in try v[0].logSoftmax() }
        checkGradients([logits]) { _, v in try v[0].softmax() }
        checkGradients([logits]) { _, v in try v[0].crossEntropy(labels: labels) }
        checkGradients([logits]) { _, v in try v[0].mse(target: target) }
        checkGradients([logits]) { _, v in try v[0].bce(target: probs) }
    }
}

final class GradCheckLayerTests: XCTestCase {
    func testDenseAndConv() throws {
        var rng = RandomStream(seed: 1)
        checkLayerGradients(try Dense<Double>(4, 3, using: &rng), input: gcRandom([2, 4], seed: 30))
        checkLayerGradients(try Conv2D<Double>(2, 3, kernel: 2, using: &rng), input: gcRandom([2, 2, 4, 4], seed: 31))
        checkLayerGradients(try Conv2D<Double>(1, 2, kernel: 3, stride: 2, padding: .explicit(1), using: &rng),
                            input: gcRandom([1, 1, 5, 5], seed: 32))
    }

    func testBatchNormTrainAndEval() throws {
        let bn1 = try BatchNorm<Double>(3)
        bn1.weight.value = gcRandom([3], seed: 33)
        checkLayerGradients(bn1, input: gcRandom([5, 3], seed: 34))
        let bn2 = try BatchNorm<Double>(2)
        bn2.bias.value = gcRandom([2], seed: 35)
        checkLayerGradients(bn2, input: gcRandom([2, 2, 3, 3], seed: 36))
        bn2.eval()
        checkLayerGradients(bn2, input: gcRandom([2, 2, 3, 3], seed: 37))
    }

    func testDropoutWithFixedStream() throws {
        var rng = RandomStream(seed: 2)
        let dropout = try Dropout<Double>(0.4, using: &rng)
        let start = dropout.rng
        checkLayerGradients(dropout, input: gcRandom([3, 5], seed: 38), prepare: { dropout.rng = start })
    }

    func testContainersActivationsAndMask() throws {
        var rng = RandomStream(seed: 3)
        let body = Sequential<Double>([try Dense(3, 3, using: &rng), Tanh()])
        let net = Sequential<Double>([
            try Conv2D(1, 2, kernel: 2, using: &rng), ReLU(), try MaxPool(2), Flatten(),
            try Dense(8, 3, using: &rng), ReLU(), try Dense(3, 3, using: &rng), Sigmoid(), Residual(body), Softmax(),
        ])
        checkLayerGradients(net, input: gcRandom([2, 1, 4, 4], seed: 39))
        try addMasks(to: net, only: ["4"])
        _ = try prune(net, amount: 0.5, only: ["4"])
        checkLayerGradients(net, input: gcRandom([2, 1, 4, 4], seed: 40))
        let pooled = Sequential<Double>([try AvgPool(2), Flatten()])
        checkLayerGradients(pooled, input: gcRandom([1, 2, 4, 4], seed: 41))
    }
}
