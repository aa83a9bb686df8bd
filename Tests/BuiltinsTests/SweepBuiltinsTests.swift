// `report` writes a point's JSON lines (or prints them outside a sweep); `sweep_results` reads a folder back as records.
import Builtins
import Core
import Foundation
import Sweep
import XCTest

final class SweepBuiltinsTests: XCTestCase {
    private var out = "", err = ""

    private func session(reportPath: String? = nil) -> Session {
        var options = Session.Options()
        options.reportPath = reportPath
        return Session(options: options, output: { [unowned self] in self.out += $0 }, errorOutput: { [unowned self] in self.err += $0 })
    }

    private func temporary() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-builtins-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testReportAppendsOneJSONLinePerCall() throws {
        let path = try temporary() + "/result.jsonl"
        let s = session(reportPath: path)
        XCTAssertEqual(s.runScript(source: "report({acc: 0.5, sizes: [1, 2], name: \"a\"})\nreport({loss: 0.125, acc: 0.625})\n", path: "t.wh"), .success, err)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"acc\": 0.5, \"sizes\": [1, 2], \"name\": \"a\"}\n{\"loss\": 0.125, \"acc\": 0.625}\n")
        XCTAssertEqual(out, "")
    }

    func testReportOutsideASweepPrintsTheRecord() {
        let s = session()
        XCTAssertEqual(s.runScript(source: "report({acc: 0.25})\n", path: "t.wh"), .success)
        XCTAssertEqual(out, "report: {\"acc\": 0.25}\n")
        XCTAssertEqual(s.runScript(source: "report(3)\n", path: "t.wh"), .runtimeError)
        XCTAssertTrue(err.contains("report"), err)
    }

    func testSweepResultsGivesOneRecordPerPointWithTheSameFields() throws {
        let dir = try temporary() + "/runs"
        let points = try sweepPoints(fixed: [], explicit: nil, axes: [GridAxis.parse("lr=0.1,0.01"), GridAxis.parse("act=relu")])
        let folder = try SweepFolder.create(at: dir, script: "/s.wh", points: points)
        try FileManager.default.createDirectory(atPath: folder.pointPath(0), withIntermediateDirectories: true)
        try "{\"state\": \"done\", \"exit\": 0, \"seconds\": 2.5}\n".write(toFile: folder.statusPath(0), atomically: true, encoding: .utf8)
        try appendJSONLine(folder.resultPath(0), ["acc": 0.75])
        let s = session()
        XCTAssertEqual(s.runCode("rs = sweep_results(\"\(dir)\")\nprint(rs[0])\nprint(rs[1])\nrs[0].lr * 10"), .success, err)
        XCTAssertEqual(out, """
            {point: 0, lr: 0.1, act: "relu", acc: 0.75, status: "done", error: nil, seconds: 2.5}
            {point: 1, lr: 0.01, act: "relu", acc: nil, status: "pending", error: nil, seconds: nil}
            1.0

            """)
        XCTAssertEqual(s.runCode("sweep_results(\"\(dir)/nothing\")"), .runtimeError)
        XCTAssertTrue(err.contains("`sweep_results`: \(dir)/nothing is not a sweep folder (no manifest.json)"), err)
    }
}
