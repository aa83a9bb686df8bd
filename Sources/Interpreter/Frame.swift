// Activation records and user functions: frames with slots and cells, closures with captures.
import Lang

/// Compiled code: evaluates against a frame.
typealias Code = (Frame) throws -> Value

/// Non-local control flow pending in a frame (checked after each statement).
enum Signal: UInt8 {
    case none, breakLoop, continueLoop, returnValue
}

/// The bookkeeping of a frame; its plain variables are tail-allocated after it.
struct FrameHeader {
    let slotCount: Int
    /// Variables captured by inner closures.
    var cells: ContiguousArray<Cell>
    /// The running closure's captured cells.
    var captures: ContiguousArray<Cell>
    var signal: Signal = .none
    var returnValue: Value = .null
    /// The closure whose call this frame is, for its reads of itself (`Binding.runningFunction`).
    /// Not retained: the caller holds the closure for the whole call, and only that call's code reads it.
    unowned(unsafe) var running: Closure? = nil
}

/// The variables of one running function (or top-level chunk): one allocation holding the header
/// and the slots.
final class Frame: ManagedBuffer<FrameHeader, Value> {
    static func make(slotCount: Int, cellCount: Int, captures: ContiguousArray<Cell>) -> Frame {
        var cells = ContiguousArray<Cell>()
        if cellCount > 0 {
            cells.reserveCapacity(cellCount)
            for _ in 0..<cellCount { cells.append(Cell()) }
        }
        let buffer = Frame.create(minimumCapacity: slotCount) { _ in
            FrameHeader(slotCount: slotCount, cells: cells, captures: captures)
        }
        let frame = unsafeDowncast(buffer, to: Frame.self)
        frame.withUnsafeMutablePointerToElements { $0.initialize(repeating: .null, count: slotCount) }
        return frame
    }

    deinit {
        _ = withUnsafeMutablePointers { h, e in e.deinitialize(count: h.pointee.slotCount) }
    }

    /// Plain variables, by resolver-assigned index.
    @inline(__always)
    var slots: UnsafeMutablePointer<Value> { withUnsafeMutablePointerToElements { $0 } }

    @inline(__always)
    var cells: ContiguousArray<Cell> {
        get { header.cells }
        set { header.cells = newValue }
    }

    @inline(__always)
    var captures: ContiguousArray<Cell> { header.captures }

    @inline(__always)
    var signal: Signal {
        get { header.signal }
        set { header.signal = newValue }
    }

    @inline(__always)
    var returnValue: Value {
        get { header.returnValue }
        set { header.returnValue = newValue }
    }
}

/// A compiled piece of code held in a class, so arrays of code need no reabstraction thunks.
final class CodeBox {
    let run: Code
    init(_ run: @escaping Code) { self.run = run }
}

/// Where a variable lives in a frame.
enum Storage {
    case slot(Int)
    case cell(Int)

    init(_ v: Variable) { self = v.isCaptured ? .cell(v.index) : .slot(v.index) }
}

/// A function compiled once per definition site; closures share it.
public final class CompiledFunction {
    public let name: String
    public let declaration: FunctionDecl
    let parameterStorage: [Storage]
    /// Parameter count, and the first parameter's storage (read on every one-argument call).
    let arity: Int
    let storage0: Storage
    let defaults: [Code?]
    /// The compiled body; a `let`, so calling it needs no retain of its context.
    let body: Code
    let slotCount: Int
    let cellCount: Int
    /// True when closures of this function capture variables of enclosing functions.
    let hasCaptures: Bool
    /// Frames of finished calls, reused by the next calls (no frame outlives its call: closures
    /// capture cells, never frames). A plain buffer of retained references: popping and pushing
    /// cost no uniqueness checks.
    private var spareFrames: UnsafeMutablePointer<Unmanaged<Frame>>?
    private var spareCount = 0
    /// The pool grows as deep recursion needs it, so a function called once keeps a few words, not 128 KB.
    private var spareCapacity = 0
    private static let maxSpareFrames = 16_384

    deinit {
        guard let spareFrames else { return }
        for i in 0..<spareCount { spareFrames[i].release() }
        spareFrames.deallocate()
    }

    /// A frame for a new call: a recycled one when available.
    @inline(__always)
    func makeFrame(captures: ContiguousArray<Cell>) -> Frame {
        guard spareCount > 0, let spareFrames else { return newFrame(captures: captures) }
        spareCount &-= 1
        let frame = spareFrames[spareCount].takeRetainedValue()
        if !captures.isEmpty || cellCount > 0 { prepare(frame, captures: captures) }
        return frame
    }

    /// Like `makeFrame`, but hands over the pool's reference without reference counting; the
    /// caller uses it through `_withUnsafeGuaranteedRef` and must give it back with `releaseFrame`.
    @inline(__always)
    func acquireFrame(captures: ContiguousArray<Cell>) -> Unmanaged<Frame> {
        guard spareCount > 0, let spareFrames else { return Unmanaged.passRetained(newFrame(captures: captures)) }
        spareCount &-= 1
        let frame = spareFrames[spareCount]
        if hasCaptures || cellCount > 0 {
            frame._withUnsafeGuaranteedRef { prepare($0, captures: captures) }
        }
        return frame
    }

