// Keeps large training buffers in the heap between steps instead of mapping fresh pages each time.
#if canImport(Glibc)
import Glibc
#endif

/// glibc serves blocks above its mmap threshold (128 KiB at first) with fresh `mmap`s and trims
/// the heap top eagerly, so every training step of a CNN page-faults and zeroes its multi-MiB
/// activations anew (about a fifth of the CPU time of the W1 benchmark). Raising both thresholds
/// once lets freed activation buffers be reused by the next step.
enum AllocatorTuning {
    /// Applied once per process, on first use.
    static let applied: Bool = {
        #if canImport(Glibc)
        // mallopt lives in <malloc.h>, which the Glibc module does not export: look it up.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3   // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 256 << 20)   // blocks up to 256 MiB come from the heap
        _ = mallopt(trimThreshold, 1 << 30)     // keep up to 1 GiB of free heap for reuse
        return true
        #else
        return false
        #endif
    }()
}
