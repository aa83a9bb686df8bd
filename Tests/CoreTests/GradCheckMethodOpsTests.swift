// Finite-difference checks (Double) of the ops the methods need: trigonometry, softplus, erf,
// gathers, selection, median, extremes, norms, outer, solve, vector and batched matmul, detach.
import XCTest
@testable import Core

final class GradCheckMethodOpsTests: XCTestCase {
    func testElementwiseFunctions() {
        let x = gcRandom([2, 5], seed: 21)
        let inside = x.map { $0 * 0.9 }   // acos is finite only inside (−1, 1)
        let positive = x.map { Swift.abs($0) + 0.2 }
        checkGradients([x]) { _, v in v[0].sin() }
        checkGradients([x]) { _, v in v[0].cos() }
        checkGradients([inside]) { _, v in v[0].acos() }
        checkGradients([positive]) { _, v in v[0].log2() }
        checkGradients([x.map { $0 * 30 }]) { _, v in v[0].softplus() }
        checkGradients([x.map { $0 * 30 }]) { _, v in v[0].logSigmoid() }
        checkGradients([x]) { _, v in v[0].erf() }
    }

    func testElementwiseValuesByHand() throws {
        let x = try Tensor<Double>(shape: [4], scalars: [0, 1, -1, 0.5])
        XCTAssertEqual(x.unary(.sin).scalars[1], 0.8414709848078965, accuracy: 1e-15)
        XCTAssertEqual(x.unary(.cos).scalars[2], 0.5403023058681398, accuracy: 1e-15)
        XCTAssertEqual(x.unary(.acos).scalars[0], Double.pi / 2, accuracy: 1e-15)
        XCTAssertEqual(x.unary(.erf).scalars[1], 0.8427007929497149, accuracy: 1e-15)
        XCTAssertEqual(x.unary(.floor).scalars, [0, 1, -1, 0])
        XCTAssertEqual(x.unary(.ceil).scalars, [0, 1, -1, 1])
        XCTAssertEqual(x.unary(.log2).scalars[3], -1)
        // Stable for large |z|: no overflow above, no underflow to 0 (or −inf for log σ) below.
        let big = try Tensor<Float>(shape: [3], scalars: [100, -100, -200])
        XCTAssertEqual(big.unary(.softplus).scalars[0], 100)
        XCTAssertGreaterThan(big.unary(.softplus).scalars[1], 0)
        XCTAssertEqual(big.unary(.logSigmoid).scalars[2], -200)
    }

    func testSigmoidGradientDoesNotVanishAtTwenty() throws {
        let (_, g) = try valueAndGradient(of: { _, v in v[0].sigmoid() }, at: [Tensor<Float>(scalar: 20)])
        XCTAssertEqual(g[0].scalars[0], 2.0611536e-9, accuracy: 1e-14)
    }

    func testGathers() throws {
        let x = gcRandom([3, 4], seed: 22)
        checkGradients([x]) { _, v in try v[0].taking([2, 0, 2], axis: 0) }
        checkGradients([x]) { _, v in try v[0].taking([3, -1], axis: 1) }
        let order = try x.argsort(axis: 1)
        checkGradients([x]) { _, v in try v[0].gathered(along: 1, indices: order) }
        // A repeated row receives the sum of both gradients.
        let (_, g) = try valueAndGradient(of: { _, v in try v[0].taking([1, 1]).sum() },
                                          at: [try Tensor<Double>(shape: [2], scalars: [5, 6])])
        XCTAssertEqual(g[0].scalars, [0, 2])
        XCTAssertThrowsError(try Tape<Double>().variable(x).taking([3]))
    }

    func testSelectionAndMedian() throws {
        let x = gcRandom([3, 5], seed: 23)
        checkGradients([x]) { _, v in try v[0].sorted(axis: 1).multiplying(v[0].constant(gcRandom([3, 5], seed: 24))) }
        checkGradients([x]) { _, v in try v[0].topk(2, axis: 0).values }
        checkGradients([x]) { _, v in try v[0].hardThresholded(6) }
        checkGradients([x]) { _, v in try v[0].softThresholded(0.3) }
        checkGradients([x]) { _, v in try v[0].median(axis: 1) }     // odd count: the middle one
        checkGradients([x]) { _, v in try v[0].median(axis: 0, keepDims: true) }
        checkGradients([x]) { _, v in try v[0].median() }
        let even = try Tensor<Double>(shape: [4], scalars: [4, 1, 3, 2])
        let (m, g) = try valueAndGradient(of: { _, v in try v[0].median() }, at: [even])
        XCTAssertEqual(m.scalars, [2.5])
        XCTAssertEqual(g[0].scalars, [0, 0, 0.5, 0.5])
    }

