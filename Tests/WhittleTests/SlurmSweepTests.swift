// A real Slurm run: a one-node cluster on localhost (scripts/slurm-local.sh), a 6-point sweep as a job array, collected like a local one.
import Foundation
import XCTest

final class SlurmSweepTests: XCTestCase {
    /// scripts/slurm-local.sh, found from this source file's place in the repository.
    private var clusterScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/slurm-local.sh").path
    }

    /// Runs bash with its output in files: the daemons it starts keep copies of inherited
    /// descriptors, so a pipe would never reach its end.
    private func shell(_ arguments: [String], in folder: URL) throws -> Finished {
        let out = folder.appendingPathComponent("shell.out"), err = folder.appendingPathComponent("shell.err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                        stderr: try String(contentsOf: err, encoding: .utf8))
    }

    func testASweepRunsAsAJobArrayAndCollectsLikeALocalRun() throws {
        let folder = try Whittle.temporaryFolder(self)
        let cluster = folder.appendingPathComponent("cluster").path
        let started = try shell([clusterScript, "start", cluster], in: folder)
        guard started.status == 0 else {
            let reason = "Slurm cannot be started here: \(started.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            print("SlurmSweepTests skipped: \(reason)")
            throw XCTSkip(reason)
        }
        // Registered after the folder's removal block, so it runs first: the daemons stop, then the folder goes.
        addTeardownBlock { [clusterScript] in _ = try? self.shell([clusterScript, "stop", cluster], in: folder) }
        let environment = Whittle.environment(extra: ["SLURM_CONF": cluster + "/slurm.conf"])

        let script = folder.appendingPathComponent("point.wh")
        try """
            a = setting("a", 0)
            b = setting("b", "")
            report({score: a * 10 + len(b), seed: seed()})
            """.write(to: script, atomically: true, encoding: .utf8)
        let grid = ["--grid", "a=1..3", "--grid", "b=x,yy"]
        let slurmOut = folder.appendingPathComponent("slurm-runs").path
        let submit = try Whittle.run(["sweep", script.path] + grid + ["--backend", "slurm", "--max-running", "2", "--out", slurmOut],
                                     environment: environment)
        XCTAssertEqual(submit.status, 0, submit.stderr)
        XCTAssertTrue(submit.stdout.hasPrefix("submitted job "), submit.stdout)
        XCTAssertTrue(submit.stdout.contains(": 6 of 6 points as an array"), submit.stdout)
        XCTAssertTrue(try String(contentsOfFile: slurmOut + "/slurm/sweep-1.sbatch", encoding: .utf8).contains("#SBATCH --array=0-5%2\n"))

        // Wait for the array: the folders say when every point has a final status.
        let deadline = Date().addingTimeInterval(60)
        var status = ""
        while Date() < deadline {
            status = try Whittle.run(["sweep", "status", slurmOut], environment: environment).stdout
            if status.contains(": 6 points: 6 done") || status.contains(" failed, 0 running, 0 pending") && !status.contains(" 0 failed") { break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        XCTAssertTrue(status.hasPrefix("\(slurmOut): 6 points: 6 done, 0 failed, 0 running, 0 pending\nslurm job "), status)

        let localOut = folder.appendingPathComponent("local-runs").path
        let local = try Whittle.run(["sweep", script.path] + grid + ["--out", localOut])
        XCTAssertEqual(local.status, 0, local.stderr)
        let fromSlurm = try Whittle.run(["sweep", "collect", slurmOut]).stdout
        XCTAssertEqual(fromSlurm, try Whittle.run(["sweep", "collect", localOut]).stdout)
        XCTAssertEqual(fromSlurm, """
            point  a  b   score  seed  status
            0      1  x   11     0     done
            1      1  yy  12     0     done
            2      2  x   21     0     done
            3      2  yy  22     0     done
            4      3  x   31     0     done
            5      3  yy  32     0     done

            """)
        // Every point ran on the node, through the array task's `whittle sweep point`.
        let log = try String(contentsOfFile: try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: slurmOut + "/slurm")
            .first { $0.hasSuffix("_5.out") }.map { slurmOut + "/slurm/" + $0 }), encoding: .utf8)
        XCTAssertEqual(log, "point 5 (a=3 b=yy): done\n")
    }
}
