// A character grid for terminal charts: braille dots (2×4 per cell) or one marker character per cell.

/// A grid of `columns × rows` terminal cells. Each cell holds braille dots or a marker, and
/// remembers which series drew it last (for colour).
struct TextCanvas {
    let columns: Int
    let rows: Int
    private var dots: [UInt8]
    private var markers: [Character?]
    private(set) var owners: [Int]

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        dots = [UInt8](repeating: 0, count: columns * rows)
        markers = [Character?](repeating: nil, count: columns * rows)
        owners = [Int](repeating: -1, count: columns * rows)
    }

    /// Dot resolution: two dots across and four down per cell.
    var dotColumns: Int { 2 * columns }
    var dotRows: Int { 4 * rows }

    /// Braille bit for the dot at (column 0–1, row 0–3) within a cell (Unicode's numbering).
    private static let bit: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// Sets the dot at dot column `x`, dot row `y` (0 at the top); outside points are ignored.
    mutating func setDot(_ x: Int, _ y: Int, series: Int) {
        guard x >= 0, y >= 0, x < dotColumns, y < dotRows else { return }
        let cell = (y / 4) * columns + x / 2
        dots[cell] |= TextCanvas.bit[x % 2][y % 4]
        markers[cell] = nil
        owners[cell] = series
    }

    /// Puts `marker` in cell (`column`, `row`), replacing dots or another marker.
    mutating func setCell(_ column: Int, _ row: Int, marker: Character, series: Int) {
        guard column >= 0, row >= 0, column < columns, row < rows else { return }
        let cell = row * columns + column
        markers[cell] = marker
        dots[cell] = 0
        owners[cell] = series
    }

    /// Calls `plot` for every integer point on the segment from (x0, y0) to (x1, y1) (Bresenham).
    static func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ plot: (Int, Int) -> Void) {
        var (x, y) = (x0, y0)
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            plot(x, y)
            if x == x1 && y == y1 { return }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// The text of one row: braille characters, markers, or spaces.
    func character(_ column: Int, _ row: Int) -> Character {
        let cell = row * columns + column
        if let marker = markers[cell] { return marker }
        if dots[cell] == 0 { return " " }
        return Character(Unicode.Scalar(0x2800 + UInt32(dots[cell])) ?? " ")
    }

    func owner(_ column: Int, _ row: Int) -> Int { owners[row * columns + column] }
}
