// Switch: the ShrinkNets layer out[b, c, …] = g(θ_c) · in[b, c, …], one learnable gate per unit or channel.

/// How a switch turns θ into the factor on its channel.
public enum SwitchGate: String, Sendable, CaseIterable {
    /// g(θ) = θ: negative θ is legitimate (the sign is absorbed downstream); dead at θ = 0.
    case linear
    /// g(θ) = max(0, θ): dead at θ ≤ 0 (about half the units at a N(0, 1) start).
    case relu
}

/// How a switch's θ starts.
public enum SwitchInit: String, Sendable, CaseIterable {
    /// θ ~ N(0, 1), the draft's choice.
    case normal
    /// θ = 1: the net starts as the plain net.
    case ones
}

/// A ShrinkNets switch layer (seed 004, spec §4.2): out[b, c, …] = g(θ_c) · in[b, c, …] over the
/// channel axis 1 of an input [N, C] (after Dense) or [N, C, H, W] (after Conv2D, after BatchNorm
/// when there is one).
///
/// θ is the parameter `switch` (role `switch`, shape [C]); a unit is dead when its factor g(θ_c)
/// is exactly 0. Killed units (see `ShrinkNets`) are held at 0 by a hard mask on θ (`<layer>.mask`),
/// so every optimizer keeps them and their moments at exactly zero until `collect` removes them.
/// The layer also carries its units' bookkeeping, so removing a unit removes its statistics with
/// it: the original index of each unit, and the sign statistics the kill rules read.
public final class Switch<Scalar: TensorScalar>: Layer, ReLUFusable {
    public let theta: Param<Scalar>          // [C]
    public let gate: SwitchGate
    /// The units this switch started with.
    public let initialUnits: Int
    public var isTraining = true
    /// The index each current unit had when the layer was made (a collection renumbers units).
    public internal(set) var originalIndex: [Int]
    /// The sign EMA m_c ← μ·m_c + (1 − μ)·sgn(θ_c), started at sgn(θ_c⁰) (the sign-variance rule).
    public internal(set) var signMean: [Double]
    /// sgn(θ_c) after the last step the kill rules saw (the sign-change rule).
    public internal(set) var lastSign: [Double]

    /// A switch on `units` channels, θ drawn from `rng` (normal) or all ones.
    /// - Throws: `CoreError.badArgument` for fewer than one unit.
    public init(_ units: Int, initial: SwitchInit = SwitchDefaults.initial, gate: SwitchGate = SwitchDefaults.gate,
                using rng: inout RandomStream) throws {
        try Initialization.positive(units, "units", op: "switch")
        _ = try Tensor<Scalar>.elementCount(of: [units], op: "switch")
        let value: Tensor<Scalar> = initial == .normal ? try .normal([units], using: &rng)
                                                       : Tensor(uncheckedShape: [units], repeating: 1)
        theta = Param(value, role: .switchGate, name: "switch")
        self.gate = gate
        initialUnits = units
        originalIndex = Array(0..<units)
        signMean = value.scalars.map { Switch.sign($0) }
        lastSign = signMean
        try theta.addGate(HardMask<Scalar>(shape: [units]))
    }

    private init(copying o: Switch) {
        theta = o.theta.copy()
        gate = o.gate
        initialUnits = o.initialUnits
        isTraining = o.isTraining
        originalIndex = o.originalIndex
        signMean = o.signMean
        lastSign = o.lastSign
    }

    public var kind: String { "Switch" }

    /// The current number of units (alive or killed, not yet collected).
    public var units: Int { theta.count }

    /// The kill mask on θ: 1 alive, 0 killed.
    public var killMask: HardMask<Scalar>? { theta.gate(HardMask<Scalar>.self) }

    /// g(θ_c) for every unit, with killed units at 0: the factors the layer applies.
    public var factors: [Scalar] { computeFactors() }

    // A method, so it can be specialised: the kill rules read the factors after every step.
    @_specialize(where Scalar == Float)
    func computeFactors() -> [Scalar] {
        let keep = killMask?.mask.value.scalars
        let relu = gate == .relu
        return theta.value.scalars.enumerated().map { c, t in
            (keep?[c] ?? 1) == 0 ? 0 : (relu ? Swift.max(t, 0) : t)
        }
    }

    /// Whether unit c is dead: killed, or its factor is exactly 0.
    public func isDead(_ c: Int) -> Bool { factors[c] == 0 }

    /// Units whose factor is not 0.
    public var alive: Int { factors.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

    /// sgn x with sgn 0 = 0.
    static func sign(_ x: Scalar) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try forward(input, fusedReLU: false)
    }

