// SMOL quantizer gates: learned precisions by noise (w + σ(s)⊙ε), the frozen bit map with Q(w, p) and a straight-through estimator, the clamp, and `addQuantizers`.

import Foundation

/// How many weights share one precision logit: each weight its own, one per output channel (a Dense
/// column, a Conv2D filter), or one for the whole layer (SMOL-L).
public enum QuantizerGranularity: String, Sendable, CaseIterable {
    case weight
    case channel
    case layer
}

/// What a quantizer in soft mode does in inference (`accuracy`, `evaluate`, `net(x)`: a tape that
/// does not record): the clean weight, Q(w, p(s)) "if frozen now", or one noisy sample.
public enum QuantizerEvaluation: String, Sendable, CaseIterable {
    case clean
    case frozen
    case noisy
}

/// A SMOL quantizer (Savarese et al., NeurIPS 2022; the thesis' chapter 5) on a Dense or Conv2D
/// weight in [−2, 2].
///
/// - soft (learning precisions): w̃ = w + σ(s)⊙ε, ε ~ U(−1, 1) drawn once per training tape (one
///   draw per step, shared by the batch and by every use of the weight, kept for the backward
///   pass); ∂/∂w = g, ∂/∂s = σ(s)(1 − σ(s))·g⊙ε (summed over a group). σ(s) = 2^(1−p̃) is the
///   largest perturbation the weight tolerates, p̃ = 1 + log2(1 + e^(−s)) its continuous bits.
/// - hard: w_q = Q(w, p) with the integer bit map p (`<layer>.bits` after `freezePrecision`; before
///   it, the bits s would give now), p = 0 giving 0; the backward pass is the straight-through
///   estimator ∂/∂w = ∂/∂w_q. After the freeze, 0-bit weights are removed entries (keep-mask).
/// - off: the raw weight.
/// The logits are the parameter `<layer>.precision` (role `precision`: no weight decay; SMOL steps
/// them with Adam), filled with s_init = −ln(2^(p_init−1) − 1). The freeze discards them. After
/// each update the gate clamps its weight to ±(2 − σ(s)) in soft mode (so w + noise stays in
/// [−2, 2]) and to ±(2 − 2^(1−p)) in hard mode (the latent weight stays on the grid's range).
///
/// The quantizer sits at the bottom of its weight's gate stack: masks act on Q(w), so a pruned
/// weight stays exactly 0 whatever its bits.
public final class QuantizerGate<Scalar: TensorScalar>: WeightGate, TrainingHook {
    /// s: the weight's shape, [channels], or [1]; nil once the precisions are frozen.
    public private(set) var precision: Param<Scalar>? { didSet { StructureRevision.advance() } }
    /// The integer bits per weight (the weight's shape), once frozen.
    public private(set) var bitMap: Buffer<Scalar>? { didSet { StructureRevision.advance() } }
    /// The bits the logits started from, and that logit.
    public let pInit: Double
    public let sInit: Double
    public let granularity: QuantizerGranularity
    /// The weight's shape.
    public let weightShape: [Int]
    /// Which axis of the weight is the output channel: 1 for Dense [in, out], 0 for Conv2D.
    let unitAxis: Int
    /// The rounding of the freeze (and of "if frozen now").
    public var rounding = PrecisionRounding.floor
    /// Zero-precision allocation at the freeze, and whether its test is strict (|w| < error).
    public var zeroPrecision = true
    public var strictZero = true
    /// What soft mode does in inference.
    public var evaluation = QuantizerEvaluation.clean
    /// Whether the weight is clamped after each update.
    public var clamps = true
    /// The noise stream (its own, drawn from the generator the gate was built with).
    public var rng: RandomStream
    public var mode: GateMode = .soft {
        // The logits learn only in soft mode.
        didSet { precision?.isFrozen = mode != .soft }
    }
    /// The noise of the last training tape, and what the penalty needs of the logits.
    private weak var cachedTape: Tape<Scalar>?
    private weak var knownOwner: Param<Scalar>?
    private var cachedNoise: SoftNoise?
    /// The last bit map checked, and its integers.
    private var bitCache: (map: Tensor<Scalar>, bits: [Int])?

    /// The noise key of a training tape, and the penalty's sum and slope from the same pass.
    struct SoftNoise {
        var key: UInt64
        var penaltySum: Double
        var penaltySlope: [Scalar]
    }

