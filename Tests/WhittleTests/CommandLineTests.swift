// The command line, end to end: exit statuses, -e, -i, --set, args, standard input, check, usage errors.
import Foundation
import XCTest

final class CommandLineTests: XCTestCase {
    private func script(_ text: String, named name: String = "script.wh") throws -> String {
        let url = try Whittle.temporaryFolder(self).appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testASettingTheScriptNeverReadsIsNamedWithASuggestion() throws {
        let path = try script("lr = setting(\"lr\", 0.1)\nepochs = setting(\"epochs\", 1)\nprint(lr, batch)\n")
        let run = try Whittle.run(["--set", "lrr=0.01", "--set", "batch=8", "--set", "seedd=3", path])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "0.1 8\n", "`batch` is read as the global --set binds")
        XCTAssertEqual(run.stderr, """
            warning: the script never read the setting `lrr` given with --set (did you mean `lr`?); it reads batch, epochs, lr
            warning: the script never read the setting `seedd` given with --set; it reads batch, epochs, lr

            """)
    }

    func testCodePrintsTheLastValueAndExitsZero() throws {
        let run = try Whittle.run(["-e", "40 + 2"])
        XCTAssertEqual(run.stdout, "42\n")
        XCTAssertEqual(run.stderr, "")
        XCTAssertEqual(run.status, 0)
    }

    func testRuntimeErrorExitsOneWithTheMessageOnStandardError() throws {
        let run = try Whittle.run(["-e", "no_such_name_anywhere + 1"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(run.stderr.contains("error"), run.stderr)
    }

    func testSyntaxErrorExitsTwo() throws {
        let run = try Whittle.run(["-e", "1 @@ 2"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("error"), run.stderr)
    }

    func testExitCallSetsTheStatus() throws {
        XCTAssertEqual(try Whittle.run(["-e", "exit(7)"]).status, 7)
    }

    func testUnknownOptionIsAUsageError() throws {
        let run = try Whittle.run(["--bogus"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("--bogus"), run.stderr)
        XCTAssertEqual(run.stdout, "")
    }

    func testBadOptionValuesAreUsageErrors() throws {
        XCTAssertEqual(try Whittle.run(["--seed", "many", "-e", "1"]).status, 2)
        XCTAssertEqual(try Whittle.run(["--set", "no_equals_sign", "-e", "1"]).status, 2)
        XCTAssertEqual(try Whittle.run(["-e"]).status, 2)
    }

    func testHelpAndVersionExitZeroOnStandardOutput() throws {
        let help = try Whittle.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("whittle check FILE.wh"), help.stdout)
        let version = try Whittle.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertFalse(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    func testScriptArgumentsMayLookLikeOptions() throws {
        let path = try script("print(args)\n")
        let run = try Whittle.run(["--seed", "3", path, "-x", "--seed", "5"])
        XCTAssertEqual(run.stdout, "[\"-x\", \"--seed\", \"5\"]\n")
        XCTAssertEqual(run.status, 0)
    }

    func testSetBindsAGlobalBeforeTheScriptRuns() throws {
        let run = try Whittle.run(["--set", "n=41", "-e", "n + 1"])
        XCTAssertEqual(run.stdout, "42\n")
        XCTAssertEqual(run.status, 0)
    }

    func testStandardInputRunsAsAScriptWithoutEchoingValues() throws {
        let run = try Whittle.run([], input: "x = 20\nx + 1\nprint(x + 22)\n")
        XCTAssertEqual(run.stdout, "42\n")
        XCTAssertEqual(run.status, 0)
    }

    func testScriptRuntimeErrorExitsOneAfterEarlierOutput() throws {
        let path = try script("print(1)\nno_such_name_anywhere\nprint(2)\n")
        let run = try Whittle.run([path])
        XCTAssertEqual(run.stdout, "1\n")
        XCTAssertEqual(run.status, 1)
    }

    func testDeepRecursionIsAnErrorNotACrash() throws {
        let run = try Whittle.run(["-e", "fn f(n) = if n == 0 { 0 } else { 1 + f(n - 1) }\nf(100000)"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("error"), run.stderr)
    }

    func testMissingScriptIsAUsageError() throws {
        let run = try Whittle.run(["/nonexistent/nothing.wh"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("/nonexistent/nothing.wh"), run.stderr)
    }

    func testInteractiveFlagKeepsTheScriptsVariablesAfterAnError() throws {
        let path = try script("x = 41\nno_such_name_anywhere\n")
        let run = try Whittle.run(["-i", path], input: "x + 1\n")
        XCTAssertTrue(run.stderr.contains("error"), run.stderr)
        XCTAssertEqual(run.stdout, "42\n")
        XCTAssertEqual(run.status, 0)
    }

    func testCheckReportsSyntaxErrorsWithoutRunning() throws {
        let good = try script("print(\"ran\")\n", named: "good.wh")
        let bad = try script("x = 1 @@ 2\n", named: "bad.wh")
        let ok = try Whittle.run(["check", good])
        XCTAssertEqual(ok.status, 0)
        XCTAssertEqual(ok.stdout, "")
        let failed = try Whittle.run(["check", good, bad])
        XCTAssertEqual(failed.status, 2)
        XCTAssertTrue(failed.stderr.contains("bad.wh"), failed.stderr)
    }

    func testInterruptEndsAScriptWithStatus130() throws {
        let run = try Whittle.run(["-e", "while true {}"], interruptAfter: 0.5)
        XCTAssertEqual(run.status, 130)
    }

    func testABatchJobKilledMidRunKeepsWhatItPrinted() throws {
        // Slurm ends a job at its time limit with SIGTERM: the lines printed so far must be in the log.
        let run = try Whittle.run(["-e", "print(\"epoch 1 done\")\nx = 0\nwhile true { x += 1 }"], interruptAfter: 1.0,
                                  signal: SIGTERM)
        XCTAssertEqual(run.status, SIGTERM, "killed by the signal (Process reports its number)")
        XCTAssertEqual(run.stdout, "epoch 1 done\n")
    }

    func testClosedPipeEndsQuietly() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Whittle.executable)
        process.arguments = ["-e", "for i in 0..<1000000 { print(i) }"]
        process.environment = Whittle.environment()
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let err = Drain(stderr.fileHandleForReading)
        let first = stdout.fileHandleForReading.readData(ofLength: 2)
        try stdout.fileHandleForReading.close()
        process.waitUntilExit()
        XCTAssertEqual(String(decoding: first, as: UTF8.self), "0\n")
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(err.text(), "")
    }
}
