// The CSR product behind SparseDense against the dense layer: every panel width and tail, empty rows, ReLU, both cores.
import XCTest
@testable import Core

final class SparseDenseTests: XCTestCase {
    /// A Dense layer with about `keep` of its weights and output column `emptyOutput` all zero (an
    /// output row of Wᵀ with no stored entry), and a negative bias so the ReLU cuts some outputs.
    private func prunedDense<S: TensorScalar>(_ inputs: Int, _ outputs: Int, keep: Double, emptyOutput: Int,
                                              seed: UInt64, _: S.Type = S.self) throws -> Dense<S> {
        var rng = RandomStream(seed: seed)
        let u = try Tensor<S>.uniform([inputs, outputs], using: &rng)
        let raw = try Tensor<S>.uniform([inputs, outputs], low: -1, high: 1, using: &rng)
        var w = raw.scalars
        for i in 0..<w.count where u.scalars[i].doubleValue >= keep || i % outputs == emptyOutput { w[i] = 0 }
        let bias = try Tensor<S>.uniform([outputs], low: -0.5, high: 0.2, using: &rng)
        return try Dense(weight: try Tensor(shape: [inputs, outputs], scalars: w), bias: bias)
    }

    private func rows<S: TensorScalar>(_ t: Tensor<S>, _ lo: Int, _ hi: Int) throws -> Tensor<S> {
        try t.slice([.slice(start: lo, stop: hi, step: nil)])
    }

    func testEveryBatchSizeGivesTheDenseOutputs() throws {
        let dense: Dense<Float> = try prunedDense(45, 37, keep: 0.1, emptyOutput: 5, seed: 3)
        let sparse = try SparseDense(dense)
        XCTAssertEqual(sparse.weightT.rowPointers[5], sparse.weightT.rowPointers[6], "output 5 has no stored entry")
        let withReLU = Sequential<Float>([sparse, ReLU()]), denseReLU = Sequential<Float>([dense, ReLU()])
        var rng = RandomStream(seed: 4)
        // Panels of 8, 16 and 32 rows, full and with padding lanes, and several panels with a tail.
        for batch in [1, 3, 8, 9, 16, 17, 31, 32, 33, 64, 65, 100] {
            let x = try Tensor<Float>.uniform([batch, 45], low: -1, high: 1, using: &rng)
            let y = try sparse(x)
            assertClose(y, try dense(x), tolerance: 1e-5)
            assertClose(try withReLU(x), try denseReLU(x), tolerance: 1e-5)
            // The empty output row is its bias, whatever the batch.
            for b in 0..<batch { XCTAssertEqual(y.scalars[b * 37 + 5], dense.bias?.value.scalars[5]) }
            // A batch row's outputs do not depend on the batch it came in: the same to the last bit.
            let last = try rows(x, batch - 1, batch)
            XCTAssertEqual(try rows(y, batch - 1, batch).scalars, try sparse(last).scalars, "batch \(batch)")
        }
    }

    func testDoubleAndAnEmptyMatrix() throws {
        let dense: Dense<Double> = try prunedDense(20, 11, keep: 0.2, emptyOutput: 10, seed: 5)
        var rng = RandomStream(seed: 6)
        let x = try Tensor<Double>.uniform([65, 20], low: -1, high: 1, using: &rng)
        assertClose(try SparseDense(dense)(x), try dense(x), tolerance: 1e-12)
        // Everything pruned: the outputs are the bias (through the ReLU when fused).
        let empty: Dense<Double> = try prunedDense(20, 11, keep: 0, emptyOutput: 0, seed: 7)
        let sparse = try SparseDense(empty)
        XCTAssertEqual(sparse.weightT.nonZeros, 0)
        assertClose(try sparse(x), try empty(x), tolerance: 0)
        assertClose(try Sequential<Double>([sparse, ReLU()])(x), try Sequential<Double>([empty, ReLU()])(x), tolerance: 0)
    }

    func testNaNPassesTheFusedReLU() throws {
        let dense = try Dense<Float>(weight: T([2, 2], [1, 0, 0, -1]), bias: nil)
        let y = try Sequential<Float>([try SparseDense(dense), ReLU()])(T([1, 2], [.nan, 3]))
        XCTAssertTrue(y.scalars[0].isNaN)
        XCTAssertEqual(y.scalars[1], 0)
    }

    func testALargeProductOnBothCoresGivesTheSameBits() throws {
        // 90 000 stored entries × 96 rows is above `parallelMinimum`: the panels are shared out.
        let dense: Dense<Float> = try prunedDense(600, 300, keep: 0.5, emptyOutput: 299, seed: 8)
        let sparse = try SparseDense(dense)
        XCTAssertGreaterThanOrEqual(sparse.weightT.nonZeros * 96, CSRMatrix<Float>.parallelMinimum)
        var rng = RandomStream(seed: 9)
        let x = try Tensor<Float>.uniform([96, 600], low: -1, high: 1, using: &rng)
        let y = try sparse(x)
        assertClose(y, try dense(x), tolerance: 1e-5)
        for b in [0, 40, 95] {
            XCTAssertEqual(try rows(y, b, b + 1).scalars, try sparse(try rows(x, b, b + 1)).scalars, "row \(b)")
        }
    }
}
