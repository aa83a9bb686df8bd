// The evaluator: compiles a resolved syntax tree into Swift closures once, then runs them.
import Lang
import Runtime

/// Turns AST nodes into `Code` closures. Variables are slot or cell indexes fixed by the resolver;
/// only globals are found through cells made at compile time, so nothing is looked up by name
/// while running. Errors from primitives are located here at the failing expression.
final class Compiler {
    unowned(unsafe) let interpreter: Interpreter
    /// The layer this code's globals live in (standard library or user).
    let layer: GlobalLayer

    init(interpreter: Interpreter, layer: GlobalLayer) {
        self.interpreter = interpreter
        self.layer = layer
    }

    func compile(_ program: Program) -> Code {
        block(program.body)
    }

    // MARK: - Variables

    /// Code reading a name.
    func read(_ ref: NameRef) -> Code {
        switch ref.binding {
        case .local(let v):
            let i = v.index
            if v.isCaptured { return { f in f.header.cells[i].value } }
            return { f in f.slots[i] }
        case .capture(let i):
            return { f in f.captures[i].value }
        case .runningFunction:
            return { f in f.header.running.map(Value.closure) ?? .null }
        case .global(let name):
            let cell = layer.cell(name)
            let span = ref.span
            let layer = self.layer
            let locals = ref.localNamesInScope
            return { _ in
                if let v = cell.lookup() { return v }
                throw Compiler.undefined(name, span, layer, locals: locals)
            }
        }
    }

    @inline(never)
    static func undefined(_ name: String, _ span: SourceSpan, _ layer: GlobalLayer, locals: [String] = []) -> RuntimeError {
        let hint = nearestName(to: name, among: layer.visibleNames + locals).map { "; did you mean `\($0)`?" } ?? ""
        return RuntimeError("unknown name `\(name)`\(hint)", kind: "name", span: span)
    }

    /// Code storing into a name (assignment semantics: rebinding the existing variable).
    func write(_ ref: NameRef) -> (Frame, Value) -> Void {
        switch ref.binding {
        case .local(let v):
            let i = v.index
            if v.isCaptured { return { f, x in f.header.cells[i].value = x } }
            return { f, x in f.slots[i] = x }
        case .capture(let i):
            return { f, x in f.captures[i].value = x }
        case .runningFunction:
            // The resolver reads a variable as the running function only when nothing rebinds it.
            return { _, _ in }
        case .global(let name):
            let cell = layer.cell(name)
            return { _, x in cell.value = x }
        }
    }

    /// Code binding a block-scoped name afresh (`let`, loop and `catch` variables).
    func bind(_ ref: NameRef) -> (Frame, Value) -> Void {
        if case .local(let v) = ref.binding, v.isCaptured {
            let i = v.index
            return { f, x in f.header.cells[i] = Cell(x) }
        }
        return write(ref)
    }

    // MARK: - Errors

    /// Gives an error the span of the expression that failed, unless it already has one; turns any
    /// foreign Swift error into a runtime error; lets interrupts through.
    @inline(never)
    static func locate(_ error: Error, _ span: SourceSpan) -> Error {
        if var e = error as? RuntimeError {
            if e.span == nil { e.span = span }
            return e
        }
        if error is Interrupted || error is ExitRequest { return error }
        return foreignError(error, span: span)
    }

    @inline(never)
    static func notBool(_ what: String, _ v: Value, _ span: SourceSpan) -> RuntimeError {
        RuntimeError("\(what) must be Bool, got \(v.typeName)", kind: "type", span: span)
    }

    // MARK: - Expressions

