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
