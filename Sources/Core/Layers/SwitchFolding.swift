// Folding switches for inference (ShrinkNets, spec §4.8): each θ goes into the nearest linear operator and the switch layer disappears.

/// A copy of `net` without switch layers, computing the same function: each switch's factors
/// g(θ) are folded into the nearest linear operator without crossing a nonlinearity —
/// backwards into the BatchNorm (γ′ = θ⊙γ, β′ = θ⊙β) or the Dense/Conv2D (W′ = W·diag(θ) on the
/// outputs, b′ = θ⊙b) before it, else forwards into the Dense/Conv2D after it (its inputs scaled).
/// Dropout, average pooling and Flatten commute with a per-channel factor; ReLU and max pooling
/// only when every factor is ≥ 0 (ReLU(θz) = θ·ReLU(z) for θ ≥ 0). The copy's Sequentials are
/// renumbered (the switches are gone), so its paths differ from the net's after each switch.
/// - Throws: `CoreError.badArgument` naming the switch when no operator can take its factors (a
///   Tanh or Sigmoid on both sides, negative factors across a ReLU), when a switch sits in a
///   container other than a Sequential, or when the weight to scale carries a gate other than a
///   hard mask.
public func foldSwitches<S: TensorScalar>(_ net: any Layer<S>) throws -> any Layer<S> {
    try foldedSwitches(net.copy(), path: "")
}

private func foldedSwitches<S: TensorScalar>(_ layer: any Layer<S>, path: String) throws -> any Layer<S> {
    guard let seq = layer as? Sequential<S> else {
        if layer is Switch<S> || !shrinkSwitches(layer).isEmpty {
            throw CoreError.badArgument(op: "fold_switches", message: "the switch\(path.isEmpty ? "" : " in " + path) is not in a sequential; only switches in sequentials can be folded")
        }
        return layer
    }
    func child(_ i: Int) -> String { path.isEmpty ? String(i) : path + "." + String(i) }
    var layers = try seq.layers.enumerated().map { i, l in l is Switch<S> ? l : try foldedSwitches(l, path: child(i)) }
    var removed = Set<Int>()
    for (i, l) in layers.enumerated() {
        guard let sw = l as? Switch<S> else { continue }
        let f = sw.factors
        let nonNegative = f.allSatisfy { $0 >= 0 }
        func crossable(_ x: any Layer<S>) -> Bool {
            x is Dropout<S> || x is AvgPool<S> || (nonNegative && (x is ReLU<S> || x is MaxPool<S>))
        }
        // Backwards first: the operator that made the channel.
        var j = i - 1
        while j >= 0, crossable(layers[j]) || removed.contains(j) { j -= 1 }
        if j >= 0, try scaleOutputs(of: layers[j], by: f, switchPath: child(i)) {
            removed.insert(i)
            continue
        }
        // Then forwards: the operator that reads it.
        var k = i + 1, flattens = false
        while k < layers.count, crossable(layers[k]) || layers[k] is Flatten<S> {
            if layers[k] is Flatten<S> { flattens = true }
            k += 1
        }
        if k < layers.count, try scaleInputs(of: layers[k], by: f, flattens: flattens, switchPath: child(i)) {
            removed.insert(i)
            continue
        }
        throw CoreError.badArgument(op: "fold_switches",
            message: "the switch at \(child(i)) has no linear layer to fold into on either side without crossing a nonlinearity\(nonNegative ? "" : " (a ReLU or max pooling can be crossed only when every factor is >= 0)")")
    }
    layers = layers.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    let out = Sequential(layers)
    out.isTraining = seq.isTraining
    return out
}

/// Scales output channel c of a BatchNorm, Dense or Conv2D by f[c]; false for any other layer.
private func scaleOutputs<S: TensorScalar>(of layer: any Layer<S>, by f: [S], switchPath: String) throws -> Bool {
    if let bn = layer as? BatchNorm<S>, bn.channels == f.count {
        scale(bn.weight, axis: 0, by: f)
        scale(bn.bias, axis: 0, by: f)
        return true
    }
    if let d = layer as? Dense<S>, d.outputs == f.count {
        try checkGates(d.weight, switchPath)
        scale(d.weight, axis: 1, by: f)
        if let b = d.bias { scale(b, axis: 0, by: f) }
        return true
    }
    if let c = layer as? Conv2D<S>, c.outChannels == f.count {
        try checkGates(c.weight, switchPath)
        scale(c.weight, axis: 0, by: f)
        if let b = c.bias { scale(b, axis: 0, by: f) }
        return true
    }
    return false
}

/// Scales input channel c of a Dense (a block of H·W inputs through a Flatten) or Conv2D by f[c].
private func scaleInputs<S: TensorScalar>(of layer: any Layer<S>, by f: [S], flattens: Bool, switchPath: String) throws -> Bool {
    if let d = layer as? Dense<S>, d.inputs % f.count == 0, flattens || d.inputs == f.count {
        try checkGates(d.weight, switchPath)
        let block = d.inputs / f.count
        scale(d.weight, axis: 0, by: f.flatMap { [S](repeating: $0, count: block) })
        return true
    }
    if let c = layer as? Conv2D<S>, !flattens, c.inChannels == f.count {
        try checkGates(c.weight, switchPath)
        scale(c.weight, axis: 1, by: f)
        return true
    }
    return false
}

private func checkGates<S: TensorScalar>(_ weight: Param<S>, _ switchPath: String) throws {
    // A 0/1 mask commutes with a per-channel factor; a quantizer or a soft gate need not.
    if let g = weight.gates.first(where: { !($0 is HardMask<S>) }) {
        throw CoreError.badArgument(op: "fold_switches", message: "the switch at \(switchPath) would fold into \(weight.path), which has a \(g.kind) gate; bake(net) first")
    }
}

/// t[…, i, …] *= f[i] along `axis`.
private func scale<S: TensorScalar>(_ p: Param<S>, axis: Int, by f: [S]) {
    let shape = p.value.shape
    let outer = shape[..<axis].reduce(1, *), dim = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
    p.value.scalars.withUnsafeMutableBufferPointer { v in
        for a in 0..<outer {
            for i in 0..<dim {
                let base = (a * dim + i) * inner
                for k in base..<(base + inner) { v[k] *= f[i] }
            }
        }
    }
}
