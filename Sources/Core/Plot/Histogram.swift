// Histograms of a tensor's values: nice bins, a terminal bar chart and an SVG bar chart.

import Foundation

/// Counts of values in consecutive bins `[edges[i], edges[i+1])` (the last bin also holds its
/// right edge, as NumPy's).
public struct Histogram: Equatable {
    /// `counts.count + 1` ascending bin edges.
    public var edges: [Double]
    /// Values per bin.
    public var counts: [Int]
    /// Values left out because they are NaN or infinite.
    public var nonFinite: Int
    /// The step that sets the decimals of the bin labels.
    var labelStep: Double = 1

    /// Bins the values of `tensor`.
    ///
    /// - Parameters:
    ///   - tensor: any shape; every element is one value.
    ///   - bins: exactly this many equal bins from the minimum to the maximum; nil picks "nice"
    ///     bins: the 1-2-5 width nearest to the one giving Sturges' count (log2 n + 1, between 5
    ///     and 30), edges at multiples of the width.
    /// - Throws: `CoreError.badArgument` when `bins < 1`.
    public init(_ tensor: Tensor<Float>, bins: Int? = nil) throws {
        if let b = bins, b < 1 || b > 100_000 {
            throw CoreError.badArgument(op: "hist", message: "bins must be in 1...100000, got \(b)")
        }
        var lo = Float.infinity, hi = -Float.infinity, finite = 0
        tensor.scalars.withUnsafeBufferPointer { values in
            for v in values where v.isFinite {
                lo = min(lo, v)
                hi = max(hi, v)
                finite += 1
            }
        }
        nonFinite = tensor.scalars.count - finite
        guard finite > 0 else {
            edges = [0, 1]
            counts = [0]
            return
        }
        let low = Double(lo), high = Double(hi)
        // Values equal up to Float rounding get one bin around them.
        let single = high - low <= max(abs(low), abs(high)) * 1e-6
        if let b = bins {
            // The padding grows with the magnitude: 1e16 ± 0.5 rounds back to 1e16 (a zero width).
            let pad = max(0.5, max(abs(low), abs(high)) * 1e-6)
            let (a, z) = single ? (low - pad, high + pad) : (low, high)
            edges = (0...b).map { a + (z - a) * Double($0) / Double(b) }
            labelStep = (z - a) / Double(b) / 10
        } else {
            let target = min(30, max(5, Int(log2(Double(finite)).rounded(.up)) + 1))
            let step = single ? niceStep(max(abs(low), 1) / 10) : nearestNiceStep((high - low) / Double(target))
            // The slack keeps a quotient like 2.0000000000000004 from adding an empty bin.
            let first = (low / step + 1e-9).rounded(.down)
            var last = (high / step - 1e-9).rounded(.up)
            if last == first { last += 1 }
            edges = stride(from: first, through: last, by: 1).map { ($0 * step).isZero ? 0 : $0 * step }
            labelStep = step
        }
        let binCount = edges.count - 1
        var counts = [Int](repeating: 0, count: binCount)
        let first = edges[0], width = (edges[binCount] - edges[0]) / Double(binCount)
        edges.withUnsafeBufferPointer { e in
            tensor.scalars.withUnsafeBufferPointer { values in
                for v in values where v.isFinite {
                    let x = Double(v)
                    // Clamped as a Double: a quotient past Int's range (or NaN) must not reach Int().
                    let q = (x - first) / width
                    var i = q.isNaN ? 0 : Int(min(Double(binCount - 1), max(0, q)))
                    // Correct for rounding in the division at the bin edges.
                    while i > 0 && x < e[i] { i -= 1 }
                    while i < binCount - 1 && x >= e[i + 1] { i += 1 }
                    counts[i] += 1
                }
            }
        }
        self.counts = counts
    }

    /// The labels `[a, b)` of the bins, with decimals suited to the bin width.
    var binLabels: [String] {
        counts.indices.map { i in
            "[\(formatTick(edges[i], step: labelStep)), \(formatTick(edges[i + 1], step: labelStep))\(i == counts.count - 1 ? "]" : ")")"
        }
    }
}

/// Eighths of a block, for bar ends.
private let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

/// A terminal histogram: one line per bin with its range, a bar (in eighths of a character)
/// proportional to the count, and the count.
///
/// `options.width` is the total width; `options.logY` makes bar lengths proportional to
/// log10(1 + count); the title is shown above.
/// - Throws: `CoreError.badArgument` for a bad `bins`.
public func terminalHistogram(_ tensor: Tensor<Float>, bins: Int? = nil, options: ChartOptions = ChartOptions()) throws -> String {
    let histogram = try Histogram(tensor, bins: bins)
    let labels = histogram.binLabels
    let labelWidth = labels.map { $0.count }.max() ?? 0
    let countTexts = histogram.counts.map(String.init)
    let countWidth = countTexts.map { $0.count }.max() ?? 1
    let barWidth = max(10, min(1000, max(options.width, 30)) - labelWidth - countWidth - 4)
    func magnitude(_ count: Int) -> Double { options.logY ? log10(1 + Double(count)) : Double(count) }
    let top = max(1e-12, magnitude(histogram.counts.max() ?? 0))

    var lines: [String] = []
    if !options.title.isEmpty { lines.append(options.title) }
    for (i, count) in histogram.counts.enumerated() {
        let eighthsLong = Int((magnitude(count) / top * Double(barWidth * 8)).rounded())
        var bar = String(repeating: "█", count: eighthsLong / 8)
        if eighthsLong % 8 > 0 { bar.append(eighths[eighthsLong % 8 - 1]) }
        if count > 0 && bar.isEmpty { bar = "▏" }  // a non-empty bin is never invisible
        let padding = String(repeating: " ", count: barWidth + 1 - bar.count)
        lines.append(String(repeating: " ", count: labelWidth - labels[i].count) + labels[i] + " │" + bar + padding
                     + String(repeating: " ", count: countWidth - countTexts[i].count) + countTexts[i])
    }
    var note = "\(histogram.counts.reduce(0, +)) values"
    if histogram.nonFinite > 0 { note += ", \(histogram.nonFinite) NaN or infinite left out" }
    if options.logY { note += ", bar length ∝ log(1 + count)" }
    lines.append(String(repeating: " ", count: labelWidth + 2) + note)
    return lines.map { trimTrailingSpaces($0) }.joined(separator: "\n")
}

