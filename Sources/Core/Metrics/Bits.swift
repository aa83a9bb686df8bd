// Bits per weight of a quantized net (both counting conventions of SMOL's tables) and the thesis' §5.4.4 energy model.

/// One row of `bits(net)`: a Dense / Conv2D layer's weight.
public struct BitsRow: Equatable, Sendable {
    public var path: String
    public var kind: String
    public var weights: Int
    /// Whether a quantizer acts on the weight (otherwise it counts 32 bits in the whole-model figure).
    public var quantized: Bool
    /// Σ p over the weight (32 per weight when not quantized).
    public var totalBits: Int
    public var minBits: Int
    public var maxBits: Int
    /// Weights at 0 bits (pruned by zero-precision allocation or by another gate).
    public var zeroBits: Int
    /// How many weights have each number of bits, index = bits (0…32).
    public var histogram: [Int]

    /// Σ p / weights.
    public var average: Double { weights == 0 ? 0 : Double(totalBits) / Double(weights) }
}

/// The per-layer rows and the global figures of `bits(net)`.
///
/// `average` is the thesis' bpp: Σ p over the quantized weights divided by their number (0-bit
/// weights count 0). `wholeModel` also counts every other parameter (biases, BatchNorm,
/// unquantized layers) at 32 bits. Before the freeze, bits are what freezing now would give.
public struct BitsReport: Equatable, Sendable {
    public var rows: [BitsRow]
    /// Quantized weights and their total bits.
    public var quantizedWeights: Int
    public var quantizedBits: Int
    /// Every parameter of the net, and the bits of the whole model.
    public var allParameters: Int
    public var wholeModelBits: Int
    /// Whether every quantizer is frozen.
    public var frozen: Bool

    public var average: Double { quantizedWeights == 0 ? 0 : Double(quantizedBits) / Double(quantizedWeights) }
    public var wholeModel: Double { allParameters == 0 ? 0 : Double(wholeModelBits) / Double(allParameters) }
    /// 32 / average (0 when the average is 0: everything pruned).
    public var compression: Double { average == 0 ? 0 : 32 / average }
    public var wholeModelCompression: Double { wholeModel == 0 ? 0 : 32 / wholeModel }

    /// Quantized weights per number of bits, summed over the layers.
    public var histogram: [Int] {
        rows.filter(\.quantized).reduce(into: [Int](repeating: 0, count: FixedPoint.maxBits + 1)) { acc, r in
            for (b, n) in r.histogram.enumerated() { acc[b] += n }
        }
    }

    /// The fraction of quantized weights at 0 bits.
    public var zeroFraction: Double {
        quantizedWeights == 0 ? 0 : Double(rows.filter(\.quantized).reduce(0) { $0 + $1.zeroBits }) / Double(quantizedWeights)
    }
}

/// The bits of every Dense / Conv2D weight of `net`: the frozen map, or what freezing now would give
/// (the gates' rounding and zero-precision settings); entries any gate removes count 0 bits.
/// - Throws: `CoreError.badArgument` for a net without quantizers, a non-finite logit or a bad bit map.
public func bitsReport<S: TensorScalar>(_ net: any Layer<S>) throws -> BitsReport {
    var rows: [BitsRow] = []
    var anyQuantizer = false, frozen = true
    for (path, layer) in gatedLayers(net) {
        let w = layer.weight
        var histogram = [Int](repeating: 0, count: FixedPoint.maxBits + 1)
        guard let gate = w.gate(QuantizerGate<S>.self) else {
            histogram[FixedPoint.maxBits] = w.count
            rows.append(BitsRow(path: path, kind: layer.kind, weights: w.count, quantized: false, totalBits: 32 * w.count,
                                minBits: 32, maxBits: 32, zeroBits: 0, histogram: histogram))
            continue
        }
        anyQuantizer = true
        frozen = frozen && gate.isFrozen
        let keep = w.gates.filter { ($0 as AnyObject) !== gate }.compactMap { $0.keepMask }
            .reduce(nil as Tensor<S>?) { acc, m in acc.map { GateKernels.product($0, m) } ?? m }
        var bits = try gate.bitsPerWeight(of: w.value, keep: keep)
        if gate.isFrozen, let keep { for i in bits.indices where keep.scalars[i] == 0 { bits[i] = 0 } }
        for b in bits { histogram[b] += 1 }
        rows.append(BitsRow(path: path, kind: layer.kind, weights: w.count, quantized: true, totalBits: bits.reduce(0, +),
                            minBits: bits.min() ?? 0, maxBits: bits.max() ?? 0, zeroBits: histogram[0], histogram: histogram))
    }
    guard anyQuantizer else {
        throw CoreError.badArgument(op: "bits", message: "the net has no quantizers; add them first with quantized(net)")
    }
    let q = rows.filter(\.quantized)
    let qWeights = q.reduce(0) { $0 + $1.weights }, qBits = q.reduce(0) { $0 + $1.totalBits }
    let quantizedParams = Set(quantizers(net).map { ObjectIdentifier($0.weight) })
    // Everything else the net trains (biases, BatchNorm, unquantized weights) at 32 bits; the
    // precision logits are training state, not part of the model.
    let others = net.params.filter { !quantizedParams.contains(ObjectIdentifier($0)) && $0.role != .precision }
        .reduce(0) { $0 + $1.count }
    return BitsReport(rows: rows, quantizedWeights: qWeights, quantizedBits: qBits, allParameters: qWeights + others,
                      wholeModelBits: qBits + 32 * others, frozen: frozen)
}

// MARK: - Energy

/// The cost of multiplying an activation by a weight of 1, 2, 3, … bits relative to a 1-bit weight
/// (ripple-carry multipliers). The thesis (§5.4.4) gives it for 4-bit activations and 1–3-bit
/// weights; accumulation costs the same at every precision, and a 0-bit weight costs nothing.
public struct MultiplierCosts: Equatable, Sendable {
    /// Power and latency of a b-bit weight at index b − 1.
    public var power: [Double]
    public var latency: [Double]

    public init(power: [Double], latency: [Double]) {
        self.power = power
        self.latency = latency
    }

    /// The thesis' table for 4-bit activations: power 1, 2.41, 3.83; latency 1, 1.91, 2.10.
    public static let fourBitActivations = MultiplierCosts(power: [1, 2.41, 3.83], latency: [1, 1.91, 2.10])
}

/// What the energy model gives for a histogram of weight bits: power = Σ_b frac_b·P_b, latency =
/// Σ_b frac_b·L_b, energy = power × latency, all relative to 1-bit weights.
public struct EnergyEstimate: Equatable, Sendable {
    public var power: Double
    public var latency: Double
    public var energy: Double { power * latency }

    /// - Throws: `CoreError.badArgument` when the histogram has weights above the table's bits.
    public init(histogram: [Int], costs: MultiplierCosts) throws {
        let total = histogram.reduce(0, +)
        var p = 0.0, l = 0.0
        for (b, n) in histogram.enumerated() where b > 0 && n > 0 {
            guard b <= costs.power.count, b <= costs.latency.count else {
                throw CoreError.badArgument(op: "energy",
                    message: "\(n) weights have \(b) bits, and the cost table stops at \(Swift.min(costs.power.count, costs.latency.count)) bits; give power: and latency: lists that cover \(b) bits")
            }
            let f = Double(n) / Double(Swift.max(total, 1))
            p += f * costs.power[b - 1]
            l += f * costs.latency[b - 1]
        }
        power = p
        latency = l
    }
}
