// The evaluator, continued: calls, closures, blocks, assignments, loops and try/catch.
import Lang
import Runtime

extension Compiler {
    // MARK: - Calls

    func call(_ callee: Expr, _ arguments: [Argument], _ span: SourceSpan) -> Code {
        let interpreter = self.interpreter
        let positional = arguments.filter { $0.name == nil }.map { CodeBox(expression($0.value)) }
        let namedNames = arguments.compactMap(\.name)
        let named = arguments.filter { $0.name != nil }.map { CodeBox(expression($0.value)) }
        let n = positional.count

        func evaluateArguments(_ f: Frame) throws -> CallArguments {
            var p: [Value] = []
            p.reserveCapacity(n)
            for c in positional { p.append(try c.run(f)) }
            var nv: [(name: String, value: Value)] = []
            for (k, c) in zip(namedNames, named) { nv.append((k, try c.run(f))) }
            return CallArguments(p, named: nv)
        }

        // `obj.method(args)`: natives dispatch methods; records call a function-valued field.
        if case .field(let base, let name, _) = callee.kind {
            let cb = expression(base)
            return { f in
                let b = try cb(f)
                let args = try evaluateArguments(f)
                if f.signal != .none { return .null }
                do {
                    if case .native(let obj) = b {
                        if let v = try interpreter.guardNative({ try obj.callMethod(name, args, in: interpreter) }) {
                            return v
                        }
                    }
                    let fn = try Subscripts.field(b, name)
                    return try interpreter.call(fn, args, site: span)
                } catch { throw Compiler.locate(error, span) }
            }
        }

        let cc = expression(callee)
        if named.isEmpty {
            // Calls with up to three positional arguments evaluate them straight into the callee's
            // frame: no argument array, no closure array.
            @inline(__always)
            func general(_ fn: Value, _ f: Frame) throws -> Value {
                var p: [Value] = []
                p.reserveCapacity(n)
                for c in positional { p.append(try c.run(f)) }
                if f.signal != .none { return .null }
                do { return try interpreter.call(fn, CallArguments(p), site: span) } catch {
                    throw Compiler.locate(error, span)
                }
            }
            if case .name(let ref) = callee.kind, case .global(let name) = ref.binding, n == 1 || n == 2 {
                // A call of a global function (recursion, helpers): the callee is read inline.
                let cell = layer.cell(name), layer = self.layer, nameSpan = ref.span, locals = ref.localNamesInScope
                let a0 = expression(arguments[0].value)
                let a1: Code = n == 2 ? expression(arguments[1].value) : { _ in .null }
                let site = GlobalCallSite(
                    interpreter: interpreter, cell: cell, count: n, a0: a0, a1: a1, span: span,
                    undefined: { Compiler.undefined(name, nameSpan, layer, locals: locals) },
                    general: { fn, f in try general(fn, f) })
                return { f in try site.run(f) }
            }
            switch n {
            case 0:
                return { f in
                    let fn = try cc(f)
                    if case .closure(let c) = fn, c.function.arity == 0 {
                        let function = c.function
                        let handle = function.acquireFrame(captures: c.captures)
                        defer { function.releaseFrame(handle) }
                        return try handle._withUnsafeGuaranteedRef { try interpreter.invokeBody(c, $0, site: span) }
                    }
                    return try general(fn, f)
                }
            case 1:
                let a0 = expression(arguments[0].value)
                return { f in
                    let fn = try cc(f)
                    if case .closure(let c) = fn, c.function.arity == 1 {
                        let function = c.function
                        let handle = function.acquireFrame(captures: c.captures)
                        defer { function.releaseFrame(handle) }
                        return try handle._withUnsafeGuaranteedRef { frame in
                            frame.store(try a0(f), function.storage0)
                            if f.signal != .none { return .null }
                            return try interpreter.invokeBody(c, frame, site: span)
                        }
                    }
                    return try general(fn, f)
                }
            case 2:
                let a0 = expression(arguments[0].value), a1 = expression(arguments[1].value)
                return { f in
                    let fn = try cc(f)
                    if case .closure(let c) = fn, c.function.arity == 2 {
                        let function = c.function
                        let handle = function.acquireFrame(captures: c.captures)
                        defer { function.releaseFrame(handle) }
                        return try handle._withUnsafeGuaranteedRef { frame in
                            frame.store(try a0(f), function.storage0)
                            frame.store(try a1(f), function.parameterStorage[1])
                            if f.signal != .none { return .null }
                            return try interpreter.invokeBody(c, frame, site: span)
                        }
                    }
                    return try general(fn, f)
                }
            default:
                let boxes = positional
                return { f in
                    let fn = try cc(f)
                    if case .closure(let c) = fn, c.function.arity == n {
                        let function = c.function
                        let handle = function.acquireFrame(captures: c.captures)
                        defer { function.releaseFrame(handle) }
                        return try handle._withUnsafeGuaranteedRef { frame in
                            for i in 0..<n { frame.store(try boxes[i].run(f), function.parameterStorage[i]) }
                            if f.signal != .none { return .null }
                            return try interpreter.invokeBody(c, frame, site: span)
                        }
                    }
                    return try general(fn, f)
                }
            }
        }
        return { f in
            let fn = try cc(f)
            let args = try evaluateArguments(f)
            if f.signal != .none { return .null }
            do { return try interpreter.call(fn, args, site: span) } catch { throw Compiler.locate(error, span) }
        }
    }

