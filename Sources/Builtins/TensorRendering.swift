// How a tensor prints: a 0-d tensor as its number, others as a shape line plus a clipped NumPy view.
import Core

enum TensorRendering {
    /// Rows and columns shown at each end of a long axis before `…`.
    static let edgeItems = 3
    /// Axes longer than this are clipped.
    static let clipAbove = 8

    /// `0.9` for a 0-d tensor; otherwise `Tensor [2, 3] Float32` and a view of the values.
    static func render(_ t: Tensor<Float>, width: Int) -> String {
        if t.rank == 0 { return number(t.scalars[0]) }
        let header = "Tensor \(Tensor<Float>.describe(t.shape)) Float32"
        if t.count == 0 { return header + "\n[]" }
        // Format the shown elements first so every column has one width.
        let cells = shownPositions(t).map { number(t.scalars[$0]) }
        let cellWidth = cells.map(\.count).max() ?? 1
        var body = ""
        var next = 0
        func emit(_ axis: Int, _ offset: Int, indent: Int) {
            let n = t.shape[axis]
            let stride = t.shape[(axis + 1)...].reduce(1, *)
            let shown = shownIndices(n)
            body += "["
            for (k, i) in shown.enumerated() {
                if k > 0 {
                    if axis == t.rank - 1 {
                        body += ", "
                    } else {
                        body += "," + String(repeating: "\n", count: t.rank - 1 - axis) + String(repeating: " ", count: indent + 1)
                    }
                }
                if i < 0 {
                    body += axis == t.rank - 1 ? "…" : "…"
                    continue
                }
                if axis == t.rank - 1 {
                    let cell = next < cells.count ? cells[next] : ""
                    next += 1
                    body += String(repeating: " ", count: max(0, cellWidth - cell.count)) + cell
                } else {
                    emit(axis + 1, offset + i * stride, indent: indent + 1)
                }
            }
            body += "]"
        }
        emit(0, 0, indent: 0)
        return header + "\n" + clipLines(body, width: width)
    }

    /// Shortest Float32 text that reads back to the same value: `0.9`, `1.0`, `nan`, `-inf`.
    static func number(_ x: Float) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return x.description
    }

    /// The indices shown along an axis of length `n`; -1 marks the `…` between the two ends.
    static func shownIndices(_ n: Int) -> [Int] {
        if n <= clipAbove { return Array(0..<n) }
        return Array(0..<edgeItems) + [-1] + Array((n - edgeItems)..<n)
    }

    /// Flat positions of the shown elements, in printing order.
    static func shownPositions(_ t: Tensor<Float>) -> [Int] {
        var out: [Int] = []
        func walk(_ axis: Int, _ offset: Int) {
            let stride = t.shape[(axis + 1)...].reduce(1, *)
            for i in shownIndices(t.shape[axis]) where i >= 0 {
                if axis == t.rank - 1 { out.append(offset + i) } else { walk(axis + 1, offset + i * stride) }
            }
        }
        walk(0, 0)
        return out
    }

    /// Cuts lines longer than `width` with `…` so a wide tensor never wraps the terminal.
    static func clipLines(_ text: String, width: Int) -> String {
        let limit = max(width, 20)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.count <= limit ? String(line) : String(line.prefix(limit - 1)) + "…"
        }.joined(separator: "\n")
    }
}
