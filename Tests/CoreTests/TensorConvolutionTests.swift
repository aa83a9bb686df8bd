// Tests of conv2d and pooling: forward against naive loops (the gradients are checked in GradCheckTests).
import XCTest
@testable import Core

final class TensorConvolutionTests: XCTestCase {
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
            assertClose(got, try naiveConv2d(x, w, b, stride: stride, padding: padding), tolerance: 1e-12)
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

    func testOneGeometryForEveryConvolutionPath() throws {
        // The valid output rows/columns per kernel tap, against a brute-force scan.
        for padding in [Padding.same, .valid, .explicit(2)] {
            for stride in 1...3 {
                let g = try ConvolutionGeometry(input: [1, 1, 7, 6], weight: [1, 1, 3, 4], stride: stride, padding: padding)
                for k in 0..<4 {
                    let columns = (0..<g.outWidth).filter { (0..<g.width).contains($0 * stride + k - g.padLeft) }
                    XCTAssertEqual(Array(g.validColumns(k)), columns, "\(padding) stride \(stride) kx \(k)")
                }
                for k in 0..<3 {
                    let rows = (0..<g.outHeight).filter { (0..<g.height).contains($0 * stride + k - g.padTop) }
                    XCTAssertEqual(Array(g.validRows(k)), rows, "\(padding) stride \(stride) ky \(k)")
                }
            }
        }
        // The bias check words the error the same on the plain and the fused conv-ReLU-pool paths.
        let x = try Tensor<Float>(shape: [1, 2, 4, 4], repeating: 1)
        let w = try Tensor<Float>(shape: [3, 2, 3, 3], repeating: 1)
        let bias = try Tensor<Float>(shape: [2], repeating: 0)
        let message = "shape mismatch in `conv2d`: bias must have shape [3] for weight [3, 2, 3, 3], got [2]"
        XCTAssertThrowsError(try Tensor.conv2d(x, weight: w, bias: bias)) { XCTAssertEqual("\($0)", message) }
        let tape = Tape<Float>(recording: false)
        XCTAssertThrowsError(try tape.constant(x).conv2dReLUMaxPool(weight: tape.constant(w), bias: tape.constant(bias), pool: 2)) {
            XCTAssertEqual("\($0)", message)
        }
    }
}
