// The prompt's editor on a pseudo-terminal: numbered prompts and banner, whole-entry history, pasted doc comments, stop and resume.
import Foundation
import XCTest

final class PromptEditingTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws {
        home = try Whittle.temporaryFolder(self)
    }

    private func start() throws -> PseudoTerminal {
        try PseudoTerminal.prompt(environment: Whittle.environment(home: home))
    }

    func testBannerAndNumberedPrompts() throws {
        let terminal = try start()
        XCTAssertTrue(terminal.text.hasPrefix("Whittle 0.1.0 · ?name for help on a name, :help for commands, Ctrl-D to quit\n"),
                      terminal.text)
        terminal.enter("20 + 1", expect: "21\nwhittle[2]> ")
        terminal.enter("_1 * 2", expect: "42\nwhittle[3]> ")
    }

    func testAMultiLineEntryIsRecalledWhole() throws {
        let terminal = try start()
        terminal.enter("[1,\r2]", expect: "[1, 2]\n")
        // Up recalls the whole entry, which runs again as it is.
        terminal.enter("\u{1B}[A", expect: "[1, 2]\nwhittle[3]> ")
        // So does an incremental search for its second line.
        terminal.enter("\u{12}2]\r", expect: "[1, 2]\nwhittle[4]> ")
        XCTAssertFalse(terminal.text.contains("error"), terminal.text)
        terminal.type("\u{4}")
        XCTAssertEqual(terminal.exitStatus(), 0)
        let again = try start()
        again.enter("\u{1B}[A", expect: "[1, 2]\n")
        XCTAssertFalse(again.text.contains("error"), again.text)
    }

    func testPastedDocCommentsStayWithTheirFunction() throws {
        let terminal = try start()
        terminal.type("# Adds one.\r# Works on tensors too.\rfn h(x) = x + 1\r")
        XCTAssertTrue(terminal.wait(for: "whittle[2]> "), terminal.text)
        terminal.enter("?h", expect: "fn h(x)\n  Adds one.\n  Works on tensors too.\n")
        terminal.enter("h(1)", expect: "2\n")
        // A comment typed on its own line is dropped, as a blank line would be.
        terminal.enter("# just a note", expect: "")
        terminal.enter("h(2)", expect: "3\nwhittle[4]> ")
    }

    func testTheEditorWorksAgainAfterStopAndContinue() throws {
        let terminal = try start()
        terminal.enter("1 + 1", expect: "2\n")
        // What Ctrl-Z and `fg` do: the job stops, the shell puts the terminal back in its own cooked
        // mode, and the job continues. (The child leads an orphaned process group, where the kernel
        // discards SIGTSTP, so the stop is a SIGSTOP here.)
        // Several rounds, the first right after the prompt is drawn: a resume that lands just
        // before the editor blocks in its read must redraw too.
        for round in 0..<5 {
            XCTAssertEqual(kill(terminal.pid, SIGSTOP), 0)
            var status: Int32 = 0
            XCTAssertEqual(waitpid(terminal.pid, &status, WUNTRACED), terminal.pid)
            terminal.setCookedMode()
            let mark = terminal.text.count
            XCTAssertEqual(kill(terminal.pid, SIGCONT), 0)
            // The line is drawn again.
            XCTAssertTrue(terminal.wait(for: "whittle[2]> ", after: mark), "round \(round): \(terminal.text)")
        }
        // Editing keys work: Left moves the cursor instead of printing ^[[D.
        terminal.enter("12\u{1B}[D+", expect: "3\nwhittle[3]> ")
        XCTAssertFalse(terminal.text.contains("^["), terminal.text)
        XCTAssertFalse(terminal.text.contains("error"), terminal.text)
    }
}
