// The fused conv → ReLU → max pool node and the tap-by-tap GEMM convolution, against the unfused
// ops and against finite differences (Double).
import XCTest
@testable import Core

final class ConvBlockTests: XCTestCase {
    /// Values and every gradient of `fused` and `reference` agree to `tolerance`.
    func assertSameNode(_ inputs: [Tensor<Double>], tolerance: Double = 1e-12,
                        file: StaticString = #filePath, line: UInt = #line,
                        _ fused: (Tape<Double>, [Variable<Double>]) throws -> Variable<Double>,
                        _ reference: (Tape<Double>, [Variable<Double>]) throws -> Variable<Double>) throws {
        let (a, ga) = try valueAndGradient(of: fused, at: inputs)
        let (b, gb) = try valueAndGradient(of: reference, at: inputs)
        XCTAssertEqual(a.shape, b.shape, file: file, line: line)
        XCTAssertLessThan(maxDifference(a.scalars, b.scalars), tolerance, "values", file: file, line: line)
        for k in inputs.indices {
            XCTAssertEqual(ga[k].shape, gb[k].shape, file: file, line: line)
            XCTAssertLessThan(maxDifference(ga[k].scalars, gb[k].scalars), tolerance, "gradient of input \(k)",
                              file: file, line: line)
        }
    }

