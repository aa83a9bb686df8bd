// How a tensor prints: a 0-d tensor as its number, others as a shape line plus a clipped NumPy view.
import Core
import Foundation

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
        let shownValues = shownPositions(t).map { t.scalars[$0] }
        let scientific = needsScientific(shownValues)
        let cells = shownValues.map { element($0, scientific: scientific) }
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

    /// Digits after the point in a printed tensor's elements (NumPy's `precision`, default 4), set
    /// by `print_options(precision:)`; nil prints every element in full. Process-wide, as NumPy's
    /// print options are. Numbers a user asks for (`item(t)`, `t[0]`, 0-d tensors) keep full precision.
    nonisolated(unsafe) static var precision: Int? = 4

    /// NumPy's rule: scientific notation for the whole array when a shown value is ≥ 1e8, or a
    /// non-zero one is below 10^-precision.
    static func needsScientific(_ values: [Float]) -> Bool {
        guard let p = precision else { return false }
        let finite = values.filter { $0.isFinite && $0 != 0 }.map { Swift.abs(Double($0)) }
        guard let high = finite.max(), let low = finite.min() else { return false }
        return high >= 1e8 || low < pow(10.0, Double(-p))
    }

    /// One element: `7.0` for whole numbers, up to `precision` digits otherwise with trailing
    /// zeros dropped (`3.1416`, `0.5`), or `1.2346e+09` in scientific form.
    static func element(_ x: Float, scientific: Bool) -> String {
        guard let p = precision, x.isFinite else { return number(x) }
        if scientific { return String(format: "%.\(p)e", Double(x)) }
        if x == x.rounded(), Swift.abs(x) < 1e16 { return number(x) }
        var text = String(format: "%.\(p)f", Double(x))
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text += "0" }
        return text == "-0.0" ? "-0.0" : text
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
