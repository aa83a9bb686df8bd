// Dropout: zeroes each input with probability p in training (scaling the rest by 1/(1−p)).

/// Inverted dropout: in training each element is kept with probability 1 − p and scaled by
/// 1/(1 − p); in evaluation the layer is the identity. Any shape.
///
/// Randomness is counter-based: each forward pass takes one key from the layer's own
/// `RandomStream`, and element i's draw is a hash of (key, i), so the mask does not depend on how
/// the work is split across threads, and the same seed gives the same masks.
public final class Dropout<Scalar: TensorScalar>: Layer {
    /// The drop probability, in [0, 1).
    public let p: Double
    public var isTraining = true
    /// The layer's own stream (derived from the generator it was built with).
    public var rng: RandomStream

    /// - Throws: `CoreError.badArgument` unless 0 ≤ p < 1.
    public init(_ p: Double, using rng: inout RandomStream) throws {
        guard p >= 0, p < 1 else {
            throw CoreError.badArgument(op: "dropout", message: "p must be in [0, 1), got \(p)")
        }
        self.p = p
        self.rng = rng.derived(stream: rng.nextUInt64())
    }

    public var kind: String { "Dropout" }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        guard isTraining, p > 0 else { return input }
        let key = rng.nextUInt64()
        let x = input.value, i = input.id
        let scale = Scalar(1 / (1 - p))
        // Keep when the top 24 bits of the hash are ≥ p · 2^24.
        let threshold = UInt32(min(p * 16_777_216, 16_777_215))
        var mask = [Scalar](uninitializedCount: x.count)  // both written in full below
        var y = [Scalar](uninitializedCount: x.count)
        x.scalars.withUnsafeBufferPointer { px in
            mask.withUnsafeMutableBufferPointer { pm in
                y.withUnsafeMutableBufferPointer { py in
                    let (px, pm, py) = (px, pm, py)  // not inout: shared by the workers
                    // Element j's draw depends on (key, j) only, so any split gives the same mask.
                    parallelChunks(px.count, minimum: 1 << 16) { lo, hi in
                        for j in lo..<hi {
                            let keep = Dropout.draw(key, j) >= threshold
                            let m: Scalar = keep ? scale : 0
                            pm[j] = m
                            py[j] = px[j] * m
                        }
                    }
                }
            }
        }
        return input.tape.record(Tensor(uncheckedShape: x.shape, scalars: y), inputs: [input]) {
            { g in [(i, Tensor(uncheckedShape: x.shape, scalars: Dropout.multiplied(g.scalars, by: mask)))] }
        }
    }

    /// a ⊙ b, on both cores for a large tensor (the backward pass: the gradient times the mask).
    @_specialize(where Scalar == Float)
    static func multiplied(_ a: [Scalar], by b: [Scalar]) -> [Scalar] {
        let count = Swift.min(a.count, b.count)
        var out = [Scalar](uninitializedCount: count)  // every entry written below
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    let (pa, pb, po) = (pa, pb, po)  // not inout: shared by the workers
                    parallelChunks(count, minimum: 1 << 16) { lo, hi in
                        for j in lo..<hi { po[j] = pa[j] * pb[j] }
                    }
                }
            }
        }
        return out
    }

    /// 24 uniform bits for element `j` under `key`: two rounds of MurmurHash3's 32-bit finaliser,
    /// keyed by the low and the high half of `key`. 32-bit multiplies vectorise eight lanes wide
    /// (AVX2 has no 64-bit multiply); indices repeat only past 2³² elements.
    @inline(__always)
    static func draw(_ key: UInt64, _ j: Int) -> UInt32 {
        let low = UInt32(truncatingIfNeeded: key), high = UInt32(truncatingIfNeeded: key >> 32)
        let h = mix(mix(UInt32(truncatingIfNeeded: j) &+ low) ^ high)
        return h >> 8
    }

    @inline(__always)
    static func mix(_ x: UInt32) -> UInt32 {
        var h = x ^ (x >> 16)
        h = h &* 0x85EB_CA6B
        h ^= h >> 13
        h = h &* 0xC2B2_AE35
        return h ^ (h >> 16)
    }

    public func copy() -> any Layer<Scalar> {
        var stream = rng
        let c = try? Dropout(p, using: &stream)
        // p was validated at construction, so the copy always succeeds; keep the same stream.
        c?.rng = rng
        c?.isTraining = isTraining
        return c ?? self
    }

    public var description: String { "Dropout(\(p))" }
}

extension Dropout: Explainable {
    public var explanation: Explanation {
        Explanation(description, summary: "randomly zeroes inputs in training (Srivastava et al., 2014).",
                    formula: ["training: y = x · keep / (1 − p), keep ~ Bernoulli(1 − p);  eval: y = x"],
                    numbers: [ExplainedValue("p", p), explainedMode])
    }
}
