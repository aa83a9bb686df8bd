// Rewinding for ticket search: a snapshot of a net's own tensors, the ticket (mask + early weights), and putting one in place.

/// The values of every tensor a net's layers own — weights, biases, BatchNorm scales and running
/// statistics — by path, without the gates' tensors (mask logits, hard masks), which rewinding
/// must leave alone.
public struct NetSnapshot<Scalar: TensorScalar> {
    /// Parameters by path, in network order.
    public var params: [(path: String, value: Tensor<Scalar>)]
    /// Buffers by path (BatchNorm running statistics).
    public var buffers: [(path: String, value: Tensor<Scalar>)]

    /// Copies the current values of `net`'s own tensors.
    public init(of net: any Layer<Scalar>) {
        params = ownTensors(net) { $0.localParams.map { ($0.name, $0.param.value, ObjectIdentifier($0.param)) } }
        buffers = ownTensors(net) { $0.localBuffers.map { ($0.name, $0.buffer.value, ObjectIdentifier($0.buffer)) } }
    }

    /// Writes the values back into `net` (the same net, or one of the same architecture); entries a
    /// gate removes stay zero.
    /// - Throws: `CoreError.badArgument` naming the first path that is missing or has another
    ///   shape; nothing is written then.
    public func restore(into net: any Layer<Scalar>, op: String) throws {
        var targets: [(Tensor<Scalar>, (Tensor<Scalar>) -> Void)] = []
        let ps = Dictionary(net.namedParams.map { ($0.path, $0.param) }, uniquingKeysWith: { a, _ in a })
        let bs = Dictionary(net.namedBuffers.map { ($0.path, $0.buffer) }, uniquingKeysWith: { a, _ in a })
        for (path, value) in params {
            guard let p = ps[path], p.value.shape == value.shape else {
                throw mismatch(op, path, value.shape, ps[path]?.value.shape)
            }
            targets.append((value, { p.value = $0; p.enforceKeepMask() }))
        }
        for (path, value) in buffers {
            guard let b = bs[path], b.value.shape == value.shape else {
                throw mismatch(op, path, value.shape, bs[path]?.value.shape)
            }
            targets.append((value, { b.value = $0 }))
        }
        for (value, write) in targets { write(value) }
    }

    private func mismatch(_ op: String, _ path: String, _ saved: [Int], _ found: [Int]?) -> CoreError {
        let d = Tensor<Scalar>.describe
        return CoreError.badArgument(op: op,
            message: "the ticket's \(path) \(d(saved)) does not fit this net (\(found.map { "it has \(d($0))" } ?? "it has no \(path)")); a ticket goes back into the net it came from or a copy of it")
    }
}

/// The tensors each layer owns, by full path, each once.
private func ownTensors<S: TensorScalar>(_ net: any Layer<S>,
                                         _ local: (any Layer<S>) -> [(String, Tensor<S>, ObjectIdentifier)]) -> [(path: String, value: Tensor<S>)] {
    var seen = Set<ObjectIdentifier>()
    var out: [(path: String, value: Tensor<S>)] = []
    for (prefix, layer) in net.namedLayers {
        for (name, value, id) in local(layer) where seen.insert(id).inserted {
            out.append((prefix.isEmpty ? name : prefix + "." + name, value))
        }
    }
    return out
}

/// A lottery ticket: a binary mask per pruned weight and the early weights to retrain from.
public struct Ticket<Scalar: TensorScalar> {
    /// The 0/1 masks by weight path ("0.weight").
    public var masks: [(path: String, mask: Tensor<Scalar>)]
    /// The net's own tensors at the rewind point.
    public var weights: NetSnapshot<Scalar>
    /// The method that found it ("cs", "imp") and the round it was taken in.
    public var method: String
    public var round: Int
    /// The epoch of round 1 the weights come from.
    public var rewindEpoch: Int

    /// Weights the masks keep, and all the masked weights.
    public var kept: Int { masks.reduce(0) { $0 + $1.mask.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } } }
    public var total: Int { masks.reduce(0) { $0 + $1.mask.count } }
}

