// Calls of a global function with one or two positional arguments (recursion, helpers): the hottest
// path of user code, kept free of reference counting.
import Lang

/// A compiled call `name(a)` or `name(a, b)` where `name` is a global. One object holds everything
/// the call needs, so the compiled closure captures a single reference (its thunk unpacks one word).
final class GlobalCallSite {
    let interpreter: Interpreter
    let cell: GlobalCell
    /// The cell's `state` (held here: reading it through the cell would cost a retain per call).
    let state: CallState
    /// The number of positional arguments, 1 or 2.
    let count: Int
    let a0: Code
    let a1: Code
    let span: SourceSpan
    /// The error when the name is defined nowhere.
    let undefined: () -> RuntimeError
    /// Any other callee: evaluates the arguments into an array and calls through `Interpreter.call`.
    let general: (Value, Frame) throws -> Value

    init(interpreter: Interpreter, cell: GlobalCell, count: Int, a0: @escaping Code, a1: @escaping Code,
         span: SourceSpan, undefined: @escaping () -> RuntimeError,
         general: @escaping (Value, Frame) throws -> Value) {
        self.interpreter = interpreter
        self.cell = cell
        state = cell.state
        self.count = count
        self.a0 = a0
        self.a1 = a1
        self.span = span
        self.undefined = undefined
        self.general = general
    }

    /// Runs the call in the caller's frame `f`. The closure is borrowed from the cell without
    /// reference counting (the cell keeps a replaced closure alive while calls borrow), and the
    /// arguments are evaluated straight into a pooled frame of the callee.
    @inline(__always)
    func run(_ f: Frame) throws -> Value {
        guard let handle = cell.resolvedClosure() else { return try notClosure(f) }
        state.borrows &+= 1
        defer { state.borrows &-= 1 }
        return try handle._withUnsafeGuaranteedRef { c in
            let function = c.function
            guard function.arity == count else { return try general(.closure(c), f) }
            let frameHandle = function.acquireFrame(for: c)
            defer { function.releaseFrame(frameHandle) }
            return try frameHandle._withUnsafeGuaranteedRef { frame in
                frame.storeParameter(try a0(f), function.storage0)
                if count == 2 { frame.storeParameter(try a1(f), function.parameterStorage[1]) }
                if f.signal != .none { return .null }
                return try interpreter.invokeBody(c, frame, site: span)
            }
        }
    }

    /// A callee that is not a user function (a built-in, a native, a value), or no callee at all.
    @inline(never)
    func notClosure(_ f: Frame) throws -> Value {
        guard let fn = cell.lookup() else { throw undefined() }
        return try general(fn, f)
    }
}