    func expression(_ e: Expr) -> Code {
        let span = e.span
        switch e.kind {
        case .nilLiteral: return { _ in .null }
        case .boolLiteral(let b): let v = Value.bool(b); return { _ in v }
        case .intLiteral(let i): let v = Value.int(i); return { _ in v }
        case .floatLiteral(let d): let v = Value.float(d); return { _ in v }
        case .string(let parts): return string(parts)
        case .name(let ref): return read(ref)
        case .grouped(let inner): return expression(inner)
        case .list(let items):
            let codes = items.map { CodeBox(expression($0)) }
            return { f in
                var out: [Value] = []
                out.reserveCapacity(codes.count)
                for c in codes { out.append(try c.run(f)) }
                return .list(ListObject(out))
            }
        case .record(let fields):
            let keys = fields.map(\.key), codes = fields.map { CodeBox(expression($0.value)) }
            return { f in
                let r = RecordObject()
                for (k, c) in zip(keys, codes) { r[k] = try c.run(f) }
                return .record(r)
            }
        case .unary(_, let operand):
            let c = expression(operand)
            return { f in
                let v = try c(f)
                if case .int(let i) = v, i != .min { return .int(-i) }
                if case .float(let d) = v { return .float(-d) }
                do { return try Operators.negate(v) } catch { throw Compiler.locate(error, span) }
            }
        case .binary(let op, let a, let b): return binary(op, a, b, span)
        case .comparison(let op, let a, let b): return comparison(op, a, b, span)
        case .and(let a, let b):
            let ca = expression(a), cb = expression(b)
            return { f in
                let x = try ca(f)
                guard case .bool(let p) = x else { throw Compiler.notBool("operand of `and`", x, a.span) }
                if !p { return x }
                let y = try cb(f)
                guard case .bool = y else { throw Compiler.notBool("operand of `and`", y, b.span) }
                return y
            }
        case .or(let a, let b):
            let ca = expression(a), cb = expression(b)
            return { f in
                let x = try ca(f)
                guard case .bool(let p) = x else { throw Compiler.notBool("operand of `or`", x, a.span) }
                if p { return x }
                let y = try cb(f)
                guard case .bool = y else { throw Compiler.notBool("operand of `or`", y, b.span) }
                return y
            }
        case .not(let a):
            let c = expression(a)
            return { f in
                let x = try c(f)
                guard case .bool(let p) = x else { throw Compiler.notBool("operand of `not`", x, a.span) }
                return .bool(!p)
            }
        case .range(let a, let b, let inclusive):
            let ca = expression(a), cb = expression(b)
            return { f in
                let x = try ca(f), y = try cb(f)
                do {
                    let lo = try Subscripts.intIndex(x, "Range bound"), hi = try Subscripts.intIndex(y, "Range bound")
                    if inclusive {
                        let (end, o) = hi.addingReportingOverflow(1)
                        if o { throw runtimeError("range end overflows", kind: "overflow") }
                        return .range(RangeObject(start: lo, end: end))
                    }
                    return .range(RangeObject(start: lo, end: hi))
                } catch { throw Compiler.locate(error, span) }
            }
        case .call(let callee, let arguments): return call(callee, arguments, span)
        case .index(let base, let items):
            let cb = expression(base), ci = subscripts(items)
            return { f in
                let b = try cb(f)
                if case .list(let l) = b, ci.count == 1, case .index(let ic) = ci[0] {
                    let iv = try ic(f)
                    if case .int(let i) = iv, i >= 0, i < l.items.count { return l.items[i] }
                    do { return try Subscripts.get(b, [.index(iv)]) } catch { throw Compiler.locate(error, span) }
                }
                do { return try Subscripts.get(b, try Compiler.evaluate(ci, f)) } catch { throw Compiler.locate(error, span) }
            }
        case .field(let base, let name, _):
            let cb = expression(base)
            return { f in
                let b = try cb(f)
                do { return try Subscripts.field(b, name) } catch { throw Compiler.locate(error, span) }
            }
        case .ifExpr(let condition, let then, let otherwise):
            let cc = self.condition(condition), ct = block(then)
            // Not `Optional.map`: a closure that went through a generic is called through a thunk.
            let ce: Code
            if let otherwise { ce = expression(otherwise) } else { ce = { _ in .null } }
            if let (i, op, k) = slotLiteralComparison(condition) {
                // `if n < 2 { ... }`: an Int variable against a literal is tested inline; anything
                // else goes through the general condition (which reports errors).
                return { f in
                    let p: Bool
                    if case .int(let v) = f.slots[i] {
                        switch op {
                        case .less: p = v < k
                        case .lessEqual: p = v <= k
                        case .greater: p = v > k
                        case .greaterEqual: p = v >= k
                        case .equal: p = v == k
                        case .notEqual: p = v != k
                        }
                    } else {
                        p = try cc(f)
                    }
                    if p { return try ct(f) }
                    return try ce(f)
                }
            }
            return { f in
                if try cc(f) { return try ct(f) }
                return try ce(f)
            }
        case .block(let b): return block(b)
        case .function(let decl): return closure(decl)
        }
    }

