// Comparing two pruning masks (`mask_overlap`, `flips`): IoU, Hamming distance, and which entries were removed or restored, per weight.

/// The keep mask of every Dense / Conv2D weight of `net`, by the weight's path ("0.weight"): what
/// its gates keep (H(s) of a CS gate in soft or hard mode, a hard mask's ones), or its nonzero
/// entries when no gate reports a mask.
public func keepMasks<S: TensorScalar>(_ net: any Layer<S>) -> [(path: String, mask: Tensor<S>)] {
    _ = net.namedParams  // sets every Param.path
    return gatedLayers(net).map { _, layer in
        let weight = layer.weight
        let mask = weight.reportedKeepMask ?? weight.value.map { $0 != 0 ? 1 : 0 }
        return (weight.path, mask)
    }
}

/// How one weight's mask changed from `before` to `after`.
public struct MaskDifference: Equatable, Sendable {
    public var path: String
    public var entries: Int
    public var keptBefore: Int
    public var keptAfter: Int
    /// Kept in both.
    public var keptInBoth: Int
    /// Kept before, removed after.
    public var removed: Int
    /// Removed before, kept after.
    public var restored: Int

    /// Entries whose state differs: removed + restored.
    public var hamming: Int { removed + restored }
}

/// Two masks over the same weights compared entry by entry.
public struct MaskComparison: Equatable, Sendable {
    public var rows: [MaskDifference]

    public var entries: Int { rows.reduce(0) { $0 + $1.entries } }
    public var keptBefore: Int { rows.reduce(0) { $0 + $1.keptBefore } }
    public var keptAfter: Int { rows.reduce(0) { $0 + $1.keptAfter } }
    public var keptInBoth: Int { rows.reduce(0) { $0 + $1.keptInBoth } }
    public var removed: Int { rows.reduce(0) { $0 + $1.removed } }
    public var restored: Int { rows.reduce(0) { $0 + $1.restored } }
    public var hamming: Int { removed + restored }
    /// |before ∩ after| / |before ∪ after| over the kept entries (1 when both keep nothing).
    public var intersectionOverUnion: Double {
        let union = keptBefore + keptAfter - keptInBoth
        return union == 0 ? 1 : Double(keptInBoth) / Double(union)
    }
}

/// Compares two sets of masks by weight path: both must cover the same weights with the same
/// shapes (any nonzero entry counts as kept).
/// - Throws: `CoreError.badArgument` naming the first weight only one side has, or a shape mismatch.
public func compareMasks<S: TensorScalar>(_ before: [(path: String, mask: Tensor<S>)],
                                          _ after: [(path: String, mask: Tensor<S>)], op: String) throws -> MaskComparison {
    var byPath: [String: Tensor<S>] = [:]
    for (path, mask) in after { byPath[path] = mask }
    let beforePaths = Set(before.map(\.path))
    if let missing = after.first(where: { !beforePaths.contains($0.path) }) {
        throw CoreError.badArgument(op: op, message: "the masks cover different weights: `\(missing.path)` is only in the second")
    }
    var rows: [MaskDifference] = []
    for (path, a) in before {
        guard let b = byPath[path] else {
            throw CoreError.badArgument(op: op, message: "the masks cover different weights: `\(path)` is only in the first")
        }
        guard a.shape == b.shape else {
            throw CoreError.shapeMismatch(op: op, shapes: [a.shape, b.shape], message: "the masks of `\(path)` have different shapes")
        }
        var row = MaskDifference(path: path, entries: a.count, keptBefore: 0, keptAfter: 0, keptInBoth: 0, removed: 0, restored: 0)
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count {
                    let x = pa[i] != 0, y = pb[i] != 0
                    if x { row.keptBefore += 1 }
                    if y { row.keptAfter += 1 }
                    if x && y { row.keptInBoth += 1 } else if x { row.removed += 1 } else if y { row.restored += 1 }
                }
            }
        }
        rows.append(row)
    }
    return MaskComparison(rows: rows)
}
