// Neural garbage collection (ShrinkNets, spec §4.7): dead units sliced out of the layers around each switch and out of the optimizer state.

/// Where a switch sits in its Sequential: the layer whose units it gates, the BatchNorms between,
/// and the layer that reads those units.
public struct SwitchSite<Scalar: TensorScalar> {
    /// The switch's path, e.g. "1".
    public var path: String
    public var container: Sequential<Scalar>
    public var containerPath: String
    /// Indices in the container.
    public var index: Int
    public var producer: Int?
    public var batchNorms: [Int]
    public var consumer: Int?
    /// A Flatten between the switch and a Dense consumer: each channel is a block of H·W inputs.
    public var flattens: Bool

    public var theSwitch: Switch<Scalar> { container.layers[index] as! Switch<Scalar> }  // checked when the site was made

    func childPath(_ i: Int) -> String { containerPath.isEmpty ? String(i) : containerPath + "." + String(i) }
}

/// Every switch of `net` with its neighbours. Between the producer (a Dense or Conv2D) and the
/// switch only channel-wise layers may sit (activations, Dropout, pooling, BatchNorm, whose four
/// vectors are sliced too); between the switch and the consumer only layers that keep a zero at
/// zero (ReLU, Tanh, Dropout, pooling, Flatten before a Dense), so a dead unit contributes exactly
/// nothing downstream. A switch first in its Sequential gates the net's inputs: it has no producer.
/// - Throws: `CoreError.badArgument` naming the switch and the layer in the way when a switch has
///   no consumer, or a layer between cannot carry a removal; `needsConsumer: false` accepts a
///   switch with nothing after it (killing only, no collection).
public func switchSites<S: TensorScalar>(_ net: any Layer<S>, op: String, needsConsumer: Bool = true) throws -> [SwitchSite<S>] {
    var sites: [SwitchSite<S>] = []
    var seen = Set<ObjectIdentifier>()
    let layers = net.namedLayers
    let inSequentials = Set(layers.flatMap { ($0.layer as? Sequential<S>)?.layers.map { ObjectIdentifier($0) } ?? [] })
    for (prefix, layer) in layers where layer is Switch<S> && !inSequentials.contains(ObjectIdentifier(layer)) {
        throw CoreError.badArgument(op: op, message: "the switch at \(prefix.isEmpty ? "the root" : prefix) must sit in a sequential, after a Dense or Conv2D and before the layer that reads it")
    }
    for (prefix, layer) in layers {
        guard let seq = layer as? Sequential<S> else { continue }
        for (i, l) in seq.layers.enumerated() {
            guard let sw = l as? Switch<S> else { continue }
            guard seen.insert(ObjectIdentifier(sw)).inserted else {
                throw CoreError.badArgument(op: op, message: "the switch at \(prefix.isEmpty ? "" : prefix + ".")\(i) is used twice; give each place its own switch")
            }
            var site = SwitchSite(path: prefix.isEmpty ? String(i) : prefix + "." + String(i), container: seq, containerPath: prefix,
                                  index: i, producer: nil, batchNorms: [], consumer: nil, flattens: false)
            // Backward to the producer across channel-wise layers.
            var j = i - 1
            while j >= 0 {
                let p = seq.layers[j]
                if p is Dense<S> || p is Conv2D<S> { site.producer = j; break }
                if p is BatchNorm<S> { site.batchNorms.append(j) } else if !isChannelwise(p) {
                    throw CoreError.badArgument(op: op, message: "the switch at \(site.path) gates the units of layer \(site.childPath(j)) (\(p.kind)), which a switch cannot follow; put it right after a Dense or Conv2D (or its BatchNorm)")
                }
                j -= 1
            }
            // Forward to the consumer across layers that keep 0 at 0.
            var k = i + 1
            while k < seq.layers.count {
                let c = seq.layers[k]
                if c is Dense<S> || c is Conv2D<S> {
                    if site.flattens && !(c is Dense<S>) {
                        throw CoreError.badArgument(op: op, message: "the switch at \(site.path) feeds a \(c.kind) through a Flatten")
                    }
                    site.consumer = k
                    break
                }
                if c is Flatten<S> { site.flattens = true } else if !keepsZero(c) {
                    throw CoreError.badArgument(op: op, message: "the switch at \(site.path) feeds layer \(site.childPath(k)) (\(c.kind)), which does not map 0 to 0, so its dead units cannot be removed; only ReLU, Tanh, Dropout, pooling and Flatten may sit between a switch and the next Dense or Conv2D")
                }
                k += 1
            }
            if site.consumer == nil && needsConsumer {
                throw CoreError.badArgument(op: op, message: "the switch at \(site.path) has no Dense or Conv2D after it in its sequential: the net's output width cannot shrink (put switches on hidden layers only)")
            }
            sites.append(site)
        }
    }
    return sites
}

