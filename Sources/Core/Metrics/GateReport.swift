// What the gates on a net's weights are doing (`gates(net)`): hard and soft density, undecided and saturated gates, the penalty share, FLOP weighting.
import Foundation

/// One gated layer's figures. The CS-only figures are nil for a layer without a CS gate.
public struct GateRow: Sendable {
    public var path: String
    /// The layer's kind ("Dense", "Conv2D").
    public var kind: String
    /// The gates on the weight, innermost first ("mask", "cs", "mask+cs"), "" when none.
    public var gates: String
    /// The outermost gate's mode ("soft", "hard", "off"), "" when none.
    public var mode: String
    public var weights: Int
    /// Weights the gates keep (H(s) for a CS gate in any mode but off, the hard mask's ones).
    public var kept: Int
    /// β of the CS gate.
    public var beta: Double?
    /// Fraction of weights whose soft gate σ(βs) exceeds `eps`.
    public var softDensity: Double?
    /// Fraction with |β·s| below `undecidedBelow`: binarising would still change the function there.
    public var undecided: Double?
    /// Fraction where the gate's slope β·g·(1 − g) is below 1e-6: the mask no longer learns there.
    public var saturated: Double?
    /// Mean of σ(βs) over the weights.
    public var meanGate: Double?
    /// Σ c·σ(βs) over the logits: this layer's share of CS's penalty before λ.
    public var gateSum: Double?
    /// Multiply-adds one weight does per sample: 1 for Dense, H_out·W_out for Conv2D (1 when the
    /// input shape is not known).
    public var flopsPerWeight: Int

    public var hardDensity: Double { weights == 0 ? 0 : Double(kept) / Double(weights) }
}

public struct GateReport: Sendable {
    public var rows: [GateRow]
    /// Kept / weights over every gated layer.
    public var density: Double
    /// Kept weights weighted by their FLOPs over all weights weighted by theirs: the share of the
    /// dense net's multiply-adds the pruned net still does.
    public var flopWeightedDensity: Double
    /// True when the FLOPs come from an input shape (otherwise every weight counts 1).
    public var hasFLOPs: Bool
}

/// The gate figures of every Dense / Conv2D layer of `net`.
/// - Parameters:
///   - eps: the soft-density threshold on σ(βs).
///   - undecidedBelow: the |β·s| under which a gate counts as undecided (5: σ in (0.0067, 0.9933)).
///   - inputShape: one sample's shape, for the FLOPs per weight of convolutions.
/// - Throws: `CoreError` when the input shape does not fit the net.
public func gateReport<S: TensorScalar>(_ net: any Layer<S>, eps: Double = 0.01, undecidedBelow: Double = 5,
                                        inputShape: [Int]? = nil) throws -> GateReport {
    var spatial: [String: Int] = [:]
    if let inputShape {
        for row in try net.summary(inputShape: inputShape) where row.kind == "Conv2D" && row.outputShape.count == 4 {
            spatial[row.path] = row.outputShape[2] &* row.outputShape[3]
        }
    }
    var rows: [GateRow] = []
    for (path, layer) in gatedLayers(net) {
        let weight = layer.weight
        let count = weight.count
        let keep = weight.reportedKeepMask?.scalars
        let kept = keep.map { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } } ?? count
        var row = GateRow(path: path, kind: layer.kind, gates: weight.gates.map(\.kind).joined(separator: "+"),
                          mode: weight.gates.last.map { $0.mode.rawValue } ?? "", weights: count, kept: kept,
                          flopsPerWeight: layer.kind == "Conv2D" ? (spatial[path] ?? 1) : 1)
        if let cs = weight.gate(CSGate<S>.self) {
            let beta = cs.beta
            let s = cs.expanded(cs.logits.value).scalars
            var soft = 0, undecided = 0, saturated = 0, sum = 0.0
            for v in s {
                let z = beta * v.doubleValue
                let g = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                if g > eps { soft += 1 }
                if abs(z) < undecidedBelow { undecided += 1 }
                if beta * g * (1 - g) < 1e-6 { saturated += 1 }
                sum += g
            }
            let n = Double(max(s.count, 1))
            row.beta = beta
            row.softDensity = Double(soft) / n
            row.undecided = Double(undecided) / n
            row.saturated = Double(saturated) / n
            row.meanGate = sum / n
            row.gateSum = cs.softGate.scalars.reduce(0.0) { $0 + $1.doubleValue } * cs.scale.doubleValue
        }
        rows.append(row)
    }
    let weights = rows.reduce(0) { $0 + $1.weights }, kept = rows.reduce(0) { $0 + $1.kept }
    let flops = rows.reduce(0.0) { $0 + Double($1.weights) * Double($1.flopsPerWeight) }
    let keptFLOPs = rows.reduce(0.0) { $0 + Double($1.kept) * Double($1.flopsPerWeight) }
    return GateReport(rows: rows, density: weights == 0 ? 1 : Double(kept) / Double(weights),
                      flopWeightedDensity: flops == 0 ? 1 : keptFLOPs / flops, hasFLOPs: inputShape != nil)
}

