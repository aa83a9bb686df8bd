// The loops of the SMOL quantizer on raw buffers: the soft sweep (eight Float lanes at a time), Q(w, p), the clamps.
import Foundation

/// The loops of the quantizer, on raw buffers: the soft gate runs on every weight at every step.
enum QuantizerKernels {
    /// What one soft forward pass computes.
    struct SoftPass<S> {
        /// w + σ(s)⊙ε.
        var output: [S]
        /// ε·σ(s)(1 − σ(s)) per weight at weight granularity; ε otherwise.
        var backwardFactor: [S]
        /// Σ log2(1 + e^(−s)) over the logits, and σ(−s)/ln 2 per logit.
        var penaltySum: Double
        var penaltySlope: [S]
    }

    /// The soft pass in one sweep: ε_i = (h(key, i) + ½)·2^−23 − 1 ~ U(−1, 1) from a counter-based
    /// hash (as Dropout's), and per logit one e = e^(−|s|) giving σ(s), σ(s)(1 − σ(s)) = e/(1 + e)²
    /// and σ(−s), plus one log1p for the penalty.
    @_specialize(where S == Float)
    static func softForward<S: TensorScalar>(_ w: Tensor<S>, logits s: Tensor<S>, key: UInt64,
                                             group: (Int) -> Int) -> SoftPass<S> {
        let n = w.count, m = s.count
        let scale = S(1.0 / 8_388_608.0), invLn2 = S(1.4426950408889634)
        var sigma = [S](repeating: 0, count: m == n ? 0 : m)
        // Written in full by either branch below (no zero fill first: three passes over memory saved).
        var penaltySlope = [S](uninitializedCount: m)
        var total = 0.0
        var output = [S](uninitializedCount: n), factor = [S](uninitializedCount: n)
        s.scalars.withUnsafeBufferPointer { ps in
            penaltySlope.withUnsafeMutableBufferPointer { pn in
                w.scalars.withUnsafeBufferPointer { pw in
                    output.withUnsafeMutableBufferPointer { po in
                        factor.withUnsafeMutableBufferPointer { pf in
                            var acc = S(0)
                            if m == n, S.self == Float.self, n > 0, let w0 = pw.baseAddress, let s0 = ps.baseAddress,
                               let o0 = po.baseAddress, let f0 = pf.baseAddress, let n0 = pn.baseAddress {
                                // Float: eight lanes at a time (the hash, e^x and the rest in SIMD).
                                total = weightSweepFloatTiled(w: UnsafeRawPointer(w0).assumingMemoryBound(to: Float.self),
                                                              s: UnsafeRawPointer(s0).assumingMemoryBound(to: Float.self),
                                                              out: UnsafeMutableRawPointer(o0).assumingMemoryBound(to: Float.self),
                                                              factor: UnsafeMutableRawPointer(f0).assumingMemoryBound(to: Float.self),
                                                              penaltySlope: UnsafeMutableRawPointer(n0).assumingMemoryBound(to: Float.self),
                                                              count: n, key: key)
                            } else if m == n {
                                // One logit per weight: everything in one sweep, one exp each.
                                // softplus(−s) = max(−s, 0) + log(1 + e) = max(−s, 0) − log d: the
                                // logs are summed as the log of a block's product of d ∈ [½, 1],
                                // in Double (64 factors stay above 2^−64), one log per 64 weights.
                                var product = 1.0
                                for i in 0..<n {
                                    let eps = (S(Dropout<S>.draw(key, i)) + 0.5) * scale - 1
                                    let x = ps[i], e = S.exp(-Swift.abs(x)), d = 1 / (1 + e), ed = e * d
                                    let positive = x >= 0
                                    po[i] = pw[i] + (positive ? d : ed) * eps
                                    pf[i] = eps * ed * d
                                    pn[i] = (positive ? ed : d) * invLn2
                                    acc += Swift.max(-x, 0)
                                    product *= d.doubleValue
                                    if i & 63 == 63 { total -= Foundation.log(product); product = 1 }
                                    if i & 1023 == 1023 { total += acc.doubleValue; acc = 0 }
                                }
                                total -= Foundation.log(product)
                            } else {
                                for j in 0..<m {
                                    let x = ps[j], e = S.exp(-Swift.abs(x)), d = 1 / (1 + e)
                                    acc += Swift.max(-x, 0) + S.log1p(e)
                                    pn[j] = (x >= 0 ? e * d : d) * invLn2
                                    sigma[j] = x >= 0 ? d : e * d
                                }
                                for i in 0..<n {
                                    let eps = (S(Dropout<S>.draw(key, i)) + 0.5) * scale - 1
                                    po[i] = pw[i] + sigma[group(i)] * eps
                                    pf[i] = eps
                                }
                            }
                            total += acc.doubleValue
                        }
                    }
                }
            }
        }
        return SoftPass(output: output, backwardFactor: factor, penaltySum: total / 0.6931471805599453, penaltySlope: penaltySlope)
    }

