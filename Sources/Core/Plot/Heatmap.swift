// Heatmaps of a matrix: terminal shades (Unicode blocks) and SVG with a colour bar.

import Foundation

/// What a heatmap looks like beyond its data.
public struct HeatmapOptions {
    /// Shown above the map ("" for none).
    public var title: String
    /// Names for the rows and columns (nil: their indices). A list of the wrong length is ignored.
    public var rowLabels: [String]?
    public var columnLabels: [String]?
    /// The values mapped to the ends of the colour scale (nil: the data's min and max), e.g.
    /// (0, 1) for a similarity matrix.
    public var range: (Double, Double)?
    /// Terminal: total width in characters and maximum rows; larger matrices are averaged in
    /// blocks to fit. SVG: size in pixels (small values mean the default 640 × 560).
    public var width: Int
    public var height: Int
    /// Terminal: paint cells in 24-bit colour (viridis) instead of shades.
    public var color: Bool

    /// Options with the terminal defaults (72 × 32, shades, the data's own range).
    public init(title: String = "", rowLabels: [String]? = nil, columnLabels: [String]? = nil,
                range: (Double, Double)? = nil, width: Int = 72, height: Int = 32, color: Bool = false) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.range = range
        self.width = width
        self.height = height
        self.color = color
    }
}

/// The matrix of a heatmap as rows × columns of Doubles (a vector becomes one row).
private func heatmapMatrix(_ t: Tensor<Float>) throws -> (rows: Int, columns: Int, values: [Float]) {
    switch t.rank {
    case 1: return (1, t.shape[0], t.scalars)
    case 2: return (t.shape[0], t.shape[1], t.scalars)
    default:
        throw CoreError.shapeMismatch(op: "heatmap", shapes: [t.shape], message: "needs a matrix (rank 2), got shape \(Tensor<Float>.describe(t.shape))")
    }
}

/// The five shades from lowest to highest.
private let shades: [Character] = [" ", "░", "▒", "▓", "█"]

