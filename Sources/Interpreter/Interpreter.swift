// The interpreter: globals, built-in registry, calls and argument binding, limits and interrupts.
import Lang
import Runtime

/// Runs compiled Whittle code. One per session; not thread-safe (one evaluation at a time).
public final class Interpreter {
    /// The three layers of globals; user code sees all three, the standard library the first two.
    public let builtinGlobals: GlobalLayer
    public let stdlibGlobals: GlobalLayer
    public let userGlobals: GlobalLayer
    /// Every registered built-in by name (for `?name`, `help()` and completion).
    public private(set) var builtinSpecs: [String: BuiltinSpec] = [:]
    /// Names registered more than once (the last registration wins); a test keeps this empty.
    public private(set) var duplicateRegistrations: [String] = []
    /// Registered native types' member tables by type name (for `?Type.member`).
    public private(set) var memberTables: [String: MemberTable] = [:]
    /// Where `print` writes (newline-terminated text).
    public var output: (String) -> Void
    /// When true, built-ins that touch files, processes or exit refuse to run (fuzzing).
    public var isSandboxed = false
    /// When set, evaluation stops with a `limit` error after about this many steps (fuzzing).
    public var stepBudget: Int?
    /// Width for pretty printing.
    public var width = 80
    /// True under `--quiet`: long-running built-ins show no progress.
    public var isQuiet = false
    /// Polled at calls and loop back-edges.
    public let token: CancellationToken
    /// Session-wide state built-ins may keep (settings, RNG seed, ...), keyed by the owner's name.
    public var extensions: [String: Any] = [:]
    /// The file of the code running at top level (for `load` relative paths).
    public var currentFile: String?
    /// The global random seed (`--seed`, `seed(n)`); Core's generators read it through observers.
    public var seed: UInt64 = 0 {
        didSet { for observe in seedObservers { observe(seed) } }
    }
    /// Called whenever the seed is set, so random streams can restart from it.
    public var seedObservers: [(UInt64) -> Void] = []

    var depth = 0
    /// Counts the calls in progress that borrow their closure from a global cell (see `GlobalCell`).
    let callState = CallState()
    /// Maximum call depth (shared with parser nesting: `Limits.maxDepth`).
    public var maxDepth = Limits.maxDepth
    var steps = 0
    var pollCounter = 0
    /// The lowest stack address evaluation may reach before reporting a stack overflow; 0 = unknown.
    public var stackLimit: UInt = 0

    public init(output: @escaping (String) -> Void, token: CancellationToken = CancellationToken()) {
        builtinGlobals = GlobalLayer(name: "built-ins", below: nil, state: callState)
        stdlibGlobals = GlobalLayer(name: "standard library", below: builtinGlobals, state: callState)
        userGlobals = GlobalLayer(name: "user", below: stdlibGlobals, state: callState)
        self.output = output
        self.token = token
    }

    // MARK: - Registration

    /// Installs built-ins as globals of the built-in layer.
    public func register(_ specs: [BuiltinSpec]) {
        for s in specs {
            if builtinSpecs[s.name] != nil { duplicateRegistrations.append(s.name) }
            builtinSpecs[s.name] = s
            builtinGlobals.define(s.name, .builtin(BuiltinFunction(spec: s)))
        }
    }

    /// Makes a native type's documented members known to `?Type.member` and completion.
    public func register(_ table: MemberTable) {
        memberTables[table.typeName] = table
    }

    // MARK: - Running

    /// Compiles and runs a resolved program whose globals live in `layer`.
    /// - Returns: the value of its last expression statement.
    /// - Parameter nested: true when called from running code (`load`): depth and steps carry on.
    public func run(_ program: Program, in layer: GlobalLayer, nested: Bool = false) throws -> Value {
        if stackLimit == 0 { stackLimit = Interpreter.stackAddress() &- 4 << 20 }
        let code = Compiler(interpreter: self, layer: layer).compile(program)
        let frame = Frame.make(slotCount: program.info.slotCount, cellCount: program.info.cellCount, captures: [])
        if !nested {
            depth = 0
            steps = 0
            defer { if callState.borrows == 0 { dropRetiredClosures() } }
            return try code(frame)
        }
        // A file loading itself must end in an error, not a native stack overflow.
        depth &+= 1
        defer { depth &-= 1 }
        if depth > maxDepth || Interpreter.stackAddress() < stackLimit {
            throw RuntimeError("stack overflow in `load`", kind: "stack")
        }
        return try code(frame)
    }

    /// Releases closures replaced in global cells while calls borrowed them.
    func dropRetiredClosures() {
        userGlobals.dropRetired()
        stdlibGlobals.dropRetired()
        builtinGlobals.dropRetired()
    }

