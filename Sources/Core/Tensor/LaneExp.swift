// e^x for x ≤ 0 on eight Float lanes, for the gates that take one exponential per weight per step.

/// e^x for x ≤ 0, eight lanes at a time: Cody–Waite reduction and Cephes' degree-5 polynomial,
/// within 2 ulp of `expf` on [−87, 0]; below −87 it is clamped (e^−87 ≈ 1.6e−38, where a sigmoid
/// is 0 or 1 to Float precision anyway). A NaN stays NaN.
///
/// The gates' σ(z) = 1/(1 + e^−|z|) needs only this half of the range. libm's `expf` is a call
/// per entry, and it was the largest cost of a soft gate after the products themselves.
@inline(__always)
func laneExpNonPositive(_ a: SIMD8<Float>) -> SIMD8<Float> {
    typealias V = SIMD8<Float>
    let magic = V(repeating: 8_388_608)
    let x = a.replacing(with: V(repeating: -87), where: a .< V(repeating: -87))
    // k = round(x·log2 e) (ties to even), in [−126, 0].
    let k = (x * V(repeating: 1.44269504088896341) + V(repeating: 12_582_912)) - V(repeating: 12_582_912)
    var r = x - k * V(repeating: 0.693359375)
    r = r - k * V(repeating: -2.12194440e-4)
    var p = V(repeating: 1.9875691500e-4)
    p = p * r + V(repeating: 1.3981999507e-3)
    p = p * r + V(repeating: 8.3334519073e-3)
    p = p * r + V(repeating: 4.1665795894e-2)
    p = p * r + V(repeating: 1.6666665459e-1)
    p = p * r + V(repeating: 5.0000001201e-1)
    let y = p * r * r + r + V(repeating: 1)
    // 2^k: the biased exponent k + 127 read off the mantissa of k + 127 + 2^23.
    let biased = unsafeBitCast(k + V(repeating: 127) + magic, to: SIMD8<UInt32>.self) & SIMD8<UInt32>(repeating: 0x7F_FFFF)
    return y * unsafeBitCast(biased &<< SIMD8<UInt32>(repeating: 23), to: V.self)
}

/// −|x| on eight lanes, by setting the sign bit (`pointwiseMin(x, -x)` is a call per lane).
@inline(__always)
func laneNegativeMagnitude(_ x: SIMD8<Float>) -> SIMD8<Float> {
    unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) | SIMD8<UInt32>(repeating: 0x8000_0000), to: SIMD8<Float>.self)
}
