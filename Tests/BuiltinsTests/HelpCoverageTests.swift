// Every built-in, method and field has a help text; `?name` shows the signature and the example.
@testable import Builtins
import Interpreter
import XCTest

final class HelpCoverageTests: XCTestCase {
    func testEveryBuiltinHasSummaryAndExample() {
        var names = Set<String>()
        for spec in Session.builtinTables.joined() {
            XCTAssertFalse(spec.summary.isEmpty, "\(spec.name) has no summary")
            XCTAssertFalse(spec.example.isEmpty, "\(spec.name) has no example")
            XCTAssertFalse(spec.topic.isEmpty, "\(spec.name) has no topic")
            XCTAssertTrue(names.insert(spec.name).inserted, "\(spec.name) is registered twice")
        }
        XCTAssertGreaterThan(names.count, 120)
        for table in Session.memberTables {
            for field in table.fields { XCTAssertFalse(field.summary.isEmpty, "\(table.typeName).\(field.name)") }
            for method in table.methods { XCTAssertFalse(method.summary.isEmpty, "\(table.typeName).\(method.name)") }
        }
    }

    func testQuestionMarkShowsSignatureParagraphAndExample() {
        var out = "", err = ""
        let session = Session(output: { out += $0 }, errorOutput: { err += $0 })
        for name in ["fit", "conv2d", "prune", "plot", "save", "grad", "fashion_mnist", "sparsity"] {
            out = ""
            XCTAssertEqual(session.runPromptInput("?\(name)"), .success, err)
            guard let spec = Session.builtinTables.joined().first(where: { $0.name == name }) else {
                XCTFail("\(name) is not registered")
                continue
            }
            XCTAssertTrue(out.hasPrefix(spec.signature), out)
            // The summary is wrapped at words to the terminal's width.
            let words = { (text: String) in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            XCTAssertTrue(words(out).contains(words(spec.summary)), out)
            XCTAssertTrue(out.contains("Example:"), out)
        }
        out = ""
        XCTAssertEqual(session.runPromptInput("?conv2d"), .success)
        XCTAssertTrue(out.hasPrefix("conv2d(in, out, kernel = nil, stride: 1, pad: \"same\", bias: true)"), out)
    }
}
