// A counter-based random stream (Philox4x32-10): draws depend only on (seed, stream, position).

/// A reproducible source of random bits that layers, datasets and optimizers take by `inout`.
///
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) maps a
/// 128-bit counter and a 64-bit key to 128 random bits. The key is the seed, the counter's high
/// half is the stream number and its low half the position, so block `i` of a stream can be
/// computed independently of every other block: results never depend on threading, and separate
/// streams (one per dataset shuffle, per `seed:` argument) never overlap.
public struct RandomStream: Sendable, Equatable {
    /// The seed (the Philox key).
    public let seed: UInt64
    /// The stream number: independent sequences under one seed.
    public let stream: UInt64
    /// How many 128-bit blocks were consumed so far.
    public private(set) var position: UInt64

    /// A stream at position 0.
    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
        self.position = 0
    }

    /// A new independent stream under the same seed (e.g. one per layer or per data loader).
    public func derived(stream: UInt64) -> RandomStream {
        RandomStream(seed: seed, stream: stream)
    }

    /// The 4 words of block `index` of this stream (pure: does not move the position).
    @inline(__always)
    public func block(_ index: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: index), c1 = UInt32(truncatingIfNeeded: index >> 32)
        var c2 = UInt32(truncatingIfNeeded: stream), c3 = UInt32(truncatingIfNeeded: stream >> 32)
        var k0 = UInt32(truncatingIfNeeded: seed), k1 = UInt32(truncatingIfNeeded: seed >> 32)
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
            k0 &+= 0x9E37_79B9
            k1 &+= 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    /// Consumes `blocks` blocks and returns the index of the first one.
    @inline(__always)
    mutating func advance(by blocks: Int) -> UInt64 {
        let start = position
        position &+= UInt64(blocks)
        return start
    }

    /// The next 64 random bits (consumes one block).
    public mutating func nextUInt64() -> UInt64 {
        let (a, b, _, _) = block(advance(by: 1))
        return UInt64(a) << 32 | UInt64(b)
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method); 0 when bound ≤ 0.
    public mutating func nextInt(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let b = UInt64(bound)
        while true {
            let full = nextUInt64().multipliedFullWidth(by: b)
            if full.low >= (0 &- b) % b { return Int(full.high) }
        }
    }

    /// A uniform Double in [0, 1) with 53 random bits (consumes one block).
    public mutating func nextDouble() -> Double {
        Double(nextUInt64() >> 11) * 0x1p-53
    }

    /// A uniformly random permutation of `0..<n` (Fisher–Yates); empty for n ≤ 0.
    public mutating func permutation(_ n: Int) -> [Int] {
        guard n > 0 else { return [] }
        var p = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { p.swapAt(i, j) }
        }
        return p
    }

    /// Fills `count` values, each made from one 32-bit word: element `i` uses word `i % 4` of
    /// block `start + i / 4`, so the result is the same however the work is split.
    @inline(__always)
    mutating func fill<T>(_ count: Int, _ make: (UInt32) -> T) -> [T] {
        let start = advance(by: (count + 3) / 4)
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            let out = out  // not inout: lets the loops vectorise
            var i = 0
            var blockIndex = start
            while i < count {
                let (w0, w1, w2, w3) = block(blockIndex)
                out[i] = make(w0)
                if i &+ 1 < count { out[i &+ 1] = make(w1) }
                if i &+ 2 < count { out[i &+ 2] = make(w2) }
                if i &+ 3 < count { out[i &+ 3] = make(w3) }
                i &+= 4
                blockIndex &+= 1
            }
            initialized = count
        }
    }

    /// Uniform in [0, 1) from the top 24 bits of a word: exactly representable in Float, so Float
    /// and Double draws agree.
    @inline(__always)
    static func unit(_ word: UInt32) -> Double { Double(word >> 8) * 0x1p-24 }

    /// Uniform in (0, 1]: safe under a logarithm.
    @inline(__always)
    static func unitOpen(_ word: UInt32) -> Double { Double((word >> 8) &+ 1) * 0x1p-24 }
}
