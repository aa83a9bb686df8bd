// Continuous-sparsification gates: weight ⊙ σ(βs) on a Dense / Conv2D weight, its hard form H(s), and `addCSGates`.

/// One logit per weight, or one per output unit (a Dense column, a Conv2D filter) broadcast over it.
public enum GateGranularity: String, Sendable, CaseIterable {
    case weight
    case unit
}

/// The constant that multiplies a CS gate: none (the thesis), or 1/σ(s_init) so the net starts
/// with its own weights (the reference code).
public enum CSGateScale: String, Sendable, CaseIterable {
    case none
    case inverseInit = "inverse_init"
}

/// A continuous-sparsification gate (Savarese, Silva & Maire, "Winning the Lottery with Continuous
/// Sparsification", NeurIPS 2020; the thesis' chapter 4) on a Dense or Conv2D weight.
///
/// - soft: w_eff = θ ⊙ c·σ(βs) with a stable sigmoid; ∂/∂θ = G ⊙ c·g, ∂/∂s = c·β·g·σ(−βs)·(G ⊙ θ)
///   (summed over a unit's weights at unit granularity), g = σ(βs) computed once per step and
///   shared with the penalty;
/// - hard: w_eff = θ ⊙ c·H(s), H(s) = 1{s ≥ 0} (1{s > 0} with `keepsTies` false); the logits are
///   frozen (the mask is committed) and optimizers keep the removed entries at zero;
/// - off: the raw weight; the logits are frozen.
/// The logits are the parameter `<layer>.mask_logit` (role `mask_logit`: no weight decay, its own
/// optimizer group), filled with s_init. β is set by the `cs` controller (1 until then); c is 1
/// unless the scale is `inverse_init` (1/σ(s_init)).
public final class CSGate<Scalar: TensorScalar>: WeightGate {
    /// s: the weight's shape, or [units] at unit granularity.
    public let logits: Param<Scalar>
    /// The value every logit started from (and the cap of the round reset).
    public let sInit: Double
    /// The inverse temperature of the soft gate.
    public var beta: Double = 1
    public let granularity: GateGranularity
    /// True for H(0) = 1 (the thesis' ≥), false for H(0) = 0 (the reference code's >).
    public var keepsTies: Bool
    public let scaleRule: CSGateScale
    /// The weight's shape.
    public let weightShape: [Int]
    /// Which axis of the weight is the output unit: 1 for Dense [in, out], 0 for Conv2D [out, …].
    let unitAxis: Int
    public var mode: GateMode = .soft {
        // The mask is committed outside soft mode: its logits get no gradient and no update.
        didSet { logits.isFrozen = mode != .soft }
    }
    /// g = σ(βs) and its slope σ(βs)·σ(−βs) of the last soft forward pass on `cachedTape`, reused
    /// by the backward pass and the penalty.
    private weak var cachedTape: Tape<Scalar>?
    private var cachedGate: (gate: Tensor<Scalar>, slope: Tensor<Scalar>)?

    /// A gate for a weight of `weightShape`; `unitAxis` names its output-unit axis.
    /// - Throws: `CoreError.badArgument` for a non-finite s_init.
    public init(weightShape: [Int], unitAxis: Int, sInit: Double, granularity: GateGranularity = .weight,
                keepsTies: Bool = true, scale: CSGateScale = .none) throws {
        guard sInit.isFinite else {
            throw CoreError.badArgument(op: "masked", message: "s_init must be a finite number, got \(sInit)")
        }
        guard unitAxis < weightShape.count else {
            throw CoreError.badArgument(op: "masked", message: "the weight \(Tensor<Scalar>.describe(weightShape)) has no axis \(unitAxis)")
        }
        let shape = granularity == .weight ? weightShape : [weightShape[unitAxis]]
        logits = Param(Tensor(uncheckedShape: shape, scalars: [Scalar](repeating: Scalar(sInit), count: shape.reduce(1, *))),
                       role: .maskLogit, name: "mask_logit")
        self.sInit = sInit
        self.granularity = granularity
        self.keepsTies = keepsTies
        self.scaleRule = scale
        self.weightShape = weightShape
        self.unitAxis = unitAxis
    }

