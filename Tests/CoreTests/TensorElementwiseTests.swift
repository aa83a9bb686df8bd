// Tests of creation, shape ops, broadcasting element-wise ops and unary ops.
import XCTest
@testable import Core

final class TensorElementwiseTests: XCTestCase {
    func testCreation() throws {
        XCTAssertEqual(try Tensor<Float>.zeros([2, 2]).scalars, [0, 0, 0, 0])
        XCTAssertEqual(try Tensor<Float>.ones([3]).scalars, [1, 1, 1])
        XCTAssertEqual(try Tensor<Float>.full([2], 7).scalars, [7, 7])
        XCTAssertEqual(try Tensor<Float>.eye(3).scalars, [1, 0, 0, 0, 1, 0, 0, 0, 1])
        XCTAssertEqual(try Tensor<Float>.arange(0, 5, step: 2).scalars, [0, 2, 4])
        XCTAssertEqual(try Tensor<Float>.arange(3, 0, step: -1).scalars, [3, 2, 1])
        XCTAssertEqual(try Tensor<Float>.arange(0, 0).count, 0)
        XCTAssertEqual(try Tensor<Float>.linspace(0, 1, count: 5).scalars, [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(try Tensor<Float>.linspace(2, 3, count: 1).scalars, [2])
        XCTAssertEqual(try Tensor(scalar: Float(3)).item(), 3)
    }

    func testCreationErrors() {
        assertThrows(.badArgument(op: "zeros", message: "negative extent in shape [2, -1]")) {
            try Tensor<Float>.zeros([2, -1])
        }
        assertThrows(.badArgument(op: "zeros",
            message: "shape [100000, 100000, 100] is too large (limit 4294967296 elements)")) {
            try Tensor<Float>.zeros([100000, 100000, 100])
        }
        assertThrows(.badArgument(op: "zeros",
            message: "shape [9223372036854775807, 2] is too large (limit 4294967296 elements)")) {
            try Tensor<Float>.zeros([Int.max, 2])
        }
        assertThrows(.badArgument(op: "tensor", message: "shape [2, 2] needs 4 values, got 3")) {
            try Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3])
        }
        assertThrows(.badArgument(op: "arange",
            message: "needs finite bounds and a non-zero step, got 0.0, 1.0, step 0.0")) {
            try Tensor<Float>.arange(0, 1, step: 0)
        }
        assertThrows(.badArgument(op: "item", message: "needs a tensor with one element, got shape [2]")) {
            try Tensor<Float>([1, 2]).item()
        }
    }

