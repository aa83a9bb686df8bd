// Weight gates: a stack of transforms on a parameter (hard mask, CS gate, quantizer) and the keep-mask they impose.

/// How a weight gate acts: a hard or soft mask, or not at all.
public enum GateMode: String, Sendable, CaseIterable {
    /// The gate acts in its discrete form (a 0/1 mask, a rounding quantizer).
    case hard
    /// The gate acts in its relaxed form (weight ⊙ σ(βs), noise in place of rounding).
    case soft
    /// The gate is bypassed; the raw weight is used.
    case off
}

/// Something that transforms a parameter before a layer uses it: a hard mask, a
/// continuous-sparsification gate, a quantizer. A method's gate is one file conforming to this
/// protocol.
///
/// Gates live on the parameter (`Param.gates`, applied in order, like PyTorch's parametrizations),
/// so any layer that reads its weight through `Tape.gatedVariable(for:)` takes them, a copy of the
/// parameter copies them, and the whole-network listings find them without knowing the layer.
/// Their parameters and buffers are listed under the owning layer's path (`3.mask`,
/// `3.mask_logit`), so gating never changes the weight's path. A gate that also needs to act during
/// training (a penalty, an anneal) conforms to `TrainingHook` as well.
public protocol WeightGate<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// The script-facing kind, e.g. "mask"; at most one gate of a kind per parameter.
    var kind: String { get }
    /// The modes this gate can take, e.g. [.hard, .off] for a hard mask.
    var supportedModes: [GateMode] { get }
    /// The current mode; set it through `Param.setGateMode` so the mode is checked and the
    /// keep-mask enforced.
    var mode: GateMode { get set }
    /// The parameter as the layer should use it, recorded on its tape (`weight` is the result of the
    /// gates below this one).
    func apply(to weight: Variable<Scalar>) throws -> Variable<Scalar>
    /// The 0/1 keep-mask in force in the current mode, the parameter's shape; nil when this gate
    /// removes no entry. Optimizers keep the removed entries and their state at exactly zero.
    var keepMask: Tensor<Scalar>? { get }
    /// The 0/1 mask sparsity queries count: `keepMask` by default; a soft gate that decides a mask
    /// without imposing it yet (a CS gate's H(s)) reports that one, so `sparsity(net)` shows what
    /// committing would keep while the optimizers leave the weights alone.
    var reportedKeepMask: Tensor<Scalar>? { get }
    /// The gate's parameters by local name under its layer (e.g. "mask_logit").
    var localParams: [(name: String, param: Param<Scalar>)] { get }
    /// The gate's buffers by local name under its layer (e.g. "mask").
    var localBuffers: [(name: String, buffer: Buffer<Scalar>)] { get }
    /// A deep copy (its own parameters and buffers, same mode).
    func copy() -> any WeightGate<Scalar>
}

extension WeightGate {
    public var localParams: [(name: String, param: Param<Scalar>)] { [] }
    public var localBuffers: [(name: String, buffer: Buffer<Scalar>)] { [] }
    public var reportedKeepMask: Tensor<Scalar>? { keepMask }
    /// "mask hard", as layer descriptions show it.
    public var summary: String { "\(kind) \(mode.rawValue)" }
}

extension Param {
    /// Adds `gate` on top of the stack (under the gates already there with `atBottom`, so they act
    /// on its output: a mask above a quantizer keeps removed weights at exactly 0) and enforces
    /// its keep-mask.
    /// - Throws: `CoreError.badArgument` when a gate of the same kind is already there, or the
    ///   gate's mask does not have the parameter's shape.
    public func addGate(_ gate: any WeightGate<Scalar>, atBottom: Bool = false) throws {
        if let other = gates.first(where: { $0.kind == gate.kind }) {
            throw CoreError.badArgument(op: gate.kind, message: "\(path) already has a \(other.kind) gate")
        }
        if let keep = gate.keepMask, keep.shape != value.shape {
            throw CoreError.shapeMismatch(op: gate.kind, shapes: [value.shape, keep.shape], message: "")
        }
        if atBottom { gates.insert(gate, at: 0) } else { gates.append(gate) }
        enforceKeepMask()
    }

    /// Removes the gates of `kind` (every gate when nil) without baking them in; returns how many.
    @discardableResult
    public func removeGates(kind: String? = nil) -> Int {
        let before = gates.count
        gates.removeAll { kind == nil || $0.kind == kind }
        return before - gates.count
    }

    /// The first gate of type `G`, e.g. `weight.gate(HardMask<Float>.self)`.
    public func gate<G: WeightGate>(_ type: G.Type) -> G? {
        gates.lazy.compactMap { $0 as? G }.first
    }

    /// Sets the mode of every gate on this parameter (of `kind` only, when given) that supports it.
    /// - Throws: `CoreError.badArgument` when there is no such gate, or none supports `mode`.
    public func setGateMode(_ mode: GateMode, kind: String? = nil) throws {
        let chosen = gates.filter { kind == nil || $0.kind == kind }
        guard !chosen.isEmpty else {
            throw CoreError.badArgument(op: "mode", message: "\(path) has no \(kind.map { $0 + " " } ?? "")gate")
        }
        let able = chosen.filter { $0.supportedModes.contains(mode) }
        guard !able.isEmpty else {
            let modes = Set(chosen.flatMap { $0.supportedModes }).map { "\"\($0.rawValue)\"" }.sorted()
            throw CoreError.badArgument(op: "mode",
                message: "a \(chosen.map { $0.kind }.joined(separator: " and ")) gate accepts \(modes.joined(separator: " or ")), not \"\(mode.rawValue)\"")
        }
        for g in able { g.mode = mode }
        enforceKeepMask()
    }

