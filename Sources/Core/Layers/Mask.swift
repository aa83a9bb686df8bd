// Hard masks: a 0/1 buffer `<layer>.mask` gating a Dense or Conv2D weight, and `masked(net, only:)`.

/// A hard mask on a weight: the layer uses weight ⊙ mask, and optimizers keep the masked entries
/// (and their moment buffers) at exactly zero.
///
/// The mask is a buffer named `mask` under the layer (`3.mask`); the weight's path is unchanged.
/// Modes: `hard` (applied) and `off` (bypassed: the raw weight is used and trained densely).
public final class HardMask<Scalar: TensorScalar>: WeightGate {
    /// The 0/1 mask, the shape of the weight.
    public let mask: Buffer<Scalar>
    public var mode: GateMode = .hard

    /// An all-ones mask of `shape` (so nothing is removed yet).
    public init(shape: [Int]) {
        mask = Buffer(Tensor(uncheckedShape: shape, scalars: [Scalar](repeating: 1, count: shape.reduce(1, *))),
                      name: "mask")
    }

    public var kind: String { "mask" }
    public var supportedModes: [GateMode] { [.hard, .off] }

    /// Replaces the mask (any non-zero entry counts as 1) and zeroes the masked entries of `weight`.
    /// - Throws: `CoreError.shapeMismatch` when the shape is not the weight's.
    public func setMask(_ newMask: Tensor<Scalar>, on weight: Param<Scalar>) throws {
        guard newMask.shape == mask.value.shape else {
            throw CoreError.shapeMismatch(op: "mask", shapes: [mask.value.shape, newMask.shape], message: "")
        }
        mask.value = newMask.map { $0 != 0 ? 1 : 0 }
        weight.enforceKeepMask()
    }

    public var keepMask: Tensor<Scalar>? { mode == .hard ? mask.value : nil }

    @_specialize(where Scalar == Float)
    public func apply(to weight: Variable<Scalar>) throws -> Variable<Scalar> {
        guard mode == .hard else { return weight }
        return try weight.multiplying(weight.tape.constant(mask.value))
    }

    public var localBuffers: [(name: String, buffer: Buffer<Scalar>)] { [("mask", mask)] }

    public func copy() -> any WeightGate<Scalar> {
        let c = HardMask(shape: mask.value.shape)
        c.mask.value = mask.value
        c.mode = mode
        return c
    }

    /// The number of entries the mask keeps.
    public var kept: Int { mask.value.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
}

/// The hard masks on the chosen layers' weights (nil: every Dense / Conv2D layer that has one).
public func hardMasks<S: TensorScalar>(of net: any Layer<S>, only: [String]?) -> [(path: String, weight: Param<S>, mask: HardMask<S>)] {
    let chosen = only.map(Set.init)
    return gatedLayers(net).compactMap { path, layer in
        guard chosen?.contains(path) ?? true, let m = layer.weight.gate(HardMask<S>.self) else { return nil }
        return (path, layer.weight, m)
    }
}

/// Weights the masks keep, and all the weights they cover.
public func keptCounts<S: TensorScalar>(_ masks: [(path: String, weight: Param<S>, mask: HardMask<S>)]) -> (kept: Int, total: Int) {
    masks.reduce((0, 0)) { ($0.0 + $1.mask.kept, $0.1 + $1.weight.count) }
}

// MARK: - Adding masks to a network

/// Adds a hard mask (all ones) to the chosen Dense / Conv2D layers of `net`, in place.
///
/// `only` lists layer paths ("0", "3", "2.body.0"); nil means every Dense and Conv2D layer. A
/// layer that already has a hard mask keeps it; masks stack with the other gates of the weight.
/// - Returns: the layers that now carry a mask, with their masks.
/// - Throws: `CoreError.badArgument` naming the layers that accept a mask when a path in `only`
///   is not one of them, or when the net has none.
@discardableResult
public func addMasks<S: TensorScalar>(to net: any Layer<S>, only: [String]? = nil,
                                      op: String = "masked") throws -> [(path: String, weight: Param<S>, mask: HardMask<S>)] {
    try chooseGatedLayers(net, only: only, op: op, noun: "mask").map { path, layer in
        if let m = layer.weight.gate(HardMask<S>.self) { return (path, layer.weight, m) }
        let m = HardMask<S>(shape: layer.weight.value.shape)
        try layer.weight.addGate(m)
        return (path, layer.weight, m)
    }
}