    public var kind: String { "cs" }
    public var supportedModes: [GateMode] { [.soft, .hard, .off] }
    public var localParams: [(name: String, param: Param<Scalar>)] { [("mask_logit", logits)] }

    /// c: 1, or 1/σ(s_init).
    public var scale: Scalar { scaleRule == .none ? 1 : 1 / Tensor<Scalar>.sigmoid(Scalar(sInit)) }

    public func copy() -> any WeightGate<Scalar> {
        // The initialiser cannot fail here: s_init and the axis were checked when this one was made.
        guard let c = try? CSGate(weightShape: weightShape, unitAxis: unitAxis, sInit: sInit, granularity: granularity,
                                  keepsTies: keepsTies, scale: scaleRule) else { return self }
        c.logits.value = logits.value
        c.beta = beta
        c.mode = mode
        return c
    }

    // MARK: - Values

    /// σ(βs), the logits' shape.
    public var softGate: Tensor<Scalar> { CSKernels.sigmoid(logits.value, beta: Scalar(beta)) }

    /// H(s) with the tie rule, the logits' shape.
    public var hardGate: Tensor<Scalar> {
        let ties = keepsTies
        return logits.value.map { ($0 > 0 || (ties && $0 == 0)) ? 1 : 0 }
    }

    /// H(s) spread to the weight's shape: the mask this gate commits to.
    public var binaryMask: Tensor<Scalar> { expanded(hardGate) }

