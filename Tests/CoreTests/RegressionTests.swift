// Tests of the synthetic generators: make_regression's recipe and make_blobs.

import XCTest
@testable import Core

final class RegressionTests: XCTestCase {
    func testTargetsAreTheLinearModelOfTheFeatures() throws {
        let (d, coef) = try makeRegression(samples: 200, features: 8, informative: 3, noise: 0, bias: 2.5, seed: 4)
        XCTAssertEqual(d.x.shape, [200, 8])
        XCTAssertEqual(d.y.shape, [200])
        XCTAssertNil(d.classCount)
        // Exactly `informative` non-zero coefficients, each in [0, 100), scattered by the column shuffle.
        let nonzero = coef.scalars.filter { $0 != 0 }
        XCTAssertEqual(nonzero.count, 3)
        XCTAssertTrue(nonzero.allSatisfy { $0 > 0 && $0 < 100 })
        for i in 0..<200 {
            var predicted: Float = 2.5
            for j in 0..<8 { predicted += d.x.scalars[i * 8 + j] * coef.scalars[j] }
            XCTAssertEqual(predicted, d.y.scalars[i], accuracy: 1e-3 * max(1, abs(predicted)))
        }
        // X is standard normal: mean near 0 and variance near 1 over 1,600 draws.
        let mean = d.x.scalars.reduce(0, +) / 1600
        let variance = d.x.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1600
        XCTAssertEqual(mean, 0, accuracy: 0.1)
        XCTAssertEqual(variance, 1, accuracy: 0.1)
    }

    func testNoiseHasTheRequestedScaleAndSeedsRepeat() throws {
        let (d, coef) = try makeRegression(samples: 2000, features: 3, informative: 3, noise: 5, seed: 1)
        var residuals: [Float] = []
        for i in 0..<2000 {
            var predicted: Float = 0
            for j in 0..<3 { predicted += d.x.scalars[i * 3 + j] * coef.scalars[j] }
            residuals.append(d.y.scalars[i] - predicted)
        }
        let std = (residuals.map { $0 * $0 }.reduce(0, +) / 2000).squareRoot()
        XCTAssertEqual(std, 5, accuracy: 0.3)
        XCTAssertEqual(try makeRegression(samples: 2000, features: 3, noise: 5, seed: 1).data.y.scalars, d.y.scalars)
        XCTAssertNotEqual(try makeRegression(samples: 2000, features: 3, noise: 5, seed: 2).data.y.scalars, d.y.scalars)
        // informative is clamped to features, as in scikit-learn.
        XCTAssertEqual(coef.scalars.filter { $0 != 0 }.count, 3)
        XCTAssertThrowsError(try makeRegression(samples: 0, features: 3))
        XCTAssertThrowsError(try makeRegression(samples: 3, features: 3, noise: -1))
    }

    func testBlobsClusterAroundTheirCentres() throws {
        let (d, centers) = try makeBlobs(samples: 301, features: 2, centers: 3, std: 0.5, seed: 9)
        XCTAssertEqual(d.x.shape, [301, 2])
        XCTAssertEqual(centers.shape, [3, 2])
        XCTAssertEqual(d.classCount, 3)
        var sizes = [0, 0, 0]
        for i in 0..<301 {
            let c = Int(d.y.scalars[i])
            sizes[c] += 1
            let dx = d.x.scalars[2 * i] - centers.scalars[2 * c], dy = d.x.scalars[2 * i + 1] - centers.scalars[2 * c + 1]
            XCTAssertLessThan((dx * dx + dy * dy).squareRoot(), 3)  // 6 sigma
        }
        XCTAssertEqual(sizes, [101, 100, 100])
        XCTAssertTrue(centers.scalars.allSatisfy { $0 >= -10 && $0 <= 10 })
    }
}