/// Draws a matrix as a terminal heatmap: each entry is two characters of a shade (` ░▒▓█`, or
/// 24-bit colour with `options.color`), rows labelled on the left, columns on top, and a scale line.
///
/// A matrix too large for `width` × `height` is averaged in blocks (the note says how large).
/// NaN entries show as `··`.
/// - Throws: `CoreError.shapeMismatch` unless the tensor is a matrix or a vector.
public func terminalHeatmap(_ matrix: Tensor<Float>, options: HeatmapOptions = HeatmapOptions()) throws -> String {
    let (rows, columns, values) = try heatmapMatrix(matrix)
    guard rows > 0, columns > 0 else { return options.title.isEmpty ? "(empty matrix)" : options.title + "\n(empty matrix)" }
    let (lo, hi) = valueRange(values, fixed: options.range)
    let rowNames = options.rowLabels?.count == rows ? options.rowLabels ?? [] : (0..<rows).map(String.init)
    let columnNames = options.columnLabels?.count == columns ? options.columnLabels ?? [] : (0..<columns).map(String.init)

    // Block-average to fit: every shown cell is `factor × factor` entries.
    let labelWidth = min(16, rowNames.map { $0.count }.max() ?? 1)
    let availableColumns = max(4, (min(1000, max(options.width, 24)) - labelWidth - 1) / 2)
    let availableRows = min(500, max(4, options.height))
    let factor = max(1, max((columns + availableColumns - 1) / availableColumns, (rows + availableRows - 1) / availableRows))
    let shownRows = (rows + factor - 1) / factor, shownColumns = (columns + factor - 1) / factor
    func cell(_ r: Int, _ c: Int) -> Double {
        var sum = 0.0, n = 0
        for i in (r * factor)..<min(rows, (r + 1) * factor) {
            for j in (c * factor)..<min(columns, (c + 1) * factor) where !values[i * columns + j].isNaN {
                sum += Double(values[i * columns + j])
                n += 1
            }
        }
        return n == 0 ? .nan : sum / Double(n)
    }

    var lines: [String] = []
    if !options.title.isEmpty { lines.append(options.title) }
    // Column header: a name where it fits before the next one starts, over its first character.
    var header = [Character](repeating: " ", count: labelWidth + 1 + 2 * shownColumns + 16)
    var nextFree = 0
    for c in 0..<shownColumns {
        let name = factor == 1 ? columnNames[c] : String(c * factor)
        let start = labelWidth + 1 + 2 * c
        guard start >= nextFree, start + name.count <= header.count else { continue }
        for (k, ch) in name.enumerated() { header[start + k] = ch }
        nextFree = start + name.count + 1
    }
    lines.append(String(header))
    for r in 0..<shownRows {
        var name = factor == 1 ? rowNames[r] : String(r * factor)
        if name.count > labelWidth { name = String(name.prefix(labelWidth - 1)) + "…" }
        var line = String(repeating: " ", count: labelWidth - name.count) + name + " "
        for c in 0..<shownColumns {
            let v = cell(r, c)
            if v.isNaN { line += "··"; continue }
            let t = (v - lo) / (hi - lo)
            if options.color {
                let rgb = viridis(t)
                line += "\u{1B}[38;2;\(rgb.r);\(rgb.g);\(rgb.b)m██\u{1B}[0m"
            } else {
                let level = t.isFinite ? min(shades.count - 1, max(0, Int(t * Double(shades.count)))) : 0
                line += String(repeating: shades[level], count: 2)
            }
        }
        lines.append(line)
    }
    if factor > 1 { lines.append("(each cell averages \(factor)×\(factor) entries of the \(rows)×\(columns) matrix)") }
    if options.color {
        let bar = (0..<10).map { i -> String in
            let rgb = viridis(Double(i) / 9)
            return "\u{1B}[38;2;\(rgb.r);\(rgb.g);\(rgb.b)m█\u{1B}[0m"
        }.joined()
        lines.append("scale: \(formatValue(lo)) \(bar) \(formatValue(hi))")
    } else {
        let step = (hi - lo) / Double(shades.count)
        let parts = shades.enumerated().map { i, shade in
            "\(shade == " " ? "' '" : String(shade)) \(formatValue(lo + Double(i) * step))–\(formatValue(lo + Double(i + 1) * step))"
        }
        lines.append("scale: " + parts.joined(separator: "  "))
    }
    return lines.map { trimTrailingSpaces($0) }.joined(separator: "\n")
}