    func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
    }

    /// A weighted sum, so every output position carries a different gradient.
    func weighted(_ v: Variable<Double>, seed: UInt64) throws -> Variable<Double> {
        try v.multiplying(v.constant(gcRandom(v.shape, seed: seed))).sum()
    }

    func testTapConvolutionMatchesNaiveLoopsAndFiniteDifferences() throws {
        // 16 input channels and a patch above 16: conv2d takes the tap-by-tap GEMM path.
        let x = gcRandom([2, 16, 5, 6], seed: 1), b = gcRandom([3], seed: 3)
        for (w, padding) in [(gcRandom([3, 16, 2, 2], seed: 2), Padding.same), (gcRandom([3, 16, 3, 3], seed: 4), .valid),
                             (gcRandom([3, 16, 3, 2], seed: 5), .explicit(1)), (gcRandom([3, 16, 3, 3], seed: 6), .same)] {
            let g = try ConvolutionGeometry(input: x.shape, weight: w.shape, stride: 1, padding: padding)
            XCTAssertNotNil(TapConvolution(g))
            let tape = Tape<Double>(recording: false)
            let tap = try tape.constant(x).conv2d(weight: tape.constant(w), bias: tape.constant(b), padding: padding)
            let reference = try naiveConv2d(x, w, b, stride: 1, padding: padding)
            XCTAssertEqual(tap.shape, reference.shape)
            XCTAssertLessThan(maxDifference(tap.value.scalars, reference.scalars), 1e-12, "\(padding)")
            checkGradients([x, w, b]) { _, v in try self.weighted(v[0].conv2d(weight: v[1], bias: v[2], padding: padding), seed: 9) }
        }
        let w = gcRandom([3, 16, 2, 2], seed: 2)
        checkGradients([x, w, b]) { _, v in try self.weighted(v[0].conv2d(weight: v[1], bias: v[2], relu: true), seed: 10) }
    }

    func testDirectBlockMatchesUnfusedOps() throws {
        // conv1 of the W1 network in small: C·k² = 4, "same", pool 2 (odd sizes leave a row and a column out).
        let x = gcRandom([3, 1, 7, 8], seed: 11), w = gcRandom([4, 1, 2, 2], seed: 12), b = gcRandom([4], seed: 13)
        try assertSameNode([x, w, b], { _, v in
            try self.weighted(v[0].conv2dReLUMaxPool(weight: v[1], bias: v[2], pool: 2), seed: 14)
        }, { _, v in
            try self.weighted(v[0].conv2d(weight: v[1], bias: v[2], relu: true).maxPool(2), seed: 14)
        })
        // Stride 2 with explicit padding, a 3×3 window, two input channels, no bias.
        let x2 = gcRandom([2, 2, 9, 11], seed: 15), w2 = gcRandom([3, 2, 2, 2], seed: 16)
        try assertSameNode([x2, w2], { _, v in
            try self.weighted(v[0].conv2dReLUMaxPool(weight: v[1], bias: nil, stride: 2, padding: .explicit(1), pool: 3), seed: 17)
        }, { _, v in
            try self.weighted(v[0].conv2d(weight: v[1], bias: nil, stride: 2, padding: .explicit(1), relu: true).maxPool(3), seed: 17)
        })
        checkGradients([x, w, b]) { _, v in
            try self.weighted(v[0].conv2dReLUMaxPool(weight: v[1], bias: v[2], pool: 2), seed: 18)
        }
    }

    func testTapBlockMatchesUnfusedOps() throws {
        let x = gcRandom([2, 16, 6, 7], seed: 21), w = gcRandom([3, 16, 2, 2], seed: 22), b = gcRandom([3], seed: 23)
        let g = try ConvolutionGeometry(input: x.shape, weight: w.shape, stride: 1, padding: .same)
        XCTAssertNil(DirectConvPool(g, pool: 2), "a patch of 64 is not direct work")
        try assertSameNode([x, w, b], { _, v in
            try self.weighted(v[0].conv2dReLUMaxPool(weight: v[1], bias: v[2], pool: 2), seed: 24)
        }, { _, v in
            try self.weighted(v[0].conv2d(weight: v[1], bias: v[2], relu: true).maxPool(2), seed: 24)
        })
        checkGradients([x, w, b]) { _, v in
            try self.weighted(v[0].conv2dReLUMaxPool(weight: v[1], bias: v[2], pool: 2), seed: 25)
        }
        // A 3×3 window over a "valid" 3×3 convolution (output 4×5 → pooled 1×1).
        let w3 = gcRandom([2, 16, 3, 3], seed: 26)
        try assertSameNode([x, w3], { _, v in
            try self.weighted(v[0].conv2dReLUMaxPool(weight: v[1], bias: nil, padding: .valid, pool: 3), seed: 27)
        }, { _, v in
            try self.weighted(v[0].conv2d(weight: v[1], bias: nil, padding: .valid, relu: true).maxPool(3), seed: 27)
        })
    }

    func testSequentialRunsConvReLUPoolAsOneNode() throws {
        var rng = RandomStream(seed: 3)
        let net = Sequential<Double>([try Conv2D(1, 4, kernel: 2, using: &rng), ReLU(), try MaxPool(2),
                                      try Conv2D(4, 16, kernel: 2, using: &rng), ReLU(), try MaxPool(2),
                                      try Conv2D(16, 2, kernel: 2, using: &rng), ReLU(), try MaxPool(2)])
        let x = gcRandom([2, 1, 12, 12], seed: 31)
        let tape = Tape<Double>(recording: false)
        let fused = try net.forward(tape.constant(x))
        let nodes = tape.values.count
        var unfused = tape.constant(x)
        for layer in net.layers { unfused = try layer.forward(unfused) }
        XCTAssertEqual(fused.shape, [2, 2, 1, 1])
        XCTAssertLessThan(maxDifference(fused.value.scalars, unfused.value.scalars), 1e-12)
        // Three nodes (one per block) after the input, instead of nine.
        XCTAssertEqual(nodes - 1 - net.params.count, 3)
        checkLayerGradients(net, input: x, tolerance: 1e-5)
        // The data needs no gradient (the first block then computes none for its input).
        checkLayerGradients(net, input: x, checkInput: false, tolerance: 1e-5)
    }

    func testPoolLargerThanTheConvolutionNamesThePoolingLayer() throws {
        var rng = RandomStream(seed: 4)
        let net = Sequential<Float>([try Conv2D(1, 2, kernel: 3, padding: .valid, using: &rng), ReLU(), try MaxPool(4)])
        let tape = Tape<Float>(recording: false)
        XCTAssertThrowsError(try net.forward(tape.constant(try Tensor<Float>.zeros([1, 1, 5, 5])))) { error in
            XCTAssertTrue(String(describing: error).contains("layer 2 (MaxPool)"), "\(error)")
        }
    }
}
