// Magnitude pruning of a network's Dense / Conv2D weights, by threshold or by amount.

/// Whether `amount` pruning ranks weights across all layers or within each layer.
public enum PruningScope: String, Sendable {
    /// One ranking over every masked weight of the network.
    case global
    /// Each layer loses the same fraction of its own weights.
    case layer
}

/// What a pruning call removed.
public struct PruningResult: Equatable, Sendable {
    /// Weights newly set to zero by this call.
    public var removed: Int
    /// Weights still kept afterwards (over all masked layers).
    public var kept: Int
    /// All weights of the masked layers.
    public var total: Int
}

/// Masks every weight with |w| < `threshold` in the chosen layers (all Dense / Conv2D by default),
/// adding masks where missing. Masks only ever lose entries.
/// - Throws: `CoreError.badArgument` for a negative or NaN threshold, or a bad `only` path.
@discardableResult
public func prune<S: TensorScalar>(_ net: any Layer<S>, threshold: Double,
                                   only: [String]? = nil) throws -> PruningResult {
    guard threshold >= 0 else {
        throw CoreError.badArgument(op: "prune", message: "threshold must be a non-negative number, got \(threshold)")
    }
    let masks = try masksOf(net, only: only)
    let t = S(threshold)
    var removed = 0
    for m in masks {
        let before = m.kept
        let w = m.weight.value
        try m.setMask(m.mask.value.zip(w) { keep, v in keep != 0 && Swift.abs(v) >= t ? 1 : 0 })
        removed += before - m.kept
    }
    return result(masks, removed: removed)
}

/// Masks a fraction `amount` of the weights still kept, smallest magnitudes first (PyTorch's
/// `l1_unstructured` rule: round(amount · remaining), ties broken by position), either over the
/// whole network (`global`) or per layer. Adds masks where missing.
/// - Throws: `CoreError.badArgument` unless 0 ≤ amount ≤ 1, or for a bad `only` path.
@discardableResult
public func prune<S: TensorScalar>(_ net: any Layer<S>, amount: Double, scope: PruningScope = .global,
                                   only: [String]? = nil) throws -> PruningResult {
    guard amount >= 0, amount <= 1 else {
        throw CoreError.badArgument(op: "prune", message: "amount must be in [0, 1], got \(amount)")
    }
    let masks = try masksOf(net, only: only)
    var removed = 0
    switch scope {
    case .layer:
        for m in masks { removed += try pruneSmallest([m], amount: amount) }
    case .global:
        removed = try pruneSmallest(masks, amount: amount)
    }
    return result(masks, removed: removed)
}

/// Zeroes the round(amount · kept) smallest kept weights over `masks`; returns how many.
private func pruneSmallest<S: TensorScalar>(_ masks: [HardMask<S>], amount: Double) throws -> Int {
    // (magnitude, mask index, position) of every weight still kept.
    var entries: [(Double, Int, Int)] = []
    for (k, m) in masks.enumerated() {
        let w = m.weight.value.scalars, mask = m.mask.value.scalars
        for j in 0..<w.count where mask[j] != 0 { entries.append((Double(Swift.abs(w[j])), k, j)) }
    }
    let count = Int((amount * Double(entries.count)).rounded())
    guard count > 0 else { return 0 }
    entries.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
    var newMasks = masks.map { $0.mask.value }
    for (_, k, j) in entries.prefix(count) { newMasks[k].scalars[j] = 0 }
    for (m, t) in zip(masks, newMasks) { try m.setMask(t) }
    return count
}

/// The hard masks of the chosen layers, added where missing (and switched to hard mode).
private func masksOf<S: TensorScalar>(_ net: any Layer<S>, only: [String]?) throws -> [HardMask<S>] {
    let paths = try addMasks(to: net, only: only)
    var masks: [HardMask<S>] = []
    for (path, layer) in gatedLayers(net) where paths.contains(path) {
        if let m = layer.gate as? HardMask<S> {
            try m.setMode(.hard)
            masks.append(m)
        }
    }
    return masks
}

private func result<S>(_ masks: [HardMask<S>], removed: Int) -> PruningResult {
    PruningResult(removed: removed, kept: masks.reduce(0) { $0 + $1.kept },
                  total: masks.reduce(0) { $0 + $1.mask.value.count })
}
