// `whittle sweep` end to end: a grid run and collected, failures and timeouts recorded, resume after Ctrl-C, status, usage errors.
import Foundation
import XCTest

final class SweepCommandTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Whittle.temporaryFolder(self)
    }

    private func script(_ text: String, named name: String = "point.wh") throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func testAGridRunsEveryPointInItsFolderAndCollectsTheReports() throws {
        let s = try script("""
            x = setting("x", 0)
            print("x is \\(x), seed \\(seed())")
            report({square: x * x})
            report({half: x / 2})
            """)
        let out = folder.appendingPathComponent("runs").path
        let run = try Whittle.run(["sweep", s, "--grid", "x=1..3", "--grid", "seed=0,1", "--jobs", "2", "--out", out])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(run.stderr.hasSuffix(" s\n") && run.stderr.contains("sweep: 6 done, 0 failed of 6 points in "), run.stderr)

        let point = out + "/points/0005"
        XCTAssertEqual(try read(point + "/stdout.txt"), "x is 3, seed 1\n")
        XCTAssertEqual(try read(point + "/settings.json"), "{\"x\": \"3\", \"seed\": \"1\"}\n")
        XCTAssertEqual(try read(point + "/result.jsonl"), "{\"square\": 9}\n{\"half\": 1.5}\n")
        XCTAssertTrue(try read(point + "/status.json").hasPrefix("{\"state\": \"done\", \"exit\": 0, \"seconds\": "))

        let collect = try Whittle.run(["sweep", "collect", out])
        XCTAssertEqual(collect.status, 0, collect.stderr)
        XCTAssertEqual(collect.stdout, """
            point  x  seed  square  half  status
            0      1  0     1       0.5   done
            1      1  1     1       0.5   done
            2      2  0     4       1.0   done
            3      2  1     4       1.0   done
            4      3  0     9       1.5   done
            5      3  1     9       1.5   done

            """)
        let status = try Whittle.run(["sweep", "status", out])
        XCTAssertEqual(status.stdout, "\(out): 6 points: 6 done, 0 failed, 0 running, 0 pending\n")

        // The same command again has nothing to do; another grid may not reuse the folder.
        let again = try Whittle.run(["sweep", s, "--grid", "x=1..3", "--grid", "seed=0,1", "--out", out])
        XCTAssertEqual(again.status, 0)
        XCTAssertEqual(again.stderr, "sweep: all 6 points of \(out) are finished\n")
        let other = try Whittle.run(["sweep", s, "--grid", "x=1..4", "--out", out])
        XCTAssertEqual(other.status, 1)
        XCTAssertEqual(other.stderr, """
            whittle: \(out) holds another sweep (6 points of \(s)); choose another --out, or run the same command as before to resume it

            """)
    }

    func testAFailingAndATimedOutPointAreRecordedWhileTheOthersFinish() throws {
        let s = try script("""
            x = setting("x", 0)
            if x == 2 { error("two is bad") }
            if x == 3 { while true { } }
            report({x: x})
            """)
        let out = folder.appendingPathComponent("runs").path
        let arguments = ["sweep", s, "--grid", "x=1..4", "--timeout", "1.5", "--jobs", "2", "--out", out]
        let run = try Whittle.run(arguments)
        XCTAssertEqual(run.status, 1, run.stderr)
        let collect = try Whittle.run(["sweep", "collect", out])
        XCTAssertEqual(collect.stdout, """
            point  x  status
            0      1  done
            1      2  FAILED
            2      3  FAILED
            3      4  done
            point 1 (x=2): exited with status 1: error: two is bad
            point 2 (x=3): timed out after 1.5 s

            """)
        // Once the script is mended, --retry runs the failed points and only those.
        try FileManager.default.removeItem(atPath: out + "/points/0000/result.jsonl")
        _ = try script("x = setting(\"x\", 0)\nreport({x: x, mended: true})\n")
        let plain = try Whittle.run(Array(arguments.dropLast(2)) + ["--out", out])
        XCTAssertEqual(plain.stderr, "sweep: all 4 points of \(out) are finished (2 failed; --retry runs them again)\n")
        XCTAssertEqual(plain.status, 1)
        let retry = try Whittle.run(arguments + ["--retry"])
        XCTAssertEqual(retry.status, 0, retry.stderr)
        XCTAssertEqual(try Whittle.run(["sweep", "collect", out]).stdout, """
            point  x  mended  status
            0      1  -       done
            1      2  true    done
            2      3  true    done
            3      4  -       done

            """)
    }

    func testAnInterruptedSweepResumesAndRunsEveryPointExactlyOnce() throws {
        let log = folder.appendingPathComponent("log.jsonl").path
        let s = try script("""
            x = setting("x", 0)
            t0 = now()
            while now() - t0 < 0.4 { }
            write_jsonl(setting("log", ""), {x: x})
            report({x: x})
            """)
        let out = folder.appendingPathComponent("runs").path
        let arguments = ["sweep", s, "--grid", "x=0..5", "--set", "log=\(log)", "--jobs", "2", "--out", out]

        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: Whittle.executable)
        driver.arguments = arguments
        driver.environment = Whittle.environment()
        driver.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        driver.standardError = errors
        let drain = Drain(errors.fileHandleForReading)
        try driver.run()
        // Interrupt once two points have finished and the next two are under way.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, ((try? read(log)) ?? "").split(separator: "\n").count < 2 { Thread.sleep(forTimeInterval: 0.02) }
        Thread.sleep(forTimeInterval: 0.1)
        kill(driver.processIdentifier, SIGINT)
        driver.waitUntilExit()
        let stderr = drain.text()
        XCTAssertEqual(driver.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("sweep: interrupted after "), stderr)
        XCTAssertTrue(stderr.hasSuffix("run the same command again to finish\n"), stderr)
        let finished = try read(log).split(separator: "\n").count
        XCTAssertGreaterThanOrEqual(finished, 2)
        XCTAssertLessThan(finished, 6)
        let partial = try Whittle.run(["sweep", "status", out]).stdout
        XCTAssertTrue(partial.contains(": 6 points: \(finished) done, 0 failed, 0 running, \(6 - finished) pending"), partial)

        let resumed = try Whittle.run(arguments)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("sweep: \(6 - finished) done, 0 failed of \(6 - finished) points"), resumed.stderr)
        let xs = try read(log).split(separator: "\n").map(String.init).sorted()
        XCTAssertEqual(xs, (0..<6).map { "{\"x\": \($0)}" })
        for i in 0..<6 { XCTAssertEqual(try read(out + "/points/000\(i)/result.jsonl"), "{\"x\": \(i)}\n") }
    }

    func testExplicitPointsFromAFile() throws {
        let s = try script("report({y: setting(\"a\", 0) * 10, name: setting(\"name\", \"?\")})\n")
        let points = folder.appendingPathComponent("points.jsonl")
        try "{\"a\": 1, \"name\": \"one\"}\n{\"a\": 2.5, \"name\": \"two and a half\"}\n".write(to: points, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("runs").path
        let run = try Whittle.run(["sweep", s, "--from", points.path, "--out", out])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try Whittle.run(["sweep", "collect", out]).stdout, """
            point  a    name              y     status
            0      1    one               10    done
            1      2.5  "two and a half"  25.0  done

            """)
    }

    func testUsageErrorsExitTwo() throws {
        let s = try script("report({})\n")
        let out = folder.appendingPathComponent("runs").path
        let cases: [([String], String)] = [
            (["sweep", s, "--grid", "x=1,2"], "Missing expected argument '--out <DIR>'"),
            (["sweep", s, "--out", out], "give the points with --grid NAME=V1,V2,... or --from POINTS.jsonl"),
            (["sweep", s, "--grid", "x", "--out", out], "whittle: --grid expects NAME=V1,V2,..., got 'x'\n"),
            (["sweep", s, "--grid", "x=1", "--backend", "pbs", "--out", out], "--backend must be local or slurm, got 'pbs'"),
            (["sweep", s, "--grid", "x=1", "--jobs", "0", "--out", out], "--jobs must be at least 1"),
            (["sweep", s, "--grid", "x=1", "--partition", "p", "--out", out], "need --backend slurm"),
            (["sweep", folder.appendingPathComponent("missing.wh").path, "--grid", "x=1", "--out", out], "cannot read"),
            (["sweep", "collect", folder.path], "is not a sweep folder (no manifest.json)"),
        ]
        for (arguments, message) in cases {
            let run = try Whittle.run(arguments)
            XCTAssertEqual(run.status, message.contains("not a sweep folder") ? 1 : 2, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let help = try Whittle.run(["sweep", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("status"), help.stdout)
    }
}