    /// - Throws: `CoreError.badArgument` for p_init outside (1, 32] or a weight without that axis.
    public init(weightShape: [Int], unitAxis: Int, pInit: Double = 8, granularity: QuantizerGranularity = .weight,
                using rng: inout RandomStream) throws {
        sInit = try FixedPoint.logit(bits: pInit)
        guard unitAxis < weightShape.count else {
            throw CoreError.badArgument(op: "quantized", message: "the weight \(Tensor<Scalar>.describe(weightShape)) has no axis \(unitAxis)")
        }
        let shape: [Int]
        switch granularity {
        case .weight: shape = weightShape
        case .channel: shape = [weightShape[unitAxis]]
        case .layer: shape = [1]
        }
        precision = Param(Tensor(uncheckedShape: shape, scalars: [Scalar](repeating: Scalar(sInit), count: shape.reduce(1, *))),
                          role: .precision, name: "precision")
        self.pInit = pInit
        self.granularity = granularity
        self.weightShape = weightShape
        self.unitAxis = unitAxis
        self.rng = rng.derived(stream: rng.nextUInt64())
    }

    public var kind: String { "quant" }
    public var isFrozen: Bool { bitMap != nil }
    public var supportedModes: [GateMode] { isFrozen ? [.hard, .off] : [.soft, .hard, .off] }
    public var localParams: [(name: String, param: Param<Scalar>)] { precision.map { [("precision", $0)] } ?? [] }
    public var localBuffers: [(name: String, buffer: Buffer<Scalar>)] { bitMap.map { [("bits", $0)] } ?? [] }

    /// After the freeze, in hard mode: the weights with at least one bit.
    public var keepMask: Tensor<Scalar>? {
        guard mode == .hard, let p = bitMap?.value, p.scalars.contains(0) else { return nil }
        return p.map { $0 == 0 ? 0 : 1 }
    }

    public func copy() -> any WeightGate<Scalar> {
        var stream = rng
        // The initialiser cannot fail here: p_init and the axis were checked when this one was made.
        guard let c = try? QuantizerGate(weightShape: weightShape, unitAxis: unitAxis, pInit: pInit,
                                         granularity: granularity, using: &stream) else { return self }
        c.precision = precision.map { p in
            let q = Param(p.value, role: .precision, name: "precision")
            q.isFrozen = p.isFrozen
            return q
        }
        c.bitMap = bitMap?.copy()
        (c.rounding, c.zeroPrecision, c.strictZero, c.evaluation, c.clamps) = (rounding, zeroPrecision, strictZero, evaluation, clamps)
        c.rng = rng
        c.mode = mode
        return c
    }

    // MARK: - Groups

    /// The weight seen as [outer, channels, inner] around the channel axis.
    private var unitLayout: (outer: Int, units: Int, inner: Int) {
        (weightShape[..<unitAxis].reduce(1, *), weightShape[unitAxis], weightShape[(unitAxis + 1)...].reduce(1, *))
    }

    /// The group of weight i: itself, its channel, or 0.
    @inline(__always)
    private func group(_ i: Int, units: Int, inner: Int) -> Int {
        switch granularity {
        case .weight: return i
        case .channel: return (i / inner) % units
        case .layer: return 0
        }
    }

    /// Weights per logit (1, the channel's size, or the layer's).
    public var groupSize: Int {
        let n = weightShape.reduce(1, *)
        switch granularity {
        case .weight: return 1
        case .channel: return n / Swift.max(weightShape[unitAxis], 1)
        case .layer: return n
        }
    }

    // MARK: - Bits

    /// The integer bits each logit gives with `rounding` (no zero-precision allocation), the
    /// logits' shape.
    /// - Throws: `CoreError.badArgument` for a non-finite logit, or once frozen.
    public func logitBits(rounding: PrecisionRounding? = nil) throws -> [Int] {
        guard let s = precision?.value else {
            throw CoreError.badArgument(op: "quantized", message: "the precisions are frozen; the logits were discarded")
        }
        let r = rounding ?? self.rounding
        return try s.scalars.map { v in
            guard let p = FixedPoint.bits(v.doubleValue, rounding: r) else {
                throw CoreError.badArgument(op: "quantized", message: "a precision logit is \(v); lower the precision learning rate")
            }
            return p
        }
    }

