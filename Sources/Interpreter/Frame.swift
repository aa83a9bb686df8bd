// Activation records and user functions: frames with slots and cells, closures with captures.
import Lang

/// Compiled code: evaluates against a frame.
public typealias Code = (Frame) throws -> Value

/// Non-local control flow pending in a frame (checked after each statement).
enum Signal: UInt8 {
    case none, breakLoop, continueLoop, returnValue
}

/// The variables of one running function (or top-level chunk).
public final class Frame {
    /// Plain variables, by resolver-assigned index.
    let slots: UnsafeMutablePointer<Value>
    let slotCount: Int
    /// Variables captured by inner closures.
    var cells: ContiguousArray<Cell>
    /// The running closure's captured cells.
    let captures: ContiguousArray<Cell>
    var signal: Signal = .none
    var returnValue: Value = .null

    init(slotCount: Int, cellCount: Int, captures: ContiguousArray<Cell>) {
        self.slotCount = slotCount
        slots = UnsafeMutablePointer<Value>.allocate(capacity: max(slotCount, 1))
        slots.initialize(repeating: .null, count: slotCount)
        var cells = ContiguousArray<Cell>()
        if cellCount > 0 {
            cells.reserveCapacity(cellCount)
            for _ in 0..<cellCount { cells.append(Cell()) }
        }
        self.cells = cells
        self.captures = captures
    }

    deinit {
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }
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
    let defaults: [Code?]
    var body: Code = { _ in .null }
    let slotCount: Int
    let cellCount: Int

    init(declaration: FunctionDecl, defaults: [Code?]) {
        name = declaration.name
        self.declaration = declaration
        parameterStorage = declaration.parameters.map { p in p.variable.map(Storage.init) ?? .slot(0) }
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
        case .cell(let i): cells[i].value = value
        }
    }

    /// Binds a block-scoped variable afresh (a new cell when captured, so closures made in earlier
    /// iterations keep their value).
    @inline(__always)
    func bindFresh(_ value: Value, _ storage: Storage) {
        switch storage {
        case .slot(let i): slots[i] = value
        case .cell(let i): cells[i] = Cell(value)
        }
    }
}