    /// Weights kept by H(s) (counted over the weight, so a unit counts all its weights).
    public var kept: Int { binaryMask.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

    public var keepMask: Tensor<Scalar>? { mode == .hard ? binaryMask : nil }

    /// Sparsity queries count H(s) in soft mode too (never "gate == 0", which depends on the float
    /// width and the sigmoid formula).
    public var reportedKeepMask: Tensor<Scalar>? { mode == .off ? nil : binaryMask }

    /// A tensor of the logits' shape spread to the weight's shape (identity at weight granularity).
    func expanded(_ t: Tensor<Scalar>) -> Tensor<Scalar> {
        guard granularity == .unit else { return t }
        let (outer, units, inner) = unitLayout
        var out = [Scalar](repeating: 0, count: outer * units * inner)
        for o in 0..<outer { for u in 0..<units { for i in 0..<inner { out[(o * units + u) * inner + i] = t.scalars[u] } } }
        return Tensor(uncheckedShape: weightShape, scalars: out)
    }

    /// The weight seen as [outer, units, inner] around the unit axis.
    private var unitLayout: (Int, Int, Int) {
        (weightShape[..<unitAxis].reduce(1, *), weightShape[unitAxis], weightShape[(unitAxis + 1)...].reduce(1, *))
    }

    // MARK: - On the tape

    @_specialize(where Scalar == Float)
    public func apply(to weight: Variable<Scalar>) throws -> Variable<Scalar> {
        guard weight.shape == weightShape else {
            throw CoreError.shapeMismatch(op: "cs", shapes: [weightShape, weight.shape], message: "")
        }
        switch mode {
        case .off: return weight
        case .hard:
            let c = scale
            return try weight.multiplying(weight.tape.constant(binaryMask.map { $0 * c }))
        case .soft: return softApply(weight)
        }
    }

    /// θ ⊙ c·σ(βs) as one node with both gradients (g computed once, kept for the penalty).
    @_specialize(where Scalar == Float)
    private func softApply(_ weight: Variable<Scalar>) -> Variable<Scalar> {
        let tape = weight.tape
        let s = tape.variable(for: logits)
        let (g, slope) = CSKernels.gateAndSlope(logits.value, beta: Scalar(beta))
        cachedTape = tape
        cachedGate = (g, slope)
        let c = scale, b = Scalar(beta)
        let theta = weight.value
        let gFull = expanded(g)
        let out = CSKernels.product(theta, gFull, scale: c)
        let (wid, sid) = (weight.id, s.id)
        let sValues = logits.value
        let granularity = self.granularity, layout = unitLayout
        return tape.record(out, inputs: [weight, s]) {
            { grad in
                // ∂/∂s = c·β·σ(βs)·σ(−βs)·(G ⊙ θ), never through 1 − σ.
                if granularity == .weight {
                    let (dTheta, gs) = CSKernels.softGateGradients(grad, theta: theta, gate: gFull, slope: slope,
                                                                   scale: c, slopeScale: c * b)
                    return [(wid, dTheta), (sid, gs)]
                }
                let dTheta = CSKernels.product(grad, gFull, scale: c)
                var sums = [Scalar](repeating: 0, count: sValues.count)
                let (outer, units, inner) = layout
                grad.scalars.withUnsafeBufferPointer { pg in
                    theta.scalars.withUnsafeBufferPointer { pt in
                        for o in 0..<outer { for u in 0..<units {
                            var acc = Scalar(0)
                            let base = (o * units + u) * inner
                            for i in 0..<inner { acc += pg[base + i] * pt[base + i] }
                            sums[u] += acc
                        } }
                    }
                }
                var gs = Tensor(uncheckedShape: sValues.shape, scalars: sums)
                CSKernels.scale(&gs, by: slope, factor: c * b)
                return [(wid, dTheta), (sid, gs)]
            }
        }
    }

    /// Σ c·σ(βs) over the logits, recorded on `tape` with its gradient c·β·g·σ(−βs): this gate's
    /// share of CS's penalty (once per logit, so once per unit at unit granularity).
    @_specialize(where Scalar == Float)
    public func penaltySum(on tape: Tape<Scalar>) throws -> Variable<Scalar> {
        let s = tape.variable(for: logits)
        let (g, slope) = (cachedTape === tape ? cachedGate : nil) ?? CSKernels.gateAndSlope(logits.value, beta: Scalar(beta))
        let c = scale, b = Scalar(beta)
        // The blocked SIMD sum: one running Double was a chain of dependent adds, 0.5 ms on 412k gates.
        let total = g.sumAll() * c.doubleValue
        let sid = s.id
        return tape.record(Tensor(scalar: Scalar(total)), inputs: [s]) {
            { grad in
                // ∂/∂s = upstream · c · β · σ(βs)σ(−βs), in one pass.
                let k = grad.scalars[0] * c * b
                return [(sid, CSKernels.scaled(slope, by: k))]
            }
        }
    }

    // MARK: - Rounds

    /// The round reset s ← min(β·s, s_init) (with β the value reached in the round that ended):
    /// suppressed weights keep their gate value at β = 1, survivors restart from s_init.
    public static func roundReset(_ s: Tensor<Scalar>, beta: Double, sInit: Double) -> Tensor<Scalar> {
        let b = Scalar(beta), cap = Scalar(sInit)
        return s.map { Swift.min(b * $0, cap) }
    }
}

// MARK: - Adding gates to a network

/// Adds a CS gate with logits filled with `sInit` to the chosen Dense / Conv2D layers of `net`.
/// - Returns: the layers gated, with their gates.
/// - Throws: `CoreError.badArgument` for a non-finite s_init, a bad `only` path, or a layer that
///   already has a cs gate.
@discardableResult
public func addCSGates<S: TensorScalar>(to net: any Layer<S>, sInit: Double, only: [String]? = nil,
                                        granularity: GateGranularity = .weight, keepsTies: Bool = true,
                                        scale: CSGateScale = .none) throws -> [(path: String, gate: CSGate<S>)] {
    guard sInit.isFinite else {
        throw CoreError.badArgument(op: "masked", message: "s_init must be a finite number, got \(sInit)")
    }
    let chosen = try chooseGatedLayers(net, only: only, op: "masked")
    var out: [(path: String, gate: CSGate<S>)] = []
    for (path, layer) in chosen {
        let gate = try CSGate<S>(weightShape: layer.weight.value.shape, unitAxis: layer is Dense<S> ? 1 : 0, sInit: sInit,
                                 granularity: granularity, keepsTies: keepsTies, scale: scale)
        try layer.weight.addGate(gate)
        out.append((path, gate))
    }
    return out
}

/// Every CS gate of `net` with its layer's path and weight.
public func csGates<S: TensorScalar>(_ net: any Layer<S>) -> [(path: String, weight: Param<S>, gate: CSGate<S>)] {
    gatedLayers(net).compactMap { path, layer in layer.weight.gate(CSGate<S>.self).map { (path, layer.weight, $0) } }
}

/// The loops of the soft gate, on raw buffers and specialised for Float: the gate runs on every
/// weight at every step, so it must cost a few passes over memory (the thesis' ~10 %).
enum CSKernels {
    /// a ⊙ b · scale, on both cores for a large tensor (every pass over the gated weight that one
    /// core makes alone shows in the step's time, though not in its CPU time).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func product<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>, scale: S) -> Tensor<S> {
        let n = Swift.min(a.count, b.count)
        var out = [S](uninitializedCount: n)
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    let (pa, pb, po) = (pa, pb, po)  // not inout: the chunks share them
                    parallelChunks(n, minimum: UpdateLanes.parallelMinimum) { lo, hi in
                        for i in lo..<hi { po[i] = pa[i] * pb[i] * scale }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: a.shape, scalars: out)
    }

