// Sparsity queries: per-layer and global counts of kept (non-zero) weights.

/// One row of `sparsity(net)`: a Dense / Conv2D layer's weight.
public struct SparsityRow: Equatable, Sendable {
    /// The layer's path, e.g. "3".
    public var path: String
    /// The layer's kind, e.g. "Dense".
    public var kind: String
    /// Entries of the weight.
    public var weights: Int
    /// Non-zero entries of the weight as used (after the keep-masks of its gates in force).
    public var kept: Int
    /// 1 − kept / weights.
    public var sparsity: Double
}

/// The per-layer rows and the global figures.
public struct SparsityReport: Equatable, Sendable {
    public var rows: [SparsityRow]
    public var weights: Int
    public var kept: Int
    /// 1 − kept / weights over all rows (0 when there are no weights).
    public var sparsity: Double
}

/// Counts the kept weights of every Dense / Conv2D layer of `net` (biases are not counted).
public func sparsityReport<S: TensorScalar>(_ net: any Layer<S>) -> SparsityReport {
    var rows: [SparsityRow] = []
    for (path, layer) in gatedLayers(net) {
        let w = layer.weight.value.scalars
        // Whatever gates remove counts as removed, whichever gate it is (a hard mask, a CS gate's
        // H(s) in soft or hard mode, a zero-bit quantizer).
        let mask = layer.weight.reportedKeepMask?.scalars
        var kept = 0
        for j in 0..<w.count where w[j] != 0 && (mask?[j] ?? 1) != 0 { kept += 1 }
        rows.append(SparsityRow(path: path, kind: layer.kind, weights: w.count, kept: kept,
                                sparsity: w.isEmpty ? 0 : 1 - Double(kept) / Double(w.count)))
    }
    let weights = rows.reduce(0) { $0 + $1.weights }, kept = rows.reduce(0) { $0 + $1.kept }
    return SparsityReport(rows: rows, weights: weights, kept: kept,
                          sparsity: weights == 0 ? 0 : 1 - Double(kept) / Double(weights))
}

/// The fraction of exactly-zero entries of a tensor (0 for an empty tensor).
public func sparsity<S: TensorScalar>(of t: Tensor<S>) -> Double {
    guard t.count > 0 else { return 0 }
    return Double(t.scalars.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }) / Double(t.count)
}
