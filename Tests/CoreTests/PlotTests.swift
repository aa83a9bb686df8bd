// Golden-output tests of the terminal charts at fixed sizes, plus tick, layout and robustness checks.

import XCTest
@testable import Core

final class PlotTests: XCTestCase {
    // MARK: - Golden outputs (checked by eye once, then frozen)

    func testLineChartGolden() {
        let squares = (0...10).map { Double($0 * $0) }
        let chart = terminalLineChart([PlotSeries(name: "x²", values: squares)],
                                      options: ChartOptions(title: "Squares", xLabel: "x", yLabel: "y", width: 40, height: 8))
        XCTAssertEqual(chart, """
                              Squares
            y
            100 ┤                               ⢀⡠⠊
                │                             ⢀⠔⠁
                │                           ⡠⠊⠁
             50 ┤                        ⣀⠔⠉
                │                    ⢀⡠⠔⠊
                │                ⢀⡠⠔⠊⠁
                │           ⣀⣀⠤⠔⠊⠁
              0 ┤⣀⣀⣀⣀⣀⠤⠤⠔⠒⠊⠉
                └┬────────────────┬───────────────┬
                 0                5               10
                                 x
              ⠒⠒ x²
            """)
    }

    func testSeveralSeriesUseMarkersAndALegend() {
        let chart = terminalLineChart([PlotSeries(name: "up", values: [0, 1, 2, 3, 4]),
                                       PlotSeries(name: "down", values: [4, 3, 2, 1, 0])],
                                      options: ChartOptions(width: 36, height: 6))
        XCTAssertEqual(chart, """
            4 ┤++++                       •••••
              │    ++++++++        •••••••
            2 ┤            ++++++••
              │          ••••    ++++
              │    ••••••            +++++
            0 ┤••••                       +++++
              └┬───────┬───────┬──────┬───────┬
               0       1       2      3       4
              • up   + down
            """)
    }

    func testLogYGolden() {
        let chart = terminalLineChart([PlotSeries(name: "loss", x: [1, 2, 3, 4], y: [1, 0.1, 0.01, 0.001])],
                                      options: ChartOptions(logY: true, width: 36, height: 7))
        XCTAssertEqual(chart, """
                1 ┤⠑⠢⢄⡀
                  │   ⠈⠑⠢⢄⡀
              0.1 ┤       ⠈⠑⠒⠤⣀
                  │            ⠉⠒⠤⣀
             0.01 ┤                ⠉⠒⠤⣀
                  │                    ⠉⠒⠤⣀
            0.001 ┤                        ⠉⠒⠤⣀
                  └┬────────┬────────┬────────┬
                   1        2        3        4
              ⠒⠒ loss
            """)
    }

    func testHeatmapGolden() throws {
        let m = try Tensor<Float>(shape: [3, 4], scalars: [0, 0.25, 0.5, 0.75, 1, .nan, 0.1, 0.9, 0.3, 0.6, 0.45, 0.2])
        XCTAssertEqual(try terminalHeatmap(m, options: HeatmapOptions(title: "M", rowLabels: ["a", "bb", "c"])), """
            M
               0 1 2 3
             a   ░░▒▒▓▓
            bb ██··  ██
             c ░░▓▓▒▒░░
            scale: ' ' 0–0.2  ░ 0.2–0.4  ▒ 0.4–0.6  ▓ 0.6–0.8  █ 0.8–1
            """)
        XCTAssertThrowsError(try terminalHeatmap(try Tensor<Float>(shape: [2, 2, 2], repeating: 0))) { error in
            XCTAssertEqual("\(error)", "shape mismatch in `heatmap`: needs a matrix (rank 2), got shape [2, 2, 2]")
        }
    }

    func testHistogramGolden() throws {
        let t = try Tensor<Float>(shape: [10], scalars: [0.1, 0.2, 0.25, 0.3, 0.35, 0.5, 0.55, 0.6, 0.9, .infinity])
        XCTAssertEqual(try terminalHistogram(t, options: ChartOptions(title: "h", width: 40)), """
            h
              [0, 0.2) │██████▎                   1
            [0.2, 0.4) │█████████████████████████ 4
            [0.4, 0.6) │████████████▌             2
            [0.6, 0.8) │██████▎                   1
            [0.8, 1.0] │██████▎                   1
                        9 values, 1 NaN or infinite left out
            """)
    }

    // MARK: - Scales

