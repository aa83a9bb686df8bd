// Random tensors from a RandomStream: uniform, normal, Laplace, Bernoulli masks, integers.
#if canImport(Glibc)
import Glibc
#endif
import Runtime

extension Tensor {
    /// Uniform values in `[low, high)`.
    /// - Throws: `CoreError.badArgument` for a bad shape or `low > high`.
    @_specialize(where Scalar == Float)
    public static func uniform(_ shape: [Int], low: Scalar = 0, high: Scalar = 1,
                               using rng: inout RandomStream) throws -> Tensor {
        let n = try elementCount(of: shape, op: "rand")
        try stopIfInterrupted("rand")
        guard low <= high, low.isFinite, high.isFinite else {
            throw CoreError.badArgument(op: "rand", message: "needs finite low ≤ high, got \(low), \(high)")
        }
        let lo = low.doubleValue, span = high.doubleValue - low.doubleValue
        let values = rng.fill(n) { Scalar(lo + span * RandomStream.unit($0)) }
        return Tensor(uncheckedShape: shape, scalars: values.map { $0 < high || low == high ? $0 : low })
    }

    /// Normal values with the given mean and standard deviation (Box–Muller on word pairs, see `BoxMuller`).
    /// - Throws: `CoreError.badArgument` for a bad shape or a negative std.
    @_specialize(where Scalar == Float)
    public static func normal(_ shape: [Int], mean: Scalar = 0, std: Scalar = 1,
                              using rng: inout RandomStream) throws -> Tensor {
        let n = try elementCount(of: shape, op: "randn")
        try stopIfInterrupted("randn")
        guard std >= 0, std.isFinite, mean.isFinite else {
            throw CoreError.badArgument(op: "randn", message: "needs a finite mean and std ≥ 0, got \(mean), \(std)")
        }
        // Two uniform words make two normals: the pair at out[i], out[i + 1] (i even) uses words i
        // and i + 1, lanes of block start + i / 4. Blocks are independent, so both cores fill
        // whole blocks.
        let start = rng.advance(by: (n + (n & 1) + 3) / 4), stream = rng
        let m = mean.doubleValue, sd = std.doubleValue
        var out = scratch(n)
        out.withUnsafeMutableBufferPointer { out in
            @inline(__always)
            func pair(_ i: Int, _ u: UInt32, _ v: UInt32) {
                let (a, b) = BoxMuller.pair(u, v)
                out[i] = Scalar(m + sd * a)
                if i + 1 < n { out[i + 1] = Scalar(m + sd * b) }
            }
            parallelChunks((n + 3) / 4, minimum: 4096) { lo, hi in
                for b in lo..<hi {
                    let (w0, w1, w2, w3) = stream.block(start &+ UInt64(b))
                    pair(4 * b, w0, w1)
                    if 4 * b + 2 < n { pair(4 * b + 2, w2, w3) }
                }
            }
        }
        return Tensor(uncheckedShape: shape, scalars: out)
    }

    /// Laplace values with location 0 and scale `b` (density e^{-|x|/b} / 2b).
    /// - Throws: `CoreError.badArgument` for a bad shape or `b ≤ 0`.
    @_specialize(where Scalar == Float)
    public static func laplace(_ shape: [Int], scale b: Scalar = 1, using rng: inout RandomStream) throws -> Tensor {
        let n = try elementCount(of: shape, op: "laplace")
        try stopIfInterrupted("laplace")
        guard b > 0, b.isFinite else {
            throw CoreError.badArgument(op: "laplace", message: "scale b must be positive, got \(b)")
        }
        let scale = b.doubleValue
        let values = rng.fill(n) { word -> Scalar in
            let u = (Double(word >> 8) + 0.5) * 0x1p-24 - 0.5   // in (-0.5, 0.5)
            let magnitude = -scale * Double.log(1 - 2 * Swift.abs(u))
            return Scalar(u < 0 ? -magnitude : magnitude)
        }
        return Tensor(uncheckedShape: shape, scalars: values)
    }

    /// A mask of 1s (probability `p`) and 0s, e.g. the keep-mask of dropout with `p = 1 - rate`.
    /// - Throws: `CoreError.badArgument` for a bad shape or `p` outside [0, 1].
    @_specialize(where Scalar == Float)
    public static func bernoulli(_ shape: [Int], p: Double, using rng: inout RandomStream) throws -> Tensor {
        let n = try elementCount(of: shape, op: "bernoulli")
        guard p >= 0, p <= 1 else {
            throw CoreError.badArgument(op: "bernoulli", message: "probability must be in [0, 1], got \(p)")
        }
        let values = rng.fill(n) { RandomStream.unit($0) < p ? Scalar(1) : Scalar(0) }
        return Tensor(uncheckedShape: shape, scalars: values)
    }

    /// Uniform integers in `low..<high`, stored as scalars.
    /// - Throws: `CoreError.badArgument` for a bad shape or an empty range.
    @_specialize(where Scalar == Float)
    public static func randomIntegers(_ shape: [Int], low: Int, high: Int, using rng: inout RandomStream) throws -> Tensor {
        let n = try elementCount(of: shape, op: "randint")
        try stopIfInterrupted("randint")
        let (span, overflow) = high.subtractingReportingOverflow(low)
        guard !overflow, span > 0 else {
            throw CoreError.badArgument(op: "randint", message: "needs low < high, got \(low), \(high)")
        }
        var values = [Scalar](repeating: 0, count: n)
        for i in 0..<n { values[i] = Scalar(low + rng.nextInt(below: span)) }
        return Tensor(uncheckedShape: shape, scalars: values)
    }
}

extension Tensor {
    /// Millions of draws take long enough for Ctrl-C to matter (a `wrn(28, 10)` draws 36 million
    /// weights), so a draw first checks the running session's token; before the draw, so an
    /// interrupted call leaves the random stream where it was.
    @inline(__always)
    static func stopIfInterrupted(_ op: String) throws {
        try CancellationToken.running?.check("during `\(op)`")
    }
}
