// The expression grammar, one method per precedence level from loosest to tightest (LANGUAGE.md).

extension Parser {
    // expression := or
    func expression() throws -> Expr {
        try nest()
        defer { depth -= 1 }
        return try or()
    }

    // or := and ('or' and)*
    func or() throws -> Expr {
        var left = try and()
        var chain = 0
        defer { depth -= chain }
        while continues(with: .orKeyword) {
            try nest()
            chain += 1
            advance()
            skipNewlines()
            let right = try and()
            left = Expr(.or(left, right), left.span.through(right.span))
        }
        return left
    }

    // and := not ('and' not)*
    func and() throws -> Expr {
        var left = try not()
        var chain = 0
        defer { depth -= chain }
        while continues(with: .andKeyword) {
            try nest()
            chain += 1
            advance()
            skipNewlines()
            let right = try not()
            left = Expr(.and(left, right), left.span.through(right.span))
        }
        return left
    }

    // not := 'not' not | comparison
    func not() throws -> Expr {
        guard at(.notKeyword) else { return try comparison() }
        let t = advance()
        skipNewlines()
        try nest()
        defer { depth -= 1 }
        let operand = try not()
        return Expr(.not(operand), t.span.through(operand.span))
    }

    static let comparisons: [TokenKind: ComparisonOperator] = [
        .equalEqual: .equal, .bangEqual: .notEqual, .less: .less, .lessEqual: .lessEqual,
        .greater: .greater, .greaterEqual: .greaterEqual,
    ]

    // comparison := pipeline (('==' | '!=' | '<' | '<=' | '>' | '>=') pipeline)?
    func comparison() throws -> Expr {
        let left = try pipeline()
        guard let op = Parser.comparisons[peek().kind] else { return left }
        advance()
        skipNewlines()
        let right = try pipeline()
        if let t = Optional(peek()), Parser.comparisons[t.kind] != nil {
            throw error("comparisons cannot be chained; combine them with `and`", at: t.span, token: t)
        }
        return Expr(.comparison(op, left, right), left.span.through(right.span))
    }

    // pipeline := range ('|>' (NAME | field chain | call | '(' expression ')'))*
    func pipeline() throws -> Expr {
        var left = try range()
        var chain = 0
        defer { depth -= chain }
        while continues(with: .pipe) {
            try nest()
            chain += 1
            advance()
            skipNewlines()
            let startsWithParen = at(.leftParen)
            let right = try postfix()
            let span = left.span.through(right.span)
            let argument = Argument(name: nil, nameSpan: nil, value: left)
            switch right.kind {
            case .call(let callee, let arguments) where !startsWithParen:
                left = Expr(.call(callee, [argument] + arguments), span)
            case .name, .field, .grouped:
                left = Expr(.call(right, [argument]), span)
            default:
                throw error("the right side of `|>` must be a name, a field, a call or a parenthesised expression",
                            at: right.span, token: peek())
            }
        }
        return left
    }

    // range := additive (('..<' | '...') additive)?
    func range() throws -> Expr {
        let left = try additive()
        let kind = peek().kind
        guard kind == .rangeExclusive || kind == .rangeInclusive else { return left }
        advance()
        skipNewlines()
        let right = try additive()
        return Expr(.range(left, right, inclusive: kind == .rangeInclusive), left.span.through(right.span))
    }

    // additive := multiplicative (('+' | '-') multiplicative)*
    func additive() throws -> Expr {
        var left = try multiplicative()
        var chain = 0
        defer { depth -= chain }
        while true {
            let kind = peek().kind
            guard kind == .plus || kind == .minus else { return left }
            // A long left-leaning chain is as deep a tree as nested parentheses.
            try nest()
            chain += 1
            advance()
            skipNewlines()
            let right = try multiplicative()
            left = Expr(.binary(kind == .plus ? .add : .subtract, left, right), left.span.through(right.span))
        }
    }

    static let multiplicatives: [TokenKind: BinaryOperator] = [
        .star: .multiply, .slash: .divide, .slashSlash: .floorDivide, .percent: .modulo, .at: .matmul,
    ]

    // multiplicative := unary (('*' | '/' | '//' | '%' | '@') unary)*
    func multiplicative() throws -> Expr {
        var left = try unary()
        var chain = 0
        defer { depth -= chain }
        while let op = Parser.multiplicatives[peek().kind] {
            try nest()
            chain += 1
            advance()
            skipNewlines()
            let right = try unary()
            left = Expr(.binary(op, left, right), left.span.through(right.span))
        }
        return left
    }

