// The element-wise loop every per-parameter update rule runs in: eight SIMD lanes, both cores, written once.

/// Runs an optimizer's per-element rule over a parameter, its gradient and up to three state
/// slots, eight lanes at a time and on both cores for a large tensor, and measures the update
/// (`UpdateSize`) as it goes.
///
/// An optimizer states its rule once, on `SIMD8` lanes (`w`, `g` and the slots are vectors of eight
/// entries), and this loop handles alignment, the tail (run on a zero-padded vector whose padding
/// is discarded) and the split over cores. The rule must be element-wise: lane i may only use
/// entry i. (The compiler cannot prove the buffers distinct, so the plain scalar loop would not
/// vectorise; this is the one place that knows.)
public enum UpdateLanes {
    public typealias Lane<S: TensorScalar> = SIMD8<S>

    /// Below this many entries one core does the whole update: waking a thread costs more.
    static let parallelMinimum = 1 << 16

    /// `rule(&w, g)` over every entry; returns what the update measured.
    @inline(__always) @discardableResult
    public static func apply<S: TensorScalar>(_ value: inout Tensor<S>, _ grad: Tensor<S>,
                                              _ rule: (inout Lane<S>, Lane<S>) -> Void) -> UpdateSize {
        var n1 = none(S.self), n2 = none(S.self), n3 = none(S.self)
        return apply(&value, grad, &n1, &n2, &n3, slots: 0) { w, g, _, _, _ in rule(&w, g) }
    }

    /// `rule(&w, g, &a)` over every entry, with one state slot the parameter's shape.
    @inline(__always) @discardableResult
    public static func apply<S: TensorScalar>(_ value: inout Tensor<S>, _ grad: Tensor<S>, _ a: inout Tensor<S>,
                                              _ rule: (inout Lane<S>, Lane<S>, inout Lane<S>) -> Void) -> UpdateSize {
        var n2 = none(S.self), n3 = none(S.self)
        return apply(&value, grad, &a, &n2, &n3, slots: 1) { w, g, a, _, _ in rule(&w, g, &a) }
    }

    /// `rule(&w, g, &a, &b)` over every entry, with two state slots (Adam's two moments).
    @inline(__always) @discardableResult
    public static func apply<S: TensorScalar>(_ value: inout Tensor<S>, _ grad: Tensor<S>, _ a: inout Tensor<S>,
                                              _ b: inout Tensor<S>,
                                              _ rule: (inout Lane<S>, Lane<S>, inout Lane<S>, inout Lane<S>) -> Void) -> UpdateSize {
        var n3 = none(S.self)
        return apply(&value, grad, &a, &b, &n3, slots: 2) { w, g, a, b, _ in rule(&w, g, &a, &b) }
    }

    /// `rule(&w, g, &a, &b, &c)` over every entry, with three state slots (AMSGrad's maximum).
    @inline(__always) @discardableResult
    public static func apply<S: TensorScalar>(_ value: inout Tensor<S>, _ grad: Tensor<S>, _ a: inout Tensor<S>,
                                              _ b: inout Tensor<S>, _ c: inout Tensor<S>,
                                              _ rule: (inout Lane<S>, Lane<S>, inout Lane<S>, inout Lane<S>, inout Lane<S>) -> Void) -> UpdateSize {
        apply(&value, grad, &a, &b, &c, slots: 3, rule)
    }

    /// Entries per tile of a large update: the tiles' measurements are added in tile order, so
    /// the norms do not depend on the number of cores. A multiple of `measureBlock`.
    static let tile = 16_384

    /// Entries whose squares are summed in the lanes' own precision before going into Double (one
    /// running Double sum would be a chain of dependent adds).
    static let measureBlock = 1_024

