// The lexer: characters to tokens, always emitting newlines; string interpolation lexed recursively.

/// Turns source text into tokens. Errors are collected, never thrown; lexing always finishes.
public final class Lexer {
    private let file: SourceFile
    private let chars: [Character]
    private var pos = 0
    /// Nesting of `(` inside an interpolation, to find its closing `)`.
    private var parenDepth = 0
    public private(set) var diagnostics: [Diagnostic] = []
    /// Whole-line comments by 1-based line, for doc comments above `fn`.
    public private(set) var lineComments: [Int: String] = [:]

    public init(file: SourceFile) {
        self.file = file
        self.chars = file.characters
    }

    /// All tokens of the file, ending with `.eof`.
    public func tokenize() -> [Token] {
        var tokens: [Token] = []
        var lastEnd = 0
        while true {
            var t = next(inInterpolation: false)
            if t.kind == .eof {
                // Point "unexpected end of input" just after the last token, not past trailing lines.
                t.span = SourceSpan(file: file, start: lastEnd, end: lastEnd)
                tokens.append(t)
                return tokens
            }
            if t.kind != .newline { lastEnd = t.span.end }
            tokens.append(t)
        }
    }

    private func span(_ start: Int) -> SourceSpan { SourceSpan(file: file, start: start, end: pos) }

    private func peek(_ ahead: Int = 0) -> Character? {
        let i = pos + ahead
        return i < chars.count ? chars[i] : nil
    }

    private func error(_ message: String, _ start: Int, unexpectedEnd: Bool = false) {
        diagnostics.append(Diagnostic(.error, message, at: span(start), isUnexpectedEnd: unexpectedEnd))
    }

    private static func isNameStart(_ c: Character) -> Bool { c == "_" || c.isLetter }
    private static func isNameChar(_ c: Character) -> Bool { c == "_" || c.isLetter || c.isNumber }
    private static func isDigit(_ c: Character?) -> Bool {
        guard let c, c.isASCII, let v = c.asciiValue else { return false }
        return v >= 48 && v <= 57
    }

