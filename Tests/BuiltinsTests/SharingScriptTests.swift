// The soft-sharing reproduction scripts, run at toy scale: they must finish and report what they promise.
@testable import Builtins
import Foundation
import XCTest

final class SharingScriptTests: XCTestCase {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `scripts/<name>` with `settings` and an output directory under the temporary directory.
    func run(_ name: String, _ settings: [(String, String)]) throws -> (Session.Outcome, String, String, URL) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sharing-\(UUID().uuidString)")
        var options = Session.Options()
        options.quiet = true
        options.settings = settings.map { (name: $0.0, value: $0.1) } + [(name: "out", value: "\"\(out.path)\"")]
        var text = "", errors = ""
        let s = Session(options: options, output: { text += $0 }, errorOutput: { errors += $0 })
        let url = Self.repository.appendingPathComponent("scripts").appendingPathComponent(name)
        let source = try String(contentsOf: url, encoding: .utf8)
        return (s.runScript(source: source, path: url.path), text, errors, out)
    }

    func testTheShortestPathsScriptComparesThreeNetsAndDrawsItsFigures() throws {
        let (outcome, text, errors, out) = try run("sharing_paths.wh", [("layers", "2"), ("channels", "3"), ("grid", "5"),
                                                                        ("samples", "8"), ("held_out", "4"), ("epochs", "1")])
        defer { try? FileManager.default.removeItem(at: out) }
        XCTAssertEqual(outcome, .success, errors)
        for name in ["CNN: params", "SCNN: params", "SCNN + recurrence: params", "fold at 0.9:"] { XCTAssertTrue(text.contains(name), text) }
        for file in ["f1.svg", "lsm_scnn.svg", "lsm_recurrence.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
    }

    func testTheFashionMNISTScriptComparesWRNAndSWRNAndFolds() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is not installed")
        let (outcome, text, errors, out) = try run("sharing_fmnist.wh", [("depth", "16"), ("width", "1"), ("train", "16"),
                                                                         ("test", "16"), ("epochs", "1")])
        defer { try? FileManager.default.removeItem(at: out) }
        XCTAssertEqual(outcome, .success, errors)
        XCTAssertTrue(text.contains("WRN-16-1 family, 16 training images, 16 test images, 1 epochs"), text)
        for name in ["WRN-16-1: params", "SWRN-16-1-1: templates", "fold τ = 0.9: programs", "fold τ = 0.8: programs"] {
            XCTAssertTrue(text.contains(name), text)
        }
        let svgs = (try? FileManager.default.contentsOfDirectory(atPath: out.path))?.filter { $0.hasSuffix(".svg") } ?? []
        XCTAssertEqual(svgs.count, 6, "one LSM picture per stage of each SWRN")
    }
}