    /// Weights per tile of the parallel soft sweep: tiles, not one chunk per core, so the penalty's
    /// sum is added in the same order whatever the number of cores.
    static let sweepTile = 16_384

    /// `weightSweepFloat` over tiles of `sweepTile` weights on both cores, the tiles' penalty sums
    /// then added in tile order. ε of weight i is the same whichever tile holds it.
    static func weightSweepFloatTiled(w: UnsafePointer<Float>, s: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                      factor: UnsafeMutablePointer<Float>, penaltySlope: UnsafeMutablePointer<Float>,
                                      count n: Int, key: UInt64) -> Double {
        let tiles = (n + sweepTile - 1) / sweepTile
        var sums = [Double](repeating: 0, count: tiles)
        sums.withUnsafeMutableBufferPointer { sums in
            parallelTiles(n, tile: sweepTile) { t, start, end in
                sums[t] = weightSweepFloat(w: w + start, s: s + start, out: out + start, factor: factor + start,
                                           penaltySlope: penaltySlope + start, count: end - start, first: start, key: key)
            }
        }
        return sums.reduce(0, +)
    }

    /// The weight-granularity soft sweep on Float over weights `first ..< first + n` (pointers at
    /// weight `first`), eight lanes at a time: the same ε as `Dropout.draw` gives, e^(−|s|) by
    /// `laneExpNonPositive`, and the penalty's Σ log(1 + e) as the log of products of
    /// d = 1/(1 + e): 16 factors ≥ ½ per lane, then the lanes' product in Double, one log per 128
    /// weights.
    /// - Returns: Σ softplus(−s) in nats.
    static func weightSweepFloat(w: UnsafePointer<Float>, s: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                 factor: UnsafeMutablePointer<Float>, penaltySlope: UnsafeMutablePointer<Float>,
                                 count n: Int, first: Int, key: UInt64) -> Double {
        typealias V = SIMD8<Float>
        typealias U = SIMD8<UInt32>
        let low = UInt32(truncatingIfNeeded: key), high = UInt32(truncatingIfNeeded: key >> 32)
        let lanes = U(0, 1, 2, 3, 4, 5, 6, 7)
        @inline(__always) func mix(_ x: U) -> U {
            var h = x ^ (x &>> 16)
            h = h &* 0x85EB_CA6B
            h ^= h &>> 13
            h = h &* 0xC2B2_AE35
            return h ^ (h &>> 16)
        }
        // Float ↔ integer conversions through the 2^23 magic number: Swift's generic SIMD
        // conversions run lane by lane.
        let magic = V(repeating: 8_388_608)
        @inline(__always) func float(_ x: U) -> V {   // exact for x < 2^24
            let lowPart = unsafeBitCast((x & 0x7F_FFFF) | 0x4B00_0000, to: V.self) - magic
            let topBit = unsafeBitCast((x &>> 23) | 0x4B00_0000, to: V.self) - magic
            return lowPart + topBit * magic
        }
        let scale: Float = 1.0 / 8_388_608.0, invLn2: Float = 1.4426950408889634
        var total = 0.0
        var negative = V(), product = V(repeating: 1)
        var i = 0, block = 0
        while i &+ 8 <= n {
            let index = U(repeating: UInt32(truncatingIfNeeded: first &+ i)) &+ lanes
            let h = mix(mix(index &+ low) ^ high) &>> 8
            let eps = (float(h) + 0.5) * scale - 1
            let x = UnsafeRawPointer(s + i).loadUnaligned(as: V.self)
            let e = laneExpNonPositive(laneNegativeMagnitude(x))
            let d = 1 / (1 + e), ed = e * d
            let positive = x .>= 0
            let sigma = ed.replacing(with: d, where: positive)
            let wv = UnsafeRawPointer(w + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: wv + sigma * eps, as: V.self)
            UnsafeMutableRawPointer(factor + i).storeBytes(of: eps * ed * d, as: V.self)
            UnsafeMutableRawPointer(penaltySlope + i).storeBytes(of: d.replacing(with: ed, where: positive) * invLn2, as: V.self)
            negative += (-x).replacing(with: 0, where: positive)
            product *= d
            block &+= 1
            if block == 16 {
                var lanesProduct = 1.0
                for l in 0..<8 { lanesProduct *= Double(product[l]) }
                total -= Foundation.log(lanesProduct)
                product = V(repeating: 1)
                block = 0
                total += Double(negative.sum())
                negative = V()
            }
            i &+= 8
        }
        var lanesProduct = 1.0
        for l in 0..<8 { lanesProduct *= Double(product[l]) }
        total -= Foundation.log(lanesProduct)
        total += Double(negative.sum())
        // The tail, one at a time with the same formulas.
        while i < n {
            let eps = (Float(Dropout<Float>.draw(key, first &+ i)) + 0.5) * scale - 1
            let x = s[i], e = Foundation.exp(-Swift.abs(x)), d = 1 / (1 + e), ed = e * d
            out[i] = w[i] + (x >= 0 ? d : ed) * eps
            factor[i] = eps * ed * d
            penaltySlope[i] = (x >= 0 ? ed : d) * invLn2
            total += Double(Swift.max(-x, 0)) + Double(Foundation.log1p(e))
            i &+= 1
        }
        return total
    }