private func isChannelwise<S: TensorScalar>(_ l: any Layer<S>) -> Bool {
    l is ReLU<S> || l is Tanh<S> || l is Sigmoid<S> || l is Dropout<S> || l is MaxPool<S> || l is AvgPool<S>
}

private func keepsZero<S: TensorScalar>(_ l: any Layer<S>) -> Bool {
    l is ReLU<S> || l is Tanh<S> || l is Dropout<S> || l is MaxPool<S> || l is AvgPool<S>
}

// MARK: - Collection

/// What one collection did: per switch the units removed, and the slices applied.
public struct CollectionRecord: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// The switch's path.
        public var path: String
        public var before: Int
        public var after: Int
        /// The original indices (as when the switch was made) of the units removed.
        public var removed: [Int]
    }
    /// The optimizer step the collection ran after.
    public var step: Int
    public var entries: [Entry]
    /// "0.weight [784, 512] → [784, 301]" for every tensor cut, in order.
    public var slices: [String]
    /// Optimizer state slots cut (moments, momentum buffers), over every optimizer taking part.
    public var stateSlots: Int
    public var paramsBefore: Int
    public var paramsAfter: Int

    public var removed: Int { entries.reduce(0) { $0 + $1.removed.count } }
}

/// Removes every dead unit of every switch of `net` (spec §4.7): the producer's output rows and
/// bias, the BatchNorms' weight, bias and running statistics, the switch's θ and bookkeeping, and
/// the consumer's inputs (for Conv → Flatten → Dense the H·W block of the channel, NCHW being
/// channel-major: inputs c·HW ..< (c+1)·HW); then the state of every optimizer taking part in
/// `optimizer`, slot by slot, identically. The live net's outputs are unchanged. A switch keeps
/// at least one unit; a switch gating the net's inputs (nothing before it) is not collected.
/// Run it between optimizer steps.
/// - Throws: `CoreError.badArgument` when a switch is badly placed (see `switchSites`), a weight
///   to cut carries a gate (bake it first), or the optimizer keeps state that cannot be cut.
@discardableResult
public func collectDeadUnits<S: TensorScalar>(_ net: any Layer<S>, optimizer: (any Optimizer<S>)?, op: String = "collect") throws -> CollectionRecord {
    // A wrapper shares its inner optimizer's core: cut each core's state once.
    var cores = Set<ObjectIdentifier>()
    let optimizers = (optimizer?.optimizersTakingPart ?? []).filter { cores.insert(ObjectIdentifier($0.core)).inserted }
    if let flat = optimizers.first(where: { $0 is KeepsFlatIndexState }) {
        throw CoreError.badArgument(op: op, message: "\(flat.name) keeps its state over the flat vector of all parameters, so units cannot be removed under it")
    }
    if let trained = optimizer?.core.network, (trained as AnyObject) !== (net as AnyObject) {
        throw CoreError.badArgument(op: op, message: "the optimizer trains another net: its state is keyed by that net's paths")
    }
    let sites = try switchSites(net, op: op)
    // Check every site before cutting anything, so an error leaves the net whole.
    for site in sites {
        for i in [site.producer, site.consumer].compactMap({ $0 }) {
            if let g = site.container.layers[i] as? any GatedLayer<S>, let gate = g.weight.gates.first {
                throw CoreError.badArgument(op: op, message: "layer \(site.childPath(i)) has a \(gate.kind) gate on its weight; bake(net) first, then collect")
            }
        }
    }
    var record = CollectionRecord(step: optimizer?.core.steps ?? 0, entries: [], slices: [], stateSlots: 0,
                                  paramsBefore: net.countParams, paramsAfter: 0)
    _ = net.namedParams  // assigns the paths the optimizer state is keyed by
    for site in sites where site.producer != nil {
        let sw = site.theSwitch
        let f = sw.factors
        var kept = f.indices.filter { f[$0] != 0 }
        if kept.isEmpty, let best = f.indices.max(by: { sw.theta.value.scalars[$0] < sw.theta.value.scalars[$1] }) { kept = [best] }
        guard kept.count < sw.units else { continue }
        let before = sw.units
        let removed = f.indices.filter { !kept.contains($0) }.map { sw.originalIndex[$0] }
        func cut(_ param: Param<S>, axis: Int, block: Int = 1) {
            let old = param.value.shape
            let rows = block == 1 ? kept : kept.flatMap { c in (c * block)..<((c + 1) * block) }
            param.value = keepIndices(param.value, axis: axis, rows)
            param.grad = nil
            for o in optimizers {
                record.stateSlots += o.core.sliceState(path: param.path, oldShape: old) { keepIndices($0, axis: axis, rows) }
            }
            record.slices.append("\(param.path) \(Tensor<S>.describe(old)) → \(Tensor<S>.describe(param.value.shape))")
        }
        if let p = site.producer.map({ site.container.layers[$0] }) {
            if let d = p as? Dense<S> {
                cut(d.weight, axis: 1)
                if let b = d.bias { cut(b, axis: 0) }
                d.outputs = kept.count
            } else if let c = p as? Conv2D<S> {
                cut(c.weight, axis: 0)
                if let b = c.bias { cut(b, axis: 0) }
                c.outChannels = kept.count
            }
        }
        for i in site.batchNorms {
            guard let bn = site.container.layers[i] as? BatchNorm<S> else { continue }
            cut(bn.weight, axis: 0)
            cut(bn.bias, axis: 0)
            for buffer in [bn.runningMean, bn.runningVar] {
                let old = buffer.value.shape
                buffer.value = keepIndices(buffer.value, axis: 0, kept)
                record.slices.append("\(buffer.path) \(Tensor<S>.describe(old)) → \(Tensor<S>.describe(buffer.value.shape))")
            }
            bn.channels = kept.count
        }
        let thetaShape = sw.theta.value.shape
        sw.keepUnits(kept)
        for o in optimizers {
            record.stateSlots += o.core.sliceState(path: sw.theta.path, oldShape: thetaShape) { keepIndices($0, axis: 0, kept) }
        }
        record.slices.append("\(sw.theta.path) \(Tensor<S>.describe(thetaShape)) → \(Tensor<S>.describe(sw.theta.value.shape))")
        if let c = site.consumer.map({ site.container.layers[$0] }) {
            if let d = c as? Dense<S> {
                // Through a Flatten each channel is a block of H·W inputs (NCHW is channel-major).
                let block = site.flattens ? d.inputs / before : 1
                guard block * before == d.inputs else {
                    throw CoreError.badArgument(op: op, message: "layer \(site.childPath(site.consumer ?? 0)) has \(d.inputs) inputs, not a multiple of the \(before) channels of the switch at \(site.path)")
                }
                cut(d.weight, axis: 0, block: block)
                d.inputs = kept.count * block
            } else if let cv = c as? Conv2D<S> {
                cut(cv.weight, axis: 1)
                cv.inChannels = kept.count
            }
        }
        record.entries.append(.init(path: site.path, before: before, after: kept.count, removed: removed))
    }
    record.paramsAfter = net.countParams
    return record
}

/// The entries of `t` at `indices` along `axis` (in that order), every other axis whole.
func keepIndices<S: TensorScalar>(_ t: Tensor<S>, axis: Int, _ indices: [Int]) -> Tensor<S> {
    let shape = t.shape
    let outer = shape[..<axis].reduce(1, *), dim = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
    var out = [S](repeating: 0, count: outer * indices.count * inner)
    t.scalars.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            var o = 0
            for a in 0..<outer {
                for i in indices {
                    let from = (a * dim + i) * inner
                    for k in 0..<inner { dst[o + k] = src[from + k] }
                    o += inner
                }
            }
        }
    }
    var newShape = shape
    newShape[axis] = indices.count
    return Tensor(uncheckedShape: newShape, scalars: out)
}
