// Counter-based seeded random draws for data work (permutations, generators), independent of threads.

import Foundation

/// A SplitMix64 stream keyed by a seed: draw `i` is `mix(seed·φ + i·γ)`, so any draw can be
/// recomputed from (seed, index) alone and results never depend on thread count or call order.
///
/// Data/ keeps its own small stream so shuffles and splits do not depend on the tensor RNG; a
/// `seed:` argument always gets a private stream and leaves any global one alone.
struct SplitMixStream {
    /// The key derived from the user's seed.
    let key: UInt64
    /// The index of the next draw.
    var counter: UInt64 = 0

    init(seed: Int) {
        // Mix the seed once so nearby seeds (0, 1, 2) give unrelated streams.
        key = SplitMixStream.mix(UInt64(bitPattern: Int64(seed)) &* 0x9E37_79B9_7F4A_7C15 &+ 0x6A09_E667_F3BC_C909)
    }

    /// The SplitMix64 finaliser (Steele, Lea, Flood 2014).
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        let value = SplitMixStream.mix(key &+ counter &* 0x9E37_79B9_7F4A_7C15)
        counter &+= 1
        return value
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-high; bias below 2^-40 for data sizes).
    @inline(__always)
    mutating func nextInt(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inline(__always)
    mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box–Muller on two uniforms; the first uniform is kept away from 0).
    mutating func nextNormal() -> Double {
        let u1 = 1.0 - nextUniform()  // in (0, 1]
        let u2 = nextUniform()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    mutating func permutation(_ count: Int) -> [Int] {
        var indices = Array(0..<max(count, 0))
        var i = indices.count - 1
        while i > 0 {
            let j = nextInt(below: i + 1)
            indices.swapAt(i, j)
            i -= 1
        }
        return indices
    }
}
