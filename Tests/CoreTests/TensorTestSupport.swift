// Helpers shared by the tensor tests: building tensors and comparing them with a tolerance.
import XCTest
@testable import Core

/// A Float tensor from a shape and values; fails the test on a count mismatch.
func T(_ shape: [Int], _ values: [Float], file: StaticString = #filePath, line: UInt = #line) -> Tensor<Float> {
    do { return try Tensor(shape: shape, scalars: values) } catch {
        XCTFail("bad test tensor: \(error)", file: file, line: line)
        return Tensor(scalar: 0)
    }
}

/// A Double tensor from a shape and values.
func D(_ shape: [Int], _ values: [Double], file: StaticString = #filePath, line: UInt = #line) -> Tensor<Double> {
    do { return try Tensor(shape: shape, scalars: values) } catch {
        XCTFail("bad test tensor: \(error)", file: file, line: line)
        return Tensor(scalar: 0)
    }
}

/// Asserts equal shapes and element-wise closeness.
func assertClose<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>, tolerance: Double = 1e-5,
                                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, "shapes differ", file: file, line: line)
    guard a.shape == b.shape else { return }
    for i in 0..<a.count {
        let x = a.scalars[i].doubleValue, y = b.scalars[i].doubleValue
        if x.isNaN && y.isNaN { continue }
        if abs(x - y) > tolerance * max(1, abs(x), abs(y)) {
            XCTFail("element \(i): \(x) vs \(y)", file: file, line: line)
            return
        }
    }
}

/// Asserts that `body` throws exactly `expected`.
func assertThrows<R>(_ expected: CoreError, file: StaticString = #filePath, line: UInt = #line,
                     _ body: () throws -> R) {
    do {
        _ = try body()
        XCTFail("expected \(expected)", file: file, line: line)
    } catch let error as CoreError {
        XCTAssertEqual(error, expected, file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// The textbook convolution, one output element at a time, with explicit padding offsets.
func naiveConv2d(_ x: Tensor<Double>, _ w: Tensor<Double>, _ b: Tensor<Double>?, stride: Int,
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
