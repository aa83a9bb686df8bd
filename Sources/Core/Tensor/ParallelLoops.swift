// The parallel loops and scratch buffers of Whittle's own kernels: work split over the cores.
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

extension Tensor {
    /// Eight lanes of `Scalar`: the SIMD width the hand-vectorised loops use.
    typealias Vector = SIMD8<Scalar>

    /// Lanes per SIMD vector.
    static var lanes: Int { 8 }

    /// A buffer for intermediate results that are fully written before they are read: no zero fill.
    @inline(__always)
    static func scratch(_ count: Int) -> [Scalar] {
        [Scalar](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Runs `body(i)` for `i` in `0..<count`, split over the cores when there is enough work.
    /// Only called where BLAS is not running, so the two never compete for the cores.
    @inline(__always)
    static func concurrentRows(_ count: Int, parallel: Bool = true, _ body: (Int) -> Void) {
        let workers = parallelWorkers
        if count < 2 || workers < 2 || !parallel {
            for i in 0..<count { body(i) }
            return
        }
        let chunks = Swift.min(count, workers)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lo = count &* chunk / chunks, hi = count &* (chunk &+ 1) / chunks
            for i in lo..<hi { body(i) }
        }
    }

    /// How many threads Whittle's own loops use (the machine's active cores).
    static var parallelWorkers: Int { ParallelWorkers.count }
}

/// The number of worker threads for Whittle's own parallel loops, fixed at first use: the
/// environment variable WHITTLE_THREADS when set (a sweep gives each point one core), else the cores.
enum ParallelWorkers {
    static let count: Int = {
        if let text = getenv("WHITTLE_THREADS"), let n = Int(String(cString: text)), n >= 1 { return Swift.min(n, 8) }
        #if canImport(Glibc)
        let n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return Swift.max(1, Swift.min(n, 8))
        #else
        return 2
        #endif
    }()
}

/// Runs `body(chunkStart, chunkEnd)` over `0..<count` split into one contiguous chunk per core,
/// or as one chunk when `count < minimum` (too little work to pay for waking a thread). Never
/// called while BLAS is running, so the two never compete for the cores.
@inline(__always)
func parallelChunks(_ count: Int, minimum: Int = 2, _ body: (Int, Int) -> Void) {
    let chunks = ParallelWorkers.count
    if count < minimum || chunks < 2 {
        body(0, count)
        return
    }
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        body(count &* c / chunks, count &* (c &+ 1) / chunks)
    }
}

/// Runs `body(tile, start, end)` for each tile of `tile` elements of `0..<count`, the tiles shared
/// out over the cores (serially under `minimumTiles`). Fixed tiles, unlike one chunk per core,
/// keep per-tile results and the order they are combined in the same whatever the core count.
@inline(__always)
func parallelTiles(_ count: Int, tile: Int, minimumTiles: Int = 4, _ body: (Int, Int, Int) -> Void) {
    let tiles = (count + tile - 1) / tile
    parallelChunks(tiles, minimum: minimumTiles) { lo, hi in
        for t in lo..<hi { body(t, t * tile, Swift.min(count, (t + 1) * tile)) }
    }
}
