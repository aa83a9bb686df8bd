// The parser: tokens to a syntax tree by recursive descent, recovering at statement boundaries.

/// A syntax error raised inside the parser; the statement loop records it and resynchronizes.
struct SyntaxError: Error {
    var diagnostic: Diagnostic
    /// Already reported by the lexer (an invalid character): do not report twice.
    var isSilent = false
}

/// Raised when nesting exceeds the depth limit: parsing stops.
struct ParseAbort: Error {}

/// Shared limits of the language implementation.
public enum Limits {
    /// Maximum nesting depth: parser nesting and evaluator call frames share this one limit.
    public static let maxDepth = 10_000
}

/// Parses a file: statements separated by newlines or `;`, recovering after each syntax error.
///
/// Grammar methods are named after the rules of LANGUAGE.md and ordered from statements down to
/// the tightest-binding expressions (see Parser+Expressions.swift).
public final class Parser {
    let file: SourceFile
    var tokens: [Token]
    var pos = 0
    /// One entry per open construct: true where newlines are ignored (inside `( )`, `[ ]`, records).
    var ignoresNewlines: [Bool] = [false]
    var diagnostics: [Diagnostic] = []
    var depth: Int
    let maxDepth: Int
    var loopDepth = 0
    var functionDepth = 0
    let lineComments: [Int: String]
    /// True for the parser of an interpolation's tokens, whose `eof` is the closing `)`.
    let isInterpolation: Bool

    init(file: SourceFile, tokens: [Token], lineComments: [Int: String], depth: Int, maxDepth: Int,
         isInterpolation: Bool) {
        self.file = file
        self.tokens = tokens
        self.lineComments = lineComments
        self.depth = depth
        self.maxDepth = maxDepth
        self.isInterpolation = isInterpolation
    }

    /// Lexes and parses `file`. The program holds every statement that parsed; the diagnostics hold
    /// every lexical and syntax error, in source order.
    public static func parse(_ file: SourceFile, maxDepth: Int = Limits.maxDepth) -> (Program, [Diagnostic]) {
        let lexer = Lexer(file: file)
        let tokens = lexer.tokenize()
        let parser = Parser(file: file, tokens: tokens, lineComments: lexer.lineComments, depth: 0,
                            maxDepth: maxDepth, isInterpolation: false)
        let statements = parser.program()
        let end = tokens.last?.span ?? SourceSpan(file: file, start: 0, end: 0)
        let start = tokens.first?.span ?? end
        let program = Program(body: Block(statements: statements, span: start.through(end)), file: file)
        var all = lexer.diagnostics + parser.diagnostics
        all.sort { ($0.span?.start ?? 0) < ($1.span?.start ?? 0) }
        return (program, all)
    }

    // MARK: - Token access

    /// The current token, skipping newlines where they are ignored.
    func peek() -> Token {
        if ignoresNewlines.last == true {
            while tokens[pos].kind == .newline { pos += 1 }
        }
        return tokens[pos]
    }

    /// The token `n` places after the current one, skipping newlines when `skippingNewlines`.
    func peek(ahead n: Int, skippingNewlines: Bool = true) -> Token {
        var i = pos, left = n
        _ = peek()
        while i < tokens.count - 1 {
            if left == 0 && !(skippingNewlines && tokens[i].kind == .newline) { break }
            if !(skippingNewlines && tokens[i].kind == .newline) { left -= 1 }
            i += 1
        }
        return tokens[i]
    }

    @discardableResult
    func advance() -> Token {
        let t = peek()
        if t.kind != .eof { pos += 1 }
        return t
    }

    func at(_ kind: TokenKind) -> Bool { peek().kind == kind }

    func skipNewlines() {
        while tokens[pos].kind == .newline { pos += 1 }
    }

    /// True when the current token is `kind`, or when the next line starts with it (the continuation
    /// rule for `else`, `catch`, `|>`, `.`, `and`, `or`); skips the newlines in the second case.
    func continues(with kind: TokenKind) -> Bool {
        if peek().kind == kind { return true }
        guard tokens[pos].kind == .newline else { return false }
        var i = pos
        while tokens[i].kind == .newline { i += 1 }
        if tokens[i].kind == kind { pos = i; return true }
        return false
    }

    func withNewlines<T>(ignored: Bool, _ body: () throws -> T) rethrows -> T {
        ignoresNewlines.append(ignored)
        defer { ignoresNewlines.removeLast() }
        return try body()
    }

    // MARK: - Errors

    /// How a token is named in "found ..." messages.
    func describe(_ t: Token) -> String {
        switch t.kind {
        case .name, .int, .float: return "`\(t.text)`"
        case .eof where isInterpolation: return "`)`"
        default: return t.kind.display
        }
    }

    func error(_ message: String, at span: SourceSpan, token: Token? = nil) -> SyntaxError {
        let t = token ?? tokens[pos]
        let atEnd = t.kind == .eof && !isInterpolation
        return SyntaxError(diagnostic: Diagnostic(.error, message, at: span, isUnexpectedEnd: atEnd),
                           isSilent: t.kind == .invalid)
    }