    /// The bits of every weight (the weight's shape): the frozen map, or what freezing `weight`
    /// now would give (`rounding`, zero-precision allocation as set, every weight `uniform` bits
    /// when given; `keep` zeroes the entries other gates remove).
    /// - Throws: `CoreError.badArgument` for a non-finite logit or a bad stored bit map.
    public func bitsPerWeight(of weight: Tensor<Scalar>, keep: Tensor<Scalar>? = nil, rounding: PrecisionRounding? = nil,
                              uniform: Int? = nil) throws -> [Int] {
        if uniform == nil, bitMap != nil { return try frozenBits() }
        let byLogit = try uniform.map { [$0] } ?? logitBits(rounding: rounding)
        let (_, units, inner) = unitLayout
        let zpa = zeroPrecision, strict = strictZero
        let grouped = uniform == nil
        var out = [Int](repeating: 0, count: weight.count)
        weight.scalars.withUnsafeBufferPointer { pw in
            for i in 0..<out.count {
                if let keep, keep.scalars[i] == 0 { continue }
                let p = byLogit[grouped ? group(i, units: units, inner: inner) : 0]
                out[i] = zpa && FixedPoint.prefersZero(pw[i], bits: p, strict: strict) ? 0 : p
            }
        }
        return out
    }

    /// The frozen bit map as integers, checked once per stored map.
    public func frozenBits() throws -> [Int] {
        guard let map = bitMap?.value else { return [] }
        if let c = bitCache, c.map.scalars == map.scalars { return c.bits }  // same storage: no pass
        let bits = try Self.validated(map)
        bitCache = (map, bits)
        return bits
    }

    /// The stored bit map as integers.
    /// - Throws: `CoreError.badArgument` naming the first entry that is not a whole number of bits
    ///   from 0 to 32 (a file from elsewhere).
    static func validated(_ map: Tensor<Scalar>) throws -> [Int] {
        try map.scalars.map { v in
            let d = v.doubleValue
            guard FixedPoint.isValidBits(d) else {
                throw CoreError.badArgument(op: "quant", message: "a bit map holds \(v); bits are whole numbers from 0 to \(FixedPoint.maxBits)")
            }
            return Int(d)
        }
    }

    // MARK: - On the tape

    @_specialize(where Scalar == Float)
    public func apply(to weight: Variable<Scalar>) throws -> Variable<Scalar> {
        guard weight.shape == weightShape else {
            throw CoreError.shapeMismatch(op: "quant", shapes: [weightShape, weight.shape], message: "")
        }
        switch mode {
        case .off: return weight
        case .hard: return try straightThrough(weight, bits: try bitsPerWeight(of: weight.value))
        case .soft:
            if weight.tape.isRecording { return try noisy(weight, training: true) }
            switch evaluation {
            case .clean: return weight
            case .noisy: return try noisy(weight, training: false)
            case .frozen: return try straightThrough(weight, bits: try bitsPerWeight(of: weight.value))
            }
        }
    }

    /// Q(w, p) forward, the identity backward.
    @_specialize(where Scalar == Float)
    private func straightThrough(_ weight: Variable<Scalar>, bits: [Int]) throws -> Variable<Scalar> {
        let out = QuantizerKernels.quantize(weight.value, bits: bits)
        let wid = weight.id
        return weight.tape.record(out, inputs: [weight]) { { grad in [(wid, grad)] } }
    }

    /// w + σ(s)⊙ε as one node with both gradients. On a training tape the noise key is drawn once
    /// and reused by every use of the weight on that tape; the same pass leaves the penalty's sum
    /// and slope for `penaltySum` on that tape.
    @_specialize(where Scalar == Float)
    private func noisy(_ weight: Variable<Scalar>, training: Bool) throws -> Variable<Scalar> {
        guard let precision else { return weight }
        let tape = weight.tape
        let s = tape.variable(for: precision)
        let key = (training && cachedTape === tape ? cachedNoise?.key : nil) ?? rng.nextUInt64()
        let (_, units, inner) = unitLayout
        let granularity = self.granularity
        let sValues = precision.value
        let pass = QuantizerKernels.softForward(weight.value, logits: sValues, key: key) {
            granularity == .weight ? $0 : (granularity == .channel ? ($0 / inner) % units : 0)
        }
        if training {
            cachedTape = tape
            cachedNoise = SoftNoise(key: key, penaltySum: pass.penaltySum, penaltySlope: pass.penaltySlope)
        }
        let (wid, sid) = (weight.id, s.id)
        let k = pass.backwardFactor
        return tape.record(Tensor(uncheckedShape: weightShape, scalars: pass.output), inputs: [weight, s]) {
            { grad in
                // ∂/∂w = g; ∂/∂s = σ(s)(1 − σ(s))·Σ_group g⊙ε, with k = ε·σ'(s) per weight, or ε
                // (the group's σ' applied after the sum).
                let gs: Tensor<Scalar>
                if granularity == .weight {
                    gs = Tensor(uncheckedShape: sValues.shape, scalars: QuantizerKernels.product(grad.scalars, k))
                } else {
                    gs = QuantizerKernels.groupGradient(grad.scalars, epsilon: k, logits: sValues,
                                                         units: units, inner: inner, perChannel: granularity == .channel)
                }
                return [(wid, grad), (sid, gs)]
            }
        }
    }

