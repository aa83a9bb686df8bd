// Runs every Tests/Scripts/<topic>/<name>.wh and checks its `# expect:` and `# error:` comments.
import Builtins
import Foundation
import XCTest

/// The script corpus runner. A script's `# expect: text` comments, in order, must equal its output
/// lines; each `# error: message` must appear as an `error: message` header pointing at that line.
final class ScriptRunnerTests: XCTestCase {
    static var scriptsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts")
    }

    struct Expectations {
        var output: [String] = []
        var errors: [(line: Int, message: String)] = []
    }

    static func expectations(in text: String) -> Expectations {
        var e = Expectations()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let r = line.range(of: "# expect: ") {
                e.output.append(String(line[r.upperBound...]))
            } else if line.hasSuffix("# expect:") {
                e.output.append("")
            } else if let r = line.range(of: "# error: ") {
                e.errors.append((i + 1, String(line[r.upperBound...])))
            }
        }
        return e
    }

    func testScripts() throws {
        let root = ScriptRunnerTests.scriptsDirectory
        guard let walker = FileManager.default.enumerator(atPath: root.path) else {
            return XCTFail("no scripts directory at \(root.path)")
        }
        let paths = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".wh") }.sorted()
        XCTAssertGreaterThan(paths.count, 10)
        for relative in paths {
            let url = root.appendingPathComponent(relative)
            let text = try String(contentsOf: url, encoding: .utf8)
            let expected = ScriptRunnerTests.expectations(in: text)
            var out = "", err = ""
            let session = Session(output: { out += $0 }, errorOutput: { err += $0 })
            let outcome = session.runScript(source: text, path: url.path)
            var lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            XCTAssertEqual(lines, expected.output, "output of \(relative)\nstderr:\n\(err)")
            if expected.errors.isEmpty {
                XCTAssertEqual(outcome, .success, "\(relative) failed:\n\(err)")
            } else {
                XCTAssertNotEqual(outcome, .success, "\(relative) should fail")
                let errLines = err.split(separator: "\n").map(String.init)
                for (line, message) in expected.errors {
                    guard let i = errLines.firstIndex(of: "error: \(message)") else {
                        XCTFail("\(relative):\(line): expected `error: \(message)`, got:\n\(err)")
                        continue
                    }
                    let location = i + 1 < errLines.count ? errLines[i + 1] : ""
                    XCTAssertTrue(location.contains(":\(line):"), "\(relative): error `\(message)` should point at line \(line), got \(location)")
                }
            }
        }
        print("ran \(paths.count) scripts")
    }
}