    /// A condition compiled to produce a Swift Bool (comparisons of Ints without a Value in between).
    func condition(_ e: Expr) -> (Frame) throws -> Bool {
        if case .grouped(let inner) = e.kind { return condition(inner) }
        if case .comparison(let op, let a, let b) = e.kind {
            let ca = expression(a), cb = expression(b)
            let span = e.span
            @inline(never)
            func slow(_ x: Value, _ y: Value, _ f: Frame) throws -> Bool {
                let r: Value
                do { r = try Operators.compare(op, x, y) } catch { throw Compiler.locate(error, span) }
                guard case .bool(let p) = r else { throw Compiler.notBool("condition", r, span) }
                return p
            }
            switch op {
            case .less:
                if case .intLiteral(let k) = b.kind, let i = slotIndex(a) {
                    return { f in
                        let x = f.slots[i]
                        if case .int(let v) = x { return v < k }
                        return try slow(x, .int(k), f)
                    }
                }
                if case .intLiteral(let k) = b.kind {
                    return { f in
                        let x = try ca(f)
                        if case .int(let i) = x { return i < k }
                        return try slow(x, .int(k), f)
                    }
                }
                return { f in
                    let x = try ca(f), y = try cb(f)
                    if case .int(let i) = x, case .int(let j) = y { return i < j }
                    return try slow(x, y, f)
                }
            case .lessEqual:
                return { f in
                    let x = try ca(f), y = try cb(f)
                    if case .int(let i) = x, case .int(let j) = y { return i <= j }
                    return try slow(x, y, f)
                }
            case .greater:
                return { f in
                    let x = try ca(f), y = try cb(f)
                    if case .int(let i) = x, case .int(let j) = y { return i > j }
                    return try slow(x, y, f)
                }
            case .greaterEqual:
                return { f in
                    let x = try ca(f), y = try cb(f)
                    if case .int(let i) = x, case .int(let j) = y { return i >= j }
                    return try slow(x, y, f)
                }
            case .equal:
                return { f in
                    let x = try ca(f), y = try cb(f)
                    if case .int(let i) = x, case .int(let j) = y { return i == j }
                    return try slow(x, y, f)
                }
            case .notEqual:
                return { f in
                    let x = try ca(f), y = try cb(f)
                    if case .int(let i) = x, case .int(let j) = y { return i != j }
                    return try slow(x, y, f)
                }
            }
        }
        let c = expression(e)
        let span = e.span
        return { f in
            let v = try c(f)
            guard case .bool(let p) = v else { throw Compiler.notBool("condition", v, span) }
            return p
        }
    }

    func string(_ parts: [StringPart]) -> Code {
        enum Piece { case text(String), code(CodeBox) }
        let pieces: [Piece] = parts.map {
            switch $0 {
            case .text(let s): return .text(s)
            case .expr(let e): return .code(CodeBox(expression(e)))
            }
        }
        if pieces.count == 1, case .text(let s) = pieces[0] { let v = Value.string(s); return { _ in v } }
        return { f in
            var s = ""
            for p in pieces {
                switch p {
                case .text(let t): s += t
                case .code(let c): s += try c.run(f).printed
                }
            }
            return .string(s)
        }
    }

    // MARK: - Operators

