// Source text and positions: a file's characters, line starts, and spans that diagnostics point at.

/// The text of one script, prompt input or `-e` argument, split into characters for the lexer.
public final class SourceFile {
    /// The name shown in diagnostics (`train.wh`, `<prompt>`, `<string>`).
    public let path: String
    /// The characters of the text; columns and offsets count these.
    public let characters: [Character]
    /// Offsets in `characters` where each line starts (line 1 starts at 0).
    public let lineStarts: [Int]

    public init(path: String, text: String) {
        self.path = path
        let chars = Array(text)
        characters = chars
        var starts = [0]
        for (i, c) in chars.enumerated() where c.isNewline { starts.append(i + 1) }
        lineStarts = starts
    }

    /// The 1-based line holding character offset `offset`.
    public func line(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    /// The text of 1-based line `line`, without its newline; empty when out of range.
    public func text(ofLine line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] : characters.count
        while end > start, characters[end - 1].isNewline { end -= 1 }
        return String(characters[start..<end])
    }

    /// The characters between two offsets, clamped to the text.
    public func text(from start: Int, to end: Int) -> String {
        let s = max(0, min(start, characters.count)), e = max(s, min(end, characters.count))
        return String(characters[s..<e])
    }
}

/// A range of characters in a source file: what a caret underlines.
public struct SourceSpan {
    public let file: SourceFile
    /// Character offsets; `end` is exclusive.
    public let start: Int
    public let end: Int

    public init(file: SourceFile, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    /// 1-based line of the start.
    public var line: Int { file.line(of: start) }
    /// 1-based column (in characters) of the start.
    public var column: Int { start - file.lineStarts[line - 1] + 1 }

    /// The smallest span covering both.
    public func through(_ other: SourceSpan) -> SourceSpan {
        SourceSpan(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    /// `file:line:column`.
    public var description: String { "\(file.path):\(line):\(column)" }
    /// `file:line`.
    public var shortDescription: String { "\(file.path):\(line)" }
}
