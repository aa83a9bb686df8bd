// Sparse checkpoints: pruned weights as CSR, smaller files, bit-identical loads, exact indices, corrupt CSR refused.
import Foundation
import XCTest
@testable import Core

final class SparseCheckpointTests: XCTestCase {
    private func prunedNet(seed: UInt64, amount: Double) throws -> Sequential<Float> {
        var rng = RandomStream(seed: seed)
        let net = Sequential<Float>([try Conv2D<Float>(2, 4, kernel: 3, using: &rng), ReLU(), Flatten(),
                                     try Dense<Float>(4 * 6 * 6, 50, using: &rng), ReLU(), try Dense<Float>(50, 3, using: &rng)])
        try prune(net, amount: amount)
        return net
    }

    func testPrunedWeightsRoundTripBitIdenticalAndTheFileShrinks() throws {
        let dir = try makeTemporaryDirectory(self)
        let net = try prunedNet(seed: 1, amount: 0.9)
        // A kept weight that is exactly zero must come back kept (the mask is the pattern).
        let dense = try XCTUnwrap(net.param("3.weight"))
        var w = dense.value
        let keptIndex = try XCTUnwrap(net.buffer("3.mask")?.value.scalars.firstIndex(of: 1))
        w.scalars[keptIndex] = 0
        dense.value = w
        try saveCheckpoint(net, to: dir + "/dense.safetensors")
        try saveCheckpoint(net, to: dir + "/sparse.safetensors", sparse: true)
        let denseSize = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: dir + "/dense.safetensors")[.size] as? Int)
        let sparseSize = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: dir + "/sparse.safetensors")[.size] as? Int)
        // 10% kept: 8 bytes an entry against 4 a weight and 4 a mask entry → about a tenth.
        XCTAssertLessThan(Double(sparseSize) / Double(denseSize), 0.16, "\(sparseSize) vs \(denseSize) bytes")
        let file = try readSafetensors(dir + "/sparse.safetensors")
        XCTAssertNil(file["3.weight"])
        XCTAssertNil(file["3.mask"], "the pattern stands for the mask")
        XCTAssertEqual(file["3.weight.csr_columns"]?.dtype, .i32)
        let fresh = try prunedNet(seed: 2, amount: 0.5)
        XCTAssertEqual(try loadCheckpoint(fresh, from: dir + "/sparse.safetensors"), net.namedParams.count + net.namedBuffers.count)
        for (path, param) in net.namedParams {
            XCTAssertEqual(fresh.param(path)?.value.scalars.map(\.bitPattern), param.value.scalars.map(\.bitPattern), path)
        }
        for (path, buffer) in net.namedBuffers { XCTAssertEqual(fresh.buffer(path)?.value, buffer.value, path) }
        XCTAssertEqual(sparsityReport(fresh), sparsityReport(net))
    }

    func testIndicesAreExactPastFloat32sIntegers() throws {
        // 2²⁴ + 3 columns: the last column index is not a Float32 integer.
        let columns = (1 << 24) + 3
        let dense = try Dense<Float>(weight: Tensor(uncheckedShape: [1, columns], scalars: [Float](repeating: 0, count: columns)), bias: nil)
        var w = dense.weight.value
        w.scalars[columns - 1] = 7
        dense.weight.value = w
        let net = Sequential<Float>([dense])
        let path = try makeTemporaryDirectory(self) + "/wide.safetensors"
        try saveCheckpoint(net, to: path, sparse: true)
        dense.weight.value = Tensor(uncheckedShape: [1, columns], scalars: [Float](repeating: 0, count: columns))
        try loadCheckpoint(net, from: path)
        XCTAssertEqual(dense.weight.value.scalars[columns - 1], 7)
        XCTAssertEqual(dense.weight.value.scalars[columns - 2], 0)
    }

    func testWeightsNotWorthCompressingStayDenseAndAMaskThatIsOffIsKept() throws {
        let dir = try makeTemporaryDirectory(self)
        var rng = RandomStream(seed: 3)
        let unpruned = Sequential<Float>([try Dense<Float>(20, 10, using: &rng)])
        try saveCheckpoint(unpruned, to: dir + "/a.safetensors", sparse: true)
        let file = try readSafetensors(dir + "/a.safetensors")
        XCTAssertNotNil(file["0.weight"], "no zeros and no mask: CSR would be larger")
        XCTAssertNil(file.metadata["sparse"])
        // With its mask dropped, a weight 80% kept is still smaller as CSR (8 bytes a kept entry
        // against 4 for the weight and 4 for the mask).
        try saveCheckpoint(try prunedNet(seed: 3, amount: 0.2), to: dir + "/a2.safetensors", sparse: true)
        XCTAssertNotNil(try readSafetensors(dir + "/a2.safetensors")["3.weight.csr_values"])
        // A mask switched off lets the weight train densely: its nonzeros are the pattern, the mask stays.
        let off = try prunedNet(seed: 4, amount: 0.9)
        for (_, layer) in gatedLayers(off) { try layer.weight.setGateMode(.off) }
        let p = try XCTUnwrap(off.param("3.weight"))
        var w = p.value
        w.scalars = w.scalars.enumerated().map { $0.offset % 20 == 0 ? 1 : 0 }
        p.value = w
        try saveCheckpoint(off, to: dir + "/b.safetensors", sparse: true)
        let b = try readSafetensors(dir + "/b.safetensors")
        XCTAssertNotNil(b["3.mask"])
        XCTAssertNotNil(b["3.weight.csr_values"])
        let back = try prunedNet(seed: 5, amount: 0.5)
        for (_, layer) in gatedLayers(back) { try layer.weight.setGateMode(.off) }
        try loadCheckpoint(back, from: dir + "/b.safetensors")
        XCTAssertEqual(back.param("3.weight")?.value, p.value)
        XCTAssertEqual(back.buffer("3.mask")?.value, off.buffer("3.mask")?.value)
    }

    func testCorruptSparseWeightsAreRefusedAndTorchLayoutIsRefused() throws {
        let dir = try makeTemporaryDirectory(self)
        let net = try prunedNet(seed: 6, amount: 0.95)
        XCTAssertThrowsError(try saveCheckpoint(net, to: dir + "/t.safetensors", layout: .torch, sparse: true)) {
            XCTAssertTrue("\($0)".contains("Whittle's layout only"), "\($0)")
        }
        try saveCheckpoint(net, to: dir + "/s.safetensors", sparse: true)
        let file = try readSafetensors(dir + "/s.safetensors")
        let columns = try XCTUnwrap(file["3.weight.csr_columns"]?.integers)
        let rows = try XCTUnwrap(file["3.weight.csr_rows"]?.integers)
        let values = try XCTUnwrap(file["3.weight.csr_values"]?.tensor)
        func rewrite(columns: [Int64], rows: [Int64], name: String) throws -> String {
            let others = file.tensors.filter { !$0.name.hasPrefix("3.weight.csr") }.map { e in
                (e.name, e.integers.map { SafetensorsPayload.int32($0.map { Int32($0) }) } ?? .float32(e.tensor))
            }
            let path = dir + "/" + name
            try writeSafetensors(others + [("3.weight.csr_values", .float32(values)), ("3.weight.csr_columns", .int32(columns.map { Int32($0) })),
                                           ("3.weight.csr_rows", .int32(rows.map { Int32($0) }))], metadata: file.metadata, to: path)
            return path
        }
        var badColumns = columns
        badColumns[0] = 50
        let cases = [(try rewrite(columns: badColumns, rows: rows, name: "c.safetensors"), "column 50 outside 0..<50"),
                     (try rewrite(columns: columns, rows: Array(rows.dropLast()), name: "r.safetensors"), "row offsets do not describe")]
        for (path, needle) in cases {
            let target = try prunedNet(seed: 7, amount: 0.5)
            let before = target.param("3.weight")?.value
            XCTAssertThrowsError(try loadCheckpoint(target, from: path)) { XCTAssertTrue("\($0)".contains(needle), "\($0)") }
            XCTAssertEqual(target.param("3.weight")?.value, before, "a refused file changes nothing")
        }
    }
}