    func testLinearTicksAreNiceSteps() {
        let a = AxisScale.linear(0.13, 0.97, maxTicks: 6)
        XCTAssertEqual(a.labels, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(a.low, 0)
        XCTAssertEqual(a.high, 1, accuracy: 1e-12)
        let b = AxisScale.linear(-3, 47, maxTicks: 8)
        XCTAssertEqual(b.labels, ["-10", "0", "10", "20", "30", "40", "50"])
        // -0.2 / 0.1 is -2.0000000000000004 in Double; no extra step may appear.
        XCTAssertEqual(AxisScale.linear(-0.2, 0.2, maxTicks: 5).labels, ["-0.2", "-0.1", "0", "0.1", "0.2"])
        XCTAssertEqual(AxisScale.linear(1.5e6, 3e6, maxTicks: 4).labels, ["1.5e6", "2e6", "2.5e6", "3e6"])
        XCTAssertEqual(AxisScale.linear(5, 5, maxTicks: 5).labels, ["4.5", "5.0", "5.5"])
    }

    func testLogTicksAreDecades() {
        XCTAssertEqual(AxisScale.logarithmic(0.003, 0.5, maxTicks: 8).labels, ["0.001", "0.01", "0.1", "1"])
        XCTAssertEqual(AxisScale.logarithmic(1e-6, 1, maxTicks: 4).labels, ["1e-6", "1e-4", "0.01", "1"])
        XCTAssertEqual(AxisScale.logarithmic(2, 80, maxTicks: 8).labels, ["1", "2", "5", "10", "20", "50", "100"])
    }

    func testScalesNeverCrashOnExtremeRanges() {
        let values: [Double] = [0, 1e-300, -1e-300, 1, -1, 1e300, -1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                .nan, .infinity, -.infinity, 0.1, 1 + 1e-15, 123456789, .leastNonzeroMagnitude]
        for a in values {
            for b in values {
                for ticks in [2, 3, 7] {
                    let s = AxisScale.linear(a, b, maxTicks: ticks)
                    XCTAssertLessThanOrEqual(s.ticks.count, max(3, ticks))
                    XCTAssertEqual(s.ticks, s.ticks.sorted())
                    XCTAssertEqual(s.ticks.count, s.labels.count)
                    _ = AxisScale.logarithmic(a, b, maxTicks: ticks)
                }
                _ = terminalLineChart([PlotSeries(x: [a, b, 1], y: [b, a, 2])], options: ChartOptions(width: 30, height: 5))
                _ = svgLineChart([PlotSeries(x: [a, b, 1], y: [b, a, 2])], options: ChartOptions(logY: true))
            }
        }
        // Histograms of the same extremes (as Float).
        for v in values {
            XCTAssertNoThrow(try terminalHistogram(try Tensor<Float>(shape: [3], scalars: [Float(v), 0, 1])))
        }
    }

    // MARK: - Layout

    /// The visible width of a line (braille and block characters are one column each).
    private func visibleWidth(_ line: Substring) -> Int { line.unicodeScalars.count }

    func testChartsStayWithinTheirWidth() {
        let series = [PlotSeries(name: "a long series name", values: (0..<200).map { sin(Double($0) / 9) * 1e4 }),
                      PlotSeries(name: "another", values: (0..<200).map { cos(Double($0) / 7) * 1e4 })]
        for width in [30, 47, 80, 120] {
            let chart = terminalLineChart(series, options: ChartOptions(title: "t", width: width, height: 9))
            for line in chart.split(separator: "\n") { XCTAssertLessThanOrEqual(visibleWidth(line), width, "\(line)") }
            // The x labels line: labels separated by at least one space.
            let lines = chart.split(separator: "\n", omittingEmptySubsequences: false)
            let axisIndex = lines.firstIndex { $0.contains("└") } ?? 0
            let labels = lines[axisIndex + 1].split(separator: " ")
            XCTAssertGreaterThanOrEqual(labels.count, 2)
            XCTAssertTrue(labels.allSatisfy { Double($0) != nil }, "\(labels)")
        }
    }

    func testAbsurdSizesAreClamped() throws {
        let chart = terminalLineChart([PlotSeries(values: [1, 2])], options: ChartOptions(width: Int.max, height: Int.max))
        XCTAssertEqual(chart.split(separator: "\n").count, 500 + 2)  // 500 plot rows, axis, labels
        XCTAssertLessThanOrEqual(chart.split(separator: "\n").map { $0.unicodeScalars.count }.max() ?? 0, 1000)
        XCTAssertTrue(svgLineChart([], options: ChartOptions(width: Int.max, height: -5)).contains("width=\"20000\" height=\"440\""))
        let t = try Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3, 4])
        XCTAssertNoThrow(try terminalHeatmap(t, options: HeatmapOptions(width: Int.max, height: Int.max)))
        XCTAssertNoThrow(try terminalHistogram(t, options: ChartOptions(width: Int.max)))
    }

    func testColourUsesANSIEscapesOnlyWhenAsked() {
        let series = [PlotSeries(name: "a", values: [1, 2, 3]), PlotSeries(name: "b", values: [3, 2, 1])]
        let plain = terminalLineChart(series, options: ChartOptions(width: 40, height: 6))
        let colored = terminalLineChart(series, options: ChartOptions(width: 40, height: 6, color: true))
        XCTAssertFalse(plain.contains("\u{1B}["))
        XCTAssertTrue(colored.contains("\u{1B}[34m"))  // first series blue
        XCTAssertTrue(colored.contains("\u{1B}[31m"))  // second series red
        XCTAssertTrue(colored.contains("⠒⠒\u{1B}[0m a"))
    }

    func testEmptyAndDegenerateInputs() {
        let empty = terminalLineChart([], options: ChartOptions(width: 40, height: 5))
        XCTAssertTrue(empty.contains("(no data to plot)"))
        let onlyNaN = terminalLineChart([PlotSeries(values: [.nan, .infinity])], options: ChartOptions(width: 40, height: 5))
        XCTAssertTrue(onlyNaN.contains("(no data to plot)"))
        // Non-positive values vanish on a log axis but the rest is drawn.
        let logChart = terminalLineChart([PlotSeries(values: [-1, 0, 10, 100])], options: ChartOptions(logY: true, width: 40, height: 5))
        XCTAssertFalse(logChart.contains("no data"))
        XCTAssertTrue(logChart.contains("100 ┤"))
    }

    func testLargeHeatmapsAreAveragedInBlocks() throws {
        let m = try Tensor<Float>(shape: [60, 60], scalars: (0..<3600).map { Float($0 % 60) })
        let text = try terminalHeatmap(m, options: HeatmapOptions(width: 40, height: 20))
        XCTAssertTrue(text.contains("(each cell averages 4×4 entries of the 60×60 matrix)"), text)
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("scale") && ($0.contains("█") || $0.contains("░")) }
        XCTAssertEqual(rows.count, 15)
        for line in text.split(separator: "\n") where !line.hasPrefix("scale") && !line.hasPrefix("(") {
            XCTAssertLessThanOrEqual(visibleWidth(line), 40)
        }
    }

    func testHistogramBins() throws {
        let t = try Tensor<Float>(shape: [8], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
        let exact = try Histogram(t, bins: 4)
        XCTAssertEqual(exact.edges, [0, 1.75, 3.5, 5.25, 7])
        XCTAssertEqual(exact.counts, [2, 2, 2, 2])
        // Sturges gives 5 bins of 1.4; the nearest nice width is 1, and the last bin is closed.
        let nice = try Histogram(t)
        XCTAssertEqual(nice.edges, [0, 1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(nice.counts, [1, 1, 1, 1, 1, 1, 2])
        // 0.13 ... 0.9 in about 5 bins: width 0.2 from 0 to 1.
        let small = try Histogram(try Tensor<Float>(shape: [4], scalars: [0.13, 0.5, 0.52, 0.9]))
        XCTAssertEqual(small.edges.count, 6)
        XCTAssertEqual(small.edges[0], 0)
        XCTAssertEqual(small.edges[5], 1, accuracy: 1e-12)
        XCTAssertEqual(small.counts, [1, 0, 2, 0, 1])
        XCTAssertThrowsError(try Histogram(t, bins: 0)) { error in
            XCTAssertEqual("\(error)", "hist: bins must be in 1...100000, got 0")
        }
        let constant = try Histogram(try Tensor<Float>(shape: [3], repeating: 5))
        XCTAssertEqual(constant.counts.reduce(0, +), 3)
        // 10,000 standard-normal-ish values: nice bins of width 0.5 summing to the count.
        var rng = RandomStream(seed: 1)
        let normal = try Histogram(try Tensor<Float>.normal([10_000], using: &rng))
        XCTAssertEqual(normal.counts.reduce(0, +), 10_000)
        XCTAssertEqual(normal.edges[1] - normal.edges[0], 0.5, accuracy: 1e-12)
    }
}
