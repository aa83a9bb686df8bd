// The interactive prompt on a pseudo-terminal: history across runs, Tab completion, pasted blocks, Ctrl-C, Ctrl-D.
import Foundation
import XCTest

final class PromptTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws {
        home = try Whittle.temporaryFolder(self)
    }

    private func start() throws -> PseudoTerminal {
        try PseudoTerminal.prompt(environment: Whittle.environment(home: home))
    }

    private func enter(_ line: String, in terminal: PseudoTerminal, expect: String) {
        terminal.enter(line, expect: expect)
    }

    func testEvaluatesAndCtrlDExitsWithZero() throws {
        let terminal = try start()
        enter("40 + 2", in: terminal, expect: "42\n")
        terminal.type("\u{4}")
        XCTAssertEqual(terminal.exitStatus(), 0)
    }

    func testHistoryIsKeptAcrossRuns() throws {
        let first = try start()
        enter("40 + 2", in: first, expect: "42\n")
        first.type("\u{4}")
        XCTAssertEqual(first.exitStatus(), 0)
        let saved = try String(contentsOf: home.appendingPathComponent("state/whittle/history"), encoding: .utf8)
        XCTAssertTrue(saved.contains("40"), saved)

        let second = try start()
        // Ctrl-P recalls the previous entry, which came from the first run.
        enter("\u{10}", in: second, expect: "42\n")
    }

    func testTabCompletesAName() throws {
        let terminal = try start()
        enter("my_long_variable_name = 5", in: terminal, expect: "")
        let mark = terminal.text.count
        terminal.type("my_long_var\t")
        XCTAssertTrue(terminal.wait(for: "iable_name", after: mark), terminal.text)
        enter("", in: terminal, expect: "5\n")
    }

    func testPastedFunctionWithABlankLine() throws {
        let terminal = try start()
        terminal.type("fn twice_plus(x) {\r  let y = x + 1\r\r  y * 2\r}\r")
        XCTAssertTrue(terminal.wait(for: "}"))
        enter("twice_plus(20)", in: terminal, expect: "42\n")
    }

    func testCtrlCInterruptsALoopAndKeepsVariables() throws {
        let terminal = try start()
        enter("kept = 7", in: terminal, expect: "")
        let mark = terminal.text.count
        terminal.type("while true {}\r")
        XCTAssertTrue(terminal.wait(for: "while true {}\n", after: mark))
        Thread.sleep(forTimeInterval: 0.5)
        terminal.type("\u{3}")
        XCTAssertTrue(terminal.wait(timeout: 20) { String($0.dropFirst(mark)).contains("interrupted") }, terminal.text)
        enter("kept", in: terminal, expect: "7\n")
    }

    func testCtrlCAtThePromptClearsTheLine() throws {
        let terminal = try start()
        terminal.type("this is not finished (")
        XCTAssertTrue(terminal.wait(for: "finished ("))
        let mark = terminal.text.count
        terminal.type("\u{3}")
        XCTAssertTrue(terminal.wait(for: PseudoTerminal.promptEnd, after: mark), terminal.text)
        enter("1 + 2", in: terminal, expect: "3\n")
        XCTAssertFalse(terminal.text.contains("error"), terminal.text)
    }
}