    /// t · k, on both cores for a large tensor.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func scaled<S: TensorScalar>(_ t: Tensor<S>, by k: S) -> Tensor<S> {
        let n = t.count
        var out = [S](uninitializedCount: n)
        t.scalars.withUnsafeBufferPointer { pt in
            out.withUnsafeMutableBufferPointer { po in
                let (pt, po) = (pt, po)
                parallelChunks(n, minimum: UpdateLanes.parallelMinimum) { lo, hi in
                    for i in lo..<hi { po[i] = pt[i] * k }
                }
            }
        }
        return Tensor(uncheckedShape: t.shape, scalars: out)
    }

    /// The weight-granularity soft gate's backward in one pass over the weight, on both cores:
    /// ∂θ = G ⊙ g · scale and ∂s = G ⊙ θ ⊙ slope · slopeScale (G the upstream gradient, g the
    /// gate, slope σ(βs)σ(−βs)). Three separate passes, one core each, were half the gate's cost.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func softGateGradients<S: TensorScalar>(_ grad: Tensor<S>, theta: Tensor<S>, gate: Tensor<S>, slope: Tensor<S>,
                                                   scale: S, slopeScale: S) -> (Tensor<S>, Tensor<S>) {
        let n = Swift.min(grad.count, theta.count, gate.count, slope.count)
        var dTheta = [S](uninitializedCount: n), ds = [S](uninitializedCount: n)
        grad.scalars.withUnsafeBufferPointer { pg in
            theta.scalars.withUnsafeBufferPointer { pt in
                gate.scalars.withUnsafeBufferPointer { pq in
                    slope.scalars.withUnsafeBufferPointer { ps in
                        dTheta.withUnsafeMutableBufferPointer { pd in
                            ds.withUnsafeMutableBufferPointer { pe in
                                let (pg, pt, pq, ps, pd, pe) = (pg, pt, pq, ps, pd, pe)
                                parallelChunks(n, minimum: UpdateLanes.parallelMinimum) { lo, hi in
                                    for i in lo..<hi {
                                        let g = pg[i]
                                        pd[i] = g * pq[i] * scale
                                        pe[i] = g * pt[i] * (ps[i] * slopeScale)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(uncheckedShape: theta.shape, scalars: dTheta), Tensor(uncheckedShape: slope.shape, scalars: ds))
    }

    /// σ(β·x), stable for large |βx|.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func sigmoid<S: TensorScalar>(_ x: Tensor<S>, beta: S) -> Tensor<S> {
        let n = x.count
        let out = [S](unsafeUninitializedCapacity: n) { o, initialized in
            x.scalars.withUnsafeBufferPointer { px in
                for i in 0..<n { o[i] = Tensor<S>.sigmoid(beta * px[i]) }
            }
            initialized = n
        }
        return Tensor(uncheckedShape: x.shape, scalars: out)
    }

    /// g = σ(βx) and σ(βx)·σ(−βx), from one exponential per entry (e = e^−|βx|), never through 1 − g.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func gateAndSlope<S: TensorScalar>(_ x: Tensor<S>, beta: S) -> (Tensor<S>, Tensor<S>) {
        let n = x.count
        // Both written in full below: no zero fill first.
        var g = [S](uninitializedCount: n), slope = [S](uninitializedCount: n)
        x.scalars.withUnsafeBufferPointer { px in
            g.withUnsafeMutableBufferPointer { pg in
                slope.withUnsafeMutableBufferPointer { ps in
                    let (px, pg, ps) = (px, pg, ps)  // not inout: the chunks share them
                    // One exp per weight is the gate's main cost (W1's dense layer has 400k): split
                    // over the cores like the optimizers' lanes, and on Float eight lanes at a time.
                    parallelChunks(n, minimum: UpdateLanes.parallelMinimum) { lo, hi in
                        var lo = lo
                        if S.self == Float.self, let x0 = px.baseAddress, let g0 = pg.baseAddress, let s0 = ps.baseAddress {
                            lo = gateAndSlopeFloat(x: UnsafeRawPointer(x0).assumingMemoryBound(to: Float.self),
                                                   gate: UnsafeMutableRawPointer(g0).assumingMemoryBound(to: Float.self),
                                                   slope: UnsafeMutableRawPointer(s0).assumingMemoryBound(to: Float.self),
                                                   from: lo, to: hi, beta: Float(beta.doubleValue))
                        }
                        for i in lo..<hi {
                            let z = beta * px[i]
                            let e = S.exp(-Swift.abs(z)), d = 1 / (1 + e)
                            let high = d, low = e * d   // σ(|z|), σ(−|z|)
                            pg[i] = z >= 0 ? high : low
                            ps[i] = high * low
                        }
                    }
                }
            }
        }
        return (Tensor(uncheckedShape: x.shape, scalars: g), Tensor(uncheckedShape: x.shape, scalars: slope))
    }

    /// `gateAndSlope`'s loop on Float over `lo ..< hi`, eight lanes at a time (e^−|z| by
    /// `laneExpNonPositive`); returns where the whole blocks of eight end, for the scalar tail.
    static func gateAndSlopeFloat(x: UnsafePointer<Float>, gate: UnsafeMutablePointer<Float>, slope: UnsafeMutablePointer<Float>,
                                  from lo: Int, to hi: Int, beta: Float) -> Int {
        typealias V = SIMD8<Float>
        let b = V(repeating: beta), one = V(repeating: 1)
        var i = lo
        while i &+ 8 <= hi {
            let z = UnsafeRawPointer(x + i).loadUnaligned(as: V.self) * b
            let e = laneExpNonPositive(laneNegativeMagnitude(z)), d = one / (one + e)
            let low = e * d   // σ(|z|) = d, σ(−|z|) = e·d
            UnsafeMutableRawPointer(gate + i).storeBytes(of: low.replacing(with: d, where: z .>= V()), as: V.self)
            UnsafeMutableRawPointer(slope + i).storeBytes(of: d * low, as: V.self)
            i &+= 8
        }
        return i
    }

    /// t ⊙= factor · slope.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func scale<S: TensorScalar>(_ t: inout Tensor<S>, by slope: Tensor<S>, factor: S) {
        let n = Swift.min(t.count, slope.count)
        t.scalars.withUnsafeMutableBufferPointer { pt in
            slope.scalars.withUnsafeBufferPointer { ps in
                for i in 0..<n { pt[i] *= factor * ps[i] }
            }
        }
    }
}