    func testReshapeTransposeCatStack() throws {
        let t = T([2, 3], [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try t.reshaped([3, -1]).shape, [3, 2])
        XCTAssertEqual(try t.reshaped([-1]).shape, [6])
        assertThrows(.shapeMismatch(op: "reshape", shapes: [[2, 3], [4, -1]],
                                    message: "cannot reshape [2, 3] (6 elements) to [4, -1]")) {
            try t.reshaped([4, -1])
        }
        XCTAssertEqual(t.transposed(), T([3, 2], [1, 4, 2, 5, 3, 6]))
        let cube = try Tensor<Float>.arange(0, 24).reshaped([2, 3, 4])
        let p = try cube.permuted([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        // p[i, j, k] == cube[j, k, i]
        XCTAssertEqual(p.scalars[1 * 6 + 1 * 3 + 2], cube.scalars[1 * 12 + 2 * 4 + 1])
        XCTAssertEqual(cube.transposed().shape, [4, 3, 2])
        assertThrows(.badArgument(op: "transpose", message: "axes [0, 0, 1] repeat an axis")) {
            try cube.permuted([0, 0, 1])
        }
        XCTAssertEqual(try Tensor.cat([t, T([1, 3], [7, 8, 9])], axis: 0),
                       T([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]))
        XCTAssertEqual(try Tensor.cat([t, T([2, 1], [7, 8])], axis: -1),
                       T([2, 4], [1, 2, 3, 7, 4, 5, 6, 8]))
        assertThrows(.shapeMismatch(op: "cat", shapes: [[2, 3], [2, 2]], message: "")) {
            try Tensor.cat([t, T([2, 2], [0, 0, 0, 0])], axis: 0)
        }
        XCTAssertEqual(try Tensor.stack([T([2], [1, 2]), T([2], [3, 4])]), T([2, 2], [1, 2, 3, 4]))
        XCTAssertEqual(try Tensor.stack([T([2], [1, 2]), T([2], [3, 4])], axis: 1), T([2, 2], [1, 3, 2, 4]))
        XCTAssertEqual(t.flattened().shape, [6])
    }

    func testBroadcastingArithmetic() throws {
        let a = T([2, 3], [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try a + T([3], [10, 20, 30]), T([2, 3], [11, 22, 33, 14, 25, 36]))
        XCTAssertEqual(try a * T([2, 1], [2, 3]), T([2, 3], [2, 4, 6, 12, 15, 18]))
        XCTAssertEqual(try T([2, 1], [1, 2]) - T([1, 3], [1, 2, 3]), T([2, 3], [0, -1, -2, 1, 0, -1]))
        XCTAssertEqual(try a / T([], [2]), T([2, 3], [0.5, 1, 1.5, 2, 2.5, 3]))
        XCTAssertEqual(try T([1], [12]) / a, T([2, 3], [12, 6, 4, 3, 2.4, 2]))
        XCTAssertEqual(2 - a, T([2, 3], [1, 0, -1, -2, -3, -4]))
        XCTAssertEqual(a * 2, T([2, 3], [2, 4, 6, 8, 10, 12]))
        XCTAssertEqual(try a.binary(.power, T([], [2])), T([2, 3], [1, 4, 9, 16, 25, 36]))
        XCTAssertEqual(a.binary(.power, scalar: 2, reversed: true), T([2, 3], [2, 4, 8, 16, 32, 64]))
        // [2,1,3] with [4,1] -> [2,4,3]
        let b = try (try Tensor<Float>.arange(0, 6).reshaped([2, 1, 3])) + T([4, 1], [0, 10, 20, 30])
        XCTAssertEqual(b.shape, [2, 4, 3])
        XCTAssertEqual(b.scalars[1 * 12 + 2 * 3 + 1], 4 + 20)
        assertThrows(.shapeMismatch(op: "+", shapes: [[2, 3], [2]], message: "cannot broadcast [2, 3] with [2]")) {
            try a + T([2], [1, 2])
        }
        XCTAssertEqual(CoreError.shapeMismatch(op: "@", shapes: [[64, 1568], [256, 10]], message: "").description,
                       "shape mismatch in `@`: [64, 1568] and [256, 10]")
    }

    func testComparisonsMaximumWhere() throws {
        let a = T([4], [1, 2, 3, 4]), b = T([4], [4, 2, 2, 5])
        XCTAssertEqual(try a.binary(.less, b).scalars, [1, 0, 0, 1])
        XCTAssertEqual(try a.binary(.equal, b).scalars, [0, 1, 0, 0])
        XCTAssertEqual(try a.binary(.greaterEqual, b).scalars, [0, 1, 1, 0])
        XCTAssertEqual(try a.binary(.notEqual, b).scalars, [1, 0, 1, 1])
        XCTAssertEqual(try a.binary(.maximum, b).scalars, [4, 2, 3, 5])
        XCTAssertEqual(try a.binary(.minimum, T([], [2])).scalars, [1, 2, 2, 2])
        XCTAssertEqual(try Tensor.where(T([4], [1, 0, 1, 0]), a, b).scalars, [1, 2, 3, 5])
        XCTAssertEqual(try Tensor.where(T([2, 1], [1, 0]), T([3], [1, 2, 3]), T([], [0])),
                       T([2, 3], [1, 2, 3, 0, 0, 0]))
        assertThrows(.shapeMismatch(op: "where", shapes: [[2], [3], []],
                                    message: "cannot broadcast condition [2] with [3] and []")) {
            try Tensor.where(T([2], [1, 0]), T([3], [1, 2, 3]), T([], [0]))
        }
    }

    func testUnary() throws {
        let x = T([5], [-2, -0.5, 0, 0.5, 2.5])
        XCTAssertEqual(x.unary(.negate).scalars, [2, 0.5, 0, -0.5, -2.5])
        XCTAssertEqual(x.unary(.abs).scalars, [2, 0.5, 0, 0.5, 2.5])
        XCTAssertEqual(x.unary(.sign).scalars, [-1, -1, 0, 1, 1])
        XCTAssertEqual(x.unary(.relu).scalars, [0, 0, 0, 0.5, 2.5])
        XCTAssertEqual(x.unary(.round).scalars, [-2, -0, 0, 0, 2])
        assertClose(x.unary(.exp), T([5], [0.135335283, 0.60653066, 1, 1.6487212707, 12.18249396]))
        assertClose(x.unary(.sigmoid), T([5], [0.119202922, 0.377540669, 0.5, 0.622459331, 0.924141820]))
        assertClose(x.unary(.tanh), T([5], [-0.96402758, -0.46211716, 0, 0.46211716, 0.98661429]))
        assertClose(T([3], [1, 4, 9]).unary(.sqrt), T([3], [1, 2, 3]))
        assertClose(T([2], [1, 2.718281828]).unary(.log), T([2], [0, 1]))
        XCTAssertEqual(T([1], [-1000]).unary(.sigmoid).scalars, [0])
        XCTAssertEqual(try x.clamped(-1, 1).scalars, [-1, -0.5, 0, 0.5, 1])
        assertThrows(.badArgument(op: "clamp", message: "low 1.0 is above high -1.0")) { try x.clamped(1, -1) }
    }

    func testReduceToShape() throws {
        let g = T([2, 3], [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try g.reduceToShape([3]), T([3], [5, 7, 9]))
        XCTAssertEqual(try g.reduceToShape([2, 1]), T([2, 1], [6, 15]))
        XCTAssertEqual(try g.reduceToShape([]), T([], [21]))
        XCTAssertEqual(try g.reduceToShape([1, 1]), T([1, 1], [21]))
        XCTAssertEqual(try g.reduceToShape([2, 3]), g)
        assertThrows(.shapeMismatch(op: "reduce_to_shape", shapes: [[2, 3], [4]],
                                    message: "cannot sum [2, 3] down to [4]")) { try g.reduceToShape([4]) }
        assertThrows(.shapeMismatch(op: "reduce_to_shape", shapes: [[2, 3], [3, 2, 3]],
                                    message: "cannot sum [2, 3] down to [3, 2, 3]")) { try g.reduceToShape([3, 2, 3]) }
    }
}
