// The resolver: static scoping. Binds every name occurrence to a slot, a cell, a capture or a global.

/// Resolves names in a parsed program, following LANGUAGE.md "Scoping":
/// - `x = ...` targets the nearest binding of `x` existing at that point (a top-level global
///   included: assigned earlier in the program or defined by an earlier input), else creates `x` in
///   the enclosing function (at top level: a global);
/// - `let x` creates `x` in the innermost block (at the top level's outermost block: a global);
/// - loop and `catch` variables belong to their block and are bound afresh at each iteration;
/// - a name bound nowhere is a global, looked up by name when it runs.
public final class Resolver {
    final class FunctionScope {
        let info: FunctionInfo
        let parent: FunctionScope?
        let isTopLevel: Bool
        var blocks: [[String: Variable]] = [[:]]
        var captureIndex: [String: Int] = [:]
        /// Loops around the code being resolved, within this function.
        var loopDepth = 0
        /// The local of the enclosing function this function literal is bound to, when bound once
        /// outside any loop (`fn inner(n) = … inner(n - 1) …`), and the reads of it in its own body.
        var boundTo: Variable?
        var selfReads: [NameRef] = []
        /// True when a nested function reaches `boundTo` through this function's capture of it.
        var selfCaptureForwarded = false
        /// Function literals bound to this function's locals that read themselves (decided at its end).
        var selfReading: [FunctionScope] = []

        init(info: FunctionInfo, parent: FunctionScope?, isTopLevel: Bool) {
            self.info = info
            self.parent = parent
            self.isTopLevel = isTopLevel
        }

        func lookup(_ name: String) -> Variable? {
            for block in blocks.reversed() { if let v = block[name] { return v } }
            return nil
        }

        func declare(_ name: String, blockScoped: Bool, inOutermost: Bool) -> Variable {
            let v = Variable(name: name, isBlockScoped: blockScoped)
            v.bindingSites = 1
            info.variables.append(v)
            if inOutermost { blocks[0][name] = v } else { blocks[blocks.count - 1][name] = v }
            return v
        }

        func addCapture(_ name: String, _ source: CaptureSource) -> Int {
            if let i = captureIndex[name] { return i }
            info.captures.append(source)
            captureIndex[name] = info.captures.count - 1
            return info.captures.count - 1
        }
    }

    private var function: FunctionScope
    /// Global names read by the program (for `check`'s unresolved-name warnings).
    public private(set) var globalReads: [NameRef] = []
    /// Global names the program assigns or defines anywhere at top level.
    public private(set) var globalWrites: Set<String> = []

    /// True for a global that exists before the program runs (defined by an earlier input).
    private let globalExists: (String) -> Bool

    private init(program: Program, globalExists: @escaping (String) -> Bool) {
        function = FunctionScope(info: program.info, parent: nil, isTopLevel: true)
        self.globalExists = globalExists
    }

    /// Resolves `program` in place and returns the resolver with its global reads and writes.
    ///
    /// `globalExists` tells which globals of the layer the program runs in already exist, so an
    /// assignment inside a function to one of them updates it instead of making a local.
    @discardableResult
    public static func resolve(_ program: Program, globalExists: @escaping (String) -> Bool = { _ in false }) -> Resolver {
        let r = Resolver(program: program, globalExists: globalExists)
        r.statements(program.body.statements)
        r.resolveSelfReads(r.function)
        r.finish(r.function)
        return r
    }

    // MARK: - Scopes

    /// Assigns slot and cell indexes once the function's captures are known.
    private func finish(_ scope: FunctionScope) {
        var slots = 0, cells = 0
        for v in scope.info.variables {
            if v.isCaptured { v.index = cells; cells += 1 } else { v.index = slots; slots += 1 }
        }
        scope.info.slotCount = slots
        scope.info.cellCount = cells
    }

    /// True when, in the current function, a declaration at this point makes a global.
    private var declaresGlobal: Bool { function.isTopLevel && function.blocks.count == 1 }

    private func withBlock(_ body: () -> Void) {
        function.blocks.append([:])
        body()
        function.blocks.removeLast()
    }

    /// Where `name` is found from the current function, or nil when it is a global.
    private func find(_ name: String) -> Binding? {
        if let v = function.lookup(name) { return .local(v) }
        if let i = capture(name, in: function) { return .capture(i) }
        return nil
    }

    private func capture(_ name: String, in scope: FunctionScope) -> Int? {
        guard let parent = scope.parent else { return nil }
        if let v = parent.lookup(name) {
            v.isCaptured = true
            return scope.addCapture(name, .enclosingLocal(v))
        }
        if let i = capture(name, in: parent) {
            if let bound = parent.boundTo, case .enclosingLocal(let v) = parent.info.captures[i], v === bound {
                parent.selfCaptureForwarded = true
            }
            return scope.addCapture(name, .enclosingCapture(i))
        }
        return nil
    }

    /// The variable a binding stands for, following captures out to the enclosing functions.
    private func variable(of binding: Binding, in scope: FunctionScope) -> Variable? {
        switch binding {
        case .local(let v): return v
        case .capture(let i):
            switch scope.info.captures[i] {
            case .enclosingLocal(let v): return v
            case .enclosingCapture(let j): return scope.parent.flatMap { variable(of: .capture(j), in: $0) }
            case .none: return nil
            }
        case .global, .runningFunction: return nil
        }
    }

