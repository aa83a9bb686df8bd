// Diagnostics: an error or warning with a span, and the one renderer that turns it into text.

/// A message about the source: a syntax error, a warning from `check`, or a runtime error.
public struct Diagnostic: Error, CustomStringConvertible {
    public enum Severity: String { case error, warning }

    public var severity: Severity
    public var message: String
    /// What the caret underlines; nil for errors with no location (e.g. raised by the driver).
    public var span: SourceSpan?
    /// Extra lines printed under the source excerpt (`the \`(\` opened at line 3`, trace lines).
    public var notes: [String]
    /// True when the error was caused by the input ending in the middle of a construct; the prompt
    /// then asks for more lines instead of reporting it.
    public var isUnexpectedEnd: Bool

    public init(_ severity: Severity = .error, _ message: String, at span: SourceSpan?,
                notes: [String] = [], isUnexpectedEnd: Bool = false) {
        self.severity = severity
        self.message = message
        self.span = span
        self.notes = notes
        self.isUnexpectedEnd = isUnexpectedEnd
    }

    public var description: String { render() }

    /// The text shown to the user:
    ///
    ///     error: message
    ///       --> file:line:col
    ///        |
    ///     12 |   logits = h @ w2
    ///        |            ^^^^^^
    ///       note lines
    public func render(color: Bool = false) -> String {
        let red = color ? (severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;33m") : ""
        let blue = color ? "\u{1B}[1;34m" : ""
        let bold = color ? "\u{1B}[1m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        var out = "\(red)\(severity.rawValue)\(reset)\(bold): \(message)\(reset)\n"
        if let span {
            let line = span.line, column = span.column
            let text = span.file.text(ofLine: line)
            let number = String(line)
            let pad = String(repeating: " ", count: number.count)
            let lineEnd = span.file.lineStarts[line - 1] + text.count
            var width = max(1, min(span.end, lineEnd) - span.start)
            out += "\(pad)\(blue)-->\(reset) \(span.file.path):\(line):\(column)\n"
            out += "\(pad) \(blue)|\(reset)\n"
            let (shown, caretColumn) = Diagnostic.clip(text, column: column)
            width = min(width, max(1, shown.count - caretColumn + 1))
            out += "\(blue)\(number) |\(reset) \(shown)\n"
            let lead = String(shown.prefix(caretColumn - 1).map { $0 == "\t" ? "\t" : " " })
            out += "\(pad) \(blue)|\(reset) \(lead)\(red)\(String(repeating: "^", count: width))\(reset)\n"
        }
        for note in notes { out += "  \(note)\n" }
        return out
    }

    /// Longest source line shown whole; longer ones are cut to a window around the caret.
    public static let maxShownLine = 120

    /// `text` cut to at most about `maxShownLine` characters around `column` (1-based), with `…`
    /// where it was cut, and the caret's column in the result: a 60 KB line must not be printed
    /// once per error.
    static func clip(_ text: String, column: Int) -> (String, Int) {
        guard text.count > maxShownLine else { return (text, column) }
        let chars = Array(text)
        let half = maxShownLine / 2
        let start = max(0, min(column - 1 - half, chars.count - maxShownLine))
        let end = min(chars.count, start + maxShownLine)
        let head = start > 0 ? "…" : "", tail = end < chars.count ? "…" : ""
        return (head + String(chars[start..<end]) + tail, column - start + head.count)
    }

    /// Errors reported in full before the rest are only counted.
    public static let maxReported = 20

    /// The rendering of `diagnostics`, the first `maxReported` in full, then "and N more errors".
    public static func render(_ diagnostics: [Diagnostic], color: Bool = false) -> String {
        var out = diagnostics.prefix(maxReported).map { $0.render(color: color) }.joined()
        if diagnostics.count > maxReported {
            let more = diagnostics.count - maxReported
            out += "… and \(more) more error\(more == 1 ? "" : "s")\n"
        }
        return out
    }
}

/// Edit distance, for "did you mean" suggestions.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The candidate closest to `name` when it is close enough to be a plausible typo.
public func nearestName(to name: String, among candidates: [String]) -> String? {
    var best: (String, Int)?
    let limit = max(1, min(3, name.count / 3 + 1))
    for c in candidates where c != name {
        let d = editDistance(name.lowercased(), c.lowercased())
        if d > limit || d >= name.count { continue }
        if let b = best, d > b.1 || (d == b.1 && c >= b.0) { continue }
        best = (c, d)
    }
    return best?.0
}
