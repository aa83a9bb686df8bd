// Lasso by coordinate descent against scikit-learn 1.9.1 (scripts/reference/lasso_sklearn.py made the numbers).
import XCTest
@testable import Core

final class LassoTests: XCTestCase {
    /// The closed-form data of the reference script: X[i, j] = sin(0.37(i+1)(j+1) + 0.1j), y = X·true + 0.05 cos i + 1, in Float.
    func data() -> (Tensor<Float>, Tensor<Float>) {
        let n = 60, p = 8
        let truth: [Double] = [3, -2, 0, 0, 1.5, 0, 0.25, 0]
        var x = [Float](), y = [Float]()
        for i in 0..<n {
            var row = [Float](repeating: 0, count: p)
            var sum = 0.0
            for j in 0..<p {
                let angle: Double = 0.37 * Double((i + 1) * (j + 1)) + 0.1 * Double(j)
                row[j] = Float(sin(angle))
                sum += truth[j] * Double(row[j])
            }
            x += row
            let target: Double = sum + 0.05 * cos(Double(i)) + 1
            y.append(Float(target))
        }
        return (Tensor(uncheckedShape: [n, p], scalars: x), Tensor(uncheckedShape: [n], scalars: y))
    }

    func testMatchesScikitLearnsCoefficients() throws {
        let (x, y) = data()
        let references: [(Double, [Double], Double, Double)] = [
            (0.1, [2.799905458264386, -1.8114561933543405, 0, 0, 1.3109281070366186, 0, 0.05429413505739868, 0], 1.0136019824802114, 0.637150787411661),
            (0.01, [2.979922075696655, -1.9832660105441011, 0, 0, 1.4820424412869069, 0, 0.2309494082844858, 0], 1.001912274509371, 0.06777641508303464),
        ]
        for (alpha, coef, intercept, objective) in references {
            let r = try lasso(x, y, alpha: alpha, tol: 1e-10, maxIter: 100_000)
            for (a, b) in zip(r.coef, coef) { XCTAssertEqual(a, b, accuracy: 1e-6, "alpha \(alpha)") }
            XCTAssertEqual(r.intercept, intercept, accuracy: 1e-6)
            XCTAssertEqual(r.objective, objective, accuracy: objective * 1e-9)
            XCTAssertTrue(r.converged)
            XCTAssertLessThan(r.dualGap, 1e-8)
        }
    }

    func testDefaultToleranceStopsEarlyWithASmallGapAndRecordsPasses() throws {
        let (x, y) = data()
        let run = Run()
        let r = try lasso(x, y, alpha: 0.1, run: run)
        XCTAssertEqual(run.records.count, r.nIter)
        XCTAssertLessThan(r.nIter, 200)
        XCTAssertEqual(r.objective, 0.637150787411661, accuracy: 1e-4)
        // A large alpha: w = 0 is already optimal, no pass is needed.
        let zero = try lasso(x, y, alpha: 100)
        XCTAssertEqual(zero.nIter, 0)
        XCTAssertEqual(zero.coef, [Double](repeating: 0, count: 8))
    }

    func testBadInputThrows() throws {
        let (x, y) = data()
        XCTAssertThrowsError(try lasso(x, x, alpha: 0.1))
        XCTAssertThrowsError(try lasso(x, y, alpha: -1))
        XCTAssertThrowsError(try lasso(x, y, maxIter: 0))
    }
}
