// Terminal line charts in Unicode: braille lines, axes with nice ticks, title, captions and a legend.

/// ANSI colours for the series, in order (blue, red, green, yellow, magenta, cyan).
let ansiSeriesColors = [34, 31, 32, 33, 35, 36]

/// Marker characters telling series apart when there is no colour.
let seriesMarkers: [Character] = ["•", "+", "x", "o", "*", "#", "%", "@"]

/// Draws `series` as a terminal line chart and returns its text (lines joined by "\n", no
/// trailing newline, no trailing spaces).
///
/// One series, or any number with `options.color`, is drawn in braille dots (2×4 per
/// character); several series without colour are drawn with one marker character each
/// (`•`, `+`, `x`, …). Ticks are nice 1-2-5 values (decades on a log axis), labels never overlap,
/// and the legend lists every named series.
/// - Parameters:
///   - series: the lines; non-finite points (and y <= 0 on a log axis) are left out.
///   - options: title, captions, log y, `width` (total characters, 30–1000) and `height`
///     (rows of the plotting area, 5–500), colour.
public func terminalLineChart(_ series: [PlotSeries], options: ChartOptions = ChartOptions()) -> String {
    let data = ChartData(series, logY: options.logY)
    let totalWidth = min(1000, max(options.width, 30))
    let rows = min(500, max(options.height, 5))
    let useMarkers = series.count > 1 && !options.color

    // The y axis decides the gutter width, which decides how many columns the plot gets.
    let maxYTicks = min(6, (rows - 1) / 2 + 1)
    let yScale = data.scales(logY: options.logY, maxXTicks: 3, maxYTicks: maxYTicks).y
    let gutter = (yScale.labels.map { $0.count }.max() ?? 1) + 2
    let columns = max(10, totalWidth - gutter - 1)

    // As many x ticks as fit without their labels touching.
    var xScale = AxisScale.linear(0, 1, maxTicks: 2)
    var xLabelLine: [Character] = []
    for maxTicks in stride(from: max(2, columns / 6), through: 2, by: -1) {
        let x = data.scales(logY: options.logY, maxXTicks: maxTicks, maxYTicks: maxYTicks).x
        if let line = placeLabels(x, columns: columns, gutter: gutter, width: totalWidth) {
            (xScale, xLabelLine) = (x, line)
            break
        }
        if maxTicks == 2 {
            // Even three labels collide (very long ones): keep those that fit.
            xScale = x
            xLabelLine = placeLabels(x, columns: columns, gutter: gutter, width: totalWidth, force: true) ?? []
        }
    }

    var canvas = TextCanvas(columns: columns, rows: rows)
    func dotPoint(_ p: (x: Double, y: Double)) -> (Int, Int) {
        (gridIndex(xScale.fraction(p.x), canvas.dotColumns),
         canvas.dotRows - 1 - gridIndex(yScale.fraction(p.y), canvas.dotRows))
    }
    for (index, points) in data.series.enumerated() {
        var previous: (Int, Int)?
        for point in points {
            guard let point else { previous = nil; continue }
            let (x, y) = dotPoint(point)
            let start = previous ?? (x, y)
            if useMarkers {
                let marker = seriesMarkers[index % seriesMarkers.count]
                TextCanvas.line(start.0 / 2, start.1 / 4, x / 2, y / 4) { canvas.setCell($0, $1, marker: marker, series: index) }
            } else {
                TextCanvas.line(start.0, start.1, x, y) { canvas.setDot($0, $1, series: index) }
            }
            previous = (x, y)
        }
    }

    // Rows that carry a y tick, and columns that carry an x tick.
    var yTickAt: [Int: String] = [:]
    for (tick, label) in zip(yScale.ticks, yScale.labels) {
        let row = (canvas.dotRows - 1 - gridIndex(yScale.fraction(tick), canvas.dotRows)) / 4
        if yTickAt[row] == nil { yTickAt[row] = label }
    }
    let xTickColumns = Set(xScale.ticks.map { gridIndex(xScale.fraction($0), canvas.dotColumns) / 2 })

    var lines: [String] = []
    if !options.title.isEmpty { lines.append(centered(options.title, over: columns, offset: gutter)) }
    if !options.yLabel.isEmpty { lines.append(options.yLabel) }
    let labelWidth = gutter - 2
    for row in 0..<rows {
        var line = ""
        if let label = yTickAt[row] {
            line += String(repeating: " ", count: max(0, labelWidth - label.count)) + label + " ┤"
        } else {
            line += String(repeating: " ", count: labelWidth) + " │"
        }
        var currentColor = -1
        for column in 0..<columns {
            let character = canvas.character(column, row)
            if options.color {
                let owner = character == " " ? -1 : canvas.owner(column, row)
                if owner != currentColor {
                    line += owner < 0 ? "\u{1B}[0m" : "\u{1B}[\(ansiSeriesColors[owner % ansiSeriesColors.count])m"
                    currentColor = owner
                }
            }
            line.append(character)
        }
        if options.color && currentColor >= 0 { line += "\u{1B}[0m" }
        lines.append(line)
    }
    if data.isEmpty {
        let note = "(no data to plot)"
        let middle = gutter + max(0, (columns - note.count) / 2)
        var chars = Array(lines[lines.count - rows + rows / 2])
        for (i, c) in note.enumerated() where middle + i < chars.count { chars[middle + i] = c }
        lines[lines.count - rows + rows / 2] = String(chars)
    }
    lines.append(String(repeating: " ", count: labelWidth) + " └"
                 + String((0..<columns).map { xTickColumns.contains($0) ? "┬" : "─" }))
    lines.append(String(xLabelLine))
    if !options.xLabel.isEmpty { lines.append(centered(options.xLabel, over: columns, offset: gutter)) }
    let legend = legendLine(series, useMarkers: useMarkers, color: options.color, width: totalWidth)
    lines += legend
    return lines.map { trimTrailingSpaces($0) }.joined(separator: "\n")
}

