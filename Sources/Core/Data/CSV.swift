// Reading a CSV table into a Dataset: a header row, numeric feature columns, one named target column.
import Runtime

import Foundation

/// How the target column of a CSV file becomes `y`.
public enum CSVTarget {
    /// Text labels become class indices; numbers stay numbers (regression targets).
    case auto
    /// Class labels: the distinct values, sorted (numerically when all are numbers), become 0, 1, …
    case classes
    /// Numbers used as they are (regression targets).
    case values
}

/// Reads a CSV file with a header row into a Dataset.
///
/// Every column but the target must be numeric; fields may be quoted (`"a,b"`, `""` for a quote);
/// blank lines are skipped; `\r\n` line ends are accepted.
/// - Parameters:
///   - path: the file.
///   - target: the target column's name; nil takes the last column.
///   - kind: how to read the target (see `CSVTarget`).
/// - Returns: `x` of shape `[rows, columns - 1]`, `y` of shape `[rows]`; class names for labels.
/// - Throws: `CoreError.badFile` naming the path and the line for any malformed content.
public func readCSV(_ path: String, target: String? = nil, kind: CSVTarget = .auto,
                    token: CancellationToken? = nil) throws -> Dataset {
    let bytes = try readFileBytes(path, token: token)
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw CoreError.badFile(path: path, message: "not UTF-8 text")
    }
    return try parseCSVDataset(text, target: target, kind: kind, source: path)
}

/// Parses CSV text into a Dataset (see `readCSV`); `source` names the text in error messages.
public func parseCSVDataset(_ text: String, target: String? = nil, kind: CSVTarget = .auto,
                            source: String = "<csv>") throws -> Dataset {
    let records = try parseCSVRecords(text, source: source)
    guard let (_, header) = records.first else {
        throw CoreError.badFile(path: source, message: "empty file: no header row")
    }
    let columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
    guard columns.count >= 2 else {
        throw CoreError.badFile(path: source, message: "line 1: need at least two columns (features and a target), got \(columns.count)")
    }
    let targetIndex: Int
    if let name = target {
        guard let found = columns.firstIndex(of: name) else {
            throw CoreError.badFile(path: source,
                message: "no column named '\(name)' (columns: \(columns.joined(separator: ", ")))")
        }
        targetIndex = found
    } else {
        targetIndex = columns.count - 1
    }
    let rows = records.dropFirst()
    guard !rows.isEmpty else { throw CoreError.badFile(path: source, message: "no data rows after the header") }

    var features: [Float] = []
    features.reserveCapacity(rows.count * (columns.count - 1))
    var labels: [String] = []
    labels.reserveCapacity(rows.count)
    for (line, fields) in rows {
        guard fields.count == columns.count else {
            throw CoreError.badFile(path: source, message: "line \(line): expected \(columns.count) fields, got \(fields.count)")
        }
        for (column, field) in fields.enumerated() {
            let value = field.trimmingCharacters(in: .whitespaces)
            if column == targetIndex { labels.append(value); continue }
            guard let number = Float(value) else {
                throw CoreError.badFile(path: source,
                    message: "line \(line), column '\(columns[column])': expected a number, got '\(value)'")
            }
            features.append(number)
        }
    }
    let x = Tensor<Float>(uncheckedShape: [rows.count, columns.count - 1], scalars: features)
    let numbers = labels.map { Float($0) }
    let allNumeric = numbers.allSatisfy { $0 != nil }
    let asClasses: Bool
    switch kind {
    case .auto: asClasses = !allNumeric
    case .classes: asClasses = true
    case .values:
        if let bad = numbers.firstIndex(where: { $0 == nil }) {
            throw CoreError.badFile(path: source, message: "line \(Array(rows)[bad].line), column "
                + "'\(columns[targetIndex])': expected a number, got '\(labels[bad])'")
        }
        asClasses = false
    }
    guard asClasses else {
        return try Dataset(x: x, y: Tensor(uncheckedShape: [rows.count], scalars: numbers.map { $0 ?? 0 }))
    }
    var names = Array(Set(labels))
    if allNumeric {
        names.sort { (Float($0) ?? 0) < (Float($1) ?? 0) }
    } else {
        names.sort()
    }
    let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Float($0)) })
    let y = Tensor<Float>(uncheckedShape: [rows.count], scalars: labels.map { index[$0] ?? 0 })
    return Dataset(validX: x, y: y, classCount: names.count, classNames: names)
}

/// Splits CSV text into records of fields, each with the line number where it starts.
///
/// Handles quoted fields (with `""` escapes and embedded commas or line breaks), `\r\n` line ends
/// and blank lines (skipped).
/// - Throws: `CoreError.badFile` for an unterminated quoted field or text after a closing quote.
public func parseCSVRecords(_ text: String, source: String = "<csv>") throws -> [(line: Int, fields: [String])] {
    var records: [(line: Int, fields: [String])] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var line = 1, recordLine = 1
    var inQuotes = false, wasQuoted = false
    let bytes = Array(text.utf8)
    // Skip a UTF-8 byte-order mark (spreadsheet exports start with one).
    var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0

    func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        wasQuoted = false
    }
    func endRecord() {
        endField()
        if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) {
            records.append((recordLine, fields))
        }
        fields.removeAll(keepingCapacity: true)
    }

    while i < bytes.count {
        let c = bytes[i]
        if inQuotes {
            if c == UInt8(ascii: "\"") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                    field.append(c)
                    i += 1
                } else {
                    inQuotes = false
                }
            } else {
                if c == UInt8(ascii: "\n") { line += 1 }
                field.append(c)
            }
        } else {
            switch c {
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\n"):
                endRecord()
                line += 1
                recordLine = line
            case UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "\""):
                guard field.allSatisfy({ $0 == UInt8(ascii: " ") }), !wasQuoted else {
                    throw CoreError.badFile(path: source, message: "line \(line): stray quote inside an unquoted field")
                }
                field.removeAll()
                inQuotes = true
                wasQuoted = true
            default:
                if wasQuoted && c != UInt8(ascii: " ") {
                    throw CoreError.badFile(path: source, message: "line \(line): text after a closing quote")
                }
                field.append(c)
            }
        }
        i += 1
    }
    if inQuotes {
        throw CoreError.badFile(path: source, message: "line \(recordLine): unterminated quoted field")
    }
    if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
    return records
}
