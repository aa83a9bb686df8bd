// Tests of Dataset: construction checks, indexing, take, shuffle, split, batches, standardize.

import XCTest
@testable import Core

final class DatasetTests: XCTestCase {
    func testMismatchedRowsAreRejected() throws {
        let x = try Tensor<Float>(shape: [3, 2], repeating: 0)
        let y = try Tensor<Float>(shape: [4], repeating: 0)
        XCTAssertThrowsError(try Dataset(x: x, y: y)) { error in
            XCTAssertEqual("\(error)", "shape mismatch in `dataset`: x [3, 2] and y [4] need the same number of rows (first axis)")
        }
        XCTAssertThrowsError(try Dataset(x: x, y: try Tensor<Float>(shape: [3], scalars: [0, 1, 3]), classCount: 3))
    }

    func testSubscriptAndTake() throws {
        let d = try countingDataset(rows: 5, width: 3)
        let (x, y) = try d[2]
        XCTAssertEqual(x.shape, [3])
        XCTAssertEqual(x.scalars, [20, 21, 22])
        XCTAssertEqual(y.shape, [])
        XCTAssertEqual(y.scalars, [2])
        XCTAssertEqual(try d[-1].y.scalars, [4])
        XCTAssertThrowsError(try d[5])
        XCTAssertThrowsError(try d[-6])
        XCTAssertEqual(try d.take(2).x.scalars, [0, 1, 2, 10, 11, 12])
        XCTAssertEqual(try d.take(99).count, 5)
        XCTAssertThrowsError(try d.take(-1))
    }

    func testShuffleIsASeededPermutationOfRows() throws {
        let d = try countingDataset(rows: 50, width: 2)
        let a = d.shuffled(seed: 7), b = d.shuffled(seed: 7), c = d.shuffled(seed: 8)
        XCTAssertEqual(a.y.scalars, b.y.scalars)
        XCTAssertNotEqual(a.y.scalars, c.y.scalars)
        XCTAssertNotEqual(a.y.scalars, d.y.scalars)
        XCTAssertEqual(a.y.scalars.sorted(), d.y.scalars)
        // Rows move together: x[i, 0] = 10 * y[i], x[i, 1] = x[i, 0] + 1.
        for i in 0..<50 {
            XCTAssertEqual(a.x.scalars[2 * i], a.y.scalars[i] * 10)
            XCTAssertEqual(a.x.scalars[2 * i + 1], a.y.scalars[i] * 10 + 1)
        }
    }

    func testShuffleIsRoughlyUniform() throws {
        // Each of 4 rows comes first about a quarter of the time over 2000 seeds.
        let d = try countingDataset(rows: 4, width: 1)
        var hits = [Int](repeating: 0, count: 4)
        for seed in 0..<2000 { hits[Int(d.shuffled(seed: seed).y.scalars[0])] += 1 }
        for h in hits { XCTAssertEqual(Double(h), 500, accuracy: 75) }
        // A caller's stream moves on, so two epochs get different orders.
        var rng = RandomStream(seed: 5)
        let big = try countingDataset(rows: 30, width: 1)
        XCTAssertNotEqual(big.shuffled(using: &rng).y.scalars, big.shuffled(using: &rng).y.scalars)
    }

    func testSplitPartitionsTheRows() throws {
        let d = try countingDataset(rows: 10, width: 1)
        let (train, test) = try d.split(0.8, seed: 3)
        XCTAssertEqual(train.count, 8)
        XCTAssertEqual(test.count, 2)
        XCTAssertEqual((train.y.scalars + test.y.scalars).sorted(), d.y.scalars)
        XCTAssertEqual(try d.split(0.8, seed: 3).test.y.scalars, test.y.scalars)
        XCTAssertEqual(try d.split(0.75, seed: 1).train.count, 8)  // 7.5 rounds to 8
        XCTAssertThrowsError(try d.split(1.5, seed: 0))
        XCTAssertEqual(try d.split(1, seed: 0).test.count, 0)
    }

