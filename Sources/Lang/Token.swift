// Tokens: what the lexer produces and the parser consumes.

/// The kinds of token. Literal payloads live in `Token`.
public enum TokenKind: Equatable, Sendable {
    case int, float, string, name
    // keywords
    case fnKeyword, letKeyword, returnKeyword, ifKeyword, elseKeyword, whileKeyword, forKeyword
    case inKeyword, breakKeyword, continueKeyword, trueKeyword, falseKeyword, nilKeyword
    case andKeyword, orKeyword, notKeyword, tryKeyword, catchKeyword
    // punctuation
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, semicolon, colon, dot, rangeExclusive, rangeInclusive
    case plus, minus, star, slash, slashSlash, percent, at, caret
    case equalEqual, bangEqual, less, lessEqual, greater, greaterEqual
    case equal, plusEqual, minusEqual, starEqual, slashEqual, slashSlashEqual, percentEqual, caretEqual
    case pipe
    case newline, eof, invalid

    /// How the token is shown in messages ("`)`", "a name", "end of input").
    public var display: String {
        switch self {
        case .int: return "an integer"
        case .float: return "a number"
        case .string: return "a string"
        case .name: return "a name"
        case .newline: return "a new line"
        case .eof: return "end of input"
        case .invalid: return "an invalid character"
        default: return "`\(spelling)`"
        }
    }

    /// The source spelling of keywords and punctuation.
    public var spelling: String {
        switch self {
        case .fnKeyword: return "fn"
        case .letKeyword: return "let"
        case .returnKeyword: return "return"
        case .ifKeyword: return "if"
        case .elseKeyword: return "else"
        case .whileKeyword: return "while"
        case .forKeyword: return "for"
        case .inKeyword: return "in"
        case .breakKeyword: return "break"
        case .continueKeyword: return "continue"
        case .trueKeyword: return "true"
        case .falseKeyword: return "false"
        case .nilKeyword: return "nil"
        case .andKeyword: return "and"
        case .orKeyword: return "or"
        case .notKeyword: return "not"
        case .tryKeyword: return "try"
        case .catchKeyword: return "catch"
        case .leftParen: return "("
        case .rightParen: return ")"
        case .leftBracket: return "["
        case .rightBracket: return "]"
        case .leftBrace: return "{"
        case .rightBrace: return "}"
        case .comma: return ","
        case .semicolon: return ";"
        case .colon: return ":"
        case .dot: return "."
        case .rangeExclusive: return "..<"
        case .rangeInclusive: return "..."
        case .plus: return "+"
        case .minus: return "-"
        case .star: return "*"
        case .slash: return "/"
        case .slashSlash: return "//"
        case .percent: return "%"
        case .at: return "@"
        case .caret: return "^"
        case .equalEqual: return "=="
        case .bangEqual: return "!="
        case .less: return "<"
        case .lessEqual: return "<="
        case .greater: return ">"
        case .greaterEqual: return ">="
        case .equal: return "="
        case .plusEqual: return "+="
        case .minusEqual: return "-="
        case .starEqual: return "*="
        case .slashEqual: return "/="
        case .slashSlashEqual: return "//="
        case .percentEqual: return "%="
        case .caretEqual: return "^="
        case .pipe: return "|>"
        case .int, .float, .string, .name, .newline, .eof, .invalid: return ""
        }
    }

    /// Keywords by spelling.
    public static let keywords: [String: TokenKind] = [
        "fn": .fnKeyword, "let": .letKeyword, "return": .returnKeyword, "if": .ifKeyword,
        "else": .elseKeyword, "while": .whileKeyword, "for": .forKeyword, "in": .inKeyword,
        "break": .breakKeyword, "continue": .continueKeyword, "true": .trueKeyword,
        "false": .falseKeyword, "nil": .nilKeyword, "and": .andKeyword, "or": .orKeyword,
        "not": .notKeyword, "try": .tryKeyword, "catch": .catchKeyword,
    ]
}

/// One piece of a string literal: literal text or an interpolated expression's tokens.
public enum StringPiece {
    case text(String)
    /// The tokens between `\(` and `)`, ending with an `eof` token at the closing parenthesis.
    case code([Token])
}

/// A token with its span and payload.
public struct Token {
    public var kind: TokenKind
    public var span: SourceSpan
    /// The name for `.name`; the source text otherwise.
    public var text: String = ""
    public var intValue: Int = 0
    public var floatValue: Double = 0
    /// The pieces of a `.string` token.
    public var pieces: [StringPiece] = []

    public init(kind: TokenKind, span: SourceSpan, text: String = "") {
        self.kind = kind
        self.span = span
        self.text = text
    }
}
