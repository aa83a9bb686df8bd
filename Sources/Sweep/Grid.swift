// The points of a sweep: `--grid name=v1,v2` axes (lists and integer ranges), their Cartesian product, fixed `--set` values.

/// One `--grid name=values` axis.
public struct GridAxis: Equatable, Sendable {
    public let name: String
    /// Each value as setting text.
    public let values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// Reads `name=v1,v2,...`. A value `a..b` or `a...b` (integers) stands for every integer from a
    /// to b inclusive, `a..<b` for a to b − 1. Commas inside brackets or quotes do not split, so
    /// `sizes=[1,2],[3,4]` has two values.
    /// - Throws: `SweepError` (usage) for a missing `=`, a bad name, an empty value or a huge range.
    public static func parse(_ text: String) throws -> GridAxis {
        guard let eq = text.firstIndex(of: "=") else {
            throw SweepError("--grid expects NAME=V1,V2,..., got '\(text)'", usage: true)
        }
        let name = String(text[..<eq])
        try checkName(name, in: "--grid \(text)")
        var values: [String] = []
        for piece in splitTopLevel(String(text[text.index(after: eq)...])) {
            let value = piece.trimmingSpaces
            guard !value.isEmpty else { throw SweepError("--grid \(name): empty value in '\(text)'", usage: true) }
            if let range = try integerRange(value) {
                values += range.map(String.init)
            } else {
                values.append(value)
            }
        }
        return GridAxis(name: name, values: values)
    }
}

/// The most points one sweep may have: more is a typo, not an experiment.
public let maximumPoints = 1_000_000

/// The points of a sweep: each explicit point (or one empty point when there are none), extended
/// by every combination of the axes' values (the first axis varies slowest), with `fixed` first.
/// - Throws: `SweepError` (usage) when a name is given twice or there are too many points.
public func sweepPoints(fixed: [Setting], explicit: [[Setting]]?, axes: [GridAxis]) throws -> [SweepPoint] {
    var seen: [String: String] = [:]
    func claim(_ name: String, _ source: String) throws {
        if let earlier = seen[name], earlier != source || source == "--grid" {
            throw SweepError("`\(name)` is given twice (\(earlier) and \(source))", usage: true)
        }
        seen[name] = source
    }
    for s in fixed { try claim(s.name, "--set") }
    for a in axes { try claim(a.name, "--grid") }
    for point in explicit ?? [] { for s in point where seen[s.name] != "--from" { try claim(s.name, "--from") } }

    let bases = explicit ?? [[]]
    var count = bases.count
    for a in axes {
        let (product, overflow) = count.multipliedReportingOverflow(by: a.values.count)
        guard !overflow, product <= maximumPoints else {
            throw SweepError("the sweep would have more than \(maximumPoints) points", usage: true)
        }
        count = product
    }
    guard count > 0 else { throw SweepError("the sweep has no points", usage: true) }

    var combinations: [[Setting]] = [[]]
    for a in axes {
        combinations = combinations.flatMap { prefix in a.values.map { prefix + [Setting(a.name, $0)] } }
    }
    return numbered(bases.flatMap { base in combinations.map { fixed + base + $0 } })
}

/// Names become globals of the script, so they must be identifiers.
func checkName(_ name: String, in context: String) throws {
    let scalars = Array(name.unicodeScalars)
    let isStart: (Unicode.Scalar) -> Bool = { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
    guard let first = scalars.first, isStart(first),
          scalars.allSatisfy({ isStart($0) || ("0"..."9").contains($0) }) else {
        throw SweepError("\(context): '\(name)' is not a name (letters, digits and _, not starting with a digit)", usage: true)
    }
}

/// Splits at commas that are outside brackets and double quotes.
func splitTopLevel(_ text: String) -> [String] {
    var pieces: [String] = []
    var current = ""
    var depth = 0
    var inString = false
    var escaped = false
    for c in text {
        if inString {
            if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        } else if c == "\"" {
            inString = true
        } else if "[({".contains(c) {
            depth += 1
        } else if ")]}".contains(c) {
            depth = max(0, depth - 1)
        } else if c == ",", depth == 0 {
            pieces.append(current)
            current = ""
            continue
        }
        current.append(c)
    }
    pieces.append(current)
    return pieces
}

/// `a..b`, `a...b` (inclusive) or `a..<b` as integers; nil when `text` is not such a range.
func integerRange(_ text: String) throws -> [Int]? {
    for (separator, inclusive) in [("..<", false), ("...", true), ("..", true)] {
        guard let r = text.range(of: separator) else { continue }
        guard let lo = Int(text[..<r.lowerBound]), let hi = Int(text[r.upperBound...]) else { return nil }
        let last = inclusive ? hi : hi - 1
        guard last >= lo else { throw SweepError("the range \(text) is empty", usage: true) }
        guard last - lo < maximumPoints else { throw SweepError("the range \(text) has more than \(maximumPoints) values", usage: true) }
        return Array(lo...last)
    }
    return nil
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