    /// y = g(θ_c)·x (then max(·, 0) when fused with a following ReLU). Backward: ∂x = g(θ_c)·∂y,
    /// ∂θ_c = g′(θ_c)·Σ over the batch and spatial positions of x·∂y.
    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>, fusedReLU: Bool) throws -> Variable<Scalar> {
        let s = input.shape
        guard s.count >= 2, s[1] == units else {
            throw layerShapeError(kind, expected: "[*, \(units)] or [*, \(units), H, W]", got: s)
        }
        let thetaVar = try input.tape.gatedVariable(for: theta)
        let t = thetaVar.value.scalars
        let relu = gate == .relu
        let g = t.map { relu ? Swift.max($0, 0) : $0 }
        let n = s[0], c = units, spatial = s.dropFirst(2).reduce(1, *)
        let x = input.value
        var y = [Scalar](repeating: 0, count: x.count)
        x.scalars.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                for b in 0..<n {
                    for ch in 0..<c {
                        let f = g[ch], base = (b * c + ch) * spatial
                        if fusedReLU {
                            for k in base..<(base + spatial) { py[k] = Swift.max(f * px[k], 0) }
                        } else {
                            for k in base..<(base + spatial) { py[k] = f * px[k] }
                        }
                    }
                }
            }
        }
        let out = Tensor(uncheckedShape: s, scalars: y)
        let (ix, it) = (input.id, thetaVar.id)
        return input.tape.record(out, inputs: [input, thetaVar]) {
            { grad in
                var gx = [Scalar](repeating: 0, count: x.count)
                var gt = [Scalar](repeating: 0, count: c)
                x.scalars.withUnsafeBufferPointer { px in
                    grad.scalars.withUnsafeBufferPointer { pg in
                        out.scalars.withUnsafeBufferPointer { po in
                            gx.withUnsafeMutableBufferPointer { pgx in
                                for ch in 0..<c {
                                    let f = g[ch]
                                    var sum = 0.0
                                    for b in 0..<n {
                                        let base = (b * c + ch) * spatial
                                        for k in base..<(base + spatial) {
                                            // The fused ReLU passes the gradient where the output is positive.
                                            let gk = fusedReLU && po[k] <= 0 ? 0 : pg[k]
                                            pgx[k] = f * gk
                                            sum += Double(px[k] * gk)
                                        }
                                    }
                                    gt[ch] = relu && t[ch] <= 0 ? 0 : Scalar(sum)
                                }
                            }
                        }
                    }
                }
                return [(ix, Tensor(uncheckedShape: s, scalars: gx)), (it, Tensor(uncheckedShape: [c], scalars: gt))]
            }
        }
    }

    public var localParams: [(name: String, param: Param<Scalar>)] { [("switch", theta)] }

    public func copy() -> any Layer<Scalar> { Switch(copying: self) }

    public var description: String {
        "Switch(\(units)\(gate == .relu ? ", relu" : ""), \(alive) alive of \(initialUnits))"
    }

    // MARK: - Removing units

    /// Keeps only the units at `kept` (current indices, increasing): θ, the kill mask and the
    /// bookkeeping. The optimizer state is sliced by the caller (`collect`).
    func keepUnits(_ kept: [Int]) {
        theta.value = Tensor(uncheckedShape: [kept.count], scalars: kept.map { theta.value.scalars[$0] })
        if let m = killMask { m.mask.value = Tensor(uncheckedShape: [kept.count], scalars: kept.map { m.mask.value.scalars[$0] }) }
        theta.grad = nil
        originalIndex = kept.map { originalIndex[$0] }
        signMean = kept.map { signMean[$0] }
        lastSign = kept.map { lastSign[$0] }
    }

    /// Kills unit c: θ_c = 0 and masked, so no optimizer moves it again.
    func kill(_ c: Int) {
        killMask?.mask.value.scalars[c] = 0
        theta.value.scalars[c] = 0
    }
}

/// The switch's defaults, written once: the initialiser and the `switch` built-in read them.
public enum SwitchDefaults {
    public static let initial = SwitchInit.normal
    public static let gate = SwitchGate.linear
}

extension Switch: Explainable {
    public var explanation: Explanation {
        let f = factors
        let live = f.filter { $0 != 0 }.map { Swift.abs(Double($0)) }
        return Explanation(description, summary: "a ShrinkNets switch: one learnable factor per unit; a unit whose factor is 0 is dead and can be removed.",
                           formula: [gate == .relu ? "y[b, c, …] = max(0, θ_c) · x[b, c, …]" : "y[b, c, …] = θ_c · x[b, c, …]",
                                     "∂L/∂θ_c = Σ_{b, …} x·∂L/∂y  (+ λ·sgn θ_c from the shrink controller's L1 pull)"],
                           numbers: [ExplainedValue("units", units), ExplainedValue("initial units", initialUnits),
                                     ExplainedValue("alive", alive),
                                     ExplainedValue("mean |g(θ)| of the alive", live.isEmpty ? 0 : live.reduce(0, +) / Double(live.count)),
                                     ExplainedValue("‖θ‖₁", theta.value.scalars.reduce(0.0) { $0 + Swift.abs(Double($1)) })])
    }
}