    // unary := '-' unary | power
    func unary() throws -> Expr {
        guard at(.minus) else { return try power() }
        let t = advance()
        try nest()
        defer { depth -= 1 }
        let operand = try unary()
        return Expr(.unary(.negate, operand), t.span.through(operand.span))
    }

    // power := postfix ('^' unary)?      (right-associative through unary → power)
    func power() throws -> Expr {
        let base = try postfix()
        guard at(.caret) else { return base }
        advance()
        skipNewlines()
        try nest()
        defer { depth -= 1 }
        let exponent = try unary()
        return Expr(.binary(.power, base, exponent), base.span.through(exponent.span))
    }

    // postfix := primary ('(' arguments ')' | '[' subscripts ']' | '.' NAME)*
    func postfix() throws -> Expr {
        var e = try primary()
        var chain = 0
        defer { depth -= chain }
        while true {
            if at(.leftParen) {
                try nest()
                chain += 1
                let open = advance()
                let (arguments, close) = try self.arguments(open: open)
                e = Expr(.call(e, arguments), e.span.through(close.span))
            } else if at(.leftBracket) {
                try nest()
                chain += 1
                let open = advance()
                let (items, close) = try subscripts(open: open)
                e = Expr(.index(e, items), e.span.through(close.span))
            } else if continues(with: .dot) {
                try nest()
                chain += 1
                advance()
                let name = try expectName("a field name after `.`")
                e = Expr(.field(e, name.text, name.span), e.span.through(name.span))
            } else {
                return e
            }
        }
    }

    // arguments := (expression (',' expression)*)? (NAME ':' expression (',' ...)*)? ','?
    func arguments(open: Token) throws -> ([Argument], Token) {
        try withNewlines(ignored: true) {
            var arguments: [Argument] = []
            var sawNamed = false
            while !at(.rightParen) && !at(.eof) {
                if at(.name) && peek(ahead: 1).kind == .colon {
                    let name = advance()
                    advance()
                    let value = try expression()
                    arguments.append(Argument(name: name.text, nameSpan: name.span, value: value))
                    sawNamed = true
                } else {
                    let value = try expression()
                    if tokens[pos].kind == .equal, case .name(let ref) = value.kind {
                        throw error("use `\(ref.name): value` to pass a named argument", at: tokens[pos].span, token: tokens[pos])
                    }
                    if sawNamed {
                        throw error("a positional argument cannot follow a named one", at: value.span, token: peek())
                    }
                    arguments.append(Argument(name: nil, nameSpan: nil, value: value))
                }
                if !at(.comma) { break }
                advance()
            }
            let close = try expectClosing(.rightParen, opener: open)
            return (arguments, close)
        }
    }

    // subscripts := item (',' item)*;  item := expression | expression? ':' expression? (':' expression?)?
    func subscripts(open: Token) throws -> ([SubscriptItem], Token) {
        try withNewlines(ignored: true) {
            var items: [SubscriptItem] = []
            func endsPart() -> Bool { at(.comma) || at(.rightBracket) || at(.colon) || at(.eof) }
            repeat {
                if at(.comma) { advance() }
                if at(.rightBracket) || at(.comma) { throw expected("an index") }
                var start: Expr?
                if !at(.colon) { start = try expression() }
                if at(.colon) {
                    advance()
                    let stop = endsPart() ? nil : try expression()
                    var step: Expr?
                    if at(.colon) {
                        advance()
                        step = (at(.comma) || at(.rightBracket)) ? nil : try expression()
                    }
                    items.append(.slice(start: start, stop: stop, step: step))
                } else if let start {
                    items.append(.index(start))
                }
            } while at(.comma)
            if items.isEmpty { throw expected("an index") }
            let close = try expectClosing(.rightBracket, opener: open)
            return (items, close)
        }
    }

