// Lexer: numbers, ranges, strings with nested interpolation, names, columns in characters.
import Lang
import XCTest

final class LexerTests: XCTestCase {
    func kinds(_ text: String) -> [TokenKind] {
        Lexer(file: SourceFile(path: "t", text: text)).tokenize().map(\.kind)
    }

    func testNumbersAndRanges() {
        XCTAssertEqual(kinds("1...3"), [.int, .rangeInclusive, .int, .eof])
        XCTAssertEqual(kinds("0..<n"), [.int, .rangeExclusive, .name, .eof])
        XCTAssertEqual(kinds("3.14 1e-8 2E5"), [.float, .float, .float, .eof])
        let t = Lexer(file: SourceFile(path: "t", text: "1_000_000 2.5e3")).tokenize()
        XCTAssertEqual(t[0].intValue, 1_000_000)
        XCTAssertEqual(t[1].floatValue, 2500)
        XCTAssertEqual(kinds("x.y"), [.name, .dot, .name, .eof])
    }

    func testOperatorsAndNewlines() {
        XCTAssertEqual(kinds("a //= b |> c\n"), [.name, .slashSlashEqual, .name, .pipe, .name, .newline, .eof])
        XCTAssertEqual(kinds("a # comment\nb"), [.name, .newline, .name, .eof])
        XCTAssertEqual(kinds("not and or in"), [.notKeyword, .andKeyword, .orKeyword, .inKeyword, .eof])
    }

    func testStringsAndInterpolation() {
        let t = Lexer(file: SourceFile(path: "t", text: "\"a\\(r[\"lr\"])b\\n\\u{1F600}\"")).tokenize()
        XCTAssertEqual(t.count, 2)
        XCTAssertEqual(t[0].pieces.count, 3)
        if case .code(let inner) = t[0].pieces[1] {
            XCTAssertEqual(inner.map(\.kind), [.name, .leftBracket, .string, .rightBracket, .eof])
        } else {
            XCTFail("no interpolation")
        }
        if case .text(let s) = t[0].pieces[2] { XCTAssertEqual(s, "b\n😀") } else { XCTFail("no text") }
    }

    func testColumnsCountCharacters() {
        let t = Lexer(file: SourceFile(path: "t", text: "β = \"é\" + λ")).tokenize()
        XCTAssertEqual(t.map { $0.span.column }, [1, 3, 5, 9, 11, 12])
        XCTAssertEqual(t[0].text, "β")
    }
}
