// SVG line charts: nice ticks, grid, axis captions, title, legend, linear or log y.

/// Draws `series` as an SVG line chart and returns the document.
///
/// Same inputs as `terminalLineChart`; `options.width` and `options.height` are pixels (at least
/// 240 × 160; the terminal defaults of 72 × 16 are read as 720 × 440). Lines break at non-finite
/// points; series with at most 60 points also get dot markers; the legend lists named series.
public func svgLineChart(_ series: [PlotSeries], options: ChartOptions = ChartOptions()) -> String {
    let width = options.width < 240 ? 720 : min(options.width, 20_000)
    let height = options.height < 160 ? 440 : min(options.height, 20_000)
    let data = ChartData(series, logY: options.logY)
    let top = options.title.isEmpty ? 20.0 : 44.0
    let bottom = options.xLabel.isEmpty ? 36.0 : 56.0
    let plotHeight = Double(height) - top - bottom
    let maxYTicks = max(2, min(8, Int(plotHeight / 40)))
    var (xScale, yScale) = data.scales(logY: options.logY, maxXTicks: 8, maxYTicks: maxYTicks)
    let labelWidth = yScale.labels.map { textWidth($0) }.max() ?? 10
    let left = 16 + labelWidth + (options.yLabel.isEmpty ? 0 : 22)
    let right = 20.0
    let plotWidth = Double(width) - left - right
    // Fewer x ticks when their labels would come closer than 12 px.
    for maxTicks in stride(from: 10, through: 2, by: -1) {
        let x = data.scales(logY: options.logY, maxXTicks: maxTicks, maxYTicks: maxYTicks).x
        let spacing = plotWidth / Double(max(1, x.ticks.count - 1))
        if (x.labels.map { textWidth($0) }.max() ?? 0) + 12 <= spacing || maxTicks == 2 {
            xScale = x
            break
        }
    }
    func px(_ x: Double) -> Double { left + xScale.fraction(x) * plotWidth }
    func py(_ y: Double) -> Double { top + (1 - yScale.fraction(y)) * plotHeight }

    var svg = SVGDocument(width: width, height: height)
    if !options.title.isEmpty {
        svg.text(options.title, [("x", svgNumber(left + plotWidth / 2)), ("y", "26"), ("text-anchor", "middle"),
                                 ("font-size", "16"), ("font-weight", "bold")])
    }
    // Grid and tick labels.
    for (tick, label) in zip(yScale.ticks, yScale.labels) {
        let y = svgNumber(py(tick))
        svg.element("line", [("x1", svgNumber(left)), ("x2", svgNumber(left + plotWidth)), ("y1", y), ("y2", y),
                             ("stroke", "#e0e0e0"), ("stroke-width", "1")])
        svg.text(label, [("x", svgNumber(left - 8)), ("y", y), ("text-anchor", "end"), ("dominant-baseline", "middle"),
                         ("fill", "#333")])
    }
    for (tick, label) in zip(xScale.ticks, xScale.labels) {
        let x = svgNumber(px(tick))
        svg.element("line", [("x1", x), ("x2", x), ("y1", svgNumber(top)), ("y2", svgNumber(top + plotHeight)),
                             ("stroke", "#e0e0e0"), ("stroke-width", "1")])
        svg.text(label, [("x", x), ("y", svgNumber(top + plotHeight + 18)), ("text-anchor", "middle"), ("fill", "#333")])
    }
    svg.element("rect", [("x", svgNumber(left)), ("y", svgNumber(top)), ("width", svgNumber(plotWidth)),
                         ("height", svgNumber(plotHeight)), ("fill", "none"), ("stroke", "#444"), ("stroke-width", "1")])
    if !options.xLabel.isEmpty {
        svg.text(options.xLabel, [("x", svgNumber(left + plotWidth / 2)), ("y", svgNumber(Double(height) - 12)),
                                  ("text-anchor", "middle")])
    }
    if !options.yLabel.isEmpty {
        let cx = svgNumber(16), cy = svgNumber(top + plotHeight / 2)
        svg.text(options.yLabel, [("x", cx), ("y", cy), ("text-anchor", "middle"),
                                  ("transform", "rotate(-90 \(cx) \(cy))")])
    }
    if data.isEmpty {
        svg.text("no data to plot", [("x", svgNumber(left + plotWidth / 2)), ("y", svgNumber(top + plotHeight / 2)),
                                     ("text-anchor", "middle"), ("fill", "#888")])
    }

    // The lines, clipped to the plotting area.
    svg.raw("<clipPath id=\"plot-area\"><rect x=\"\(svgNumber(left))\" y=\"\(svgNumber(top))\" "
            + "width=\"\(svgNumber(plotWidth))\" height=\"\(svgNumber(plotHeight))\"/></clipPath>")
    for (index, points) in data.series.enumerated() {
        let color = svgSeriesColors[index % svgSeriesColors.count]
        var runs: [[String]] = [[]]
        for point in points {
            if let p = point { runs[runs.count - 1].append("\(svgNumber(px(p.x))),\(svgNumber(py(p.y)))") } else { runs.append([]) }
        }
        for run in runs where run.count > 1 {
            svg.element("polyline", [("points", run.joined(separator: " ")), ("fill", "none"), ("stroke", color),
                                     ("stroke-width", "2"), ("stroke-linejoin", "round"), ("clip-path", "url(#plot-area)")])
        }
        let drawn = points.compactMap { $0 }
        if drawn.count <= 60 {
            for p in drawn {
                svg.element("circle", [("cx", svgNumber(px(p.x))), ("cy", svgNumber(py(p.y))), ("r", "2.5"), ("fill", color)])
            }
        }
    }

    // Legend in the corner of the plotting area that hides the least of the lines (top right on a tie).
    let named = series.enumerated().filter { !$0.element.name.isEmpty }
    if !named.isEmpty {
        let boxWidth = 40 + (named.map { textWidth($0.element.name) }.max() ?? 0)
        let boxHeight = Double(named.count) * 18 + 8
        let corners = [(left + plotWidth - boxWidth - 8, top + 8), (left + 8, top + 8),
                       (left + plotWidth - boxWidth - 8, top + plotHeight - boxHeight - 8),
                       (left + 8, top + plotHeight - boxHeight - 8)]
        // The lines as well as their vertices: with few points, a segment can cross a corner
        // that holds no point at all.
        var screenPoints: [(Double, Double)] = []
        for line in data.series {
            var previous: (Double, Double)?
            for point in line {
                guard let point else { previous = nil; continue }
                let here = (px(point.x), py(point.y))
                if let from = previous {
                    for k in 1..<16 {
                        let t = Double(k) / 16
                        screenPoints.append((from.0 + (here.0 - from.0) * t, from.1 + (here.1 - from.1) * t))
                    }
                }
                screenPoints.append(here)
                previous = here
            }
        }
        let hidden = corners.map { corner in
            screenPoints.filter { $0.0 >= corner.0 - 4 && $0.0 <= corner.0 + boxWidth + 4
                                  && $0.1 >= corner.1 - 4 && $0.1 <= corner.1 + boxHeight + 4 }.count
        }
        let best = hidden.indices.min { hidden[$0] < hidden[$1] } ?? 0
        let (x0, y0) = corners[best]
        svg.element("rect", [("x", svgNumber(x0)), ("y", svgNumber(y0)), ("width", svgNumber(boxWidth)),
                             ("height", svgNumber(boxHeight)), ("fill", "white"), ("fill-opacity", "0.85"),
                             ("stroke", "#bbb"), ("rx", "3")])
        for (row, entry) in named.enumerated() {
            let y = y0 + 13 + Double(row) * 18
            let color = svgSeriesColors[entry.offset % svgSeriesColors.count]
            svg.element("line", [("x1", svgNumber(x0 + 8)), ("x2", svgNumber(x0 + 28)), ("y1", svgNumber(y)),
                                 ("y2", svgNumber(y)), ("stroke", color), ("stroke-width", "2.5")])
            svg.text(entry.element.name, [("x", svgNumber(x0 + 34)), ("y", svgNumber(y)), ("dominant-baseline", "middle")])
        }
    }
    return svg.render()
}
