// Tests of reductions (all elements and per axis) and of matmul, dot and outer.
import XCTest
@testable import Core

final class TensorReductionTests: XCTestCase {
    let m = T([2, 3], [1, 5, 3, 4, 2, 6])

    func testWholeTensor() throws {
        XCTAssertEqual(try m.reduce(.sum), T([], [21]))
        XCTAssertEqual(try m.reduce(.mean).item(), 3.5)
        XCTAssertEqual(try m.reduce(.max).item(), 6)
        XCTAssertEqual(try m.reduce(.min).item(), 1)
        XCTAssertEqual(try m.reduce(.argmax).item(), 5)
        XCTAssertEqual(try m.reduce(.argmin).item(), 0)
        XCTAssertEqual(try m.reduce(.variance).item(), Float(17.5 / 6), accuracy: 1e-6)
        XCTAssertEqual(try m.reduce(.std).item(), Float((17.5 / 6).squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(try T([4], [0, 1, 0, 2]).reduce(.countNonzero).item(), 2)
        XCTAssertEqual(try T([2], [1, 0]).reduce(.all).item(), 0)
        XCTAssertEqual(try T([2], [1, 0]).reduce(.any).item(), 1)
        XCTAssertEqual(try m.reduce(.sum, keepDims: true).shape, [1, 1])
        XCTAssertEqual(try T([3], [3, -4, 0]).norm().item(), 5)
        XCTAssertEqual(try T([3], [3, -4, 0]).norm(1).item(), 7)
        XCTAssertEqual(try T([3], [3, -4, 0]).norm(.infinity).item(), 4)
        XCTAssertEqual(try T([3], [3, -4, 0]).norm(0).item(), 2)
        XCTAssertEqual(try T([2], [1, 1]).norm(3).item(), Float(pow(2.0, 1.0 / 3)), accuracy: 1e-6)
    }

    func testAlongAxis() throws {
        XCTAssertEqual(try m.sum(axis: 0), T([3], [5, 7, 9]))
        XCTAssertEqual(try m.sum(axis: 1), T([2], [9, 12]))
        XCTAssertEqual(try m.sum(axis: -1, keepDims: true), T([2, 1], [9, 12]))
        XCTAssertEqual(try m.reduce(.max, axis: 0), T([3], [4, 5, 6]))
        XCTAssertEqual(try m.reduce(.argmax, axis: 1), T([2], [1, 2]))
        XCTAssertEqual(try m.reduce(.argmin, axis: 0), T([3], [0, 1, 0]))
        XCTAssertEqual(try m.mean(axis: 0), T([3], [2.5, 3.5, 4.5]))
        XCTAssertEqual(try m.reduce(.variance, axis: 0), T([3], [2.25, 2.25, 2.25]))
        XCTAssertEqual(try m.norm(1, axis: 1), T([2], [9, 12]))
        // Middle axis of a rank-3 tensor.
        let c = try Tensor<Float>.arange(0, 12).reshaped([2, 3, 2])
        XCTAssertEqual(try c.sum(axis: 1), T([2, 2], [6, 9, 24, 27]))
        XCTAssertEqual(try c.reduce(.argmax, axis: 1), T([2, 2], [2, 2, 2, 2]))
        // Accumulation in Double: 1e8 + many ones is exact.
        let big = try Tensor<Float>.ones([1000])
        XCTAssertEqual(try big.sum().item(), 1000)
    }

    func testErrors() {
        assertThrows(.badArgument(op: "sum", message: "axis 2 is out of range for a tensor of shape [2, 3]")) {
            try m.sum(axis: 2)
        }
        assertThrows(.badArgument(op: "max", message: "cannot reduce an empty extent of shape [0]")) {
            try Tensor<Float>.zeros([0]).reduce(.max)
        }
        assertThrows(.badArgument(op: "norm", message: "p must be non-negative, got -1.0")) { try m.norm(-1) }
    }

    func testGemmSplitsLongSumsAcrossCores() {
        // k ≥ 8·max(m, n) and enough work: each core sums its share of k (then added), for every
        // transpose and with beta ≠ 0; checked against a plain triple loop in Double.
        let (m, n, k) = (4, 8, 20_000)
        var rng = RandomStream(seed: 8)
        let a = (0..<(m * k)).map { _ in rng.nextDouble() - 0.5 }, b = (0..<(k * n)).map { _ in rng.nextDouble() - 0.5 }
        let c0 = (0..<(m * n)).map { Double($0) }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            var c = c0
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                Double.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 2, a: pa.baseAddress!, lda: ta ? m : k,
                            b: pb.baseAddress!, ldb: tb ? k : n, beta: 0.5, c: pc.baseAddress!, ldc: n)
            } } }
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0
                    for l in 0..<k { sum += (ta ? a[l * m + i] : a[i * k + l]) * (tb ? b[j * k + l] : b[l * n + j]) }
                    XCTAssertEqual(c[i * n + j], 2 * sum + 0.5 * c0[i * n + j], accuracy: 1e-9, "\(ta) \(tb) [\(i), \(j)]")
                }
            }
        }
    }

    func testMatmul() throws {
        let a = T([2, 3], [1, 2, 3, 4, 5, 6]), b = T([3, 2], [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(try a.matmul(b), T([2, 2], [58, 64, 139, 154]))
        XCTAssertEqual(try a.matmul(a, transposeSelf: true), T([3, 3], [17, 22, 27, 22, 29, 36, 27, 36, 45]))
        XCTAssertEqual(try a.matmul(a, transposeOther: true), T([2, 2], [14, 32, 32, 77]))
        XCTAssertEqual(try T([3], [1, 0, -1]).matmul(b), T([2], [-4, -4]))
        XCTAssertEqual(try a.matmul(T([3], [1, 0, -1])), T([2], [-2, -2]))
        XCTAssertEqual(try T([3], [1, 2, 3]).matmul(T([3], [4, 5, 6])), T([], [32]))
        assertThrows(.shapeMismatch(op: "@", shapes: [[64, 1568], [256, 10]], message: "")) {
            try Tensor<Float>.zeros([64, 1568]).matmul(Tensor<Float>.zeros([256, 10]))
        }
        // Batched with broadcasting: [2, 2, 3] @ [3, 2] -> [2, 2, 2].
        let batch = try Tensor.stack([a, a * 2])
        let r = try batch.matmul(b)
        XCTAssertEqual(r, T([2, 2, 2], [58, 64, 139, 154, 116, 128, 278, 308]))
        XCTAssertEqual(try D([2, 2], [1, 2, 3, 4]).matmul(D([2, 1], [1, 1])), D([2, 1], [3, 7]))
        XCTAssertEqual(try Tensor<Float>.zeros([2, 0]).matmul(Tensor<Float>.zeros([0, 3])), try Tensor<Float>.zeros([2, 3]))
    }

    func testDotOuter() throws {
        XCTAssertEqual(try T([2], [1, 2]).dot(T([2], [3, 4])).item(), 11)
        XCTAssertEqual(try T([2], [1, 2]).outer(T([3], [1, 0, -1])), T([2, 3], [1, 0, -1, 2, 0, -2]))
        assertThrows(.shapeMismatch(op: "dot", shapes: [[2], [3]], message: "")) {
            try T([2], [1, 2]).dot(T([3], [1, 2, 3]))
        }
    }
}

final class TensorDecompositionTests: XCTestCase {
    func testSolve() throws {
        // 2x + y = 5, x + 3y = 10  ->  x = 1, y = 3
        let a = T([2, 2], [2, 1, 1, 3])
        assertClose(try Tensor.solve(a, T([2], [5, 10])), T([2], [1, 3]))
        assertClose(try Tensor.solve(a, T([2, 2], [5, 2, 10, 1])), T([2, 2], [1, 1, 3, 0]))
        assertThrows(.badArgument(op: "solve", message: "the matrix is singular (zero pivot at row 2)")) {
            try Tensor.solve(T([2, 2], [1, 2, 2, 4]), T([2], [1, 1]))
        }
        assertThrows(.shapeMismatch(op: "solve", shapes: [[2, 3], [2]],
            message: "needs a square matrix [n, n] and a right-hand side [n] or [n, k], got [2, 3] and [2]")) {
            try Tensor.solve(T([2, 3], [1, 2, 3, 4, 5, 6]), T([2], [1, 1]))
        }
    }

    func testSVD() throws {
        let a = D([3, 2], [3, 0, 0, 2, 0, 0])
        let (u, s, vt) = try a.svd()
        XCTAssertEqual(u.shape, [3, 2]); XCTAssertEqual(vt.shape, [2, 2])
        assertClose(s, D([2], [3, 2]), tolerance: 1e-12)
        // Reconstruction of a random wide matrix.
        var rng = RandomStream(seed: 9)
        let m = try Tensor<Double>.normal([3, 5], using: &rng)
        let (u2, s2, vt2) = try m.svd()
        let rebuilt = try (try u2 * s2).matmul(vt2)
        assertClose(rebuilt, m, tolerance: 1e-10)
        assertClose(try u2.matmul(u2, transposeSelf: true), try Tensor<Double>.eye(3), tolerance: 1e-10)
        XCTAssertTrue(s2.scalars[0] >= s2.scalars[1] && s2.scalars[1] >= s2.scalars[2])
    }
}

final class TensorParallelGemmTests: XCTestCase {
    /// Products large enough to be split over the cores, in every transpose combination, against
    /// a naive triple loop.
    func testSplitProductsMatchNaive() throws {
        var rng = RandomStream(seed: 11)
        for (m, k, n) in [(64, 300, 70), (200, 100, 33), (31, 400, 90)] {
            let a = try Tensor<Double>.normal([m, k], using: &rng), b = try Tensor<Double>.normal([k, n], using: &rng)
            var expected = try Tensor<Double>.zeros([m, n])
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0
                    for p in 0..<k { sum += a.scalars[i * k + p] * b.scalars[p * n + j] }
                    expected.scalars[i * n + j] = sum
                }
            }
            assertClose(try a.matmul(b), expected, tolerance: 1e-12)
            assertClose(try a.transposed().matmul(b, transposeSelf: true), expected, tolerance: 1e-12)
            assertClose(try a.matmul(b.transposed(), transposeOther: true), expected, tolerance: 1e-12)
            assertClose(try a.transposed().matmul(b.transposed(), transposeSelf: true, transposeOther: true),
                        expected, tolerance: 1e-12)
        }
    }
}
