// Tests of JSON encoding (Python's format), parsing (NaN and Infinity included), JSON Lines and CSV export.

import Foundation
import XCTest
@testable import Core

final class JSONLTests: XCTestCase {
    func testEncodesLikePythonJSONDumps() {
        let value = JSONValue.object([
            ("epoch", .int(3)), ("loss", .double(0.25)), ("acc", .double(.nan)),
            ("bounds", .array([.double(.infinity), .double(-.infinity), .double(1e-5), .double(1e16), .double(123456.0)])),
            ("name", .string("a \"b\"\n\u{01}é")), ("ok", .bool(true)), ("none", .null),
        ])
        // What Python 3 prints for json.dumps of the same dict (ensure_ascii=False).
        XCTAssertEqual(value.encoded(),
            #"{"epoch": 3, "loss": 0.25, "acc": NaN, "bounds": [Infinity, -Infinity, 1e-05, 1e+16, 123456.0], "name": "a \"b\"\n\u0001é", "ok": true, "none": null}"#)
    }

    func testASCIIModeAndCycleMarker() throws {
        let value: JSONValue = ["name": "é😀\u{7F}", "self": .cycle(isObject: true), "xs": [1, .cycle(isObject: false)]]
        // json.dumps(..., ensure_ascii=True) escapes DEL and everything above it, astral as a pair.
        XCTAssertEqual(value.encoded(asciiOnly: true),
            #"{"name": "\u00e9\ud83d\ude00\u007f", "self": {...}, "xs": [1, [...]]}"#)
        XCTAssertEqual(value.encoded(), #"{"name": "é😀\#u{7F}", "self": {...}, "xs": [1, [...]]}"#)
        // What the ASCII mode writes reads back to the same text.
        XCTAssertEqual(try parseJSON(JSONValue.string("é😀\u{7F}").encoded(asciiOnly: true)), .string("é😀\u{7F}"))
        // A lone high surrogate becomes U+FFFD and the next escape is its own character.
        XCTAssertEqual(try parseJSON(#""\ud83d\u0041""#), .string("\u{FFFD}A"))
    }

    func testIndentedOutputMatchesPython() throws {
        let value: JSONValue = ["run": "a", "loss": [0.5, .double(.nan)], "empty": [], "settings": ["lr": 0.01, "nesterov": true, "none": nil]]
        XCTAssertEqual(value.encoded(indent: 2), """
        {
          "run": "a",
          "loss": [
            0.5,
            NaN
          ],
          "empty": [],
          "settings": {
            "lr": 0.01,
            "nesterov": true,
            "none": null
          }
        }
        """)
        let code = "import json; print(json.dumps({'run': 'a', 'loss': [0.5, float('nan')], 'empty': [], "
            + "'settings': {'lr': 0.01, 'nesterov': True, 'none': None}}, indent=2))"
        if let result = runPython(code, needing: ["json"]) {
            XCTAssertEqual(result.output, value.encoded(indent: 2) + "\n")
        }
    }

    func testDoubleFormattingMatchesPythonRepr() {
        let cases: [(Double, String)] = [(0.1, "0.1"), (1.0, "1.0"), (-2.5, "-2.5"), (1e15, "1000000000000000.0"),
            (1.5e16, "1.5e+16"), (0.0001, "0.0001"), (0.00012, "0.00012"), (1.2e-5, "1.2e-05"), (-0.0, "-0.0"),
            (3.4028234663852886e38, "3.4028234663852886e+38"), (Double.leastNonzeroMagnitude, "5e-324"), (2.0 / 3, "0.6666666666666666"),
            (123.456, "123.456"), (1e22, "1e+22")]
        for (value, text) in cases { XCTAssertEqual(JSONValue.format(value), text, "\(value)") }
    }

    func testPythonAgreesOnFormatting() throws {
        let values = [0.1, 1e15, 1.5e16, 1.2e-5, 2.0 / 3, 3.4028234663852886e38, 1e-7, 98765.4321, 6.02214076e23]
        let code = "import json; print(json.dumps([" + values.map { String($0) }.joined(separator: ", ") + "]))"
        guard let result = runPython(code, needing: ["json"]) else { return }
        XCTAssertEqual(result.output.trimmingCharacters(in: .newlines), JSONValue.array(values.map { .double($0) }).encoded())
    }

    func testParsesJSONWithNaNAndInfinity() throws {
        let text = #" {"a": [1, -2.5e3, NaN, Infinity, -Infinity], "b": {"c": "x\u00e9\ud83d\ude00\t"}, "d": null, "e": false} "#
        let value = try parseJSON(text)
        XCTAssertEqual(value["a"], .array([.int(1), .double(-2500), .double(.nan), .double(.infinity), .double(-.infinity)]))
        XCTAssertEqual(value["b"]?["c"], .string("xé😀\t"))
        XCTAssertEqual(value["d"], .null)
        XCTAssertEqual(value["e"], .bool(false))
        // Round trip.
        XCTAssertEqual(try parseJSON(value.encoded()), value)
    }

    func testParseErrorsGiveLineAndColumn() {
        XCTAssertThrowsError(try parseJSON("{\"a\": 1,\n \"b\" 2}")) { error in
            XCTAssertEqual("\(error)", "parse_json: invalid JSON at line 2, column 6: expected ':' after a key")
        }
        XCTAssertThrowsError(try parseJSON("[1, 2")) { error in
            XCTAssertEqual("\(error)", "parse_json: invalid JSON at line 1, column 6: unexpected end of input in an array")
        }
        XCTAssertThrowsError(try parseJSON("[1] x"))
        XCTAssertThrowsError(try parseJSON("01x"))
        XCTAssertThrowsError(try parseJSON("\"abc"))
        XCTAssertThrowsError(try parseJSON("nan"))
        // Deep nesting is an error, not a stack overflow.
        XCTAssertThrowsError(try parseJSON(String(repeating: "[", count: 100_000))) { error in
            XCTAssertTrue("\(error)".contains("nested deeper than 512 levels"))
        }
    }

    func testAppendJSONLinesAndReadThemBack() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir + "/run.jsonl"
        try appendJSONLine(path, .object([("epoch", .int(1)), ("loss", .double(.nan))]))
        try appendJSONLine(path, .object([("epoch", .int(2)), ("loss", .double(0.5))]))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8),
                       "{\"epoch\": 1, \"loss\": NaN}\n{\"epoch\": 2, \"loss\": 0.5}\n")
        let lines = try readJSONLines(path)
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[1]["loss"], .double(0.5))
        XCTAssertThrowsError(try appendJSONLine(dir + "/no/such/dir.jsonl", .null))
        if let result = runPython("import json; print([json.loads(l)['loss'] for l in open('\(path)')])", needing: ["json"]) {
            XCTAssertEqual(result.output, "[nan, 0.5]\n")
        }
    }

    func testWriteCSV() throws {
        let dir = try makeTemporaryDirectory(self)
        try writeCSV(dir + "/t.csv", header: ["name", "note"], rows: [["a", "x,y"], ["b", "say \"hi\""]])
        XCTAssertEqual(try String(contentsOfFile: dir + "/t.csv", encoding: .utf8), "name,note\na,\"x,y\"\nb,\"say \"\"hi\"\"\"\n")
        try writeCSV(dir + "/n.csv", header: ["epoch", "loss"], rows: [[1, 0.25], [2, .nan]])
        XCTAssertEqual(try String(contentsOfFile: dir + "/n.csv", encoding: .utf8), "epoch,loss\n1.0,0.25\n2.0,nan\n")
        XCTAssertEqual(try parseCSVRecords(String(contentsOfFile: dir + "/t.csv", encoding: .utf8)).map { $0.fields },
                       [["name", "note"], ["a", "x,y"], ["b", "say \"hi\""]])
        XCTAssertThrowsError(try writeCSV(dir + "/bad.csv", header: ["a"], rows: [["1", "2"]])) { error in
            XCTAssertEqual("\(error)", "to_csv: row 1 has 2 fields, the header 1")
        }
    }
}