    /// Code making a closure: compiles the function once, captures cells at each evaluation.
    func closure(_ decl: FunctionDecl) -> Code {
        let function = CompiledFunction(declaration: decl, defaults: decl.parameters.map { $0.defaultValue.map(expression) },
                                        body: block(decl.body))
        enum Source { case local(Int), capture(Int), none }
        let sources: [Source] = decl.info.captures.map {
            switch $0 {
            case .enclosingLocal(let v): return .local(v.index)
            case .enclosingCapture(let i): return .capture(i)
            case .none: return .none
            }
        }
        if sources.isEmpty {
            return { _ in .closure(Closure(function: function, captures: [])) }
        }
        return { f in
            var captures = ContiguousArray<Cell>()
            captures.reserveCapacity(sources.count)
            for s in sources {
                switch s {
                case .local(let i): captures.append(f.header.cells[i])
                case .capture(let i): captures.append(f.captures[i])
                case .none: captures.append(Cell())   // keeps the other captures' indexes; never read
                }
            }
            return .closure(Closure(function: function, captures: captures))
        }
    }

    // MARK: - Blocks and statements

    func block(_ b: Block) -> Code {
        let statements = b.statements
        switch statements.count {
        case 0: return { _ in .null }
        case 1: return statement(statements[0])
        case 2:
            let c0 = statement(statements[0]), c1 = statement(statements[1])
            return { f in
                _ = try c0(f)
                if f.signal != .none { return .null }
                return try c1(f)
            }
        case 3:
            let c0 = statement(statements[0]), c1 = statement(statements[1]), c2 = statement(statements[2])
            return { f in
                _ = try c0(f)
                if f.signal != .none { return .null }
                _ = try c1(f)
                if f.signal != .none { return .null }
                return try c2(f)
            }
        default:
            let codes = statements.map { CodeBox(statement($0)) }
            return { f in
                var v = Value.null
                for c in codes {
                    v = try c.run(f)
                    if f.signal != .none { return .null }
                }
                return v
            }
        }
    }

