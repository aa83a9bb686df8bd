// Hard masks: a 0/1 buffer `<layer>.mask` on a Dense or Conv2D weight, and `masked(net, only:)`.

/// A hard mask on a layer's weight: the layer uses weight ⊙ mask, and optimizers keep the masked
/// entries (and their moment buffers) at exactly zero.
///
/// The mask is a buffer named `mask` under the layer (`3.mask`); the weight's path is unchanged.
/// Modes: `hard` (applied) and `off` (bypassed: the raw weight is used and trained densely).
public final class HardMask<Scalar: TensorScalar>: WeightGate {
    /// The 0/1 mask, the shape of the weight.
    public let mask: Buffer<Scalar>
    /// The weight it acts on.
    public let weight: Param<Scalar>
    public private(set) var mode: GateMode = .hard

    /// An all-ones mask on `weight` (so nothing is removed yet).
    public init(on weight: Param<Scalar>) {
        self.weight = weight
        mask = Buffer(NNKernels.filled(weight.value.shape, 1), name: "mask")
        sync()
    }

    public var kind: String { "mask" }

    /// - Throws: `CoreError.badArgument` for `soft` (a hard mask has no soft form).
    public func setMode(_ mode: GateMode) throws {
        guard mode != .soft else {
            throw CoreError.badArgument(op: "mode", message: "a hard mask accepts \"hard\" or \"off\", not \"soft\"")
        }
        self.mode = mode
        sync()
    }

    /// Replaces the mask (any non-zero entry counts as 1) and zeroes the masked weights.
    /// - Throws: `CoreError.shapeMismatch` when the shape is not the weight's.
    public func setMask(_ newMask: Tensor<Scalar>) throws {
        guard newMask.shape == weight.value.shape else {
            throw CoreError.shapeMismatch(op: "mask", shapes: [weight.value.shape, newMask.shape], message: "")
        }
        mask.value = NNKernels.map(newMask) { $0 != 0 ? 1 : 0 }
        sync()
    }

    /// Publishes the mask to the weight (for optimizers) and zeroes the masked entries while hard.
    func sync() {
        guard mode == .hard else {
            weight.activeMask = nil
            return
        }
        weight.activeMask = mask.value
        weight.value = NNKernels.zip(weight.value, mask.value) { $0 * $1 }
    }

    @_specialize(where Scalar == Float)
    public func apply(to weight: Variable<Scalar>) throws -> Variable<Scalar> {
        guard mode == .hard else { return weight }
        return try weight.multiplying(weight.tape.constant(mask.value))
    }

    public var localParams: [(name: String, param: Param<Scalar>)] { [] }
    public var localBuffers: [(name: String, buffer: Buffer<Scalar>)] { [("mask", mask)] }

    public func copy(attachedTo weight: Param<Scalar>) -> any WeightGate<Scalar> {
        let c = HardMask(on: weight, mask: mask.value, mode: mode)
        return c
    }

    private init(on weight: Param<Scalar>, mask value: Tensor<Scalar>, mode: GateMode) {
        self.weight = weight
        self.mask = Buffer(value, name: "mask")
        self.mode = mode
        sync()
    }

    /// The number of entries the mask keeps.
    public var kept: Int { mask.value.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
}

// MARK: - Adding masks to a network

/// The layers of `net` that accept a weight gate, by path.
public func gatedLayers<S: TensorScalar>(_ net: any Layer<S>) -> [(path: String, layer: any GatedLayer<S>)] {
    net.namedLayers.compactMap { entry in (entry.layer as? any GatedLayer<S>).map { (entry.path, $0) } }
}

/// Adds a hard mask (all ones) to the chosen Dense / Conv2D layers of `net`, in place.
///
/// `only` lists layer paths ("0", "3", "2.body.0"); nil means every Dense and Conv2D layer. A
/// layer that already has a hard mask keeps it.
/// - Returns: the paths of the layers that now carry a mask.
/// - Throws: `CoreError.badArgument` naming the layers that accept a mask when a path in `only`
///   is not one of them, or when a layer already has another kind of gate.
@discardableResult
public func addMasks<S: TensorScalar>(to net: any Layer<S>, only: [String]? = nil) throws -> [String] {
    let candidates = gatedLayers(net)
    // A net with nothing to mask (`masked(relu())`) is an error, not a silent no-op.
    guard !candidates.isEmpty else {
        throw CoreError.badArgument(op: "masked", message: "\(net.kind) has no Dense or Conv2D layer to mask")
    }
    let accepted = candidates.map(\.path)
    if let only {
        for path in only where !accepted.contains(path) {
            let list = candidates.map { "\($0.path.isEmpty ? "(root)" : $0.path) (\($0.layer.kind))" }
            throw CoreError.badArgument(op: "masked",
                message: "layer \"\(path)\" cannot take a mask; layers that accept one: \(list.isEmpty ? "none" : list.joined(separator: ", "))")
        }
    }
    var done: [String] = []
    for (path, layer) in candidates where only?.contains(path) ?? true {
        if let gate = layer.gate {
            guard gate is HardMask<S> else {
                throw CoreError.badArgument(op: "masked", message: "layer \(path) (\(layer.kind)) already has a \(gate.kind) gate")
            }
        } else {
            layer.gate = HardMask(on: layer.weight)
        }
        done.append(path)
    }
    return done
}

/// Sets the mode of the gate on `layer` (`enable` = hard, `disable` = off, `mode(layer, …)`).
/// - Throws: `CoreError.badArgument` when the layer has no gate (naming the kinds that do).
public func setGateMode<S: TensorScalar>(_ mode: GateMode, on layer: any Layer<S>) throws {
    guard let gated = layer as? any GatedLayer<S>, let gate = gated.gate else {
        throw CoreError.badArgument(op: "mode",
            message: "\(layer.kind) has no mask or gate; only Dense and Conv2D layers with a mask (see masked) can be toggled")
    }
    try gate.setMode(mode)
}