    /// The product of the keep-masks of the gates in force; nil when no gate removes an entry.
    public var keepMask: Tensor<Scalar>? { maskProduct { $0.keepMask } }

    /// The product of the gates' reported keep-masks (what `sparsity(net)` counts).
    public var reportedKeepMask: Tensor<Scalar>? { maskProduct { $0.reportedKeepMask } }

    private func maskProduct(_ mask: (any WeightGate<Scalar>) -> Tensor<Scalar>?) -> Tensor<Scalar>? {
        var result: Tensor<Scalar>?
        for g in gates {
            guard let m = mask(g), m.count == value.count else { continue }
            result = result.map { GateKernels.product($0, m) } ?? m
        }
        return result
    }

    /// Zeroes the entries the gates remove, so a stored weight never holds a value a mask removed
    /// (after `set_params`, `load_weights`, a mode change or a new mask).
    public func enforceKeepMask() {
        guard let keep = keepMask else { return }
        GateKernels.zeroRemoved(&value, keep: keep)
    }
}

extension Tape {
    /// The parameter's leaf with its gates applied in order: what gated layers use as their weight.
    public func gatedVariable(for param: Param<Scalar>) throws -> Variable<Scalar> {
        var v = variable(for: param)
        for g in param.gates where g.mode != .off { v = try g.apply(to: v) }
        return v
    }
}

/// A layer with one main weight that gates may act on (Dense, Conv2D): `masked`, `prune` and the
/// method built-ins choose their layers among these.
public protocol GatedLayer<Scalar>: Layer {
    /// The weight the gates act on.
    var weight: Param<Scalar> { get }
}

extension GatedLayer {
    /// The weight variable after its gates (the raw weight when there are none).
    func gatedWeight(on tape: Tape<Scalar>) throws -> Variable<Scalar> {
        try tape.gatedVariable(for: weight)
    }

    /// ", mask hard, cs soft" for the layer's description; empty without gates.
    var gateSummary: String { weight.gates.map { ", " + $0.summary }.joined() }
}

/// The loops gates share: products of keep-masks and zeroing removed entries.
enum GateKernels {
    @_specialize(where S == Float)
    static func product<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
        var out = a
        zeroRemoved(&out, keep: b)
        return out
    }

    /// a[i] = 0 wherever keep[i] == 0.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func zeroRemoved<S: TensorScalar>(_ a: inout Tensor<S>, keep: Tensor<S>) {
        a.scalars.withUnsafeMutableBufferPointer { pa in
            keep.scalars.withUnsafeBufferPointer { pk in
                for i in 0..<Swift.min(pa.count, pk.count) where pk[i] == 0 { pa[i] = 0 }
            }
        }
    }
}

// MARK: - Choosing layers

/// The layers of `net` that accept a weight gate, by path, each once (a layer used twice is
/// listed at its first path).
public func gatedLayers<S: TensorScalar>(_ net: any Layer<S>) -> [(path: String, layer: any GatedLayer<S>)] {
    var seen = Set<ObjectIdentifier>()
    return net.namedLayers.compactMap { entry in
        guard let g = entry.layer as? any GatedLayer<S>, seen.insert(ObjectIdentifier(g)).inserted else { return nil }
        return (entry.path, g)
    }
}

/// The gated layers chosen by `only` (layer paths such as "0", "3", "2.body.0"; nil: all of them).
/// - Throws: `CoreError.badArgument` naming the layers that accept a gate when a path is not one.
public func chooseGatedLayers<S: TensorScalar>(_ net: any Layer<S>, only: [String]?, op: String,
                                               noun: String = "gate") throws -> [(path: String, layer: any GatedLayer<S>)] {
    let candidates = gatedLayers(net)
    if let only {
        for path in only where !candidates.contains(where: { $0.path == path }) {
            let list = candidates.map { "\($0.path.isEmpty ? "(root)" : $0.path) (\($0.layer.kind))" }
            throw CoreError.badArgument(op: op,
                message: "layer \"\(path)\" cannot take a \(noun); layers that accept one: \(list.isEmpty ? "none" : list.joined(separator: ", "))")
        }
    }
    if candidates.isEmpty {
        throw CoreError.badArgument(op: op, message: "the net has no Dense or Conv2D layer to gate")
    }
    return candidates.filter { only?.contains($0.path) ?? true }
}

/// Sets the mode of the gates on `layer` (`enable` = hard, `disable` = off, `mode(layer, …)`).
/// - Throws: `CoreError.badArgument` when the layer has no gate (naming the kinds that do).
public func setGateMode<S: TensorScalar>(_ mode: GateMode, on layer: any Layer<S>, kind: String? = nil) throws {
    guard let gated = layer as? any GatedLayer<S>, !gated.weight.gates.isEmpty else {
        throw CoreError.badArgument(op: "mode",
            message: "\(layer.kind) has no mask or gate; only Dense and Conv2D layers with a mask (see masked) can be toggled")
    }
    try gated.weight.setGateMode(mode, kind: kind)
}

/// Enforces every parameter's keep-mask in `net` (after values were written from outside).
public func enforceKeepMasks<S: TensorScalar>(_ net: any Layer<S>) {
    for p in net.params { p.enforceKeepMask() }
}