/// Draws a matrix as an SVG heatmap: square viridis cells, row and column labels, a colour bar with
/// nice ticks, and the values written in the cells when the matrix is at most 12 × 12.
/// - Throws: `CoreError.shapeMismatch` unless the tensor is a matrix or a vector.
public func svgHeatmap(_ matrix: Tensor<Float>, options: HeatmapOptions = HeatmapOptions()) throws -> String {
    let (rows, columns, values) = try heatmapMatrix(matrix)
    let width = options.width < 200 ? 640 : min(options.width, 20_000)
    let height = options.height < 160 ? 560 : min(options.height, 20_000)
    let (lo, hi) = valueRange(values, fixed: options.range)
    let rowNames = options.rowLabels?.count == rows ? options.rowLabels ?? [] : (0..<rows).map(String.init)
    let columnNames = options.columnLabels?.count == columns ? options.columnLabels ?? [] : (0..<columns).map(String.init)

    let top = options.title.isEmpty ? 20.0 : 46.0
    let left = 14 + min(140, rowNames.map { textWidth($0, fontSize: 11) }.max() ?? 10)
    let longestColumnLabel = min(120, columnNames.map { textWidth($0, fontSize: 11) }.max() ?? 10)
    let columnLabelHeight = 16 + longestColumnLabel
    let barSpace = 100.0
    let size = max(1, min((Double(width) - left - barSpace) / Double(max(columns, 1)),
                          (Double(height) - top - columnLabelHeight - 10) / Double(max(rows, 1))))
    let mapWidth = size * Double(columns), mapHeight = size * Double(rows)
    let mapTop = top

    // Labels: every k-th so they are at least 12 px apart; column labels run across when they fit
    // under their column, else turned to read upwards. Across, the page ends below them.
    let every = max(1, Int((12 / size).rounded(.up)))
    let across = longestColumnLabel + 4 <= size * Double(every)
    var svg = SVGDocument(width: width, height: across ? min(height, Int(mapTop + mapHeight + 32)) : height)
    if !options.title.isEmpty {
        svg.text(options.title, [("x", svgNumber(left + mapWidth / 2)), ("y", "28"), ("text-anchor", "middle"),
                                 ("font-size", "16"), ("font-weight", "bold")])
    }
    let annotate = rows <= 12 && columns <= 12 && size >= 28
    for r in 0..<rows {
        for c in 0..<columns {
            let v = Double(values[r * columns + c])
            let x = left + Double(c) * size, y = mapTop + Double(r) * size
            let fill = v.isNaN ? "#cccccc" : viridis((v - lo) / (hi - lo)).hex
            svg.element("rect", [("x", svgNumber(x)), ("y", svgNumber(y)), ("width", svgNumber(size + 0.5)),
                                 ("height", svgNumber(size + 0.5)), ("fill", fill)])
            if annotate {
                let ink = v.isNaN || viridis((v - lo) / (hi - lo)).luminance > 0.5 ? "black" : "white"
                svg.text(v.isNaN ? "nan" : String(format: "%.2f", v),
                         [("x", svgNumber(x + size / 2)), ("y", svgNumber(y + size / 2)), ("text-anchor", "middle"),
                          ("dominant-baseline", "middle"), ("font-size", svgNumber(min(12, size / 3.5))), ("fill", ink)])
            }
        }
    }
    for r in stride(from: 0, to: rows, by: every) {
        svg.text(rowNames[r], [("x", svgNumber(left - 6)), ("y", svgNumber(mapTop + (Double(r) + 0.5) * size)),
                               ("text-anchor", "end"), ("dominant-baseline", "middle"), ("font-size", "11")])
    }
    for c in stride(from: 0, to: columns, by: every) {
        let x = svgNumber(left + (Double(c) + 0.5) * size)
        if across {
            svg.text(columnNames[c], [("x", x), ("y", svgNumber(mapTop + mapHeight + 16)), ("text-anchor", "middle"),
                                      ("font-size", "11")])
        } else {
            let y = svgNumber(mapTop + mapHeight + 8)
            svg.text(columnNames[c], [("x", x), ("y", y), ("text-anchor", "end"), ("dominant-baseline", "middle"),
                                      ("font-size", "11"), ("transform", "rotate(-90 \(x) \(y))")])
        }
    }
    svg.element("rect", [("x", svgNumber(left)), ("y", svgNumber(mapTop)), ("width", svgNumber(mapWidth)),
                         ("height", svgNumber(mapHeight)), ("fill", "none"), ("stroke", "#444")])

    // Colour bar: a vertical gradient with nice ticks.
    let barX = left + mapWidth + 24, barWidth = 16.0
    svg.raw("<defs><linearGradient id=\"colorbar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
            + (0...9).map { "<stop offset=\"\(svgNumber(Double($0) / 9))\" stop-color=\"\(viridis(Double($0) / 9).hex)\"/>" }.joined()
            + "</linearGradient></defs>")
    svg.element("rect", [("x", svgNumber(barX)), ("y", svgNumber(mapTop)), ("width", svgNumber(barWidth)),
                         ("height", svgNumber(mapHeight)), ("fill", "url(#colorbar)"), ("stroke", "#444")])
    let scale = AxisScale.linear(lo, hi, maxTicks: max(2, min(8, Int(mapHeight / 36))))
    for (tick, label) in zip(scale.ticks, scale.labels) where tick >= lo - 1e-12 * abs(hi - lo) && tick <= hi + 1e-12 * abs(hi - lo) {
        let y = svgNumber(mapTop + (1 - (tick - lo) / (hi - lo)) * mapHeight)
        svg.element("line", [("x1", svgNumber(barX + barWidth)), ("x2", svgNumber(barX + barWidth + 4)), ("y1", y),
                             ("y2", y), ("stroke", "#444")])
        svg.text(label, [("x", svgNumber(barX + barWidth + 7)), ("y", y), ("dominant-baseline", "middle"), ("font-size", "11")])
    }
    return svg.render()
}
