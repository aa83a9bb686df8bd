// The points of a sweep: grid axes, ranges, their product with fixed settings, explicit points from JSON Lines.
@testable import Sweep
import XCTest

final class GridTests: XCTestCase {
    private func labels(_ points: [SweepPoint]) -> [String] { points.map(\.label) }

    func testTheProductVariesTheFirstAxisSlowestAndPutsFixedSettingsFirst() throws {
        let points = try sweepPoints(fixed: [Setting("epochs", "1")], explicit: nil,
                                     axes: [GridAxis.parse("lr=0.1,0.01"), GridAxis.parse("seed=0..2")])
        XCTAssertEqual(labels(points), [
            "epochs=1 lr=0.1 seed=0", "epochs=1 lr=0.1 seed=1", "epochs=1 lr=0.1 seed=2",
            "epochs=1 lr=0.01 seed=0", "epochs=1 lr=0.01 seed=1", "epochs=1 lr=0.01 seed=2",
        ])
        XCTAssertEqual(points.map(\.index), Array(0..<6))
    }

    func testRangesAndBracketsInValues() throws {
        XCTAssertEqual(try GridAxis.parse("s=0..4").values, ["0", "1", "2", "3", "4"])
        XCTAssertEqual(try GridAxis.parse("s=0...2").values, ["0", "1", "2"])
        XCTAssertEqual(try GridAxis.parse("s=-1..<2").values, ["-1", "0", "1"])
        XCTAssertEqual(try GridAxis.parse("s=1..2,10").values, ["1", "2", "10"])
        XCTAssertEqual(try GridAxis.parse("sizes=[1,2],[3, 4],\"a,b\"").values, ["[1,2]", "[3, 4]", "\"a,b\""])
        XCTAssertEqual(try GridAxis.parse("eps=1e-8,0.5").values, ["1e-8", "0.5"])
    }

    func testExplicitPointsAreExtendedByTheGrid() throws {
        let explicit = try explicitPoints(jsonLines: """
            {"lr": 0.1, "act": "relu"}

            {"lr": 0.001, "act": "leaky relu", "sizes": [64, 32], "bn": true, "decay": null}
            """, source: "points.jsonl")
        XCTAssertEqual(explicit[0], [Setting("lr", "0.1"), Setting("act", "relu")])
        XCTAssertEqual(explicit[1], [Setting("lr", "0.001"), Setting("act", "\"leaky relu\""), Setting("sizes", "[64, 32]"),
                                     Setting("bn", "true"), Setting("decay", "nil")])
        let points = try sweepPoints(fixed: [], explicit: explicit, axes: [GridAxis.parse("seed=0,1")])
        XCTAssertEqual(labels(points), ["lr=0.1 act=relu seed=0", "lr=0.1 act=relu seed=1",
                                        "lr=0.001 act=\"leaky relu\" sizes=[64, 32] bn=true decay=nil seed=0",
                                        "lr=0.001 act=\"leaky relu\" sizes=[64, 32] bn=true decay=nil seed=1"])
    }

    func testTheSeedSettingAlsoSeedsEveryDraw() {
        let point = SweepPoint(index: 0, settings: [Setting("lr", "0.1"), Setting("seed", "3")])
        XCTAssertEqual(point.arguments(script: "/s.wh"), ["--quiet", "--set", "lr=0.1", "--seed", "3", "/s.wh"])
        XCTAssertEqual(SweepPoint(index: 1, settings: [Setting("seed", "-1")]).arguments(script: "s.wh"),
                       ["--quiet", "--set", "seed=-1", "s.wh"])
    }

    func testMistakesAreUsageErrorsWithClearMessages() {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch let e as SweepError { return (e.isUsage ? "usage: " : "") + e.message } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try GridAxis.parse("lr") }, "usage: --grid expects NAME=V1,V2,..., got 'lr'")
        XCTAssertEqual(message { try GridAxis.parse("2x=1") },
                       "usage: --grid 2x=1: '2x' is not a name (letters, digits and _, not starting with a digit)")
        XCTAssertEqual(message { try GridAxis.parse("lr=0.1,,0.2") }, "usage: --grid lr: empty value in 'lr=0.1,,0.2'")
        XCTAssertEqual(message { try GridAxis.parse("s=5..1") }, "usage: the range 5..1 is empty")
        XCTAssertEqual(message { try GridAxis.parse("s=0..99999999") }, "usage: the range 0..99999999 has more than 1000000 values")
        XCTAssertEqual(message { try sweepPoints(fixed: [], explicit: nil, axes: [GridAxis.parse("a=1"), GridAxis.parse("a=2")]) },
                       "usage: `a` is given twice (--grid and --grid)")
        XCTAssertEqual(message { try sweepPoints(fixed: [Setting("a", "1")], explicit: nil, axes: [GridAxis.parse("a=2")]) },
                       "usage: `a` is given twice (--set and --grid)")
        XCTAssertEqual(message { try sweepPoints(fixed: [], explicit: nil, axes: (0..<4).map { GridAxis(name: "a\($0)", values: (0..<100).map(String.init)) }) },
                       "usage: the sweep would have more than 1000000 points")
        XCTAssertEqual(message { try explicitPoints(jsonLines: "{\"a\": 1}\n[1]", source: "p.jsonl") },
                       "usage: p.jsonl line 2: expected an object such as {\"lr\": 0.1}")
        XCTAssertTrue(message { try explicitPoints(jsonLines: "{\"a\": ", source: "p.jsonl") }.hasPrefix("usage: p.jsonl line 1 is not JSON"))
        XCTAssertEqual(message { try explicitPoints(jsonLines: "\n\n", source: "p.jsonl") }, "usage: p.jsonl holds no points")
    }
}