/// Puts `ticket` in place in `net`: its weights (every tensor the layers own, BatchNorm statistics
/// included) and its masks as hard masks, with any CS gate off, ready to retrain with the mask fixed.
/// - Throws: `CoreError.badArgument` when the ticket does not fit the net (another architecture);
///   the net is unchanged then.
public func rewind<S: TensorScalar>(_ net: any Layer<S>, to ticket: Ticket<S>) throws {
    _ = net.namedParams  // assigns the paths the lookup below relies on
    let layersByPath = Dictionary(gatedLayers(net).map { ($0.layer.weight.path, $0.layer) }, uniquingKeysWith: { a, _ in a })
    for (path, mask) in ticket.masks {
        guard let layer = layersByPath[path], layer.weight.value.shape == mask.shape else {
            let found = layersByPath[path].map { "it has \(Tensor<S>.describe($0.weight.value.shape))" } ?? "it has no Dense or Conv2D weight \(path)"
            throw CoreError.badArgument(op: "rewind",
                message: "the ticket's mask for \(path) \(Tensor<S>.describe(mask.shape)) does not fit this net (\(found)); a ticket goes back into the net it came from or a copy of it")
        }
    }
    // `restore` checks every path before writing anything, and the masks were checked above.
    try ticket.weights.restore(into: net, op: "rewind")
    for (path, mask) in ticket.masks {
        guard let layer = layersByPath[path] else { continue }
        if let cs = layer.weight.gate(CSGate<S>.self) { cs.mode = .off }
        let hard: HardMask<S>
        if let h = layer.weight.gate(HardMask<S>.self) { hard = h } else {
            hard = HardMask<S>(shape: mask.shape)
            try layer.weight.addGate(hard)
        }
        hard.mode = .hard
        try hard.setMask(mask, on: layer.weight)
    }
}

// MARK: - Round helpers shared by the ticket-search controllers

extension Optimizer {
    /// Every optimizer taking part in a step: this one and a wrapper's or combination's parts.
    var optimizersTakingPart: [any Optimizer<Scalar>] {
        var seen = Set<ObjectIdentifier>()
        return ([self] + hookProviders).compactMap { $0 as? any Optimizer<Scalar> }
            .filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// The net a method controller wraps this optimizer around (`cs(adam(net))`, `imp`, `gmp`,
    /// `shrink`, `smol`).
    /// - Throws: `CoreError.badArgument` naming `op` and showing `example` when the optimizer was
    ///   made from a list of parameters.
    func controlledNetwork(op: String, example: String) throws -> any Layer<Scalar> {
        guard let net = core.network else {
            throw CoreError.badArgument(op: op, message: "the optimizer was made from a list of parameters; make it from the net, e.g. \(example)")
        }
        return net
    }

    /// Whether some part of this optimizer updates any of `params` (a controller checks that its
    /// method's own parameters are trained at all, e.g. not left out by `only:`).
    func updatesAny(of params: [Param<Scalar>]) -> Bool {
        let trained = Set(optimizersTakingPart.flatMap { $0.core.namedParams.map { ObjectIdentifier($0.param) } })
        return params.contains { trained.contains(ObjectIdentifier($0)) }
    }

    /// Drops the optimizer state (momentum, moments) of the parameters at `paths` (every
    /// parameter when nil), in every part.
    public func resetState(paths: Set<String>? = nil) {
        for o in optimizersTakingPart {
            if let paths { for p in paths { o.core.state[p] = nil } } else { o.core.state = [:] }
        }
    }

    /// Restarts every part's learning-rate schedule (a new round's schedule).
    public func restartSchedules() {
        for o in optimizersTakingPart { o.core.restartSchedule() }
    }
}

/// Where a ticket search rewinds to: the net's own tensors after `epoch` epochs of round 1
/// (0: the net as it was when the search was set up), saved once.
public final class RewindPoint<Scalar: TensorScalar> {
    /// k: epochs of round 1 before the save.
    public let epoch: Int
    /// The saved tensors, once taken.
    public private(set) var snapshot: NetSnapshot<Scalar>?

    /// - Throws: `CoreError.badArgument` for a negative epoch.
    public init(epoch: Int, net: any Layer<Scalar>, op: String) throws {
        guard epoch >= 0 else { throw CoreError.badArgument(op: op, message: "rewind must be an epoch >= 0, got \(epoch)") }
        self.epoch = epoch
        if epoch == 0 { snapshot = NetSnapshot(of: net) }
    }

    /// Saves the net at the end of epoch `epochInRound` of `round` when that is the rewind point;
    /// returns whether it did.
    @discardableResult
    func epochEnded(round: Int, epochInRound: Int, net: any Layer<Scalar>) -> Bool {
        guard round == 1, epochInRound == epoch, snapshot == nil else { return false }
        snapshot = NetSnapshot(of: net)
        return true
    }

    /// The saved tensors.
    /// - Throws: `CoreError.badArgument` when the rewind epoch has not been reached.
    func saved(op: String) throws -> NetSnapshot<Scalar> {
        guard let snapshot else {
            throw CoreError.badArgument(op: op,
                message: "no rewind point yet: the weights are saved at the end of epoch \(epoch) of round 1 (rewind: \(epoch)); train that many epochs with fit first")
        }
        return snapshot
    }
}
