// The inputs of the line charts: named series of (x, y) points and the chart's options.

/// One line of a chart: a name for the legend and its points.
public struct PlotSeries {
    /// The legend entry ("" for none).
    public var name: String
    /// The points in drawing order; a non-finite coordinate breaks the line there.
    public var points: [(x: Double, y: Double)]

    /// A series from explicit points.
    public init(name: String = "", points: [(x: Double, y: Double)]) {
        self.name = name
        self.points = points
    }

    /// A series from parallel x and y lists (the shorter length wins).
    public init(name: String = "", x: [Double], y: [Double]) {
        self.init(name: name, points: Array(zip(x, y)).map { (x: $0.0, y: $0.1) })
    }

    /// A series of values against their index 0, 1, 2, … (as matplotlib's `plot(values)`).
    public init(name: String = "", values: [Double]) {
        self.init(name: name, points: values.enumerated().map { (x: Double($0.offset), y: $0.element) })
    }
}

/// What a chart looks like beyond its data.
public struct ChartOptions {
    /// Shown centred above the chart ("" for none).
    public var title: String
    /// Axis captions ("" for none).
    public var xLabel: String
    public var yLabel: String
    /// A base-10 logarithmic y axis; points with y <= 0 are left out.
    public var logY: Bool
    /// Terminal: total width in characters (30–1000). SVG: width in pixels (240–20000).
    public var width: Int
    /// Terminal: rows of the plotting area (5–500). SVG: height in pixels (160–20000).
    public var height: Int
    /// Terminal: colour the series with ANSI escapes (braille lines for every series) instead of
    /// drawing extra series with marker characters.
    public var color: Bool

    /// Options with the terminal defaults (72 × 16, no colour, linear y).
    public init(title: String = "", xLabel: String = "", yLabel: String = "", logY: Bool = false,
                width: Int = 72, height: Int = 16, color: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
        self.width = width
        self.height = height
        self.color = color
    }
}

/// The points of every series that can be drawn (finite, and y > 0 on a log axis), and their ranges.
struct ChartData {
    var series: [[(x: Double, y: Double)?]]  // nil marks a break in the line
    var xRange: (Double, Double)?
    var yRange: (Double, Double)?

    init(_ input: [PlotSeries], logY: Bool) {
        var xs: (Double, Double)?, ys: (Double, Double)?
        series = input.map { s in
            s.points.map { p in
                guard p.x.isFinite, p.y.isFinite, !logY || p.y > 0 else { return nil }
                xs = (min(xs?.0 ?? p.x, p.x), max(xs?.1 ?? p.x, p.x))
                ys = (min(ys?.0 ?? p.y, p.y), max(ys?.1 ?? p.y, p.y))
                return p
            }
        }
        xRange = xs
        yRange = ys
    }

    /// The axes for this data, with at most the given tick counts.
    func scales(logY: Bool, maxXTicks: Int, maxYTicks: Int) -> (x: AxisScale, y: AxisScale) {
        let x = AxisScale.linear(xRange?.0 ?? 0, xRange?.1 ?? 1, maxTicks: maxXTicks)
        let y = logY ? AxisScale.logarithmic(yRange?.0 ?? 1, yRange?.1 ?? 10, maxTicks: maxYTicks)
                     : AxisScale.linear(yRange?.0 ?? 0, yRange?.1 ?? 1, maxTicks: maxYTicks)
        return (x, y)
    }

    var isEmpty: Bool { xRange == nil }
}