    /// At the end of `scope`: the self-reading function literals bound to its locals whose local is
    /// bound nowhere else read themselves as the running closure instead of through a captured cell.
    private func resolveSelfReads(_ scope: FunctionScope) {
        for inner in scope.selfReading {
            guard let v = inner.boundTo, v.bindingSites == 1, !inner.selfCaptureForwarded,
                  let i = inner.captureIndex[v.name] else { continue }
            inner.info.captures[i] = .none
            for ref in inner.selfReads { ref.binding = .runningFunction }
        }
        scope.selfReading = []   // they point back at `scope` through `parent`
    }

    private func read(_ ref: NameRef) {
        if let b = find(ref.name) {
            ref.binding = b
            if let bound = function.boundTo, case .capture = b, variable(of: b, in: function) === bound {
                function.selfReads.append(ref)
            }
        } else {
            ref.binding = .global(ref.name)
            var names: [String] = []
            var scope: FunctionScope? = function
            while let s = scope {
                for block in s.blocks { names.append(contentsOf: block.keys) }
                scope = s.parent
            }
            ref.localNamesInScope = names
            globalReads.append(ref)
        }
    }

    /// An assignment target name: the existing binding (a global that exists at this point
    /// included), else a new function-level one.
    private func assign(_ ref: NameRef) {
        if let b = find(ref.name) {
            ref.binding = b
            variable(of: b, in: function)?.bindingSites += 1
            return
        }
        // `globalWrites` holds the top-level names assigned before this point of the program.
        if function.isTopLevel || globalWrites.contains(ref.name) || globalExists(ref.name) {
            ref.binding = .global(ref.name)
            globalWrites.insert(ref.name)
        } else {
            ref.binding = .local(function.declare(ref.name, blockScoped: false, inOutermost: true))
        }
    }

    /// A `let`, loop or `catch` name: a new binding in the innermost block.
    private func declareInBlock(_ ref: NameRef) {
        if declaresGlobal {
            ref.binding = .global(ref.name)
            globalWrites.insert(ref.name)
        } else {
            ref.binding = .local(function.declare(ref.name, blockScoped: true, inOutermost: false))
        }
    }

    // MARK: - Statements

    private func statements(_ list: [Stmt]) {
        for s in list { statement(s) }
    }

    private func block(_ b: Block) {
        withBlock { statements(b.statements) }
    }

    private func statement(_ s: Stmt) {
        switch s.kind {
        case .expression(let e): expression(e)
        case .assign(let target, _, let value):
            expression(value)
            switch target.kind {
            case .name(let ref):
                assign(ref)
            default: expression(target)
            }
        case .letBinding(let ref, let value):
            expression(value)
            declareInBlock(ref)
        case .function(let ref, let decl):
            assign(ref)
            // Bound once outside loops, its reads of itself may become the running closure (see
            // `resolveSelfReads`); in a loop, an earlier iteration's closure must see the latest one.
            if case .local(let v) = ref.binding, function.loopDepth == 0 { function(decl, boundTo: v) } else { function(decl) }
        case .whileLoop(let condition, let body):
            expression(condition)
            function.loopDepth += 1
            block(body)
            function.loopDepth -= 1
        case .forLoop(let names, let iterable, let body):
            expression(iterable)
            function.loopDepth += 1
            withBlock {
                for n in names { n.binding = .local(function.declare(n.name, blockScoped: true, inOutermost: false)) }
                statements(body.statements)
            }
            function.loopDepth -= 1
        case .breakLoop, .continueLoop: break
        case .returnValue(let value): if let value { expression(value) }
        case .tryCatch(let body, let name, let handler):
            block(body)
            withBlock {
                if let name { name.binding = .local(function.declare(name.name, blockScoped: true, inOutermost: false)) }
                statements(handler.statements)
            }
        }
    }

    private func function(_ decl: FunctionDecl, boundTo: Variable? = nil) {
        let scope = FunctionScope(info: decl.info, parent: function, isTopLevel: false)
        scope.boundTo = boundTo
        let saved = function
        function = scope
        for i in decl.parameters.indices {
            if let d = decl.parameters[i].defaultValue { expression(d) }
            decl.parameters[i].variable = scope.declare(decl.parameters[i].name, blockScoped: false, inOutermost: true)
        }
        statements(decl.body.statements)
        function = saved
        if !scope.selfReads.isEmpty { saved.selfReading.append(scope) }
        resolveSelfReads(scope)
        finish(scope)
    }

    // MARK: - Expressions

    private func expression(_ e: Expr) {
        switch e.kind {
        case .nilLiteral, .boolLiteral, .intLiteral, .floatLiteral: break
        case .string(let parts):
            for p in parts { if case .expr(let x) = p { expression(x) } }
        case .name(let ref): read(ref)
        case .list(let items): items.forEach(expression)
        case .record(let fields): fields.forEach { expression($0.value) }
        case .unary(_, let x), .not(let x), .grouped(let x): expression(x)
        case .binary(_, let a, let b), .comparison(_, let a, let b), .and(let a, let b), .or(let a, let b),
             .range(let a, let b, _):
            expression(a)
            expression(b)
        case .call(let callee, let arguments):
            expression(callee)
            arguments.forEach { expression($0.value) }
        case .index(let base, let items):
            expression(base)
            for item in items {
                switch item {
                case .index(let x): expression(x)
                case .slice(let a, let b, let c):
                    [a, b, c].forEach { if let x = $0 { expression(x) } }
                }
            }
        case .field(let base, _, _): expression(base)
        case .ifExpr(let condition, let then, let otherwise):
            expression(condition)
            block(then)
            if let otherwise { expression(otherwise) }
        case .block(let b): block(b)
        case .function(let decl): function(decl)
        }
    }
}