    func testBatchesKeepTheLastPartialBatch() throws {
        let d = try countingDataset(rows: 7, width: 2)
        let batches = try d.batches(3)
        XCTAssertEqual(batches.count, 3)
        let all = Array(batches)
        XCTAssertEqual(all.map { $0.x.shape }, [[3, 2], [3, 2], [1, 2]])
        XCTAssertEqual(all.map { $0.y.scalars }, [[0, 1, 2], [3, 4, 5], [6]])
        XCTAssertEqual(all[2].x.scalars, [60, 61])
        XCTAssertThrowsError(try d.batches(0))
        XCTAssertEqual(Array(try d.batches(100)).count, 1)
        XCTAssertEqual(try d.batches(Int.max).count, 1)
        XCTAssertEqual(Array(try d.batches(Int.max)).map { $0.x.shape }, [[7, 2]])
        XCTAssertEqual(try d.take(0).batches(5).count, 0)
    }

    func testShuffledBatchesCoverEveryRowOnce() throws {
        let d = try countingDataset(rows: 10, width: 2)
        var rng = RandomStream(seed: 9)
        let batches = Array(try d.batches(4, shuffledWith: &rng))
        XCTAssertEqual(batches.map { $0.y.count }, [4, 4, 2])
        let labels = batches.flatMap { $0.y.scalars }
        XCTAssertEqual(labels.sorted(), d.y.scalars)
        XCTAssertNotEqual(labels, d.y.scalars)
        for batch in batches {  // rows stay whole: x[i] = (10 y, 10 y + 1)
            for (i, label) in batch.y.scalars.enumerated() {
                XCTAssertEqual(Array(batch.x.scalars[(2 * i)...(2 * i + 1)]), [label * 10, label * 10 + 1])
            }
        }
        // The same stream state gives the same epoch; the moved-on stream a different one.
        var again = RandomStream(seed: 9)
        XCTAssertEqual(Array(try d.batches(4, shuffledWith: &again)).flatMap { $0.y.scalars }, labels)
        XCTAssertNotEqual(Array(try d.batches(4, shuffledWith: &rng)).flatMap { $0.y.scalars }, labels)
        XCTAssertThrowsError(try d.batches(0, shuffledWith: &rng))
    }

    func testImageBatchesKeepTheirShape() throws {
        let x = try Tensor<Float>(shape: [5, 1, 2, 2], scalars: (0..<20).map(Float.init))
        let d = try Dataset(x: x, y: try Tensor<Float>(shape: [5], scalars: [0, 1, 0, 1, 0]), classCount: 2)
        let first = Array(try d.batches(2))[1]
        XCTAssertEqual(first.x.shape, [2, 1, 2, 2])
        XCTAssertEqual(first.x.scalars, (8..<16).map(Float.init))
        XCTAssertEqual(d.featureShape, [1, 2, 2])
        XCTAssertEqual(d.shuffled(seed: 0).classCount, 2)
        let asData = Array(try d.batches(2).datasets)
        XCTAssertEqual(asData.map { $0.count }, [2, 2, 1])
        XCTAssertEqual(asData[2].classCount, 2)
        XCTAssertEqual(asData[1].x.scalars, (8..<16).map(Float.init))
    }

    func testDescription() throws {
        XCTAssertEqual("\(iris())", "Dataset(150 examples, x [150, 4], y [150], 3 classes)")
        XCTAssertEqual("\(try countingDataset(rows: 1, width: 2))", "Dataset(1 example, x [1, 2], y [1], regression targets)")
    }

    func testStandardize() throws {
        let x = try Tensor<Float>(shape: [4, 2], scalars: [1, 5, 2, 5, 3, 5, 4, 5])
        let d = try Dataset(x: x, y: try Tensor<Float>(shape: [4], repeating: 0))
        let (s, stats) = d.standardized()
        XCTAssertEqual(stats.mean.scalars, [2.5, 5])
        XCTAssertEqual(stats.std.scalars[0], Float(1.25.squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(stats.std.scalars[1], 1)  // a constant feature is left at scale 1
        let column0 = stride(from: 0, to: 8, by: 2).map { s.x.scalars[$0] }
        XCTAssertEqual(column0.reduce(0, +), 0, accuracy: 1e-6)
        XCTAssertEqual(column0.map { $0 * $0 }.reduce(0, +) / 4, 1, accuracy: 1e-5)
        XCTAssertEqual(s.x.scalars[1], 0)
        let other = try Dataset(x: try Tensor<Float>(shape: [1, 3], repeating: 0), y: try Tensor<Float>(shape: [1], repeating: 0))
        XCTAssertThrowsError(try other.standardized(using: stats))
    }
}