    /// Calls any callable value as user code would.
    public func call(_ callee: Value, _ arguments: CallArguments, site: SourceSpan?) throws -> Value {
        switch callee {
        case .closure(let c):
            return try invoke(c, try bind(c, arguments), site: site)
        case .builtin(let b):
            return try callBuiltin(b.spec, arguments, receiver: b.receiver, site: site)
        case .native(let n):
            return try guardNative { try n.call(arguments, in: self) }
        default:
            throw runtimeError("\(callee.typeName) is not callable", kind: "type")
        }
    }

    /// Runs a closure's body in a bound frame, counting depth and adding its trace entry on error.
    @inline(__always)
    func invoke(_ c: Closure, _ frame: Frame, site: SourceSpan?) throws -> Value {
        depth &+= 1
        defer { depth &-= 1 }
        if depth > maxDepth || Interpreter.stackAddress() < stackLimit { throw Interpreter.stackOverflow(c, site) }
        try tick()
        frame.header.running = c
        do {
            let v = try c.function.body(frame)
            let result = frame.signal == .returnValue ? frame.returnValue : v
            c.function.recycle(frame)
            return result
        } catch let e as RuntimeError {
            throw Interpreter.leaving(c, site, e)
        }
    }

    /// `invoke` for a frame the caller gives back itself (see `CompiledFunction.acquireFrame`).
    @inline(__always)
    func invokeBody(_ c: Closure, _ frame: Frame, site: SourceSpan?) throws -> Value {
        depth &+= 1
        defer { depth &-= 1 }
        if depth > maxDepth || Interpreter.stackAddress() < stackLimit { throw Interpreter.stackOverflow(c, site) }
        try tick()
        frame.header.running = c
        do {
            // Through a guaranteed reference, so calling the body does not retain its context.
            let v = try Unmanaged.passUnretained(c.function)._withUnsafeGuaranteedRef { try $0.body(frame) }
            return frame.signal == .returnValue ? frame.returnValue : v
        } catch let e as RuntimeError {
            throw Interpreter.leaving(c, site, e)
        }
    }

    @inline(never)
    static func stackOverflow(_ c: Closure, _ site: SourceSpan?) -> RuntimeError {
        RuntimeError("stack overflow in fn \(c.name)", kind: "stack", span: site)
    }

    /// The error with the frame of `c` (called from `site`) added to its trace.
    @inline(never)
    static func leaving(_ c: Closure, _ site: SourceSpan?, _ error: RuntimeError) -> RuntimeError {
        var e = error
        e.appendTrace(TraceEntry(name: c.name, isBuiltin: false, definition: c.function.declaration.span, callSite: site))
        return e
    }

    /// Calls a registered built-in: binds arguments, runs it, and turns any Swift error it throws into
    /// a runtime error (interrupts pass through untouched).
    public func callBuiltin(_ spec: BuiltinSpec, _ arguments: CallArguments, receiver: Value? = nil,
                            site: SourceSpan? = nil) throws -> Value {
        try tick()
        let bound = try bind(spec, arguments, receiver: receiver)
        do {
            return try guardNative { try spec.body(bound) }
        } catch var e as RuntimeError {
            if !e.trace.isEmpty {
                e.appendTrace(TraceEntry(name: spec.name, isBuiltin: true, definition: nil, callSite: site))
            }
            throw e
        }
    }