    /// Σ_g n_g · log2(1 + e^(−s_g)) over the logits (n_g = 1 unless `weighted` and grouped),
    /// recorded on `tape` with its gradient −n_g·σ(−s_g)/ln 2: this gate's share of SMOL's bit
    /// penalty (its bits above the first, the 1 of p̃ being a constant). Nil once frozen.
    @_specialize(where Scalar == Float)
    public func penaltySum(on tape: Tape<Scalar>, weighted: Bool = true) -> Variable<Scalar>? {
        guard let precision, mode == .soft else { return nil }
        let s = tape.variable(for: precision)
        let n = weighted ? Scalar(groupSize) : 1
        let cached = cachedTape === tape ? cachedNoise : nil
        let (total, slope) = cached.map { ($0.penaltySum, $0.penaltySlope) } ?? QuantizerKernels.softplusBits(precision.value)
        let sValues = precision.value, sid = s.id
        return tape.record(Tensor(scalar: Scalar(total * n.doubleValue)), inputs: [s]) {
            { grad in
                let factor = -grad.scalars[0] * n
                // Tensor.map is a tight loop (Array.map with a closure took 0.52 ms here, this 0.06 ms).
                return [(sid, Tensor(uncheckedShape: sValues.shape, scalars: slope).map { $0 * factor })]
            }
        }
    }

    // MARK: - Training

    /// Clamps the weight after each update (see the type's comment).
    public var hookName: String { "quant" }

    public func afterUpdate(_ context: HookContext<Scalar>) throws -> Report {
        guard clamps, mode != .off, let weight = owner(in: context.net) else { return Report() }
        let clipped = try clamp(weight)
        return clipped == 0 ? Report() : Report([("clipped", .int(clipped))])
    }

    /// The parameter this gate is on, found in `net`. Remembered (weakly) and checked on each use:
    /// walking the net's layers after every step cost 1 % of a soft step.
    public func owner(in net: any Layer<Scalar>) -> Param<Scalar>? {
        if let weight = knownOwner, weight.gates.contains(where: { ($0 as AnyObject) === self }) { return weight }
        knownOwner = gatedLayers(net).first { $0.layer.weight.gates.contains { ($0 as AnyObject) === self } }?.layer.weight
        return knownOwner
    }

    /// Clamps `weight` to ±(2 − σ(s)) (soft, off) or ±(2 − 2^(1−p)) (frozen); returns how many
    /// entries moved.
    @discardableResult
    public func clamp(_ weight: Param<Scalar>) throws -> Int {
        guard weight.value.shape == weightShape else { return 0 }
        let bounds: [Scalar]
        if bitMap != nil {
            let limits = (0...FixedPoint.maxBits).map { Scalar(FixedPoint.limit(bits: $0)) }
            bounds = try frozenBits().map { limits[$0] }
        } else if let s = precision?.value {
            let (_, units, inner) = unitLayout
            let granularity = self.granularity
            return QuantizerKernels.clampSoft(&weight.value, logits: s) {
                granularity == .weight ? $0 : (granularity == .channel ? ($0 / inner) % units : 0)
            }
        } else {
            return 0
        }
        return QuantizerKernels.clamp(&weight.value, bounds: bounds)
    }

    // MARK: - The freeze

