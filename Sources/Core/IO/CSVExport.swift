// Writing tables as CSV (header row, then one row per record), atomically.

import Foundation

/// Writes a CSV file: `header`, then `rows`, fields quoted only when they need it (a comma, quote
/// or line break). Written atomically.
/// - Throws: `CoreError.badArgument` when a row's length differs from the header's;
///   `CoreError.badFile` when the file cannot be written.
public func writeCSV(_ path: String, header: [String], rows: [[String]]) throws {
    // Without a header (rows given as lists) every row must have the first row's width.
    let width = header.isEmpty ? (rows.first?.count ?? 0) : header.count
    for (i, row) in rows.enumerated() where row.count != width {
        throw CoreError.badArgument(op: "to_csv",
            message: "row \(i + 1) has \(row.count) fields, \(header.isEmpty ? "row 1" : "the header") \(width)")
    }
    var text = ""
    for row in (header.isEmpty ? [] : [header]) + rows {
        text += row.map(csvField).joined(separator: ",")
        text += "\n"
    }
    try writeFileAtomically(path) { try $0.write(Array(text.utf8)) }
}

/// Writes numeric rows as CSV; numbers are written like Python's `repr` (NaN, inf as `nan`, `inf`).
public func writeCSV(_ path: String, header: [String], rows: [[Double]]) throws {
    try writeCSV(path, header: header, rows: rows.map { row in
        row.map { $0.isNaN ? "nan" : $0.isInfinite ? ($0 < 0 ? "-inf" : "inf") : JSONValue.format($0) }
    })
}

/// One CSV field, quoted (with doubled quotes) when it holds a comma, quote or line break.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
