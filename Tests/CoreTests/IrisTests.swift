// Tests of the bundled Iris table against figures computed from scikit-learn's iris.csv.

import XCTest
@testable import Core

final class IrisTests: XCTestCase {
    func testShapeLabelsAndColumnSums() throws {
        let d = iris()
        XCTAssertEqual(d.x.shape, [150, 4])
        XCTAssertEqual(d.y.shape, [150])
        XCTAssertEqual(d.classCount, 3)
        XCTAssertEqual(d.classNames, ["setosa", "versicolor", "virginica"])
        XCTAssertEqual(d.y.scalars, [Float](repeating: 0, count: 50) + [Float](repeating: 1, count: 50) + [Float](repeating: 2, count: 50))
        // Column sums from NumPy on sklearn/datasets/data/iris.csv: 876.5, 458.6, 563.7, 179.9.
        var sums = [Double](repeating: 0, count: 4)
        for (i, v) in d.x.scalars.enumerated() { sums[i % 4] += Double(v) }
        for (got, want) in zip(sums, [876.5, 458.6, 563.7, 179.9]) { XCTAssertEqual(got, want, accuracy: 1e-3) }
        XCTAssertEqual(try d[0].x.scalars, [5.1, 3.5, 1.4, 0.2])
        XCTAssertEqual(try d[77].x.scalars, [6.7, 3.0, 5.0, 1.7])
        XCTAssertEqual(try d[149].x.scalars, [5.9, 3.0, 5.1, 1.8])
        XCTAssertEqual(try d[149].y.scalars, [2])
    }

    func testStandardizedIrisMatchesNumPy() {
        let stats = iris().featureStats()
        // NumPy: mean [5.8433, 3.0573, 3.758, 1.1993], std (ddof 0) [0.8253, 0.4344, 1.7594, 0.7597].
        for (got, want) in zip(stats.mean.scalars, [5.84333, 3.05733, 3.758, 1.19933] as [Float]) { XCTAssertEqual(got, want, accuracy: 1e-4) }
        for (got, want) in zip(stats.std.scalars, [0.825301, 0.434411, 1.759404, 0.759693] as [Float]) { XCTAssertEqual(got, want, accuracy: 1e-4) }
    }
}
