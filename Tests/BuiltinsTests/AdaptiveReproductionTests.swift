// The fast version of scripts/adam_nonconvergence.wh: the §6.5.1 problem separates Adam from Delayed Adam.
import Builtins
import Foundation
import XCTest

final class AdaptiveReproductionTests: XCTestCase {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts")

    func testAdamNonconvergenceScriptInTwoThousandSteps() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("anc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        var options = Session.Options()
        options.quiet = true
        options.settings = [("steps", "2000"), ("seeds", "1"), ("out", out.path)]
        var text = "", err = ""
        let session = Session(options: options, output: { text += $0 }, errorOutput: { err += $0 })
        let url = Self.scripts.appendingPathComponent("adam_nonconvergence.wh")
        let outcome = session.runScript(source: try String(contentsOf: url, encoding: .utf8), path: url.path)
        XCTAssertEqual(outcome, .success, err)
        XCTAssertTrue(text.contains("| method | running mean ‖∇f‖² | final w |"), text)
        // One JSON line per method and seed, with its running mean.
        let lines = try String(contentsOf: out.appendingPathComponent("runs.jsonl"), encoding: .utf8).split(separator: "\n")
        var mean: [String: Double] = [:]
        for line in lines {
            let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            mean[try XCTUnwrap(record["method"] as? String)] = record["mean"] as? Double
        }
        XCTAssertEqual(mean.keys.sorted(), ["adam", "adam_dynamic_eps", "amsgrad", "delayed_adam"])
        XCTAssertGreaterThan(mean["adam"] ?? 0, 0.95, "Adam stays at the boundary")
        XCTAssertLessThan(mean["delayed_adam"] ?? 1, 0.85, "Delayed Adam leaves it")
        XCTAssertLessThan(mean["adam_dynamic_eps"] ?? 1, 0.85, "and so does Adam with ε_t = t^1.5, α_t ∝ ε_t")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("running_mean.svg").path))
    }
}
