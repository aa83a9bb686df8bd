// The progress sink: bar layout, rate and ETA, throttled redraws, quiet short work, summary lines off a terminal.
import Runtime
import XCTest
@testable import whittle

final class ProgressBarTests: XCTestCase {
    /// A bar writing into a string, on a clock the test moves by hand.
    private final class Harness {
        var clock = 0.0
        var written = ""
        lazy var bar = ProgressBar(style: style, write: { self.written += $0 }, now: { self.clock },
                                   columns: { 100 })
        let style: ProgressBar.Style
        init(_ style: ProgressBar.Style) { self.style = style }
    }

    private func epoch(_ done: Int, loss: String = "0.5") -> ProgressUpdate {
        ProgressUpdate(label: "epoch 1/3", done: done, total: 100, metrics: [("loss", loss)])
    }

    func testLineShowsBarCountRateEtaAndMetrics() {
        let line = ProgressBar.line(epoch(25), elapsed: 5, barWidth: 8)
        XCTAssertEqual(line, "epoch 1/3 [██░░░░░░] 25/100  5.0 it/s  ETA 0:15  loss 0.5")
    }

    func testSummaryLineHasPercentAndFinishedLineHasTheDuration() {
        XCTAssertEqual(ProgressBar.line(epoch(50), elapsed: 100, barWidth: 0),
                       "epoch 1/3 50/100 (50%)  2.0 s/it  ETA 1:40  loss 0.5")
        XCTAssertEqual(ProgressBar.line(epoch(100, loss: "0.3"), elapsed: 3725, barWidth: 0, finished: true),
                       "epoch 1/3 100/100  37.3 s/it  in 1:02:05  loss 0.3")
    }

    func testUnknownTotalShowsTheCountOnly() {
        let update = ProgressUpdate(label: "loading", done: 3000, total: nil)
        XCTAssertEqual(ProgressBar.line(update, elapsed: 2, barWidth: 10), "loading 3000  1500 it/s")
    }

    func testFormatting() {
        XCTAssertEqual(ProgressBar.formatDuration(7), "0:07")
        XCTAssertEqual(ProgressBar.formatDuration(754), "12:34")
        XCTAssertEqual(ProgressBar.formatDuration(.infinity), "?")
        XCTAssertEqual(ProgressBar.fixed(2.25, digits: 1), "2.3")
        XCTAssertEqual(ProgressBar.fixed(-0.05, digits: 2), "-0.05")
        XCTAssertEqual(ProgressBar.fixed(3, digits: 0), "3")
        XCTAssertEqual(ProgressBar.formatRate(.infinity), "? it/s")
        XCTAssertEqual(ProgressBar.formatRate(0.25), "4.0 s/it")
        // Absurd figures from a library never trap.
        _ = ProgressBar.line(ProgressUpdate(label: "x", done: Int.min, total: Int.max), elapsed: 1e-300, barWidth: 10)
        _ = ProgressBar.line(ProgressUpdate(label: "x", done: Int.max, total: 1), elapsed: 1e-300, barWidth: 10)
    }

    func testTerminalRedrawsAtMostTenTimesASecond() {
        let h = Harness(.terminal)
        h.bar.begin(epoch(0))
        for i in 1...100 {
            h.clock = Double(i) / 100  // 100 updates over one second
            h.bar.update(epoch(i))
        }
        let draws = h.written.components(separatedBy: "\r").count - 1
        // Nothing in the first quarter second, then one draw per 0.1 s.
        XCTAssertGreaterThanOrEqual(draws, 7)
        XCTAssertLessThanOrEqual(draws, 9)
        XCTAssertTrue(h.bar.isLineOpen)
        h.bar.end(epoch(100))
        XCTAssertTrue(h.written.hasSuffix("100/100  100 it/s  in 0:01  loss 0.5\u{1B}[K\n"), h.written)
        XCTAssertFalse(h.bar.isLineOpen)
    }

    func testShortWorkDrawsNothing() {
        let h = Harness(.terminal)
        h.bar.begin(epoch(0))
        h.clock = 0.1
        h.bar.update(epoch(50))
        h.bar.end(epoch(100))
        XCTAssertEqual(h.written, "")
    }

    func testClearLineErasesAnOpenBar() {
        let h = Harness(.terminal)
        h.bar.begin(epoch(0))
        h.clock = 1
        h.bar.update(epoch(10))
        h.written = ""
        h.bar.clearLine()
        XCTAssertEqual(h.written, "\r\u{1B}[K")
        h.bar.clearLine()
        XCTAssertEqual(h.written, "\r\u{1B}[K", "a closed line is not cleared twice")
    }

    func testSummaryStyleWritesALineEveryTenSecondsAndAtTheEnd() {
        let h = Harness(.summary)
        h.bar.begin(epoch(0))
        for i in 1...30 {
            h.clock = Double(i)
            h.bar.update(epoch(i))
        }
        h.bar.end(epoch(30))
        let lines = h.written.split(separator: "\n")
        XCTAssertEqual(lines.count, 4, h.written)
        XCTAssertEqual(lines.first, "epoch 1/3 10/100 (10%)  1.0 it/s  ETA 1:30  loss 0.5")
        XCTAssertEqual(lines.last, "epoch 1/3 30/100  1.0 it/s  in 0:30  loss 0.5")
        XCTAssertFalse(h.written.contains("\u{1B}"))
    }

    func testNestedWorkReportsTheInnerTaskAndResumesTheOuter() {
        let h = Harness(.terminal)
        h.bar.begin(ProgressUpdate(label: "search", done: 0, total: 10))
        h.bar.begin(ProgressUpdate(label: "eval", done: 0, total: 4))
        h.clock = 1
        h.bar.update(ProgressUpdate(label: "eval", done: 2, total: 4))
        XCTAssertTrue(h.written.contains("eval"))
        h.bar.end(ProgressUpdate(label: "eval", done: 4, total: 4))
        h.clock = 2
        h.bar.update(ProgressUpdate(label: "search", done: 1, total: 10))
        XCTAssertTrue(h.written.contains("eval [█████████████████████████] 4/4  4.0 it/s  in 0:01\u{1B}[K\n"), h.written)
        // 100 columns give a 25-cell bar; 1/10 fills 2 cells.
        let bar = String(repeating: "█", count: 2) + String(repeating: "░", count: 23)
        XCTAssertTrue(h.written.hasSuffix("\rsearch [\(bar)] 1/10  2.0 s/it  ETA 0:18\u{1B}[K"), h.written.debugDescription)
    }
}