    /// An "expected X, found Y" error at the current token.
    func expected(_ what: String) -> SyntaxError {
        let t = peek()
        return error("expected \(what), found \(describe(t))", at: t.span, token: t)
    }

    /// Consumes a `kind` token or throws "expected ...".
    @discardableResult
    func expect(_ kind: TokenKind, _ what: String? = nil) throws -> Token {
        if at(kind) { return advance() }
        throw expected(what ?? kind.display)
    }

    /// Consumes the closer of `opener` or throws an error naming the line where it was opened.
    @discardableResult
    func expectClosing(_ kind: TokenKind, opener: Token) throws -> Token {
        if at(kind) { return advance() }
        let t = peek()
        throw error("expected \(kind.display) to close the \(opener.kind.display) at line \(opener.span.line), found \(describe(t))",
                    at: t.span, token: t)
    }

    func expectName(_ what: String = "a name") throws -> Token {
        if at(.name) { return advance() }
        throw expected(what)
    }

    /// Counts one level of nesting; throws when the shared depth limit is reached.
    func nest() throws {
        depth += 1
        if depth > maxDepth {
            let t = peek()
            diagnostics.append(Diagnostic(.error, "nesting too deep (more than \(maxDepth) levels)", at: t.span))
            throw ParseAbort()
        }
    }

    // MARK: - Statements

    // program := statements EOF
    func program() -> [Stmt] {
        do {
            return try statements(until: .eof)
        } catch {
            return []
        }
    }

    // statements := (statement (NEWLINE | ';'))* — recovering at the next statement after an error
    func statements(until end: TokenKind) throws -> [Stmt] {
        var result: [Stmt] = []
        while true {
            while tokens[pos].kind == .newline || tokens[pos].kind == .semicolon { pos += 1 }
            let t = peek()
            if t.kind == end || t.kind == .eof { break }
            let saved = ignoresNewlines.count
            do {
                if t.kind == .rightBrace || t.kind == .rightParen || t.kind == .rightBracket {
                    throw error("unexpected \(t.kind.display)", at: t.span, token: t)
                }
                let s = try statement()
                result.append(s)
                let next = tokens[pos]
                if !(next.kind == .newline || next.kind == .semicolon || next.kind == end || next.kind == .eof) {
                    throw error("expected a new line or `;` after the statement, found \(describe(next))",
                                at: next.span, token: next)
                }
            } catch let e as SyntaxError {
                if !e.isSilent { diagnostics.append(e.diagnostic) }
                ignoresNewlines.removeLast(ignoresNewlines.count - saved)
                synchronize(end: end)
            }
        }
        return result
    }

    /// Skips to the start of the next statement: past a newline or `;` outside brackets, or up to the
    /// `}` that closes the current block.
    func synchronize(end: TokenKind) {
        var nesting = 0
        if tokens[pos].kind == .rightBrace || tokens[pos].kind == .rightParen || tokens[pos].kind == .rightBracket,
           end == .eof || tokens[pos].kind != end {
            pos += 1
        }
        while true {
            let t = tokens[pos]
            switch t.kind {
            case .eof: return
            case .newline, .semicolon:
                if nesting <= 0 { pos += 1; return }
            case .leftParen, .leftBracket, .leftBrace: nesting += 1
            case .rightParen, .rightBracket, .rightBrace:
                if nesting == 0 && t.kind == end { return }
                nesting -= 1
            default: break
            }
            pos += 1
        }
    }

