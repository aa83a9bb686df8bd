// Box–Muller's two normals from two random words, in a few dozen multiply-adds instead of libm.

/// The Box–Muller transform of two 32-bit words: r = √(−2 ln u), θ = 2πv, (r cos θ, r sin θ), with
/// u = ((a >> 8) + 1)·2⁻²⁴ in (0, 1] and v = (b >> 8)·2⁻²⁴ in [0, 1).
///
/// libm's `log`, `sin` and `cos` were nine tenths of a normal draw (about 110 ns a pair; the HRCO
/// search draws 400,000 normals a step). Both arguments have 24 bits, which allows exact range
/// reductions: u = k·2⁻²⁴ with an integer k, so ln u = ln k − 24 ln 2 and k splits exactly into a
/// power of two and a mantissa in [√½, √2); v's quarter turn comes off exactly, leaving an angle
/// in [−π/4, π/4]. Series of those reduced arguments, truncated below 1e-17, give results within
/// an ulp or two of libm's (tested). (SIMD4<Double> lanes compiled to scalar code with spills here, so
/// the transform stays scalar; the callers split it over the cores.)
enum BoxMuller {
    /// ln 2, split so that (integer · hi) is exact.
    private static let ln2Hi = 6.93147180369123816490e-01
    private static let ln2Lo = 1.90821492927058770002e-10

    /// The pair (r cos θ, r sin θ).
    @inline(__always)
    static func pair(_ a: UInt32, _ b: UInt32) -> (Double, Double) {
        let r = (-2 * logOfWord(a)).squareRoot()
        let (c, s) = cosSinOfTurn(b)
        return (r * c, r * s)
    }

    /// c + p·x in one fused multiply-add (a step of Horner's rule).
    @inline(__always)
    private static func horner(_ p: Double, _ x: Double, _ c: Double) -> Double { c.addingProduct(p, x) }

    /// ln u for u = ((a >> 8) + 1)·2⁻²⁴.
    @inline(__always)
    static func logOfWord(_ a: UInt32) -> Double {
        let k = Double((a >> 8) &+ 1)              // 1 … 2²⁴, exact
        // k = m · 2^e with m in [1, 2), read off the bits; then m in [√½, √2). n = e − 24.
        let bits = k.bitPattern
        var n = Double(Int((bits >> 52) & 0x7ff) - 1047)
        var m = Double(bitPattern: (bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000)
        if m > 1.4142135623730951 {
            m *= 0.5
            n += 1
        }
        // ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716: 2(s + s³/3 + … + s²³/23).
        let s = (m - 1) / (m + 1), s2 = s * s
        var p = 1.0 / 23
        p = horner(p, s2, 1.0 / 21)
        p = horner(p, s2, 1.0 / 19)
        p = horner(p, s2, 1.0 / 17)
        p = horner(p, s2, 1.0 / 15)
        p = horner(p, s2, 1.0 / 13)
        p = horner(p, s2, 1.0 / 11)
        p = horner(p, s2, 1.0 / 9)
        p = horner(p, s2, 1.0 / 7)
        p = horner(p, s2, 1.0 / 5)
        p = horner(p, s2, 1.0 / 3)
        let lnM = (2 * s).addingProduct(2 * s * s2, p)
        return (n * ln2Lo + lnM).addingProduct(n, ln2Hi)
    }

    /// (cos θ, sin θ) for θ = 2π·(b >> 8)·2⁻²⁴.
    @inline(__always)
    static func cosSinOfTurn(_ b: UInt32) -> (Double, Double) {
        let j = Int(b >> 8)                        // 0 ..< 2²⁴: the turn in units of 2⁻²⁴
        let q = (j + (1 << 21)) >> 22              // the nearest quarter turn, 0 … 4
        let x = Double(j - q << 22) * (2 * Double.pi / 16_777_216)   // in [−π/4, π/4)
        let x2 = x * x
        // Taylor series to x¹⁷ and x¹⁸: the next terms are below 1e-19 on [−π/4, π/4].
        var sp = -1.0 / 355_687_428_096_000          // −1/17!
        sp = horner(sp, x2, 1.0 / 1_307_674_368_000)
        sp = horner(sp, x2, -1.0 / 6_227_020_800)
        sp = horner(sp, x2, 1.0 / 39_916_800)
        sp = horner(sp, x2, -1.0 / 362_880)
        sp = horner(sp, x2, 1.0 / 5_040)
        sp = horner(sp, x2, -1.0 / 120)
        sp = horner(sp, x2, 1.0 / 6)
        let sinX = x.addingProduct(-x * x2, sp)
        var cp = 1.0 / 6_402_373_705_728_000         // 1/18!
        cp = horner(cp, x2, -1.0 / 20_922_789_888_000)
        cp = horner(cp, x2, 1.0 / 87_178_291_200)
        cp = horner(cp, x2, -1.0 / 479_001_600)
        cp = horner(cp, x2, 1.0 / 3_628_800)
        cp = horner(cp, x2, -1.0 / 40_320)
        cp = horner(cp, x2, 1.0 / 720)
        cp = horner(cp, x2, -1.0 / 24)
        cp = horner(cp, x2, 1.0 / 2)
        let cosX = (1.0).addingProduct(-x2, cp)
        // θ = x + q·π/2.
        switch q & 3 {
        case 0: return (cosX, sinX)
        case 1: return (-sinX, cosX)
        case 2: return (-cosX, -sinX)
        default: return (sinX, -cosX)
        }
    }
}