    /// a ⊙ b.
    @_specialize(where S == Float)
    static func product<S: TensorScalar>(_ a: [S], _ b: [S]) -> [S] {
        let n = Swift.min(a.count, b.count)
        return [S](unsafeUninitializedCapacity: n) { o, initialized in
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in for i in 0..<n { o[i] = pa[i] * pb[i] } } }
            initialized = n
        }
    }

    /// σ'(s_g)·Σ_{i∈g} g_i ε_i per channel (or for the one layer logit), summed in Double.
    @_specialize(where S == Float)
    static func groupGradient<S: TensorScalar>(_ grad: [S], epsilon: [S], logits: Tensor<S>, units: Int, inner: Int,
                                               perChannel: Bool) -> Tensor<S> {
        var sums = [Double](repeating: 0, count: logits.count)
        let n = Swift.min(grad.count, epsilon.count)
        for i in 0..<n {
            let g = perChannel ? (i / inner) % units : 0
            if g < sums.count { sums[g] += (grad[i] * epsilon[i]).doubleValue }
        }
        let out = zip(sums, logits.scalars).map { sum, s -> S in
            let sig = Tensor<Double>.sigmoid(s.doubleValue)
            return S(sum * sig * (1 - sig))
        }
        return Tensor(uncheckedShape: logits.shape, scalars: out)
    }

    /// Σ log2(1 + e^(−s)) (stable softplus over ln 2, in Double) and σ(−s)/ln 2 per logit (the
    /// slope the penalty's gradient needs, with its sign flipped).
    @_specialize(where S == Float)
    static func softplusBits<S: TensorScalar>(_ s: Tensor<S>) -> (Double, [S]) {
        var total = 0.0
        let n = s.count
        let invLn2 = S(1.4426950408889634)
        let slope = [S](unsafeUninitializedCapacity: n) { out, initialized in
            s.scalars.withUnsafeBufferPointer { ps in
                var acc = S(0)
                for i in 0..<n {
                    let x = ps[i]
                    let e = S.exp(-Swift.abs(x)), d = 1 / (1 + e)
                    acc += Swift.max(-x, 0) + S.log1p(e)
                    out[i] = (x >= 0 ? e * d : d) * invLn2   // σ(−s)
                    if i & 1023 == 1023 { total += acc.doubleValue; acc = 0 }
                }
                total += acc.doubleValue
            }
            initialized = n
        }
        return (total / 0.6931471805599453, slope)
    }

    /// Q(w, p) per entry (p = 0 gives 0), with Δ_p from a table.
    @_specialize(where S == Float)
    static func quantize<S: TensorScalar>(_ w: Tensor<S>, bits: [Int]) -> Tensor<S> {
        let spacing = (0...FixedPoint.maxBits).map { S(FixedPoint.spacing(bits: $0)) }
        let n = Swift.min(w.count, bits.count)
        let out = [S](unsafeUninitializedCapacity: n) { o, initialized in
            w.scalars.withUnsafeBufferPointer { pw in
                for i in 0..<n {
                    let p = bits[i]
                    o[i] = p <= 0 ? 0 : FixedPoint.quantize(pw[i], spacing: spacing[Swift.min(p, FixedPoint.maxBits)])
                }
            }
            initialized = n
        }
        return Tensor(uncheckedShape: w.shape, scalars: out)
    }

    /// w ← clamp(w, ±(2 − σ(s_group))); returns the entries that moved. σ(s) < 1, so only a weight
    /// beyond ±1 can be out of bounds: σ is computed for those only. Both cores scan tiles of
    /// `sweepTile` weights (it runs after every soft step, on every weight).
    @_specialize(where S == Float)
    static func clampSoft<S: TensorScalar>(_ w: inout Tensor<S>, logits s: Tensor<S>, group: (Int) -> Int) -> Int {
        let n = w.count, tiles = (n + sweepTile - 1) / sweepTile
        var moved = [Int](repeating: 0, count: tiles)
        s.scalars.withUnsafeBufferPointer { ps in
            w.scalars.withUnsafeMutableBufferPointer { pw in
                moved.withUnsafeMutableBufferPointer { moved in
                    parallelTiles(n, tile: sweepTile) { t, start, end in
                        var count = 0
                        for i in start..<end {
                            let v = pw[i]
                            guard v > 1 || v < -1 else { continue }
                            let b = 2 - Tensor<S>.sigmoid(ps[group(i)])
                            if v > b { pw[i] = b; count += 1 } else if v < -b { pw[i] = -b; count += 1 }
                        }
                        moved[t] = count
                    }
                }
            }
        }
        return moved.reduce(0, +)
    }

    /// w ← clamp(w, −bound, bound); returns the entries that moved.
    @_specialize(where S == Float)
    static func clamp<S: TensorScalar>(_ w: inout Tensor<S>, bounds: [S]) -> Int {
        var moved = 0
        let n = Swift.min(w.count, bounds.count)
        w.scalars.withUnsafeMutableBufferPointer { pw in
            bounds.withUnsafeBufferPointer { pb in
                for i in 0..<n {
                    let b = pb[i], v = pw[i]
                    if v > b { pw[i] = b; moved += 1 } else if v < -b { pw[i] = -b; moved += 1 }
                }
            }
        }
        return moved
    }
}