    func testExtremesAndNorms() throws {
        let a = gcRandom([2, 3], seed: 25), b = gcRandom([3], seed: 26)
        checkGradients([a, b]) { _, v in try v[0].maximum(v[1]) }
        checkGradients([a, b]) { _, v in try v[0].minimum(v[1]) }
        checkGradients([a]) { _, v in try v[0].norm(1) }
        checkGradients([a]) { _, v in try v[0].norm(2, axis: 1) }
        checkGradients([a]) { _, v in try v[0].norm(.infinity, axis: 0) }
        checkGradients([a]) { _, v in try v[0].norm(3) }
        // An infinite loser does not make the result NaN.
        let tape = Tape<Double>(recording: false)
        let m = try tape.constant(Tensor(scalar: 1)).maximum(tape.constant(Tensor(scalar: -.infinity)))
        XCTAssertEqual(m.value.scalars, [1])
    }

    func testMaxPropagatesNaN() throws {
        let t = try Tensor<Float>(shape: [3], scalars: [1, .nan, 3])
        let tape = Tape<Float>(recording: false)
        XCTAssertTrue(try tape.constant(t).max().value.scalars[0].isNaN)
        XCTAssertTrue(try t.reduce(.max).scalars[0].isNaN)
        XCTAssertEqual(try t.integerReduction(.argmax), 1)
        XCTAssertEqual(try t.integerReduction(.argmin), 1)
        XCTAssertEqual(try Tensor<Float>(shape: [3], scalars: [0, 2, 0]).integerReduction(.countNonzero), 1)
    }

    func testLinearAlgebra() throws {
        let u = gcRandom([3], seed: 27), w = gcRandom([4], seed: 28)
        checkGradients([u, w]) { _, v in try v[0].outer(v[1]) }
        let a = try gcRandom([3, 3], seed: 29).map { $0 * 0.3 }.binary(.add, try Tensor<Double>.eye(3))
        checkGradients([a, u]) { _, v in try Variable.solve(v[0], v[1]) }
        checkGradients([a, gcRandom([3, 2], seed: 30)]) { _, v in try Variable.solve(v[0], v[1]) }
    }

    func testMatmulOfVectorsAndStacks() throws {
        let m = gcRandom([3, 4], seed: 31), v = gcRandom([4], seed: 32), r = gcRandom([3], seed: 33)
        checkGradients([m, v]) { _, x in try x[0].matmul(x[1]) }            // [3, 4] @ [4]
        checkGradients([r, m]) { _, x in try x[0].matmul(x[1]) }            // [3] @ [3, 4]
        checkGradients([v, v]) { _, x in try x[0].matmul(x[1]) }            // dot product
        let stack = gcRandom([2, 3, 4], seed: 34), w = gcRandom([4, 5], seed: 35)
        checkGradients([stack, w]) { _, x in try x[0].matmul(x[1]) }        // [b, n, k] @ [k, m]
        checkGradients([stack, v]) { _, x in try x[0].matmul(x[1]) }        // [b, n, k] @ [k]
        checkGradients([stack, gcRandom([2, 4, 2], seed: 36)]) { _, x in try x[0].matmul(x[1]) }
        // The same values as the tensor kernel.
        let tape = Tape<Double>(recording: false)
        XCTAssertEqual(try tape.constant(stack).matmul(tape.constant(w)).value.scalars,
                       try stack.matmul(w).scalars)
        XCTAssertThrowsError(try tape.constant(m).matmul(tape.constant(r)))
    }

    func testDetachStopsTheGradient() throws {
        let x = try Tensor<Double>(shape: [2], scalars: [3, 4])
        let (_, g) = try valueAndGradient(of: { _, v in try v[0].multiplying(v[0].detached()).sum() }, at: [x])
        XCTAssertEqual(g[0].scalars, [3, 4])
    }
}