    func statement(_ s: Stmt) -> Code {
        let span = s.span
        switch s.kind {
        case .expression(let e):
            return expression(e)
        case .assign(let target, let op, let value):
            return assignment(target, op, value, span)
        case .letBinding(let ref, let value):
            let cv = expression(value), store = bind(ref)
            return { f in
                store(f, try cv(f))
                return .null
            }
        case .function(let ref, let decl):
            let make = closure(decl), store = write(ref)
            return { f in
                store(f, try make(f))
                return .null
            }
        case .whileLoop(let condition, let body):
            let cc = self.condition(condition), cb = block(body)
            let interpreter = self.interpreter
            return { f in
                while true {
                    if try !cc(f) { break }
                    _ = try cb(f)
                    if f.signal != .none {
                        if f.signal == .breakLoop { f.signal = .none; break }
                        if f.signal == .continueLoop { f.signal = .none } else { return .null }
                    }
                    do { try interpreter.tick() } catch { throw Compiler.locate(error, span) }
                }
                return .null
            }
        case .forLoop(let names, let iterable, let body):
            return forLoop(names, iterable, body, span)
        case .breakLoop:
            return { f in f.signal = .breakLoop; return .null }
        case .continueLoop:
            return { f in f.signal = .continueLoop; return .null }
        case .returnValue(let value):
            let cv: Code
            if let value { cv = expression(value) } else { cv = { _ in .null } }
            return { f in
                let v = try cv(f)
                if f.signal != .none { return .null }
                f.returnValue = v
                f.signal = .returnValue
                return .null
            }
        case .tryCatch(let body, let name, let handler):
            let cb = block(body), ch = block(handler)
            let store = name.map(bind)
            return { f in
                do {
                    return try cb(f)
                } catch let e as RuntimeError where e.kind != "budget" {
                    store?(f, .error(ErrorObject(e)))
                    return try ch(f)
                }
            }
        }
    }

    func forLoop(_ names: [NameRef], _ iterable: Expr, _ body: Block, _ span: SourceSpan) -> Code {
        let ci = expression(iterable), cb = block(body)
        let stores = names.map(bind)
        let interpreter = self.interpreter
        let count = names.count

        /// Runs the body once; returns false when the loop must stop (break or return).
        @inline(__always)
        func iterate(_ f: Frame) throws -> Bool {
            _ = try cb(f)
            if f.signal != .none {
                if f.signal == .breakLoop { f.signal = .none; return false }
                if f.signal == .continueLoop { f.signal = .none } else { return false }
            }
            do { try interpreter.tick() } catch { throw Compiler.locate(error, span) }
            return true
        }

        func unpack(_ v: Value, _ f: Frame) throws {
            let parts: [Value]
            switch v {
            case .list(let l): parts = l.items
            case .native(let n): parts = try n.destructure(count: count) ?? interpreter.elements(of: v)
            default:
                throw RuntimeError("cannot unpack \(v.typeName) into \(count) variables", kind: "type", span: iterable.span)
            }
            guard parts.count == count else {
                throw RuntimeError("expected \(count) values to unpack, got \(parts.count)", kind: "value", span: iterable.span)
            }
            for (s, p) in zip(stores, parts) { s(f, p) }
        }

        if count == 1, case .local(let v) = names[0].binding, !v.isCaptured {
            let slot = v.index
            let general = forLoopGeneral(names, ci, iterate, unpack, span, iterable)
            return { f in
                let it = try ci(f)
                guard case .range(let r) = it else { return try general(f, it) }
                let n = r.count
                var i = 0
                while i < n {
                    f.slots[slot] = .int(r.element(i))
                    if try !iterate(f) { break }
                    i += 1
                }
                return .null
            }
        }
        let general = forLoopGeneral(names, ci, iterate, unpack, span, iterable)
        return { f in try general(f, try ci(f)) }
    }

    func forLoopGeneral(_ names: [NameRef], _ ci: @escaping Code, _ iterate: @escaping (Frame) throws -> Bool,
                        _ unpack: @escaping (Value, Frame) throws -> Void, _ span: SourceSpan,
                        _ iterable: Expr) -> (Frame, Value) throws -> Value {
        let stores = names.map(bind)
        let interpreter = self.interpreter
        let count = names.count
        if count == 1 {
            let store = bind(names[0])
            return { f, it in
                switch it {
                case .range(let r):
                    let n = r.count
                    var i = 0
                    while i < n {
                        store(f, .int(r.element(i)))
                        if try !iterate(f) { break }
                        i += 1
                    }
                case .list(let l):
                    for item in l.items {
                        store(f, item)
                        if try !iterate(f) { break }
                    }
                default:
                    let items: [Value]
                    do { items = try interpreter.elements(of: it) } catch { throw Compiler.locate(error, iterable.span) }
                    for item in items {
                        store(f, item)
                        if try !iterate(f) { break }
                    }
                }
                return .null
            }
        }
        return { f, it in
            if case .record(let r) = it, count == 2 {
                for (k, v) in zip(r.keys, r.values) {
                    stores[0](f, .string(k))
                    stores[1](f, v)
                    if try !iterate(f) { break }
                }
                return .null
            }
            let items: [Value]
            do { items = try interpreter.elements(of: it) } catch { throw Compiler.locate(error, iterable.span) }
            for item in items {
                try unpack(item, f)
                if try !iterate(f) { break }
            }
            return .null
        }
    }

