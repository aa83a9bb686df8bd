// A sweep folder on disk: the manifest guards against a second sweep; a finished folder collects into a table, CSV and counts.
import Core
@testable import Sweep
import XCTest

final class CollectionTests: XCTestCase {
    private func folder(_ axes: [String]) throws -> SweepFolder {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-collect-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return try SweepFolder.create(at: dir, script: "/s.wh", points: sweepPoints(fixed: [], explicit: nil, axes: axes.map(GridAxis.parse)))
    }

    private func finish(_ f: SweepFolder, _ i: Int, _ status: PointStatus, results: [String] = []) throws {
        try FileManager.default.createDirectory(atPath: f.pointPath(i), withIntermediateDirectories: true)
        try status.write(to: f.statusPath(i))
        for line in results { try appendJSONLine(f.resultPath(i), parseJSON(line)) }
    }

    func testAFinishedFolderCollectsIntoATableAndCSV() throws {
        let f = try folder(["lr=0.1,0.01", "seed=0,1"])
        try finish(f, 0, PointStatus(state: .done, exit: 0, seconds: 1.5), results: ["{\"acc\": 0.91, \"lr\": 0.1}", "{\"loss\": 0.25}"])
        try finish(f, 1, PointStatus(state: .done, exit: 0, seconds: 1.25), results: ["{\"acc\": 0.9}", "{\"acc\": 0.93, \"note\": \"best\"}"])
        try finish(f, 2, PointStatus(state: .failed, exit: 1, error: "exited with status 1: error: diverged", seconds: 0.5))
        try finish(f, 3, PointStatus(state: .running))
        let c = SweepCollection(f)
        XCTAssertEqual(c.table(), """
            point  lr    seed  acc   loss  note  status
            0      0.1   0     0.91  0.25  -     done
            1      0.1   1     0.93  -     best  done
            2      0.01  0     -     -     -     FAILED
            3      0.01  1     -     -     -     running
            point 2 (lr=0.01 seed=0): exited with status 1: error: diverged

            """)
        XCTAssertEqual(c.summary, "4 points: 2 done, 1 failed, 1 running, 0 pending")
        let csv = f.path + "/r.csv"
        try c.writeCSV(to: csv)
        XCTAssertEqual(try String(contentsOfFile: csv, encoding: .utf8), """
            point,lr,seed,acc,loss,note,status,error,seconds
            0,0.1,0,0.91,0.25,,done,,1.5
            1,0.1,1,0.93,,best,done,,1.25
            2,0.01,0,,,,FAILED,exited with status 1: error: diverged,0.5
            3,0.01,1,,,,running,,

            """)
        XCTAssertEqual(f.unfinished(retry: false).map(\.index), [3])
        XCTAssertEqual(f.unfinished(retry: true).map(\.index), [2, 3])
    }

    func testAFolderHoldsOneSweep() throws {
        let f = try folder(["a=1,2"])
        let again = try SweepFolder.create(at: f.path, script: "/s.wh", points: f.points)
        XCTAssertEqual(again.points, f.points)
        XCTAssertEqual(try SweepFolder.open(f.path).points.map(\.label), ["a=1", "a=2"])
        XCTAssertThrowsError(try SweepFolder.create(at: f.path, script: "/s.wh", points: [SweepPoint(index: 0, settings: [Setting("a", "3")])])) { e in
            XCTAssertEqual((e as? SweepError)?.message, """
                \(f.path) holds another sweep (2 points of /s.wh); choose another --out, or run the same command as before to resume it
                """)
        }
        XCTAssertThrowsError(try SweepFolder.create(at: f.path, script: "/other.wh", points: f.points))
        XCTAssertThrowsError(try SweepFolder.open(f.path + "/points")) { e in
            XCTAssertEqual((e as? SweepError)?.message, "\(f.path)/points is not a sweep folder (no manifest.json)")
        }
        // The lock keeps a second driver out while the first holds it.
        let lock = try XCTUnwrap(try FolderLock(f.path + "/.lock"))
        XCTAssertEqual(try String(contentsOfFile: f.path + "/.lock", encoding: .utf8), "\(getpid())\n")
        lock.release()
        XCTAssertNotNil(try FolderLock(f.path + "/.lock"))
    }

    func testPointFoldersSortInOrder() throws {
        let f = try folder(["a=0..10999"])
        XCTAssertTrue(f.pointPath(7).hasSuffix("/points/00007"))
        XCTAssertTrue(try folder(["a=1,2"]).pointPath(1).hasSuffix("/points/0001"))
    }

    func testTheProgressLine() {
        var c = SweepCounts(total: 12, done: 3, failed: 1, running: 2, remaining: 6, elapsed: 14, finishedHere: 2)
        XCTAssertEqual(progressLine(c), "sweep: 3/12 done, 2 running, 1 failed, ETA 0:42")
        c.finishedHere = 0
        XCTAssertEqual(progressLine(c), "sweep: 3/12 done, 2 running, 1 failed")
    }
}
