// The fast version of scripts/hrco_lasso.wh: the paper's Lasso L1 reduction at a tiny size runs through and reports.
import Foundation
import XCTest

final class HRCOScriptTests: XCTestCase {
    func testTheLassoReductionScriptRunsAtATinySize() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/hrco_lasso.wh").path
        let result = try Whittle.run(["--quiet", "--set", "samples=1000", "--set", "features=60", "--set", "informative=40",
                                      "--set", "steps=60", script])
        XCTAssertEqual(result.status, 0, result.stderr)
        let out = result.stdout
        XCTAssertTrue(out.contains("N = 1000, p = 60, informative = 40, K = 61"), out)
        XCTAssertTrue(out.contains("spread paper: 60 steps"), out)
        XCTAssertTrue(out.contains("spread per_coordinate: 60 steps"), out)
        // c₀ is feasible and GS never finds a feasible point next to the boundary (the paper's observation).
        XCTAssertEqual(out.components(separatedBy: "GS samples in S: 0/30").count - 1, 2, out)
        XCTAssertNotNil(out.range(of: #"R² = 0\.9999\d\d"#, options: .regularExpression), out)
    }
}
