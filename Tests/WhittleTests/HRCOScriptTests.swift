// The fast versions of scripts/hrco_lasso.wh and scripts/hrco_prune.wh: the paper's two experiments at a tiny size run through and report.
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

    func testThePruningScriptRunsAtATinySize() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is not installed")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("hrco-prune-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try Whittle.run(["--quiet", "--set", "train=120", "--set", "test=100", "--set", "epochs=1", "--set", "steps=3",
                                      "--set", "gs_steps=2", "--set", "eta=0.0", "--set", "out=\"\(out.path)\"",
                                      root.appendingPathComponent("scripts/hrco_prune.wh").path], timeout: 180)
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = result.stdout
        XCTAssertTrue(text.contains("K = 404234; start: T_t = "), text)
        for run in ["gs: 2 steps", "switch: 3 steps", "alternate: 3 steps"] { XCTAssertTrue(text.contains(run), text) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("hrco_prune.svg").path))
    }
}