    // statement := let | fnDeclaration | while | for | break | continue | return | try
    //            | expression (('=' | op'=') expression)?
    func statement() throws -> Stmt {
        let t = peek()
        switch t.kind {
        case .letKeyword:
            advance()
            let name = try expectName("a name after `let`")
            try expect(.equal, "`=` after the name in `let`")
            skipNewlines()
            let value = try expression()
            return Stmt(.letBinding(NameRef(name: name.text, span: name.span), value), t.span.through(value.span))
        case .fnKeyword where peek(ahead: 1, skippingNewlines: false).kind == .name:
            return try functionDeclaration()
        case .whileKeyword:
            advance()
            let condition = try self.condition()
            loopDepth += 1
            defer { loopDepth -= 1 }
            let body = try block()
            return Stmt(.whileLoop(condition, body), t.span.through(body.span))
        case .forKeyword:
            advance()
            var names: [NameRef] = []
            repeat {
                let n = try expectName("a loop variable name")
                names.append(NameRef(name: n.text, span: n.span))
            } while at(.comma) && { advance(); return true }()
            try expect(.inKeyword, "`in` after the loop variables")
            let iterable = try condition()
            loopDepth += 1
            defer { loopDepth -= 1 }
            let body = try block()
            return Stmt(.forLoop(names, iterable, body), t.span.through(body.span))
        case .breakKeyword, .continueKeyword:
            advance()
            if loopDepth == 0 { throw error("`\(t.kind.spelling)` outside a loop", at: t.span, token: t) }
            return Stmt(t.kind == .breakKeyword ? .breakLoop : .continueLoop, t.span)
        case .returnKeyword:
            advance()
            if functionDepth == 0 { throw error("`return` outside a function", at: t.span, token: t) }
            let next = tokens[pos].kind
            if next == .newline || next == .semicolon || next == .rightBrace || next == .eof {
                return Stmt(.returnValue(nil), t.span)
            }
            let value = try expression()
            return Stmt(.returnValue(value), t.span.through(value.span))
        case .tryKeyword:
            advance()
            let body = try block()
            guard continues(with: .catchKeyword) else { throw expected("`catch` after the `try` block") }
            advance()
            var name: NameRef?
            if at(.name) {
                let n = advance()
                name = NameRef(name: n.text, span: n.span)
            }
            let handler = try block()
            return Stmt(.tryCatch(body, name, handler), t.span.through(handler.span))
        default:
            let target = try expression()
            let op: BinaryOperator?
            switch tokens[pos].kind {
            case .equal: op = nil
            case .plusEqual: op = .add
            case .minusEqual: op = .subtract
            case .starEqual: op = .multiply
            case .slashEqual: op = .divide
            case .slashSlashEqual: op = .floorDivide
            case .percentEqual: op = .modulo
            case .caretEqual: op = .power
            default: return Stmt(.expression(target), target.span)
            }
            let opToken = advance()
            switch target.kind {
            case .name, .field, .index: break
            default:
                throw error("cannot assign to this expression", at: target.span, token: opToken)
            }
            skipNewlines()
            var value = try expression()
            if let op, case .name(let ref) = target.kind {
                // `x op= y` is exactly `x = x op y`: the read of `x` resolves on its own.
                let read = Expr(.name(NameRef(name: ref.name, span: ref.span)), target.span)
                value = Expr(.binary(op, read, value), target.span.through(value.span))
                return Stmt(.assign(target, nil, value), target.span.through(value.span))
            }
            return Stmt(.assign(target, op, value), target.span.through(value.span))
        }
    }

    /// An `if`/`while`/`for` condition: an expression, with a helpful error for `=`.
    func condition() throws -> Expr {
        let e = try expression()
        if tokens[pos].kind == .equal {
            let t = tokens[pos]
            throw error("assignment is not an expression; did you mean `==`?", at: t.span, token: t)
        }
        return e
    }

    // block := '{' statements '}'
    func block() throws -> Block {
        guard at(.leftBrace) else { throw expected("`{`") }
        let open = advance()
        try nest()
        defer { depth -= 1 }
        return try withNewlines(ignored: false) {
            let statements = try self.statements(until: .rightBrace)
            let close = try expectClosing(.rightBrace, opener: open)
            return Block(statements: statements, span: open.span.through(close.span))
        }
    }

    // fnDeclaration := 'fn' NAME parameters ('=' expression | block)
    func functionDeclaration() throws -> Stmt {
        let fnToken = advance()
        let name = try expectName()
        var doc: [String] = []
        var line = fnToken.span.line - 1
        while let comment = lineComments[line] {
            doc.insert(comment, at: 0)
            line -= 1
        }
        let decl = try functionRest(name: name.text, start: fnToken, documentation: doc.isEmpty ? nil : doc.joined(separator: "\n"),
                                    isLambda: false)
        return Stmt(.function(NameRef(name: name.text, span: name.span), decl), fnToken.span.through(decl.span))
    }

    // parameters := '(' (NAME ('=' expression)?) (',' ...)* ')'; then the body
    func functionRest(name: String, start: Token, documentation: String?, isLambda: Bool) throws -> FunctionDecl {
        guard at(.leftParen) else { throw expected("`(` and the parameters") }
        let open = advance()
        var parameters: [ParameterDecl] = []
        try withNewlines(ignored: true) {
            while !at(.rightParen) {
                let p = try expectName("a parameter name")
                if parameters.contains(where: { $0.name == p.text }) {
                    throw error("duplicate parameter `\(p.text)`", at: p.span, token: p)
                }
                var defaultValue: Expr?
                if at(.equal) {
                    advance()
                    defaultValue = try expression()
                } else if parameters.last?.defaultValue != nil {
                    throw error("parameter `\(p.text)` needs a default value because the one before it has one",
                                at: p.span, token: p)
                }
                parameters.append(ParameterDecl(name: p.text, span: p.span, defaultValue: defaultValue))
                if !at(.comma) { break }
                advance()
            }
            try expectClosing(.rightParen, opener: open)
        }
        let savedLoops = loopDepth
        loopDepth = 0
        functionDepth += 1
        defer { loopDepth = savedLoops; functionDepth -= 1 }
        let body: Block
        var isExpression = false
        if tokens[pos].kind == .leftBrace {
            body = try block()
        } else {
            if !isLambda {
                guard tokens[pos].kind == .equal else { throw expected("`=` or `{` after the parameters") }
                advance()
                skipNewlines()
            }
            let e = try expression()
            body = Block(statements: [Stmt(.expression(e), e.span)], span: e.span)
            isExpression = true
        }
        return FunctionDecl(name: name, parameters: parameters, body: body, hasExpressionBody: isExpression,
                            span: start.span.through(body.span), documentation: documentation)
    }
}