/// The x tick labels laid out on one line, each centred under its tick and kept inside the
/// width; nil when two would touch (fewer ticks needed), unless `force` (then crowded ones are dropped).
private func placeLabels(_ scale: AxisScale, columns: Int, gutter: Int, width: Int, force: Bool = false) -> [Character]? {
    var line = [Character](repeating: " ", count: width)
    var nextFree = 0
    for (tick, label) in zip(scale.ticks, scale.labels) {
        let column = gutter + gridIndex(scale.fraction(tick), 2 * columns) / 2
        guard label.count <= width else { continue }
        let start = min(max(0, column - (label.count - 1) / 2), width - label.count)
        if start < nextFree {
            if force { continue }
            return nil
        }
        for (i, c) in label.enumerated() { line[start + i] = c }
        nextFree = start + label.count + 2
    }
    return line
}

/// The grid position of an axis fraction on `count` points (0 ... count - 1), clamped to a
/// little beyond the grid; a fraction that is not finite (an overflowing range) maps to 0.
func gridIndex(_ fraction: Double, _ count: Int) -> Int {
    guard fraction.isFinite else { return 0 }
    return Int((min(2, max(-1, fraction)) * Double(count - 1)).rounded())
}

/// `text` centred over `columns` characters that start after `offset` characters.
private func centered(_ text: String, over columns: Int, offset: Int) -> String {
    String(repeating: " ", count: offset + max(0, (columns - text.count) / 2)) + text
}

/// The legend: one entry per named series (a line sample or the series' marker), wrapped to the width.
private func legendLine(_ series: [PlotSeries], useMarkers: Bool, color: Bool, width: Int) -> [String] {
    var entries: [(text: String, visible: Int)] = []
    for (index, s) in series.enumerated() where !s.name.isEmpty {
        let sample = useMarkers ? String(seriesMarkers[index % seriesMarkers.count]) : "⠒⠒"
        let painted = color ? "\u{1B}[\(ansiSeriesColors[index % ansiSeriesColors.count])m\(sample)\u{1B}[0m" : sample
        entries.append((painted + " " + s.name, sample.count + 1 + s.name.count))
    }
    guard !entries.isEmpty else { return [] }
    var lines: [String] = []
    var line = "", used = 0
    for entry in entries {
        if used > 0 && used + 3 + entry.visible > width {
            lines.append(line)
            line = ""
            used = 0
        }
        line += (used == 0 ? "  " : "   ") + entry.text
        used += (used == 0 ? 2 : 3) + entry.visible
    }
    lines.append(line)
    return lines
}

/// The line without trailing spaces.
func trimTrailingSpaces(_ line: String) -> String {
    var s = Substring(line)
    while s.last == " " { s.removeLast() }
    return String(s)
}