    /// The slot of `e` when it is a plain local variable (read without a closure call).
    func slotIndex(_ e: Expr) -> Int? {
        if case .grouped(let inner) = e.kind { return slotIndex(inner) }
        if case .name(let ref) = e.kind, case .local(let v) = ref.binding, !v.isCaptured { return v.index }
        return nil
    }

    /// `slot <op> intLiteral` (maybe in parentheses): the slot, the operator and the literal.
    func slotLiteralComparison(_ e: Expr) -> (Int, ComparisonOperator, Int)? {
        if case .grouped(let inner) = e.kind { return slotLiteralComparison(inner) }
        guard case .comparison(let op, let a, let b) = e.kind, let i = slotIndex(a),
              case .intLiteral(let k) = b.kind else { return nil }
        return (i, op, k)
    }

    /// `slot ± literal` and `slot ± slot` without closure calls for the operands (hot in loops and
    /// recursion: `n - 1`, `s + i`).
    func fusedAddSubtract(_ op: BinaryOperator, _ a: Expr, _ b: Expr, _ span: SourceSpan) -> Code? {
        guard op == .add || op == .subtract, let i = slotIndex(a) else { return nil }
        // One object for the slow path, so these closures capture three words (a short thunk).
        let fallback = BinaryFallback(op, span, token: interpreter.token)
        if case .intLiteral(let k) = b.kind {
            if op == .add {
                return { f in
                    let x = f.slots[i]
                    if case .int(let v) = x {
                        let (r, o) = v.addingReportingOverflow(k)
                        if !o { return .int(r) }
                    }
                    return try fallback.apply(x, .int(k))
                }
            }
            return { f in
                let x = f.slots[i]
                if case .int(let v) = x {
                    let (r, o) = v.subtractingReportingOverflow(k)
                    if !o { return .int(r) }
                }
                return try fallback.apply(x, .int(k))
            }
        }
        if let j = slotIndex(b) {
            if op == .add {
                return { f in
                    let x = f.slots[i], y = f.slots[j]
                    if case .int(let v) = x, case .int(let w) = y {
                        let (r, o) = v.addingReportingOverflow(w)
                        if !o { return .int(r) }
                    } else if case .float(let v) = x, case .float(let w) = y {
                        return .float(v + w)
                    }
                    return try fallback.apply(x, y)
                }
            }
            return { f in
                let x = f.slots[i], y = f.slots[j]
                if case .int(let v) = x, case .int(let w) = y {
                    let (r, o) = v.subtractingReportingOverflow(w)
                    if !o { return .int(r) }
                } else if case .float(let v) = x, case .float(let w) = y {
                    return .float(v - w)
                }
                return try fallback.apply(x, y)
            }
        }
        return nil
    }

    func binary(_ op: BinaryOperator, _ a: Expr, _ b: Expr, _ span: SourceSpan) -> Code {
        if let fused = fusedAddSubtract(op, a, b, span) { return fused }
        let ca = expression(a), cb = expression(b)
        let token = interpreter.token
        @inline(never)
        func slow(_ x: Value, _ y: Value, _ f: Frame) throws -> Value {
            do { return try Operators.binary(op, x, y, token: token) } catch {
                if f.signal != .none { return .null }
                throw Compiler.locate(error, span)
            }
        }
        switch op {
        case .add:
            if case .intLiteral(let k) = b.kind {
                return { f in
                    let x = try ca(f)
                    if case .int(let i) = x {
                        let (r, o) = i.addingReportingOverflow(k)
                        if !o { return .int(r) }
                    }
                    return try slow(x, .int(k), f)
                }
            }
            return { f in
                let x = try ca(f), y = try cb(f)
                if case .int(let i) = x, case .int(let j) = y {
                    let (r, o) = i.addingReportingOverflow(j)
                    if !o { return .int(r) }
                } else if case .float(let i) = x, case .float(let j) = y {
                    return .float(i + j)
                }
                return try slow(x, y, f)
            }
        case .subtract:
            if case .intLiteral(let k) = b.kind {
                return { f in
                    let x = try ca(f)
                    if case .int(let i) = x {
                        let (r, o) = i.subtractingReportingOverflow(k)
                        if !o { return .int(r) }
                    }
                    return try slow(x, .int(k), f)
                }
            }
            return { f in
                let x = try ca(f), y = try cb(f)
                if case .int(let i) = x, case .int(let j) = y {
                    let (r, o) = i.subtractingReportingOverflow(j)
                    if !o { return .int(r) }
                } else if case .float(let i) = x, case .float(let j) = y {
                    return .float(i - j)
                }
                return try slow(x, y, f)
            }
        case .multiply:
            return { f in
                let x = try ca(f), y = try cb(f)
                if case .int(let i) = x, case .int(let j) = y {
                    let (r, o) = i.multipliedReportingOverflow(by: j)
                    if !o { return .int(r) }
                } else if case .float(let i) = x, case .float(let j) = y {
                    return .float(i * j)
                }
                return try slow(x, y, f)
            }
        default:
            return { f in
                let x = try ca(f), y = try cb(f)
                return try slow(x, y, f)
            }
        }
    }

