// Tests of conv2d and pooling: forward against naive loops, backward against finite differences.
import XCTest
@testable import Core

final class TensorConvolutionTests: XCTestCase {
    /// The textbook convolution, one output element at a time, with explicit padding offsets.
    func naiveConv(_ x: Tensor<Double>, _ w: Tensor<Double>, _ b: Tensor<Double>?, stride: Int,
                   padding: Padding) throws -> Tensor<Double> {
        let g = try ConvolutionGeometry(input: x.shape, weight: w.shape, stride: stride, padding: padding)
        var out = try Tensor<Double>.zeros(g.outputShape)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for y in 0..<g.outHeight {
                    for xo in 0..<g.outWidth {
                        var sum = b?.scalars[o] ?? 0
                        for c in 0..<g.inChannels {
                            for ky in 0..<g.kernelHeight {
                                for kx in 0..<g.kernelWidth {
                                    let iy = y * stride + ky - g.padTop, ix = xo * stride + kx - g.padLeft
                                    guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                                    sum += w.scalars[((o * g.inChannels + c) * g.kernelHeight + ky) * g.kernelWidth + kx]
                                        * x.scalars[((n * g.inChannels + c) * g.height + iy) * g.width + ix]
                                }
                            }
                        }
                        out.scalars[((n * g.outChannels + o) * g.outHeight + y) * g.outWidth + xo] = sum
                    }
                }
            }
        }
        return out
    }

    /// (input shape, weight shape, stride, padding) covering the direct and the GEMM path.
    let cases: [([Int], [Int], Int, Padding)] = [
        ([2, 1, 5, 5], [3, 1, 2, 2], 1, .same),      // direct, like conv1 of the CNN
        ([2, 3, 6, 5], [4, 3, 3, 3], 1, .same),      // GEMM (patch 27)
        ([1, 4, 7, 7], [2, 4, 2, 2], 2, .same),      // GEMM, stride 2, uneven "same"
        ([2, 2, 6, 6], [3, 2, 3, 3], 2, .valid),     // GEMM (patch 18), valid
        ([1, 1, 6, 7], [2, 1, 3, 3], 2, .explicit(1)), // direct, stride 2, padding 1
        ([1, 2, 4, 4], [1, 2, 2, 2], 1, .explicit(2)), // direct, padding larger than the kernel
        ([1, 1, 40, 40], [2, 1, 2, 2], 1, .same),    // direct, two spans of rows
        ([2, 5, 4, 4], [3, 5, 2, 2], 1, .same),      // GEMM (patch 20), like conv2 of the CNN
        ([1, 1, 70, 67], [2, 1, 3, 3], 2, .same),    // direct, stride 2, spans and an odd width
    ]

    func testForwardMatchesNaive() throws {
        var rng = RandomStream(seed: 1)
        for (xs, ws, stride, padding) in cases {
            let x = try Tensor<Double>.normal(xs, using: &rng), w = try Tensor<Double>.normal(ws, using: &rng)
            let b = try Tensor<Double>.normal([ws[0]], using: &rng)
            let got = try Tensor.conv2d(x, weight: w, bias: b, stride: stride, padding: padding)
            assertClose(got, try naiveConv(x, w, b, stride: stride, padding: padding), tolerance: 1e-12)
            let relu = try Tensor.conv2d(x, weight: w, bias: b, stride: stride, padding: padding, relu: true)
            assertClose(relu, got.unary(.relu), tolerance: 1e-12)
            // The Float instantiation agrees with Double.
            let gotF = try Tensor.conv2d(Tensor<Float>(converting: x), weight: Tensor<Float>(converting: w),
                                         bias: Tensor<Float>(converting: b), stride: stride, padding: padding)
            assertClose(Tensor<Double>(converting: gotF), got, tolerance: 1e-5)
        }
    }

    func testSamePaddingPutsExtraAtBottomRight() throws {
        // 1×1×2×2 input, 2×2 kernel of ones: "same" output[0,0] sums the whole image, output[1,1]
        // only the bottom-right pixel.
        let x = T([1, 1, 2, 2], [1, 2, 3, 4]), w = T([1, 1, 2, 2], [1, 1, 1, 1])
        XCTAssertEqual(try Tensor.conv2d(x, weight: w).scalars, [10, 6, 7, 4])
        XCTAssertEqual(try Tensor.conv2d(x, weight: w, padding: .valid).scalars, [10])
    }

    /// Central finite differences of `sum(conv(x, w) * r)` for a fixed random `r`.
    func testBackwardMatchesFiniteDifferences() throws {
        var rng = RandomStream(seed: 2)
        for (xs, ws, stride, padding) in cases {
            let x = try Tensor<Double>.normal(xs, using: &rng), w = try Tensor<Double>.normal(ws, using: &rng)
            let b = try Tensor<Double>.normal([ws[0]], using: &rng)
            let y = try Tensor.conv2d(x, weight: w, bias: b, stride: stride, padding: padding)
            let r = try Tensor<Double>.normal(y.shape, using: &rng)
            func loss(_ x: Tensor<Double>, _ w: Tensor<Double>, _ b: Tensor<Double>) throws -> Double {
                try (try Tensor.conv2d(x, weight: w, bias: b, stride: stride, padding: padding) * r).sumAll()
            }
            let dx = try Tensor.conv2dBackwardInput(r, weight: w, inputShape: xs, stride: stride, padding: padding)
            let dw = try Tensor.conv2dBackwardWeight(r, input: x, weightShape: ws, stride: stride, padding: padding)
            let db = try Tensor.conv2dBackwardBias(r)
            let h = 1e-6
            // At most ~150 probes per tensor keep the large cases fast.
            for i in Swift.stride(from: 0, to: x.count, by: max(1, x.count / 150)) {
                var xp = x, xm = x
                xp.scalars[i] += h; xm.scalars[i] -= h
                let numeric = (try loss(xp, w, b) - loss(xm, w, b)) / (2 * h)
                XCTAssertEqual(dx.scalars[i], numeric, accuracy: 1e-6 * max(1, abs(numeric)), "dx \(xs) \(i)")
            }
            for i in Swift.stride(from: 0, to: w.count, by: max(1, w.count / 150)) {
                var wp = w, wm = w
                wp.scalars[i] += h; wm.scalars[i] -= h
                let numeric = (try loss(x, wp, b) - loss(x, wm, b)) / (2 * h)
                XCTAssertEqual(dw.scalars[i], numeric, accuracy: 1e-6 * max(1, abs(numeric)), "dw \(ws) \(i)")
            }
            for i in 0..<b.count {
                var bp = b, bm = b
                bp.scalars[i] += h; bm.scalars[i] -= h
                let numeric = (try loss(x, w, bp) - loss(x, w, bm)) / (2 * h)
                XCTAssertEqual(db.scalars[i], numeric, accuracy: 1e-6 * max(1, abs(numeric)), "db \(i)")
            }
        }
    }

    /// The fused conv → ReLU → max pool equals the three separate kernels, forward and backward.
    func testFusedConvReLUPoolMatchesComposition() throws {
        var rng = RandomStream(seed: 4)
        let fusedCases: [([Int], [Int], Int, Padding, Int)] = [
            ([2, 1, 28, 28], [4, 1, 2, 2], 1, .same, 2),    // conv1 of the CNN, fused path
            ([1, 2, 9, 7], [3, 2, 3, 3], 1, .explicit(1), 3), // fused, odd sizes, 3×3 pool
            ([1, 1, 50, 44], [2, 1, 2, 2], 2, .valid, 2),   // fused, stride 2, two spans
            ([2, 5, 6, 6], [3, 5, 2, 2], 1, .same, 2),      // GEMM path composes
        ]
        for (xs, ws, stride, padding, pool) in fusedCases {
            let x = try Tensor<Double>.normal(xs, using: &rng), w = try Tensor<Double>.normal(ws, using: &rng)
            let b = try Tensor<Double>.normal([ws[0]], std: 0.3, using: &rng)
            let (y, idx) = try Tensor.conv2dReLUMaxPool(x, weight: w, bias: b, stride: stride, padding: padding, pool: pool)
            let activation = try Tensor.conv2d(x, weight: w, bias: b, stride: stride, padding: padding, relu: true)
            let (y2, idx2) = try Tensor.maxPool2d(activation, kernel: pool)
            XCTAssertEqual(y, y2, "\(xs)")
            XCTAssertEqual(idx, idx2, "\(xs)")
            let gy = try Tensor<Double>.normal(y.shape, using: &rng)
            let (gx, gw, gb) = try Tensor.conv2dReLUMaxPoolBackward(gy, output: y, argmax: idx, input: x, weight: w,
                                                                    stride: stride, padding: padding, pool: pool)
            let gated = try Tensor.where(y.binary(.greater, scalar: 0), gy, Tensor(scalar: 0))
            let ga = try Tensor.maxPool2dBackward(gated, argmax: idx2, inputShape: activation.shape)
            assertClose(try XCTUnwrap(gx), try Tensor.conv2dBackwardInput(ga, weight: w, inputShape: xs, stride: stride,
                                                                          padding: padding), tolerance: 1e-12)
            assertClose(gw, try Tensor.conv2dBackwardWeight(ga, input: x, weightShape: ws, stride: stride, padding: padding),
                        tolerance: 1e-12)
            assertClose(gb, try Tensor.conv2dBackwardBias(ga), tolerance: 1e-12)
            let noInput = try Tensor.conv2dReLUMaxPoolBackward(gy, output: y, argmax: idx, input: x, weight: w,
                                                               stride: stride, padding: padding, pool: pool, needInput: false)
            XCTAssertNil(noInput.gradInput)
            // Finite differences of sum(fused(x, w, b) * gy) for a few weights.
            let h = 1e-6
            for i in 0..<min(w.count, 6) {
                var wp = w, wm = w
                wp.scalars[i] += h; wm.scalars[i] -= h
                let lp = try (try Tensor.conv2dReLUMaxPool(x, weight: wp, bias: b, stride: stride, padding: padding, pool: pool).output * gy).sumAll()
                let lm = try (try Tensor.conv2dReLUMaxPool(x, weight: wm, bias: b, stride: stride, padding: padding, pool: pool).output * gy).sumAll()
                XCTAssertEqual(gw.scalars[i], (lp - lm) / (2 * h), accuracy: 1e-6 * max(1, abs(gw.scalars[i])))
            }
        }
    }

    func testFusedBackwardRejectsForeignArgmax() throws {
        let x = try Tensor<Float>.ones([1, 1, 4, 4]), w = try Tensor<Float>.ones([1, 1, 2, 2])
        let (y, idx) = try Tensor.conv2dReLUMaxPool(x, weight: w, pool: 2)
        assertThrows(.badArgument(op: "maxpool", message: "argmax indices do not fit output [1, 1, 4, 4]")) {
            try Tensor.conv2dReLUMaxPoolBackward(y, output: y, argmax: idx.map { $0 + 100 }, input: x, weight: w, pool: 2)
        }
    }

    func testZeroInputChannelsGiveTheBias() throws {
        let y = try Tensor.conv2d(Tensor<Float>.zeros([1, 0, 3, 3]), weight: Tensor<Float>.zeros([2, 0, 2, 2]),
                                  bias: T([2], [1, -1]))
        XCTAssertEqual(y.shape, [1, 2, 3, 3])
        XCTAssertEqual(y.scalars, [Float](repeating: 1, count: 9) + [Float](repeating: -1, count: 9))
    }

    func testConvErrors() {
        let x = T([1, 2, 3, 3], [Float](repeating: 1, count: 18))
        assertThrows(.shapeMismatch(op: "conv2d", shapes: [[1, 2, 3, 3], [1, 3, 2, 2]],
            message: "needs input [N, C, H, W] and weight [out, C, kh, kw], got [1, 2, 3, 3] and [1, 3, 2, 2]")) {
            try Tensor.conv2d(x, weight: Tensor<Float>.zeros([1, 3, 2, 2]))
        }
        assertThrows(.shapeMismatch(op: "conv2d", shapes: [[1, 2, 3, 3], [1, 2, 4, 4]],
            message: "kernel 4×4 is larger than the input 3×3")) {
            try Tensor.conv2d(x, weight: Tensor<Float>.zeros([1, 2, 4, 4]), padding: .valid)
        }
        assertThrows(.badArgument(op: "conv2d", message: "stride must be between 1 and 2^20, got 0")) {
            try Tensor.conv2d(x, weight: Tensor<Float>.zeros([1, 2, 2, 2]), stride: 0)
        }
        assertThrows(.badArgument(op: "conv2d", message: "stride must be between 1 and 2^20, got \(Int.max)")) {
            try Tensor.conv2d(x, weight: Tensor<Float>.zeros([1, 2, 2, 2]), stride: Int.max)
        }
        assertThrows(.badArgument(op: "maxpool", message: "kernel must be at least 1×1, got 0×0")) {
            try Tensor.maxPool2d(x, kernel: 0)
        }
        assertThrows(.badArgument(op: "conv2d", message: "padding must be between 0 and 2^20, got -1")) {
            try Tensor.conv2d(x, weight: Tensor<Float>.zeros([1, 2, 2, 2]), padding: .explicit(-1))
        }
        assertThrows(.shapeMismatch(op: "conv2d", shapes: [[1, 2, 2, 2], [2]],
            message: "bias must have shape [1] for weight [1, 2, 2, 2], got [2]")) {
            try Tensor.conv2d(x, weight: Tensor<Float>.zeros([1, 2, 2, 2]), bias: Tensor<Float>.zeros([2]))
        }
    }

    func testMaxPool() throws {
        let x = T([1, 1, 4, 4], [1, 5, 2, 0,
                                 3, 4, 8, 1,
                                 0, 0, 1, 1,
                                 9, 0, 1, 2])
        let (y, argmax) = try Tensor.maxPool2d(x, kernel: 2)
        XCTAssertEqual(y, T([1, 1, 2, 2], [5, 8, 9, 2]))
        XCTAssertEqual(argmax, [1, 6, 12, 15])
        let dx = try Tensor.maxPool2dBackward(T([1, 1, 2, 2], [1, 2, 3, 4]), argmax: argmax, inputShape: x.shape)
        XCTAssertEqual(dx.scalars, [0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 4])
        // Odd sizes floor; stride 1 windows overlap and gradients add up.
        let (z, zi) = try Tensor.maxPool2d(T([1, 1, 3, 3], [1, 2, 3, 4, 9, 6, 7, 8, 5]), kernel: 2, stride: 1)
        XCTAssertEqual(z.scalars, [9, 9, 9, 9])
        let dz = try Tensor.maxPool2dBackward(T([1, 1, 2, 2], [1, 1, 1, 1]), argmax: zi, inputShape: [1, 1, 3, 3])
        XCTAssertEqual(dz.scalars, [0, 0, 0, 0, 4, 0, 0, 0, 0])
        XCTAssertEqual(try Tensor.maxPool2d(x, kernel: 3).output.shape, [1, 1, 1, 1])
        assertThrows(.badArgument(op: "maxpool", message: "argmax indices do not fit input [1, 1, 4, 4]")) {
            try Tensor.maxPool2dBackward(T([1, 1, 2, 2], [1, 2, 3, 4]), argmax: [0, 1, 2, 16], inputShape: x.shape)
        }
        assertThrows(.shapeMismatch(op: "maxpool", shapes: [[1, 1, 4, 4]],
                                    message: "kernel 5×5 is larger than the input 4×4")) {
            try Tensor.maxPool2d(x, kernel: 5)
        }
        assertThrows(.shapeMismatch(op: "maxpool", shapes: [[4]], message: "needs input [N, C, H, W], got [4]")) {
            try Tensor.maxPool2d(T([4], [1, 2, 3, 4]), kernel: 2)
        }
    }

    func testAvgPoolAndFiniteDifferences() throws {
        let x = T([1, 1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(try Tensor.avgPool2d(x, kernel: 2), T([1, 1, 1, 2], [3.5, 5.5]))
        var rng = RandomStream(seed: 3)
        let xd = try Tensor<Double>.normal([2, 2, 5, 5], using: &rng)
        let y = try Tensor.avgPool2d(xd, kernel: 2)
        let r = try Tensor<Double>.normal(y.shape, using: &rng)
        let dx = try Tensor.avgPool2dBackward(r, inputShape: xd.shape, kernel: 2)
        let (m, idx) = try Tensor.maxPool2d(xd, kernel: 2)
        let dm = try Tensor.maxPool2dBackward(r, argmax: idx, inputShape: xd.shape)
        XCTAssertEqual(m.shape, [2, 2, 2, 2])
        let h = 1e-6
        for i in 0..<xd.count {
            var xp = xd, xm = xd
            xp.scalars[i] += h; xm.scalars[i] -= h
            let na = (try (try Tensor.avgPool2d(xp, kernel: 2) * r).sumAll() - (try Tensor.avgPool2d(xm, kernel: 2) * r).sumAll()) / (2 * h)
            XCTAssertEqual(dx.scalars[i], na, accuracy: 1e-6)
            let nm = (try (try Tensor.maxPool2d(xp, kernel: 2).output * r).sumAll() - (try Tensor.maxPool2d(xm, kernel: 2).output * r).sumAll()) / (2 * h)
            XCTAssertEqual(dm.scalars[i], nm, accuracy: 1e-6)
        }
    }
}