/// An SVG histogram: touching bars over a value axis with nice ticks, counts on the y axis
/// (logarithmic with `options.logY`), title and captions (the y caption defaults to "count").
/// - Throws: `CoreError.badArgument` for a bad `bins`.
public func svgHistogram(_ tensor: Tensor<Float>, bins: Int? = nil, options: ChartOptions = ChartOptions()) throws -> String {
    let histogram = try Histogram(tensor, bins: bins)
    let width = options.width < 240 ? 720 : min(options.width, 20_000)
    let height = options.height < 160 ? 440 : min(options.height, 20_000)
    let top = options.title.isEmpty ? 20.0 : 44.0
    let bottom = options.xLabel.isEmpty ? 36.0 : 56.0
    let plotHeight = Double(height) - top - bottom
    let maxCount = Double(histogram.counts.max() ?? 0)
    let yScale = options.logY ? AxisScale.logarithmic(1, max(10, maxCount), maxTicks: 6)
                              : AxisScale.linear(0, max(1, maxCount), maxTicks: max(2, min(8, Int(plotHeight / 40))))
    let yLabel = options.yLabel.isEmpty ? "count" : options.yLabel
    let left = 16 + (yScale.labels.map { textWidth($0) }.max() ?? 10) + 22
    let plotWidth = Double(width) - left - 20
    let lo = histogram.edges.first ?? 0, hi = histogram.edges.last ?? 1
    var xScale = AxisScale.linear(lo, hi, maxTicks: 2)
    for maxTicks in stride(from: 10, through: 2, by: -1) {
        let x = AxisScale.linear(lo, hi, maxTicks: maxTicks)
        let spacing = plotWidth / Double(max(1, x.ticks.count - 1)) * (hi - lo) / (x.high - x.low)
        if (x.labels.map { textWidth($0) }.max() ?? 0) + 12 <= spacing || maxTicks == 2 {
            xScale = x
            break
        }
    }
    func px(_ v: Double) -> Double { left + (v - lo) / (hi - lo) * plotWidth }
    func py(_ count: Double) -> Double {
        if options.logY && count <= 0 { return top + plotHeight }
        return top + (1 - min(1, yScale.fraction(count))) * plotHeight
    }

    var svg = SVGDocument(width: width, height: height)
    if !options.title.isEmpty {
        svg.text(options.title, [("x", svgNumber(left + plotWidth / 2)), ("y", "26"), ("text-anchor", "middle"),
                                 ("font-size", "16"), ("font-weight", "bold")])
    }
    for (tick, label) in zip(yScale.ticks, yScale.labels) {
        let y = svgNumber(py(tick))
        svg.element("line", [("x1", svgNumber(left)), ("x2", svgNumber(left + plotWidth)), ("y1", y), ("y2", y),
                             ("stroke", "#e0e0e0")])
        svg.text(label, [("x", svgNumber(left - 8)), ("y", y), ("text-anchor", "end"), ("dominant-baseline", "middle"), ("fill", "#333")])
    }
    for (i, count) in histogram.counts.enumerated() where count > 0 {
        let x0 = px(histogram.edges[i]), x1 = px(histogram.edges[i + 1]), y = py(Double(count))
        svg.element("rect", [("x", svgNumber(x0)), ("y", svgNumber(y)), ("width", svgNumber(max(0.5, x1 - x0))),
                             ("height", svgNumber(top + plotHeight - y)), ("fill", svgSeriesColors[0]),
                             ("stroke", "white"), ("stroke-width", "0.5")])
    }
    for (tick, label) in zip(xScale.ticks, xScale.labels) where tick >= lo - 1e-9 * (hi - lo) && tick <= hi + 1e-9 * (hi - lo) {
        let x = svgNumber(px(tick))
        svg.element("line", [("x1", x), ("x2", x), ("y1", svgNumber(top + plotHeight)), ("y2", svgNumber(top + plotHeight + 5)),
                             ("stroke", "#444")])
        svg.text(label, [("x", x), ("y", svgNumber(top + plotHeight + 18)), ("text-anchor", "middle"), ("fill", "#333")])
    }
    svg.element("rect", [("x", svgNumber(left)), ("y", svgNumber(top)), ("width", svgNumber(plotWidth)),
                         ("height", svgNumber(plotHeight)), ("fill", "none"), ("stroke", "#444")])
    if !options.xLabel.isEmpty {
        svg.text(options.xLabel, [("x", svgNumber(left + plotWidth / 2)), ("y", svgNumber(Double(height) - 12)), ("text-anchor", "middle")])
    }
    let cx = svgNumber(16), cy = svgNumber(top + plotHeight / 2)
    svg.text(yLabel, [("x", cx), ("y", cy), ("text-anchor", "middle"), ("transform", "rotate(-90 \(cx) \(cy))")])
    return svg.render()
}
