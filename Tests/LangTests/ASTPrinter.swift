// Prints syntax trees as S-expressions so parser tests can state the expected shape in one line.
import Lang

func sexpr(_ e: Expr) -> String {
    switch e.kind {
    case .nilLiteral: return "nil"
    case .boolLiteral(let b): return "\(b)"
    case .intLiteral(let i): return "\(i)"
    case .floatLiteral(let d): return "\(d)"
    case .string(let parts):
        return "(str" + parts.map { p -> String in
            switch p {
            case .text(let t): return " \"\(t)\""
            case .expr(let x): return " " + sexpr(x)
            }
        }.joined() + ")"
    case .name(let r): return r.name
    case .list(let items): return "[" + items.map(sexpr).joined(separator: " ") + "]"
    case .record(let fields): return "{" + fields.map { "\($0.key): \(sexpr($0.value))" }.joined(separator: " ") + "}"
    case .unary(_, let x): return "(neg \(sexpr(x)))"
    case .binary(let op, let a, let b): return "(\(op.rawValue) \(sexpr(a)) \(sexpr(b)))"
    case .comparison(let op, let a, let b): return "(\(op.rawValue) \(sexpr(a)) \(sexpr(b)))"
    case .and(let a, let b): return "(and \(sexpr(a)) \(sexpr(b)))"
    case .or(let a, let b): return "(or \(sexpr(a)) \(sexpr(b)))"
    case .not(let a): return "(not \(sexpr(a)))"
    case .range(let a, let b, let inclusive): return "(\(inclusive ? "..." : "..<") \(sexpr(a)) \(sexpr(b)))"
    case .call(let f, let args):
        return "(call \(sexpr(f))" + args.map { " " + ($0.name.map { "\($0): " } ?? "") + sexpr($0.value) }.joined() + ")"
    case .index(let b, let items):
        return "(index \(sexpr(b))" + items.map { item -> String in
            switch item {
            case .index(let x): return " " + sexpr(x)
            case .slice(let a, let b, let c):
                return " " + [a, b, c].map { $0.map(sexpr) ?? "_" }.joined(separator: ":")
            }
        }.joined() + ")"
    case .field(let b, let name, _): return "(. \(sexpr(b)) \(name))"
    case .ifExpr(let c, let t, let e): return "(if \(sexpr(c)) \(block(t))\(e.map { " " + sexpr($0) } ?? ""))"
    case .block(let b): return block(b)
    case .function(let d): return "(fn (\(d.parameters.map(\.name).joined(separator: " "))) \(block(d.body)))"
    case .grouped(let x): return sexpr(x)
    }
}

func block(_ b: Block) -> String { "{" + b.statements.map(sexpr).joined(separator: "; ") + "}" }

func sexpr(_ s: Stmt) -> String {
    switch s.kind {
    case .expression(let e): return sexpr(e)
    case .assign(let t, let op, let v): return "(=\(op?.rawValue ?? "") \(sexpr(t)) \(sexpr(v)))"
    case .letBinding(let r, let v): return "(let \(r.name) \(sexpr(v)))"
    case .function(let r, let d): return "(def \(r.name) (\(d.parameters.map(\.name).joined(separator: " "))) \(block(d.body)))"
    case .whileLoop(let c, let b): return "(while \(sexpr(c)) \(block(b)))"
    case .forLoop(let names, let it, let b): return "(for \(names.map(\.name).joined(separator: " ")) \(sexpr(it)) \(block(b)))"
    case .breakLoop: return "break"
    case .continueLoop: return "continue"
    case .returnValue(let v): return "(return\(v.map { " " + sexpr($0) } ?? ""))"
    case .tryCatch(let b, let n, let h): return "(try \(block(b)) \(n?.name ?? "_") \(block(h)))"
    }
}

/// Parses `source` and returns its statements as S-expressions joined by "; ", or the diagnostics.
func parsed(_ source: String) -> String {
    let (program, diagnostics) = Parser.parse(SourceFile(path: "t.wh", text: source))
    if !diagnostics.isEmpty { return diagnostics.map(\.message).joined(separator: " | ") }
    return program.body.statements.map(sexpr).joined(separator: "; ")
}
