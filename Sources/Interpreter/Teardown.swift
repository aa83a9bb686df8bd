// Freeing nested lists and records without recursion, so a value nested millions deep cannot overflow the stack.

/// Releases the contents of a dying list or record iteratively.
///
/// Swift frees a class's stored properties recursively: a list inside a list inside … five million
/// deep would need five million native frames in `deinit`. Instead the dying container's values
/// are moved onto one explicit stack; every nested container that nothing else references is
/// emptied onto the same stack before it goes, so each `deinit` finds nothing left to recurse into.
enum Teardown {
    static func release(_ values: inout [Value]) {
        // Flat containers (the common case) free as usual.
        guard values.contains(where: \.isContainer) else { return }
        var pending = values
        values = []
        while var v = pending.popLast() {
            if let l = v.takeUniqueList() {
                pending.append(contentsOf: l.items)
                l.items = []
            } else if let r = v.takeUniqueRecord() {
                pending.append(contentsOf: r.takeValues())
            }
        }
    }
}

extension Interpreter {
    /// Ends this interpreter's life: every list, record and closure reachable from its globals is
    /// emptied and every global undefined, so reference cycles among them (a function that calls
    /// itself through its global, `append(a, a)`) are freed with the interpreter instead of leaking.
    /// The fuzzer makes a session per input; without this each one kept about 110 KB alive.
    /// Values the host still holds lose their contents; the interpreter must not run code again.
    public func close() {
        var pending: [Value] = []
        for layer in [userGlobals, stdlibGlobals, builtinGlobals] {
            pending.append(contentsOf: layer.allValues)
            layer.clear()
            layer.dropRetired()
        }
        var visited = Set<ObjectIdentifier>()
        while let v = pending.popLast() {
            switch v {
            case .list(let l):
                guard visited.insert(ObjectIdentifier(l)).inserted else { continue }
                pending.append(contentsOf: l.items)
                l.items = []
            case .record(let r):
                guard visited.insert(ObjectIdentifier(r)).inserted else { continue }
                pending.append(contentsOf: r.takeValues())
            case .closure(let c):
                guard visited.insert(ObjectIdentifier(c)).inserted else { continue }
                for cell in c.captures {
                    pending.append(cell.value)
                    cell.value = .null
                }
            default:
                continue
            }
        }
        seedObservers = []
        extensions = [:]
    }
}

extension Value {
    /// True for lists and records, the values that can nest.
    var isContainer: Bool {
        switch self {
        case .list, .record: return true
        default: return false
        }
    }

    /// The list this value holds when nothing else references it (this value becomes `nil`).
    mutating func takeUniqueList() -> ListObject? {
        guard case .list(var l) = self else { return nil }
        self = .null
        if isKnownUniquelyReferenced(&l) { return l }
        self = .list(l)
        return nil
    }

    /// The record this value holds when nothing else references it (this value becomes `nil`).
    mutating func takeUniqueRecord() -> RecordObject? {
        guard case .record(var r) = self else { return nil }
        self = .null
        if isKnownUniquelyReferenced(&r) { return r }
        self = .record(r)
        return nil
    }
}