    // primary := literal | NAME | '(' expression ')' | list | record | block | if | lambda
    func primary() throws -> Expr {
        let t = peek()
        switch t.kind {
        case .int: advance(); return Expr(.intLiteral(t.intValue), t.span)
        case .float: advance(); return Expr(.floatLiteral(t.floatValue), t.span)
        case .trueKeyword: advance(); return Expr(.boolLiteral(true), t.span)
        case .falseKeyword: advance(); return Expr(.boolLiteral(false), t.span)
        case .nilKeyword: advance(); return Expr(.nilLiteral, t.span)
        case .name: advance(); return Expr(.name(NameRef(name: t.text, span: t.span)), t.span)
        case .string: advance(); return try string(t)
        case .leftParen:
            advance()
            return try withNewlines(ignored: true) {
                let inner = try expression()
                let close = try expectClosing(.rightParen, opener: t)
                return Expr(.grouped(inner), t.span.through(close.span))
            }
        case .leftBracket:
            advance()
            return try withNewlines(ignored: true) {
                var items: [Expr] = []
                while !at(.rightBracket) && !at(.eof) {
                    items.append(try expression())
                    if !at(.comma) { break }
                    advance()
                }
                let close = try expectClosing(.rightBracket, opener: t)
                return Expr(.list(items), t.span.through(close.span))
            }
        case .leftBrace:
            if startsRecord() { return try record() }
            let b = try block()
            return Expr(.block(b), b.span)
        case .ifKeyword: return try ifExpression()
        case .fnKeyword:
            advance()
            let decl = try functionRest(name: "<lambda>", start: t, documentation: nil, isLambda: true)
            return Expr(.function(decl), decl.span)
        case .equal:
            throw error("assignment is not an expression; did you mean `==`?", at: t.span, token: t)
        default:
            throw expected("an expression")
        }
    }

    /// The record/block rule: `{` followed (skipping newlines) by `}` or by `name :` / `"string" :`.
    func startsRecord() -> Bool {
        let first = peek(ahead: 1)
        if first.kind == .rightBrace { return true }
        guard first.kind == .name || first.kind == .string else { return false }
        return peek(ahead: 2).kind == .colon
    }

    // record := '{' (key ':' expression (',' key ':' expression)* ','?)? '}'
    func record() throws -> Expr {
        let open = advance()
        return try withNewlines(ignored: true) {
            var fields: [(key: String, value: Expr)] = []
            // Positions by key: a search of `fields` per key made 150,000 keys take minutes.
            var positions: [String: Int] = [:]
            while !at(.rightBrace) && !at(.eof) {
                let k = peek()
                var key: String
                if k.kind == .name {
                    key = k.text
                } else if k.kind == .string, k.pieces.count == 1, case .text(let s) = k.pieces[0] {
                    key = s
                } else {
                    throw expected("a field name")
                }
                advance()
                try expect(.colon, "`:` after the field name")
                let value = try expression()
                if let i = positions[key] {
                    fields[i].value = value
                } else {
                    positions[key] = fields.count
                    fields.append((key, value))
                }
                if !at(.comma) { break }
                advance()
            }
            let close = try expectClosing(.rightBrace, opener: open)
            return Expr(.record(fields), open.span.through(close.span))
        }
    }

    // if := 'if' expression block ('else' (if | block))?
    func ifExpression() throws -> Expr {
        let t = advance()
        let condition = try self.condition()
        let then = try block()
        var span = t.span.through(then.span)
        var otherwise: Expr?
        if continues(with: .elseKeyword) {
            advance()
            if at(.ifKeyword) {
                try nest()
                defer { depth -= 1 }
                otherwise = try ifExpression()
            } else {
                let b = try block()
                otherwise = Expr(.block(b), b.span)
            }
            span = span.through(otherwise?.span ?? span)
        }
        return Expr(.ifExpr(condition, then, otherwise), span)
    }

    // string := STRING, whose interpolations are parsed by a parser of their own tokens
    func string(_ t: Token) throws -> Expr {
        var parts: [StringPart] = []
        for piece in t.pieces {
            switch piece {
            case .text(let s): parts.append(.text(s))
            case .code(let tokens):
                let sub = Parser(file: file, tokens: tokens, lineComments: [:], depth: depth, maxDepth: maxDepth,
                                 isInterpolation: true)
                sub.loopDepth = loopDepth
                sub.functionDepth = functionDepth
                sub.ignoresNewlines = [true]
                if sub.at(.eof) {
                    throw error("empty interpolation `\\()` in string", at: t.span, token: t)
                }
                let e: Expr
                do {
                    e = try sub.expression()
                    if !sub.at(.eof) { throw sub.expected("`)` to end the interpolation") }
                } catch let inner as SyntaxError {
                    var d = inner.diagnostic
                    if tokens.last?.kind == .eof, tokens.last?.span.end == file.characters.count {
                        d.isUnexpectedEnd = !isInterpolation
                    }
                    throw SyntaxError(diagnostic: d, isSilent: inner.isSilent)
                }
                parts.append(.expr(e))
            }
        }
        return Expr(.string(parts), t.span)
    }
}