    /// `acquireFrame` for a call of `closure` (its captures are read only when the function has any).
    @inline(__always)
    func acquireFrame(for closure: Closure) -> Unmanaged<Frame> {
        guard spareCount > 0, let spareFrames else {
            return Unmanaged.passRetained(newFrame(captures: closure.captures))
        }
        spareCount &-= 1
        let frame = spareFrames[spareCount]
        if hasCaptures || cellCount > 0 {
            frame._withUnsafeGuaranteedRef { prepare($0, captures: closure.captures) }
        }
        return frame
    }

    /// Gives back a frame from `acquireFrame` (after its call, normal or not), clearing it.
    @inline(__always)
    func releaseFrame(_ frame: Unmanaged<Frame>) {
        guard spareCount < CompiledFunction.maxSpareFrames else {
            frame.release()
            return
        }
        frame._withUnsafeGuaranteedRef { f in
            f.clearSlots(slotCount)
            if f.header.signal != .none {
                f.header.signal = .none
                f.header.returnValue = .null
            }
            if cellCount > 0 || hasCaptures { clearCaptured(f) }
        }
        if spareCount == spareCapacity { growSpareFrames() }
        spareFrames?[spareCount] = frame
        spareCount &+= 1
    }

    @inline(never)
    func newFrame(captures: ContiguousArray<Cell>) -> Frame {
        Frame.make(slotCount: slotCount, cellCount: cellCount, captures: captures)
    }

    @inline(never)
    func prepare(_ frame: Frame, captures: ContiguousArray<Cell>) {
        frame.header.captures = captures
        if cellCount > 0 {
            var cells = ContiguousArray<Cell>()
            cells.reserveCapacity(cellCount)
            for _ in 0..<cellCount { cells.append(Cell()) }
            frame.header.cells = cells
        }
    }

    /// Returns a finished call's frame to the pool, clearing its variables.
    @inline(__always)
    func recycle(_ frame: Frame) {
        guard spareCount < CompiledFunction.maxSpareFrames else { return }
        frame.slots.update(repeating: .null, count: slotCount)
        if frame.header.signal != .none {
            frame.header.signal = .none
            frame.header.returnValue = .null
        }
        if cellCount > 0 || !frame.header.captures.isEmpty { clearCaptured(frame) }
        if spareCount == spareCapacity { growSpareFrames() }
        spareFrames?[spareCount] = Unmanaged.passRetained(frame)
        spareCount &+= 1
    }

    @inline(never)
    func growSpareFrames() {
        let capacity = Swift.min(CompiledFunction.maxSpareFrames, Swift.max(4, spareCapacity * 2))
        let grown = UnsafeMutablePointer<Unmanaged<Frame>>.allocate(capacity: capacity)
        if let spareFrames {
            grown.moveInitialize(from: spareFrames, count: spareCount)
            spareFrames.deallocate()
        }
        spareFrames = grown
        spareCapacity = capacity
    }

    @inline(never)
    func clearCaptured(_ frame: Frame) {
        frame.header.captures = []
        frame.header.cells = []
    }

    init(declaration: FunctionDecl, defaults: [Code?], body: @escaping Code) {
        self.body = body
        name = declaration.name
        self.declaration = declaration
        parameterStorage = declaration.parameters.map { p in p.variable.map(Storage.init) ?? .slot(0) }
        arity = parameterStorage.count
        storage0 = parameterStorage.first ?? .slot(0)
        self.defaults = defaults
        slotCount = declaration.info.slotCount
        cellCount = declaration.info.cellCount
        hasCaptures = !declaration.info.captures.isEmpty
    }

    /// `name(a, b = 2)`.
    public var signature: String {
        let ps = declaration.parameters.map { p -> String in
            guard let d = p.defaultValue else { return p.name }
            return "\(p.name) = \(d.span.file.text(from: d.span.start, to: d.span.end))"
        }
        return "\(name)(\(ps.joined(separator: ", ")))"
    }
}

/// A user function value: compiled code plus the cells it captured.
public final class Closure {
    public let function: CompiledFunction
    let captures: ContiguousArray<Cell>

    init(function: CompiledFunction, captures: ContiguousArray<Cell>) {
        self.function = function
        self.captures = captures
    }

    public var name: String { function.name }
    /// The doc comment above `fn`, if any.
    public var documentation: String? { function.declaration.documentation }
}

extension Frame {
    @inline(__always)
    func store(_ value: Value, _ storage: Storage) {
        switch storage {
        case .slot(let i): slots[i] = value
        case .cell(let i): header.cells[i].value = value
        }
    }

    /// Stores an argument into a parameter of a frame fresh from `acquireFrame`, whose slots all
    /// hold `.null` (nothing to release, so the slot is initialized rather than assigned).
    @inline(__always)
    func storeParameter(_ value: consuming Value, _ storage: Storage) {
        switch storage {
        case .slot(let i): (slots + i).initialize(to: value)
        case .cell(let i): header.cells[i].value = value
        }
    }

    /// Sets the first `count` slots to `.null`, releasing only the values that hold references.
    @inline(__always)
    func clearSlots(_ count: Int) {
        let s = slots
        for i in 0..<count {
            if s[i].isScalar { (s + i).initialize(to: .null) } else { s[i] = .null }
        }
    }

    /// Binds a block-scoped variable afresh (a new cell when captured, so closures made in earlier
    /// iterations keep their value).
    @inline(__always)
    func bindFresh(_ value: Value, _ storage: Storage) {
        switch storage {
        case .slot(let i): slots[i] = value
        case .cell(let i): header.cells[i] = Cell(value)
        }
    }
}
