// Magnitude pruning of a network's Dense / Conv2D weights, by threshold or by amount.

/// Whether `amount` pruning ranks weights across all layers or within each layer.
public enum PruningScope: String, Sendable, CaseIterable {
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
    try checkThreshold(threshold)
    let masks = try masksOf(net, only: only)
    let t = S(threshold)
    var removed = 0
    for m in masks {
        let before = m.mask.kept
        try m.mask.setMask(try m.mask.mask.value.zipBroadcast(m.weight.value, "prune") { keep, v in keep != 0 && Swift.abs(v) >= t ? 1 : 0 },
                           on: m.weight)
        removed += before - m.mask.kept
    }
    return result(masks, removed: removed)
}

/// Masks a fraction `amount` of the weights still kept, smallest magnitudes first, either over the
/// whole network (`global`) or per layer. round(amount · kept) entries go; among equal magnitudes
/// the later entry (in path order, then flat index) goes first — the tie rule of `prune` on a
/// tensor and of `hard_threshold`, which keep the lower index. Adds masks where missing.
/// - Throws: `CoreError.badArgument` unless 0 ≤ amount ≤ 1, or for a bad `only` path.
@discardableResult
public func prune<S: TensorScalar>(_ net: any Layer<S>, amount: Double, scope: PruningScope = .global,
                                   only: [String]? = nil) throws -> PruningResult {
    try checkAmount(amount)
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

extension Tensor {
    /// A copy with every entry of |x| < `threshold` set to zero: `prune` on a tensor.
    /// - Throws: `CoreError.badArgument` for a negative or NaN threshold.
    public func pruned(threshold: Double) throws -> Tensor {
        try checkThreshold(threshold)
        let t = Scalar(threshold)
        return map { Swift.abs($0) >= t ? $0 : 0 }
    }

    /// A copy with the round(amount · count) smallest-magnitude entries set to zero, by the tie
    /// rule of `prune` on a net (equal magnitudes: the lower index is kept).
    /// - Throws: `CoreError.badArgument` unless 0 ≤ amount ≤ 1.
    public func pruned(amount: Double) throws -> Tensor {
        try checkAmount(amount)
        let removed = Int((amount * Double(count)).rounded())
        return try hardThreshold(count - removed)
    }
}

private func checkThreshold(_ threshold: Double) throws {
    guard threshold >= 0 else {
        throw CoreError.badArgument(op: "prune", message: "threshold must be a non-negative number, got \(threshold)")
    }
}

private func checkAmount(_ amount: Double) throws {
    guard amount >= 0, amount <= 1 else {
        throw CoreError.badArgument(op: "prune", message: "amount must be in [0, 1], got \(amount)")
    }
}

private typealias MaskedWeight<S: TensorScalar> = (path: String, weight: Param<S>, mask: HardMask<S>)

/// Zeroes the round(amount · kept) smallest kept weights over `masks`; returns how many.
private func pruneSmallest<S: TensorScalar>(_ masks: [MaskedWeight<S>], amount: Double) throws -> Int {
    // (magnitude, mask index, position) of every weight still kept; NaN ranks as the smallest.
    var entries: [(Double, Int, Int)] = []
    for (k, m) in masks.enumerated() {
        let w = m.weight.value.scalars, mask = m.mask.mask.value.scalars
        for j in 0..<w.count where mask[j] != 0 {
            entries.append((w[j].isNaN ? -1 : Double(Swift.abs(w[j])), k, j))
        }
    }
    let count = Int((amount * Double(entries.count)).rounded())
    guard count > 0 else { return 0 }
    // Smallest first; among ties the later entry first, so the earlier one is kept.
    entries.sort { a, b in a.0 != b.0 ? a.0 < b.0 : (a.1, a.2) > (b.1, b.2) }
    var newMasks = masks.map { $0.mask.mask.value }
    for (_, k, j) in entries.prefix(count) { newMasks[k].scalars[j] = 0 }
    for (m, t) in zip(masks, newMasks) { try m.mask.setMask(t, on: m.weight) }
    return count
}

/// The hard masks of the chosen layers, added where missing (and switched to hard mode).
private func masksOf<S: TensorScalar>(_ net: any Layer<S>, only: [String]?) throws -> [MaskedWeight<S>] {
    let masks = try addMasks(to: net, only: only, op: "prune")
    for m in masks where m.mask.mode != .hard { try m.weight.setGateMode(.hard, kind: m.mask.kind) }
    return masks
}

private func result<S>(_ masks: [MaskedWeight<S>], removed: Int) -> PruningResult {
    PruningResult(removed: removed, kept: masks.reduce(0) { $0 + $1.mask.kept },
                  total: masks.reduce(0) { $0 + $1.mask.mask.value.count })
}
