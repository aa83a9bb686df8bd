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
    var body: Code = { _ in .null }
    let slotCount: Int
    let cellCount: Int
    /// Frames of finished calls, reused by the next calls (no frame outlives its call: closures
    /// capture cells, never frames).
    var spareFrames = ContiguousArray<Frame>()

    /// A frame for a new call: a recycled one when available.
    @inline(__always)
    func makeFrame(captures: ContiguousArray<Cell>) -> Frame {
        guard let frame = spareFrames.popLast() else {
            return Frame.make(slotCount: slotCount, cellCount: cellCount, captures: captures)
        }
        if !captures.isEmpty { frame.header.captures = captures }
        if cellCount > 0 {
            var cells = ContiguousArray<Cell>()
            cells.reserveCapacity(cellCount)
            for _ in 0..<cellCount { cells.append(Cell()) }
            frame.header.cells = cells
        }
        return frame
    }

    /// Returns a finished call's frame to the pool, clearing its variables.
    @inline(__always)
    func recycle(_ frame: Frame) {
        if spareFrames.count >= 20_000 { return }
        frame.slots.update(repeating: .null, count: slotCount)
        frame.header.signal = .none
        frame.header.returnValue = .null
        if !frame.header.captures.isEmpty { frame.header.captures = [] }
        if cellCount > 0 { frame.header.cells = [] }
        spareFrames.append(frame)
    }

    init(declaration: FunctionDecl, defaults: [Code?]) {
        name = declaration.name
        self.declaration = declaration
        parameterStorage = declaration.parameters.map { p in p.variable.map(Storage.init) ?? .slot(0) }
        arity = parameterStorage.count
        storage0 = parameterStorage.first ?? .slot(0)
        self.defaults = defaults
        slotCount = declaration.info.slotCount
        cellCount = declaration.info.cellCount
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