    /// The next token. Inside an interpolation the `)` that closes it is returned as `.eof`.
    private func next(inInterpolation: Bool) -> Token {
        // Skip blanks and comments.
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" { pos += 1; continue }
            // A UTF-8 byte-order mark, as some editors write at the start of a file.
            if c == "\u{FEFF}" && pos == 0 { pos += 1; continue }
            if c == "#" {
                let start = pos
                while let d = peek(), !d.isNewline { pos += 1 }
                let line = file.line(of: start)
                let lineStart = file.lineStarts[line - 1]
                if chars[lineStart..<start].allSatisfy({ $0 == " " || $0 == "\t" }) {
                    var text = String(chars[(start + 1)..<pos])
                    if text.hasPrefix(" ") { text.removeFirst() }
                    lineComments[line] = text
                }
                continue
            }
            break
        }
        let start = pos
        guard let c = peek() else {
            if inInterpolation { error("unexpected end of input in string interpolation", start, unexpectedEnd: true) }
            return Token(kind: .eof, span: span(start))
        }
        if c.isNewline { pos += 1; return Token(kind: .newline, span: span(start)) }
        if Lexer.isDigit(c) { return number(start) }
        if c == "\"" { return string(start) }
        if Lexer.isNameStart(c) {
            while let d = peek(), Lexer.isNameChar(d) { pos += 1 }
            let text = String(chars[start..<pos])
            return Token(kind: TokenKind.keywords[text] ?? .name, span: span(start), text: text)
        }
        pos += 1
        func op(_ kind: TokenKind) -> Token { Token(kind: kind, span: span(start), text: kind.spelling) }
        func match(_ s: Character) -> Bool { if peek() == s { pos += 1; return true }; return false }
        switch c {
        case "(":
            parenDepth += 1
            return op(.leftParen)
        case ")":
            if inInterpolation && parenDepth == 0 { return Token(kind: .eof, span: span(start)) }
            parenDepth -= 1
            return op(.rightParen)
        case "[": return op(.leftBracket)
        case "]": return op(.rightBracket)
        case "{": return op(.leftBrace)
        case "}": return op(.rightBrace)
        case ",": return op(.comma)
        case ";": return op(.semicolon)
        case ":": return op(.colon)
        case ".":
            if peek() == "." && peek(1) == "<" { pos += 2; return op(.rangeExclusive) }
            if peek() == "." && peek(1) == "." { pos += 2; return op(.rangeInclusive) }
            let before: Character? = start > 0 ? chars[start - 1] : nil
            let afterOperand = before.map { Lexer.isNameChar($0) || $0 == ")" || $0 == "]" || $0 == "}" } ?? false
            if Lexer.isDigit(peek()) && !afterOperand {
                while Lexer.isDigit(peek()) { pos += 1 }
                let text = String(chars[start..<pos])
                error("a number cannot start with `.`; write `0\(text)`", start)
                return Token(kind: .float, span: span(start), text: text)
            }
            return op(.dot)
        case "+": return op(match("=") ? .plusEqual : .plus)
        case "-": return op(match("=") ? .minusEqual : .minus)
        case "*": return op(match("=") ? .starEqual : .star)
        case "/":
            if match("/") { return op(match("=") ? .slashSlashEqual : .slashSlash) }
            return op(match("=") ? .slashEqual : .slash)
        case "%": return op(match("=") ? .percentEqual : .percent)
        case "^": return op(match("=") ? .caretEqual : .caret)
        case "@": return op(.at)
        case "=": return op(match("=") ? .equalEqual : .equal)
        case "!":
            if match("=") { return op(.bangEqual) }
            error("unexpected `!`; use `not` for negation", start)
            return Token(kind: .invalid, span: span(start), text: "!")
        case "<": return op(match("=") ? .lessEqual : .less)
        case ">": return op(match("=") ? .greaterEqual : .greater)
        case "|":
            if match(">") { return op(.pipe) }
            error("unexpected `|`; the pipeline operator is `|>`", start)
            return Token(kind: .invalid, span: span(start), text: "|")
        default:
            // Characters are grapheme clusters: a combining mark right after `"` or `(` fuses
            // with it into one character the lexer cannot match.
            if c.unicodeScalars.count > 1, let first = c.unicodeScalars.first, first.isASCII {
                let marks = c.unicodeScalars.dropFirst().map { scalar -> String in
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                }
                error("combining mark \(marks.joined(separator: " ")) after `\(first)`; a combining mark must follow a letter (inside a string, put a letter before it)", start)
                return Token(kind: .invalid, span: span(start), text: String(c))
            }
            error("unexpected character `\(c)`", start)
            return Token(kind: .invalid, span: span(start), text: String(c))
        }
    }

    // number := digits ('_' digits)* ('.' digits)? ([eE] [+-]? digits)?
    private func number(_ start: Int) -> Token {
        var isFloat = false
        func digits() {
            while let c = peek() {
                if Lexer.isDigit(c) { pos += 1 } else if c == "_" && Lexer.isDigit(peek(1)) && pos > start {
                    pos += 1
                } else { break }
            }
        }
        digits()
        if peek() == "_" {
            while peek() == "_" || Lexer.isDigit(peek()) { pos += 1 }
            error("`_` in a number must stand between digits", start)
        }
        var digitsEnd = pos
        if peek() == ".", Lexer.isDigit(peek(1)) {
            isFloat = true
            pos += 1
            digits()
            digitsEnd = pos
        } else if peek() == ".", peek(1) != ".", !(peek(1).map(Lexer.isNameStart) ?? false) {
            pos += 1
            error("a number cannot end with `.`; write `\(String(chars[start..<(pos - 1)])).0`", start)
        }
        if let e = peek(), e == "e" || e == "E" {
            let save = pos
            pos += 1
            if peek() == "+" || peek() == "-" { pos += 1 }
            if Lexer.isDigit(peek()) { isFloat = true; digits(); digitsEnd = pos } else { pos = save }
        }
        let text = String(chars[start..<digitsEnd])
        let clean = text.replacingUnderscores()
        var token = Token(kind: isFloat ? .float : .int, span: span(start), text: text)
        if isFloat {
            token.floatValue = Double(clean) ?? .nan
        } else if let v = Int(clean) {
            token.intValue = v
        } else {
            error("integer literal \(text) does not fit in 64 bits", start)
        }
        if let c = peek(), Lexer.isNameStart(c), !(c == "e" || c == "E") || !isFloat {
            // `3x` is almost certainly a typo.
            let s = pos
            while let d = peek(), Lexer.isNameChar(d) { pos += 1 }
            error("unexpected `\(String(chars[s..<pos]))` after number", s)
        }
        return token
    }

    // string := '"' (char | escape | '\(' tokens ')')* '"'
    private func string(_ start: Int) -> Token {
        pos += 1
        var pieces: [StringPiece] = []
        var text = ""
        while true {
            guard let c = peek() else {
                error("unterminated string", start, unexpectedEnd: true)
                break
            }
            pos += 1
            if c == "\"" { break }
            if c != "\\" { text.append(c); continue }
            let escapeStart = pos - 1
            guard let e = peek() else { continue }
            pos += 1
            switch e {
            case "n": text.append("\n")
            case "t": text.append("\t")
            case "r": text.append("\r")
            case "0": text.append("\0")
            case "\"": text.append("\"")
            case "\\": text.append("\\")
            case "u":
                if peek() == "{" {
                    pos += 1
                    var hex = ""
                    while let h = peek(), h.isHexDigit { hex.append(h); pos += 1 }
                    if peek() == "}", !hex.isEmpty, hex.count <= 8, let v = UInt32(hex, radix: 16),
                       let scalar = Unicode.Scalar(v) {
                        pos += 1
                        text.unicodeScalars.append(scalar)
                    } else {
                        error("invalid unicode escape; write `\\u{1F600}`", escapeStart)
                    }
                } else {
                    error("invalid unicode escape; write `\\u{1F600}`", escapeStart)
                }
            case "(":
                if !text.isEmpty { pieces.append(.text(text)); text = "" }
                let savedDepth = parenDepth
                parenDepth = 0
                var inner: [Token] = []
                while true {
                    let t = next(inInterpolation: true)
                    inner.append(t)
                    if t.kind == .eof { break }
                }
                parenDepth = savedDepth
                pieces.append(.code(inner))
                if pos >= chars.count {
                    return finishString(start, pieces)
                }
            default:
                error("unknown escape `\\\(e)` in string", escapeStart)
            }
        }
        if !text.isEmpty || pieces.isEmpty { pieces.append(.text(text)) }
        return finishString(start, pieces)
    }

    private func finishString(_ start: Int, _ pieces: [StringPiece]) -> Token {
        var t = Token(kind: .string, span: span(start))
        t.pieces = pieces
        return t
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