    /// Turns the logits into the integer bit map p = 1 + op(log2(1 + e^(−s))) (every weight
    /// `uniformBits` instead, when given), with zero bits where `keep` removes the weight and, with
    /// zero-precision allocation, where 0 is nearer than the weight's level; discards the logits;
    /// switches to hard mode and clamps the weight into its grid.
    /// - Throws: `CoreError.badArgument` when already frozen (without `uniformBits`), for bits
    ///   outside 0…32 or a non-finite logit.
    public func freeze(_ weight: Param<Scalar>, uniformBits: Int? = nil) throws {
        if let b = uniformBits, !(0...FixedPoint.maxBits).contains(b) {
            throw CoreError.badArgument(op: "freeze_precision", message: "bits must be from 0 to \(FixedPoint.maxBits), got \(b)")
        }
        guard !isFrozen || uniformBits != nil else {
            throw CoreError.badArgument(op: "freeze_precision", message: "\(weight.path) is frozen already (its precision logits were discarded)")
        }
        // What the other gates remove counts 0 bits (a hard mask below or above).
        let keep = weight.gates.filter { ($0 as AnyObject) !== self }.compactMap { $0.keepMask }
            .reduce(nil as Tensor<Scalar>?) { acc, m in acc.map { GateKernels.product($0, m) } ?? m }
        let p = try bitsPerWeight(of: weight.value, keep: keep, uniform: uniformBits)
        bitMap = Buffer(Tensor(uncheckedShape: weightShape, scalars: p.map { Scalar($0) }), name: "bits")
        precision = nil
        cachedNoise = nil
        try weight.setGateMode(.hard, kind: kind)
        try clamp(weight)
    }
}

// MARK: - Adding quantizers to a network

/// Adds a soft SMOL quantizer (logits at s_init(p_init)) at the bottom of the gate stack of the
/// chosen Dense / Conv2D layers of `net`, and clamps their weights into ±(2 − 2^(1−p_init)).
/// - Returns: the layers quantized, with their gates.
/// - Throws: `CoreError.badArgument` for p_init outside (1, 32], a bad `only` path, or a layer that
///   already has a quantizer.
@discardableResult
public func addQuantizers<S: TensorScalar>(to net: any Layer<S>, pInit: Double = 8, granularity: QuantizerGranularity = .weight,
                                           only: [String]? = nil, using rng: inout RandomStream) throws -> [(path: String, gate: QuantizerGate<S>)] {
    _ = try FixedPoint.logit(bits: pInit)
    let chosen = try chooseGatedLayers(net, only: only, op: "quantized", noun: "quantizer")
    for (path, layer) in chosen where layer.weight.gate(QuantizerGate<S>.self) != nil {
        throw CoreError.badArgument(op: "quantized", message: "layer \(path) is quantized already")
    }
    var out: [(path: String, gate: QuantizerGate<S>)] = []
    for (path, layer) in chosen {
        let gate = try QuantizerGate<S>(weightShape: layer.weight.value.shape, unitAxis: layer is Dense<S> ? 1 : 0,
                                        pInit: pInit, granularity: granularity, using: &rng)
        // At the bottom: the gates above (a mask, a CS gate) act on Q(w), so what they remove stays 0.
        try layer.weight.addGate(gate, atBottom: true)
        try gate.clamp(layer.weight)
        out.append((path, gate))
    }
    return out
}

/// Every quantizer of `net` with its layer's path, kind and weight.
public func quantizers<S: TensorScalar>(_ net: any Layer<S>) -> [(path: String, kind: String, weight: Param<S>, gate: QuantizerGate<S>)] {
    gatedLayers(net).compactMap { path, layer in
        layer.weight.gate(QuantizerGate<S>.self).map { (path, layer.kind, layer.weight, $0) }
    }
}

/// Freezes every quantizer of `net` (see `QuantizerGate.freeze`), with the rounding and
/// zero-precision settings given (the gates' own when nil).
/// - Returns: the number of gates frozen.
/// - Throws: `CoreError.badArgument` for a net without quantizers, or a gate's error (nothing is
///   changed when a logit is not finite).
@discardableResult
public func freezePrecision<S: TensorScalar>(_ net: any Layer<S>, rounding: PrecisionRounding? = nil, zeroPrecision: Bool? = nil,
                                             strict: Bool? = nil, uniformBits: Int? = nil) throws -> Int {
    let all = quantizers(net)
    guard !all.isEmpty else {
        throw CoreError.badArgument(op: "freeze_precision", message: "the net has no quantizers; add them first with quantized(net)")
    }
    for q in all {
        if let rounding { q.gate.rounding = rounding }
        if let zeroPrecision { q.gate.zeroPrecision = zeroPrecision }
        if let strict { q.gate.strictZero = strict }
        // Check every gate before changing any.
        if uniformBits == nil {
            if q.gate.isFrozen { throw CoreError.badArgument(op: "freeze_precision", message: "\(q.weight.path) is frozen already (its precision logits were discarded)") }
            _ = try q.gate.logitBits()
        }
    }
    for q in all { try q.gate.freeze(q.weight, uniformBits: uniformBits) }
    return all.count
}