    /// Runs native code, converting foreign errors to runtime errors.
    @inline(__always)
    func guardNative<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as RuntimeError {
            throw e
        } catch let e as Interrupted {
            throw e
        } catch let e as ExitRequest {
            throw e
        } catch {
            throw foreignError(error)
        }
    }

    /// One step: polls the interrupt flag and the step budget. Called at calls and loop back-edges.
    @inline(__always)
    func tick() throws {
        // The flag is read every 16th step: a relaxed load behind a cross-module call is the most
        // expensive part of a step otherwise, and 16 steps take well under a microsecond.
        pollCounter &+= 1
        if pollCounter & 15 == 0, token.isCancelled { throw Interrupted() }
        if stepBudget != nil { try countStep() }
    }

    @inline(never)
    func countStep() throws {
        steps += 1
        if let budget = stepBudget, steps > budget {
            throw RuntimeError("step budget of \(budget) exhausted", kind: "budget")
        }
    }

    /// The current stack address (approximately), for the stack-overflow guard.
    @inline(__always)
    static func stackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    // MARK: - Argument binding

    private func signatureError(_ message: String) -> RuntimeError { RuntimeError(message, kind: "argument") }

    /// Binds a call's arguments to a user function's parameters in a new frame.
    func bind(_ c: Closure, _ arguments: CallArguments) throws -> Frame {
        let fn = c.function
        let params = fn.declaration.parameters
        let frame = fn.makeFrame(captures: c.captures)
        frame.header.running = c   // default values may read the function itself
        if arguments.positional.count > params.count {
            throw signatureError("too many arguments in call to `\(fn.signature)`: expected at most \(params.count), got \(arguments.positional.count)")
        }
        var filled = [Bool](repeating: false, count: params.count)
        for (i, v) in arguments.positional.enumerated() {
            frame.store(v, fn.parameterStorage[i])
            filled[i] = true
        }
        for (name, v) in arguments.named {
            guard let i = params.firstIndex(where: { $0.name == name }) else {
                let hint = nearestName(to: name, among: params.map(\.name)).map { "; did you mean `\($0)`?" } ?? ""
                throw signatureError("`\(fn.signature)` has no parameter `\(name)`\(hint)")
            }
            if filled[i] { throw signatureError("argument `\(name)` given twice in call to `\(fn.signature)`") }
            frame.store(v, fn.parameterStorage[i])
            filled[i] = true
        }
        for i in params.indices where !filled[i] {
            guard let d = fn.defaults[i] else {
                throw signatureError("missing argument `\(params[i].name)` in call to `\(fn.signature)`")
            }
            frame.store(try d(frame), fn.parameterStorage[i])
        }
        return frame
    }

    /// Binds a call's arguments to a built-in's parameters.
    func bind(_ spec: BuiltinSpec, _ arguments: CallArguments, receiver: Value?) throws -> Arguments {
        let params = spec.parameters
        // Spelled out only for an error: building it was a tenth of a small net's `step(opt, batch)`.
        var signature: String { "`\(receiver.map { "\($0.typeName)." } ?? "")\(spec.signature)`" }
        var values = [Value](repeating: .null, count: params.count)
        var given = [Bool](repeating: false, count: params.count)
        var variadic: [Value] = []
        var next = 0
        for v in arguments.positional {
            while next < params.count && params[next].kind == .named { next += 1 }
            guard next < params.count else {
                let max = params.filter { $0.kind == .positional }.count
                throw signatureError("too many arguments in call to \(signature): expected at most \(max), got \(arguments.positional.count)")
            }
            if params[next].kind == .variadic {
                variadic.append(v)
                given[next] = true
            } else {
                values[next] = v
                given[next] = true
                next += 1
            }
        }
        for (name, v) in arguments.named {
            guard let i = params.firstIndex(where: { $0.name == name }) else {
                let hint = nearestName(to: name, among: params.map(\.name)).map { "; did you mean `\($0)`?" } ?? ""
                throw signatureError("\(signature) has no parameter `\(name)`\(hint)")
            }
            if given[i] { throw signatureError("argument `\(name)` given twice in call to \(signature)") }
            given[i] = true
            if params[i].kind == .variadic { variadic = [v] } else { values[i] = v }
        }
        var bound = Arguments(spec: spec, interpreter: self, receiver: receiver, values: values,
                              variadic: variadic, given: given)
        for (i, p) in params.enumerated() where !given[i] {
            switch p.defaultValue {
            case .required:
                if p.kind == .variadic { continue }
                throw signatureError("missing argument `\(p.name)` in call to \(signature)")
            case .value(let v): bound.values[i] = v
            case .computed(_, let f): bound.values[i] = try f(bound)
            }
        }
        return bound
    }

    // MARK: - Iteration

    /// The elements `for x in value` visits: list items, range Ints, string characters, record keys,
    /// a native's iteration. A snapshot: later mutation of the list does not affect it.
    public func elements(of value: Value) throws -> [Value] {
        switch value {
        case .list(let l): return l.items
        case .range(let r):
            if r.length > 100_000_000 { throw runtimeError("range of \(r.length) elements is too large to materialize", kind: "limit") }
            let n = r.count
            var out: [Value] = []
            out.reserveCapacity(n)
            // 100 million elements take seconds: poll the interrupt flag between blocks.
            var start = 0
            while start < n {
                try token.check("while listing a range")
                let end = Swift.min(n, start + Operators.pollBlock)
                for i in start..<end { out.append(.int(r.element(i))) }
                start = end
            }
            return out
        case .string(let s): return s.map { .string(String($0)) }
        case .record(let r): return r.keys.map { .string($0) }
        case .native(let n): return Array(try guardNative { try n.makeIterator() })
        default: throw runtimeError("cannot iterate over \(value.typeName)", kind: "type")
        }
    }
}
