// Ctrl-C during one long built-in or operator: the work stops inside it, not after it, and the
// interrupt is reported with where it stopped (never dropped, never a cut result).
import Builtins
import Core
import Runtime
import XCTest

final class LongBuiltinInterruptTests: XCTestCase {
    /// Runs `setup`, then `command` with the session's token cancelled `after` seconds in, as the
    /// SIGINT handler would from another thread; asserts the command stopped inside `op`.
    /// Returns the seconds the interrupted command took.
    @discardableResult
    private func assertStopsInside(_ op: String, setup: String, command: String, after: Double = 0.1,
                                   file: StaticString = #filePath, line: UInt = #line) -> Double {
        var out = "", err = ""
        let session = Session(output: { out += $0 }, errorOutput: { err += $0 })
        XCTAssertEqual(session.runScript(source: setup, path: "setup.wh"), .success, err, file: file, line: line)
        let token = session.interpreter.token  // Sendable, unlike the session
        let canceller = Thread {
            Thread.sleep(forTimeInterval: after)
            token.cancel()
        }
        canceller.start()
        let started = Date()
        XCTAssertEqual(session.runPromptInput(command), .interrupted, err, file: file, line: line)
        // "during `str`" is only said by the built-in itself: the evaluator's own poll, after the
        // built-in had finished, would say just "interrupted".
        XCTAssertTrue(err.contains("interrupted during `\(op)`"), err, file: file, line: line)
        let elapsed = Date().timeIntervalSince(started)
        // The session lives on with its state, and nothing was assigned.
        token.reset()
        out = ""
        XCTAssertEqual(session.runPromptInput("print(len(a), r == nil)"), .success, err, file: file, line: line)
        XCTAssertTrue(out.hasSuffix("true\n"), out, file: file, line: line)
        return elapsed
    }

    private let bigList = "a = list(0..<3000000)\nr = nil"

    func testStrOfALongList() {
        assertStopsInside("str", setup: bigList, command: "r = str([a, a, a])")
    }

    func testPrintOfALongList() {
        assertStopsInside("print", setup: bigList, command: "print([a, a, a])")
    }

    func testJSONOfALongList() {
        assertStopsInside("json", setup: bigList, command: "r = json([a, a, a])")
    }

    func testListConcatenation() {
        assertStopsInside("+", setup: bigList, command: "r = a + a + a + a + a + a + a + a")
    }

    func testListRepetition() {
        assertStopsInside("*", setup: bigList, command: "r = a * 20")
    }

    func testSort() {
        assertStopsInside("sort", setup: bigList, command: "r = sort(a)")
    }

    func testOneLargeMatrixProduct() throws {
        // One product of 4000 × 4000 matrices (0.13 TFLOP) takes most of a second even at full
        // speed; it runs in blocks that poll, so it stops well before one whole product could end.
        let m = try Tensor<Float>.ones([4000, 4000])
        let started = Date()
        _ = try m.matmul(m)
        let oneProduct = Date().timeIntervalSince(started)
        let elapsed = assertStopsInside("@", setup: "a = [1]\nr = nil\nm = ones(4000, 4000)",
                                        command: "r = m @ m", after: 0.05)
        XCTAssertLessThan(elapsed, 0.05 + oneProduct * 0.6, "one product takes \(oneProduct) s")
    }

    func testListingALongRange() {
        // list(0..<100000000) builds 100 million Values, seconds of work: it polls between blocks.
        var out = "", err = ""
        let session = Session(output: { out += $0 }, errorOutput: { err += $0 })
        let token = session.interpreter.token
        Thread { Thread.sleep(forTimeInterval: 0.1); token.cancel() }.start()
        let started = Date()
        XCTAssertEqual(session.runPromptInput("r = list(0..<100000000)"), .interrupted, err)
        XCTAssertTrue(err.contains("interrupted while listing a range"), err)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5)
    }

    func testBuildingALargeNetwork() throws {
        // wrn(28, 10) draws 36 million weights, a second or more: each layer's draw checks first.
        let elapsed = assertStopsInside("randn", setup: "a = [1]\nr = nil", command: "r = wrn(28, 10)", after: 0.05)
        XCTAssertLessThan(elapsed, 0.6)
    }
}
