// Built-ins read their arguments by name: every name a body reads is a parameter of its spec.
@testable import Builtins
import Interpreter
import XCTest

final class ArgumentNameTests: XCTestCase {
    static let builtinsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/Builtins")

    /// Parameter names must be unique within a spec, or a read by name would be ambiguous.
    func testEveryRegisteredSpecHasUniqueParameterNames() {
        let specs = Session.builtinTables.joined() + Session.memberTables.flatMap(\.methods)
        XCTAssertGreaterThan(specs.count, 120)
        for spec in specs {
            let names = spec.parameters.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "\(spec.name) repeats a parameter name: \(names)")
        }
    }

    /// Walks every spec written in Sources/Builtins: each name its body reads (`a.int("epochs")`,
    /// `a["x"]`, `layer(a, "net")`) is one of the parameters declared in the spec's list just
    /// before the body. Reads in helpers outside any spec must name a parameter of some spec of
    /// the same file. A misspelt name is caught here rather than raising an internal error.
    func testEveryNameABodyReadsIsAParameterOfItsSpec() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.builtinsDirectory.path)
            .filter { $0.hasSuffix(".swift") }.sorted()
        XCTAssertGreaterThan(files.count, 10)
        var checked = 0
        for file in files {
            let text = try String(contentsOf: Self.builtinsDirectory.appendingPathComponent(file), encoding: .utf8)
            let chunks = SpecChunk.split(text)
            let declaredInFile = Set(chunks.flatMap(\.declared))
            for chunk in chunks {
                for name in chunk.read {
                    checked += 1
                    let known = chunk.isSpec ? chunk.declared.contains(name) : declaredInFile.contains(name)
                    XCTAssertTrue(known, "\(file): a body reads `\(name)`, not a parameter of \(chunk.declared)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 300)
    }

    func testAMisspeltNameIsAnInternalErrorNotACrash() throws {
        let spec = BuiltinSpec("probe", [.named("lr", "Float", .float(0.1))], topic: "Test", summary: "Reads a misspelt name.") { a in
            .float(try a.double("rl"))
        }
        let session = Session(output: { _ in }, errorOutput: { _ in })
        XCTAssertThrowsError(try session.interpreter.callBuiltin(spec, CallArguments())) { error in
            XCTAssertEqual((error as? RuntimeError)?.kind, "internal")
            XCTAssertEqual((error as? RuntimeError)?.message,
                           "`probe`: internal error: the body reads `rl`, which is not a parameter of `probe(lr: 0.1)`")
        }
    }

    func testErrorsStillNameThePositionAndTheParameter() {
        var err = ""
        let session = Session(output: { _ in }, errorOutput: { err += $0 })
        _ = session.runPromptInput("net = sequential(dense(2, 2))\nsgd(net, lr: \"fast\")")
        XCTAssertTrue(err.contains("`sgd`: argument 2 (`lr`) expects Float, got String"), err)
    }
}

/// A stretch of a Builtins source file: a spec's parameter list and the body after it (up to the
/// next list), or the text before the first list.
struct SpecChunk {
    var isSpec: Bool
    var declared: [String]
    var read: [String]

    static let listStart = try! NSRegularExpression(pattern: #"\[\s*(\.(required|optional|named|variadic)\(|ParameterSpec\()"#)
    static let declaration = try! NSRegularExpression(pattern: #"\.(?:required|optional|named|variadic)\("(\w+)"|ParameterSpec\("(\w+)""#)
    static let reads = try! NSRegularExpression(pattern: #"\ba\.\w+\("(\w+)"|\ba\["(\w+)"\]|[(,]\s*a,\s*"(\w+)""#)

    /// A spec whose parameters are not a list literal (`spec("adam", adamParameters(...))`): its
    /// reads are checked against the whole file.
    static let computedList = try! NSRegularExpression(pattern: #"\b(?:spec|BuiltinSpec)\("[^"]*",\s*(?![\[\s])"#)

    static func split(_ text: String) -> [SpecChunk] {
        let ns = text as NSString
        let all = NSRange(location: 0, length: ns.length)
        let starts = (listStart.matches(in: text, range: all).map { ($0.range.location, true) }
            + computedList.matches(in: text, range: all).map { ($0.range.location, false) }).sorted { $0.0 < $1.0 }
        var chunks = [SpecChunk(isSpec: false, declared: [],
                                read: names(reads, in: ns, NSRange(location: 0, length: starts.first?.0 ?? ns.length)))]
        for (k, (start, isList)) in starts.enumerated() {
            let end = isList ? listEnd(ns, from: start) : start
            let next = k + 1 < starts.count ? starts[k + 1].0 : ns.length
            let declared = names(declaration, in: ns, NSRange(location: start, length: end - start))
            let body = NSRange(location: end, length: max(0, next - end))
            chunks.append(SpecChunk(isSpec: isList, declared: declared, read: names(reads, in: ns, body)))
        }
        return chunks
    }

    /// The position just after the `]` that closes the list opening at `start` (strings skipped).
    static func listEnd(_ s: NSString, from start: Int) -> Int {
        var depth = 0, inString = false, i = start
        while i < s.length {
            let c = s.character(at: i)
            if inString {
                if c == 0x5C { i += 1 } else if c == 0x22 { inString = false }
            } else if c == 0x22 {
                inString = true
            } else if c == 0x5B {
                depth += 1
            } else if c == 0x5D {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return s.length
    }

    static func names(_ regex: NSRegularExpression, in s: NSString, _ range: NSRange) -> [String] {
        regex.matches(in: s as String, range: range).compactMap { m in
            (1..<m.numberOfRanges).lazy.map { m.range(at: $0) }.first { $0.location != NSNotFound }.map { s.substring(with: $0) }
        }
    }
}