    // MARK: - Assignment

    func assignment(_ target: Expr, _ op: BinaryOperator?, _ value: Expr, _ span: SourceSpan) -> Code {
        let cv = expression(value)
        switch target.kind {
        case .name(let ref):
            if case .local(let v) = ref.binding, !v.isCaptured {
                let t = v.index
                return { f in
                    f.slots[t] = try cv(f)
                    return .null
                }
            }
            let store = write(ref)
            return { f in
                store(f, try cv(f))
                return .null
            }
        case .field(let base, let name, _):
            let cb = expression(base)
            let storeBack = writeBack(base)
            let token = interpreter.token
            return { f in
                let b = try cb(f)
                var v = try cv(f)
                do {
                    if let op { v = try Operators.binary(op, try Subscripts.field(b, name), v, token: token) }
                    switch b {
                    case .record(let r): r[name] = v
                    case .native(let n):
                        let updated = try self.interpreter.guardNative { try n.setField(name, to: v) }
                        if updated !== n { try storeBack?(f, .native(updated)) }
                    case .error:
                        throw runtimeError("fields of an Error cannot be assigned", kind: "type")
                    default:
                        throw runtimeError("\(b.typeName) has no field `\(name)`", kind: "type")
                    }
                } catch { throw Compiler.locate(error, target.span) }
                return .null
            }
        case .index(let base, let items):
            let cb = expression(base), ci = subscripts(items)
            let storeBack = writeBack(base)
            let token = interpreter.token
            return { f in
                let b = try cb(f)
                do {
                    let idx = try Compiler.evaluate(ci, f)
                    var v = try cv(f)
                    if let op { v = try Operators.binary(op, try Subscripts.get(b, idx), v, token: token) }
                    if case .native(let n) = b {
                        let updated = try self.interpreter.guardNative { try n.subscriptSet(idx, to: v) }
                        if updated !== n { try storeBack?(f, .native(updated)) }
                    } else {
                        try Subscripts.set(b, idx, v)
                    }
                } catch { throw Compiler.locate(error, target.span) }
                return .null
            }
        default:
            return { _ in throw RuntimeError("cannot assign to this expression", kind: "type", span: target.span) }
        }
    }

    /// For value-semantics natives: code storing a replaced object back where `target` came from
    /// (a variable, a record field, a list element, or a native's field/element, recursively).
    func writeBack(_ target: Expr) -> ((Frame, Value) throws -> Void)? {
        switch target.kind {
        case .name(let ref):
            let store = write(ref)
            return { f, v in store(f, v) }
        case .grouped(let inner):
            return writeBack(inner)
        case .field(let base, let name, _):
            let cb = expression(base), outer = writeBack(base)
            let interpreter = self.interpreter
            return { f, v in
                let b = try cb(f)
                switch b {
                case .record(let r): r[name] = v
                case .native(let n):
                    let updated = try interpreter.guardNative { try n.setField(name, to: v) }
                    if updated !== n { try outer?(f, .native(updated)) }
                default: break
                }
            }
        case .index(let base, let items):
            let cb = expression(base), ci = subscripts(items), outer = writeBack(base)
            let interpreter = self.interpreter
            return { f, v in
                let b = try cb(f)
                let idx = try Compiler.evaluate(ci, f)
                if case .native(let n) = b {
                    let updated = try interpreter.guardNative { try n.subscriptSet(idx, to: v) }
                    if updated !== n { try outer?(f, .native(updated)) }
                } else {
                    try Subscripts.set(b, idx, v)
                }
            }
        default:
            return nil
        }
    }
}
