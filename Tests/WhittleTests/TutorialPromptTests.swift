// A lesson at the real prompt on a pseudo-terminal: Enter runs a step and shows the next, q leaves.
import Foundation
import XCTest

final class TutorialPromptTests: XCTestCase {
    func testEnterRunsAStepAndQLeavesTheLessonWithItsVariables() throws {
        let home = try Whittle.temporaryFolder(self)
        let terminal = try PseudoTerminal.prompt(environment: Whittle.environment(home: home))
        var mark = terminal.text.count
        terminal.type("tutorial(\"masks\")\r")
        XCTAssertTrue(terminal.wait(for: "[Enter] run this step", after: mark), terminal.text)
        XCTAssertTrue(terminal.text.contains("── masks 1/"), terminal.text)
        mark = terminal.text.count
        terminal.type("\r")                                   // the introduction: on to the data step
        XCTAssertTrue(terminal.wait(for: "── masks 2/", after: mark), terminal.text)
        mark = terminal.text.count
        terminal.type("\r")                                   // runs it: the data set is echoed
        XCTAssertTrue(terminal.wait(for: "── masks 3/", after: mark), terminal.text)
        XCTAssertTrue(String(terminal.text.dropFirst(mark)).contains("Dataset(120 examples"), terminal.text)
        mark = terminal.text.count
        terminal.type("q\r")
        XCTAssertTrue(terminal.wait(for: "left the lesson \"masks\" at step 3", after: mark), terminal.text)
        mark = terminal.text.count
        terminal.type("train.count\r")
        XCTAssertTrue(terminal.wait(for: "120", after: mark), terminal.text)
        terminal.type("\u{4}")
        XCTAssertEqual(terminal.exitStatus(), 0)
    }
}