    @inline(__always)
    static func apply<S: TensorScalar>(_ value: inout Tensor<S>, _ grad: Tensor<S>, _ a: inout Tensor<S>,
                                       _ b: inout Tensor<S>, _ c: inout Tensor<S>, slots: Int,
                                       _ rule: (inout Lane<S>, Lane<S>, inout Lane<S>, inout Lane<S>, inout Lane<S>) -> Void) -> UpdateSize {
        let count = value.count
        guard grad.count == count, slots < 1 || a.count == count, slots < 2 || b.count == count,
              slots < 3 || c.count == count else { return UpdateSize() }
        var size = UpdateSize()
        value.scalars.withUnsafeMutableBufferPointer { pw in
            grad.scalars.withUnsafeBufferPointer { pg in
                a.scalars.withUnsafeMutableBufferPointer { pa in
                    b.scalars.withUnsafeMutableBufferPointer { pb in
                        c.scalars.withUnsafeMutableBufferPointer { pc in
                            guard let w = pw.baseAddress, let g0 = pg.baseAddress else { return }
                            let g = UnsafeMutablePointer(mutating: g0)
                            // An empty array's base address need not be nil: use only the slots given.
                            let sa = slots >= 1 ? pa.baseAddress : nil, sb = slots >= 2 ? pb.baseAddress : nil
                            let sc = slots >= 3 ? pc.baseAddress : nil
                            // The rule over lo ..< hi, measuring Σ g² and Σ (w_new − w_old)² as it goes:
                            // the old value is in a register, so no copy of the parameter is needed.
                            @inline(__always) func run(_ lo: Int, _ hi: Int) -> UpdateSize {
                                var measured = UpdateSize()
                                var i = lo
                                var va = Lane<S>(), vb = Lane<S>(), vc = Lane<S>()
                                while i &+ 8 <= hi {
                                    let blockEnd = Swift.min(hi, i &+ measureBlock)
                                    var gradSquares = Lane<S>(), updateSquares = Lane<S>()
                                    while i &+ 8 <= blockEnd {
                                        var vw = load(w + i)
                                        let old = vw, vg = load(g + i)
                                        if let sa { va = load(sa + i) }
                                        if let sb { vb = load(sb + i) }
                                        if let sc { vc = load(sc + i) }
                                        rule(&vw, vg, &va, &vb, &vc)
                                        store(vw, w + i)
                                        if let sa { store(va, sa + i) }
                                        if let sb { store(vb, sb + i) }
                                        if let sc { store(vc, sc + i) }
                                        let d = vw - old
                                        updateSquares += d * d
                                        gradSquares += vg * vg
                                        i &+= 8
                                    }
                                    measured.gradSquares += gradSquares.sum().doubleValue
                                    measured.updateSquares += updateSquares.sum().doubleValue
                                }
                                guard i < hi else { return measured }
                                let n = hi &- i
                                var vw = partial(w + i, n), vg = partial(g + i, n)
                                let old = vw
                                va = sa.map { partial($0 + i, n) } ?? Lane<S>()
                                vb = sb.map { partial($0 + i, n) } ?? Lane<S>()
                                vc = sc.map { partial($0 + i, n) } ?? Lane<S>()
                                rule(&vw, vg, &va, &vb, &vc)
                                // Only the n real entries count: the padding's result is discarded.
                                for k in 0..<n {
                                    let d = (vw[k] - old[k]).doubleValue, gk = vg[k].doubleValue
                                    measured.updateSquares += d * d
                                    measured.gradSquares += gk * gk
                                }
                                vg = Lane<S>()
                                storePartial(vw, w + i, n)
                                if let sa { storePartial(va, sa + i, n) }
                                if let sb { storePartial(vb, sb + i, n) }
                                if let sc { storePartial(vc, sc + i, n) }
                                return measured
                            }
                            let tiles = (count &+ tile &- 1) / tile
                            guard tiles > 1 else {
                                size = run(0, count)
                                return
                            }
                            var sizes = [UpdateSize](repeating: UpdateSize(), count: tiles)
                            sizes.withUnsafeMutableBufferPointer { ps in
                                parallelTiles(count, tile: tile, minimumTiles: parallelMinimum / tile) { t, lo, hi in
                                    ps[t] = run(lo, hi)
                                }
                            }
                            for part in sizes { size.add(part) }
                        }
                    }
                }
            }
        }
        return size
    }

    /// An empty stand-in for an unused slot (its base address is never read: see `slots`).
    @inline(__always)
    static func none<S: TensorScalar>(_: S.Type) -> Tensor<S> { Tensor(uncheckedShape: [0], scalars: []) }

    @inline(__always)
    static func load<S: TensorScalar>(_ p: UnsafeMutablePointer<S>) -> Lane<S> {
        UnsafeRawPointer(p).loadUnaligned(as: Lane<S>.self)
    }

    @inline(__always)
    static func store<S: TensorScalar>(_ v: Lane<S>, _ p: UnsafeMutablePointer<S>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lane<S>.self)
    }

    @inline(__always)
    static func partial<S: TensorScalar>(_ p: UnsafeMutablePointer<S>, _ n: Int) -> Lane<S> {
        var v = Lane<S>()
        for k in 0..<n { v[k] = p[k] }
        return v
    }

    @inline(__always)
    static func storePartial<S: TensorScalar>(_ v: Lane<S>, _ p: UnsafeMutablePointer<S>, _ n: Int) {
        for k in 0..<n { p[k] = v[k] }
    }
}

/// What one update did to a parameter, measured in the lanes as it ran: Σ g² and Σ (w_new − w_old)²
/// (the step's gradient and update norms add these over the parameters).
public struct UpdateSize: Sendable, Equatable {
    public var gradSquares = 0.0
    public var updateSquares = 0.0

    public init(gradSquares: Double = 0, updateSquares: Double = 0) {
        self.gradSquares = gradSquares
        self.updateSquares = updateSquares
    }

    public mutating func add(_ other: UpdateSize) {
        gradSquares += other.gradSquares
        updateSquares += other.updateSquares
    }
}
