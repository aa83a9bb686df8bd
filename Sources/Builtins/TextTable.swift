// The aligned text tables the prompt prints (summary, sparsity, gates): columns padded to their widest cell, rules around the body.

enum TextTable {
    /// The header, a rule, the rows, and, when there are any, a rule and the closing rows (totals).
    /// Columns from `rightAlignedFrom` on are right-aligned (numbers); the others left-aligned.
    static func render(header: [String], rows: [[String]], closing: [[String]] = [], rightAlignedFrom: Int) -> String {
        var widths = header.map(\.count)
        for r in rows + closing {
            for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, (i < widths.count ? widths[i] : 0) - c.count))
                return i >= rightAlignedFrom ? pad + c : c + pad
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * max(0, widths.count - 1))
        var lines = [line(header), rule] + rows.map(line)
        if !closing.isEmpty { lines += [rule] + closing.map(line) }
        return lines.joined(separator: "\n")
    }
}
