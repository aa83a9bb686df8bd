// Command-line parsing without a subprocess: where the script starts, what each option becomes.
import XCTest
@testable import whittle

final class ArgumentsTests: XCTestCase {
    private func invocation(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) -> Invocation? {
        guard case .run(let invocation) = parseCommandLine(arguments) else {
            XCTFail("\(arguments) did not parse", file: file, line: line)
            return nil
        }
        return invocation
    }

    func testOptionParsingStopsAtTheScript() {
        XCTAssertEqual(splitAtScript(["--seed", "3", "run.wh", "-x", "--seed", "5"]).options, ["--seed", "3"])
        XCTAssertEqual(splitAtScript(["--seed", "3", "run.wh", "-x", "--seed", "5"]).fileAndArgs,
                       ["run.wh", "-x", "--seed", "5"])
        XCTAssertEqual(splitAtScript(["--quiet", "--", "-odd.wh", "a"]).fileAndArgs, ["-odd.wh", "a"])
        XCTAssertEqual(splitAtScript(["check", "a.wh"]).options, ["check", "a.wh"])
        XCTAssertEqual(splitAtScript(["-e", "1 + 1", "x"]).fileAndArgs, ["x"])
    }

    func testScriptWithOptionsAndArguments() throws {
        let parsed = try XCTUnwrap(invocation(["--seed", "7", "--set", "lr=0.1", "--set", "name=a=b",
                                               "--quiet", "-i", "train.wh", "--epochs", "3"]))
        XCTAssertEqual(parsed.mode, .script(path: "train.wh"))
        XCTAssertEqual(parsed.seed, 7)
        XCTAssertEqual(parsed.settings.map(\.name), ["lr", "name"])
        XCTAssertEqual(parsed.settings.map(\.value), ["0.1", "a=b"])
        XCTAssertTrue(parsed.quiet)
        XCTAssertTrue(parsed.interactive)
        XCTAssertEqual(parsed.args, ["--epochs", "3"])
    }

    func testCodeMayStartWithADash() throws {
        let quiet = try XCTUnwrap(invocation(["--quiet", "-e", "-1"]))
        XCTAssertEqual(quiet.mode, .code("-1"))
        XCTAssertTrue(quiet.quiet)
        XCTAssertEqual(try XCTUnwrap(invocation(["-e", "-1"])).mode, .code("-1"))
        XCTAssertEqual(try XCTUnwrap(invocation(["-e", "-x", "--seed", "2"])).mode, .code("-x"))
    }

    func testCodeTakesTheRestAsArguments() throws {
        let parsed = try XCTUnwrap(invocation(["-e", "args", "a", "-b"]))
        XCTAssertEqual(parsed.mode, .code("args"))
        XCTAssertEqual(parsed.args, ["a", "-b"])
    }

    func testNoArgumentsOpensThePromptAndCheckTakesFiles() throws {
        XCTAssertEqual(try XCTUnwrap(invocation([])).mode, .prompt)
        XCTAssertEqual(try XCTUnwrap(invocation(["check", "a.wh", "b.wh"])).mode, .check(paths: ["a.wh", "b.wh"]))
    }

    func testUsageErrorsExitTwoAndHelpExitsZero() {
        for bad in [["--nope"], ["--set", "=1"], ["--seed", "-1"], ["-i", "-e", "1"], ["check"]] {
            guard case .exit(let status, _, let stderr) = parseCommandLine(bad) else {
                XCTFail("\(bad) parsed")
                continue
            }
            XCTAssertEqual(status, 2, "\(bad)")
            XCTAssertFalse(stderr.isEmpty, "\(bad)")
        }
        guard case .exit(let status, let stdout, _) = parseCommandLine(["--version"]) else {
            return XCTFail("--version parsed")
        }
        XCTAssertEqual(status, 0)
        XCTAssertFalse(stdout.isEmpty)
        guard case .exit(0, let help, "") = parseCommandLine(["check", "--help"]) else {
            return XCTFail("check --help")
        }
        XCTAssertTrue(help.contains("whittle check <FILE.wh> ..."), help)
    }
}

final class FastPathTests: XCTestCase {
    /// The shapes parsed without ArgumentParser give what the parser would give.
    func testFastPathAgreesWithTheParser() {
        for arguments in [[], ["run.wh"], ["run.wh", "-x", "--seed"], ["-e", "1 + 1"], ["-e", "args", "a", "-b"]] {
            guard case .run(let fast) = parseCommandLine(arguments) else { return XCTFail("\(arguments)") }
            let (options, rest) = splitAtScript(arguments)
            guard var parsed = try? WhittleCommand.parse(options) else { return XCTFail("\(arguments)") }
            parsed.fileAndArgs = rest
            let slow = parsed.invocation
            XCTAssertEqual(fast.mode, slow.mode, "\(arguments)")
            XCTAssertEqual(fast.args, slow.args, "\(arguments)")
            XCTAssertEqual(fast.seed, slow.seed)
            XCTAssertEqual(fast.quiet, slow.quiet)
            XCTAssertEqual(fast.interactive, slow.interactive)
            XCTAssertTrue(fast.settings.isEmpty && slow.settings.isEmpty)
        }
    }
}
