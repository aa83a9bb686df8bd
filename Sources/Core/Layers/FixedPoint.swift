// SMOL's number format: signed fixed-point bits on [−2, 2], the nearest-level quantizer q(w, p), and the map s ↔ bits.
import Foundation

/// How a continuous precision p̃ = 1 + log2(1 + e^(−s)) becomes an integer number of bits at the
/// freeze: floor (the thesis' experiments, the most aggressive), round (its Algorithm 5) or ceil
/// (the only one whose rounding error never exceeds the learned limit σ(s)).
public enum PrecisionRounding: String, Sendable, CaseIterable {
    case floor
    case round
    case ceil
}

/// The fixed-point format of SMOL (Savarese et al., "Not All Bits have Equal Value", NeurIPS 2022;
/// the thesis' chapter 5): bit j of a p-bit weight is ±2^(1−j), so the p-bit values are the 2^p
/// odd multiples of 2^(1−p) in [−2 + 2^(1−p), 2 − 2^(1−p)], spaced Δ_p = 2^(2−p) apart; 0 is not
/// one of them. Zero bits means the weight is 0 (pruned).
public enum FixedPoint {
    /// The most bits a weight is given: a float32 weight has no more to give.
    public static let maxBits = 32

    /// The bits whose levels `bitMapValue` may hold: whole numbers from 0 to `maxBits`.
    public static func isValidBits(_ p: Double) -> Bool { p == p.rounded() && p >= 0 && p <= Double(maxBits) }

    /// Δ_p = 2^(2−p), the spacing of the p-bit levels.
    @inline(__always)
    public static func spacing(bits p: Int) -> Double { Foundation.pow(2, Double(2 - p)) }

    /// 2 − 2^(1−p): the largest p-bit magnitude, where a latent weight is clamped in fine-tuning.
    public static func limit(bits p: Int) -> Double { p <= 0 ? 0 : 2 - Foundation.pow(2, Double(1 - p)) }

    /// q(w, p): the nearest p-bit level, Δ_p·(⌊w/Δ_p⌋ + ½) clamped to ±(2 − Δ_p/2); a weight on a
    /// multiple of Δ_p (0 included) goes to the level above; q(w, 0) = 0.
    @inline(__always)
    public static func quantize<S: TensorScalar>(_ w: S, bits p: Int) -> S {
        guard p > 0 else { return 0 }
        let delta = S(spacing(bits: p))
        return quantize(w, spacing: delta)
    }

    /// q(w, p) from Δ_p (the inner loop's form: Δ_p is a power of two, so w/Δ_p is exact).
    @inline(__always)
    static func quantize<S: TensorScalar>(_ w: S, spacing delta: S) -> S {
        let top = 2 - delta / 2
        let level = delta * ((w / delta).rounded(.down) + 0.5)
        return Swift.min(Swift.max(level, -top), top)
    }

    /// q(w, p) of every entry of a tensor.
    /// - Throws: `CoreError.badArgument` for bits outside 0…32.
    public static func quantize<S: TensorScalar>(_ t: Tensor<S>, bits p: Int) throws -> Tensor<S> {
        guard (0...maxBits).contains(p) else {
            throw CoreError.badArgument(op: "quantize", message: "bits must be from 0 to \(maxBits), got \(p)")
        }
        return QuantizerKernels.quantize(t, bits: [Int](repeating: p, count: t.count))
    }

    /// log2(1 + e^(−s)) = softplus(−s)/ln 2, stable for every s: p̃ − 1.
    @inline(__always)
    public static func extraBits(_ s: Double) -> Double {
        (Swift.max(-s, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(s)))) / M_LN2
    }

    /// p̃(s) = 1 + log2(1 + e^(−s)), the continuous precision (> 1; more bits for smaller s).
    public static func continuousBits(_ s: Double) -> Double { 1 + extraBits(s) }

    /// s_init = −ln(2^(p−1) − 1), so that σ(s_init) = 2^(1−p) (−ln 127 ≈ −4.8442 for 8 bits).
    /// - Throws: `CoreError.badArgument` unless 1 < p ≤ 32 (p = 1 would need s = +∞).
    public static func logit(bits p: Double, op: String = "quantized") throws -> Double {
        guard p.isFinite, p > 1, p <= Double(maxBits) else {
            throw CoreError.badArgument(op: op, message: "p_init must be a number of bits above 1 and at most \(maxBits) (1 bit would need s = +∞), got \(Explanation.format(p))")
        }
        return -Foundation.log(Foundation.pow(2, p - 1) - 1)
    }

    /// The integer bits of a logit: 1 + op(log2(1 + e^(−s))), capped at 32.
    ///
    /// Computed in Double with a tolerance of 1e-5 bit, so an s stored in float32 from s_init(8)
    /// gives 8, not 7 (log2(1 + 127) comes out as 6.9999… or 7.0000005 through round-off).
    /// - Returns: nil for a non-finite s.
    public static func bits(_ s: Double, rounding: PrecisionRounding = .floor) -> Int? {
        guard s.isFinite else { return nil }
        let x = extraBits(s), tolerance = 1e-5
        let whole: Double
        switch rounding {
        case .floor: whole = (x + tolerance).rounded(.down)
        case .round: whole = x.rounded(.toNearestOrAwayFromZero)
        case .ceil: whole = (x - tolerance).rounded(.up)
        }
        return 1 + Int(Swift.min(Swift.max(whole, 0), Double(maxBits - 1)))
    }

    /// Zero-precision allocation: a weight goes to 0 bits when 0 is closer to it than its p-bit
    /// level (|w| < |w − q(w, p)|, or ≤ when `strict` is false). It never increases the error.
    @inline(__always)
    public static func prefersZero<S: TensorScalar>(_ w: S, bits p: Int, strict: Bool = true) -> Bool {
        guard p > 0 else { return true }
        let error = Swift.abs(w - quantize(w, bits: p))
        return strict ? Swift.abs(w) < error : Swift.abs(w) <= error
    }
}
