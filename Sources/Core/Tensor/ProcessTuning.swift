// Process-wide tuning of the C libraries under the tensors (OpenBLAS threads, glibc's allocator).
import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Settings that belong to the whole process rather than to one session: made by the executable
/// at start (`ProcessTuning().apply()` in `Sources/whittle`), never switched on from inside a
/// kernel. Tests and embedders that want the same speed apply their own; without it every result
/// is the same, only slower.
public struct ProcessTuning: Sendable {
    /// OpenBLAS's own worker threads. 1 because Whittle splits large products over the cores itself
    /// (`TensorScalar.gemm`): OpenBLAS's idle workers busy-wait (sched_yield) after each call and
    /// would steal the cores from Whittle's parallel loops between the many small GEMMs of a step.
    public var blasThreads = 1
    /// Serve tensors of up to 32 MiB (glibc's ceiling for the mmap threshold) from the heap and
    /// keep up to 1 GiB of freed memory: a training step reallocates the same sizes every batch,
    /// and page faults zeroing fresh mmaps cost 10–20% of a W1 step (perf: clear_page_erms).
    public var reusesHeap = true

    public init() {}

    /// Applies the settings to the process; call once, before any tensor work.
    public func apply() {
        openblas_set_num_threads(Int32(max(1, blasThreads)))
        #if canImport(Glibc)
        if reusesHeap {
            // mallopt is in <malloc.h>, which the Glibc module does not export: look it up.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            if let symbol = dlsym(nil, "mallopt") {
                let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
                let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3   // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
                _ = mallopt(mmapThreshold, 32 << 20)
                _ = mallopt(trimThreshold, 1 << 30)
            }
        }
        #endif
    }

    /// OpenBLAS's current thread count (to check what `apply` did).
    public static var currentBLASThreads: Int { Int(openblas_get_num_threads()) }
}
