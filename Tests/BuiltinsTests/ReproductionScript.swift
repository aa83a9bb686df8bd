// Runs a reproduction script of scripts/ at toy settings in a fresh Session, for the fast versions of each method's reproductions.
import Builtins
import Foundation
import XCTest

enum ReproductionScript {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts")

    /// Runs `scripts/<name>` with `settings` (and `out` set to a temporary folder, removed after),
    /// asserts it succeeded, and returns what it printed.
    /// - Throws: `XCTSkip` when the script needs Fashion-MNIST and it is not installed.
    static func run(_ name: String, _ settings: [(String, String)], needsFashionMNIST: Bool = true,
                    file: StaticString = #filePath, line: UInt = #line) throws -> String {
        if needsFashionMNIST && !FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") {
            throw XCTSkip("Fashion-MNIST is not installed (make setup)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("repro-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = Session.Options()
        options.quiet = true
        options.settings = settings + [("out", dir)]
        var out = "", err = ""
        let session = Session(options: options, output: { out += $0 }, errorOutput: { err += $0 })
        let url = folder.appendingPathComponent(name)
        let outcome = session.runScript(source: try String(contentsOf: url, encoding: .utf8), path: url.path)
        XCTAssertEqual(outcome, .success, "\(name):\n\(err)", file: file, line: line)
        return out
    }
}