    func comparison(_ op: ComparisonOperator, _ a: Expr, _ b: Expr, _ span: SourceSpan) -> Code {
        let ca = expression(a), cb = expression(b)
        @inline(never)
        func slow(_ x: Value, _ y: Value, _ f: Frame) throws -> Value {
            do { return try Operators.compare(op, x, y) } catch {
                if f.signal != .none { return .null }
                throw Compiler.locate(error, span)
            }
        }
        let test: (Int, Int) -> Bool
        switch op {
        case .equal: test = { $0 == $1 }
        case .notEqual: test = { $0 != $1 }
        case .less: test = { $0 < $1 }
        case .lessEqual: test = { $0 <= $1 }
        case .greater: test = { $0 > $1 }
        case .greaterEqual: test = { $0 >= $1 }
        }
        if case .intLiteral(let k) = b.kind, op == .less {
            return { f in
                let x = try ca(f)
                if case .int(let i) = x { return .bool(i < k) }
                return try slow(x, .int(k), f)
            }
        }
        return { f in
            let x = try ca(f), y = try cb(f)
            if case .int(let i) = x, case .int(let j) = y { return .bool(test(i, j)) }
            return try slow(x, y, f)
        }
    }

    // MARK: - Subscripts

    enum SubscriptCode {
        case index(Code)
        case slice(Code?, Code?, Code?)
    }

    func subscripts(_ items: [SubscriptItem]) -> [SubscriptCode] {
        items.map {
            switch $0 {
            case .index(let e): return .index(expression(e))
            case .slice(let a, let b, let c): return .slice(a.map(expression), b.map(expression), c.map(expression))
            }
        }
    }

    static func evaluate(_ items: [SubscriptCode], _ f: Frame) throws -> [SubscriptIndex] {
        var out: [SubscriptIndex] = []
        out.reserveCapacity(items.count)
        for item in items {
            switch item {
            case .index(let c): out.append(.index(try c(f)))
            case .slice(let a, let b, let c):
                func bound(_ code: Code?) throws -> Int? {
                    guard let code else { return nil }
                    let v = try code(f)
                    if case .null = v { return nil }
                    return try Subscripts.intIndex(v, "slice bound")
                }
                out.append(.slice(start: try bound(a), stop: try bound(b), step: try bound(c)))
            }
        }
        return out
    }
}

/// The general path of a fused arithmetic operator: `Operators.binary`, errors located at the span.
final class BinaryFallback {
    let op: BinaryOperator
    let span: SourceSpan
    let token: CancellationToken

    init(_ op: BinaryOperator, _ span: SourceSpan, token: CancellationToken) {
        self.op = op
        self.span = span
        self.token = token
    }

    @inline(never)
    func apply(_ x: Value, _ y: Value) throws -> Value {
        do { return try Operators.binary(op, x, y, token: token) } catch { throw Compiler.locate(error, span) }
    }
}
