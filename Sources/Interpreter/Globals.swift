// The three layers of globals: built-ins, then the standard library, then the user's variables.

/// One global name in one layer. Compiled code holds the cell, so reading a global is a pointer
/// chase, never a dictionary lookup; an empty cell falls back to the layer below.
public final class GlobalCell {
    public let name: String
    /// nil while the name is not defined in this layer.
    public var value: Value? {
        get { stored }
        set {
            if let old = closure { retire(old) }
            if case .closure(let c)? = newValue { closure = .passUnretained(c) }
            stored = newValue
        }
    }
    private var stored: Value?
    let fallback: GlobalCell?
    /// The closure `value` holds, unretained: calls borrow it instead of copying the value (a retain
    /// and release per call). A borrowed closure must outlive its call even when the cell is
    /// reassigned meanwhile, so a closure replaced while calls borrow (`state.borrows > 0`) is kept in
    /// `retired` until the top-level command ends.
    private(set) var closure: Unmanaged<Closure>?
    private var retired: [Closure] = []
    let state: CallState

    init(name: String, fallback: GlobalCell?, state: CallState) {
        self.name = name
        self.fallback = fallback
        self.state = state
    }

    /// Forgets the closure being replaced; keeps it alive when a call may be borrowing it.
    @inline(never)
    private func retire(_ old: Unmanaged<Closure>) {
        closure = nil
        if state.borrows > 0 {
            retired.append(old.takeUnretainedValue())
        } else if !retired.isEmpty {
            retired = []
        }
    }

    /// Releases replaced closures; only when no call borrows a closure from a cell.
    func dropRetired() {
        if !retired.isEmpty { retired = [] }
    }

    /// The closure the name resolves to (this layer or the nearest below that defines it),
    /// unretained; nil when the name resolves to anything else or to nothing.
    @inline(__always)
    func resolvedClosure() -> Unmanaged<Closure>? {
        if let c = closure { return c }
        if case .some = stored { return nil }
        var c = fallback
        while let cell = c {
            if let f = cell.closure { return f }
            if case .some = cell.stored { return nil }
            c = cell.fallback
        }
        return nil
    }

    /// The value in this layer or the nearest one below; nil when defined nowhere.
    @inline(__always)
    public func lookup() -> Value? {
        if let v = value { return v }
        var c = fallback
        while let cell = c {
            if let v = cell.value { return v }
            c = cell.fallback
        }
        return nil
    }
}

/// What an interpreter's global cells share: the count of calls borrowing a closure from a cell.
final class CallState {
    var borrows = 0
}

/// A layer of globals (built-ins, standard library, or user).
public final class GlobalLayer {
    public let name: String
    let below: GlobalLayer?
    private(set) var cells: [String: GlobalCell] = [:]
    let state: CallState

    init(name: String, below: GlobalLayer?, state: CallState) {
        self.name = name
        self.below = below
        self.state = state
    }

    /// The cell for `name` in this layer, made (empty) on first use.
    public func cell(_ name: String) -> GlobalCell {
        if let c = cells[name] { return c }
        let c = GlobalCell(name: name, fallback: below?.cell(name), state: state)
        cells[name] = c
        return c
    }

    /// Names defined in this layer, sorted.
    public var definedNames: [String] { cells.values.filter { $0.value != nil }.map(\.name).sorted() }

    /// True when `name` is defined in this layer itself (not only in a layer below).
    public func defines(_ name: String) -> Bool { cells[name]?.value != nil }

    /// Names visible from this layer (this one and those below), sorted.
    public var visibleNames: [String] {
        var names = Set(definedNames)
        var b = below
        while let layer = b { names.formUnion(layer.definedNames); b = layer.below }
        return names.sorted()
    }

    /// The value of `name` seen from this layer.
    public func lookup(_ name: String) -> Value? {
        if let c = cells[name] { return c.lookup() }
        return below?.lookup(name)
    }

    /// Defines or replaces `name` in this layer.
    public func define(_ name: String, _ value: Value) { cell(name).value = value }

    /// Releases the closures replaced in this layer's cells (see `GlobalCell.closure`).
    func dropRetired() { for c in cells.values { c.dropRetired() } }

    /// The values defined in this layer.
    var allValues: [Value] { cells.values.compactMap(\.value) }

    /// Undefines every name of this layer (cells stay, so compiled code keeps working).
    public func clear() { for c in cells.values { c.value = nil } }
}
