// GEMM on both cores without OpenBLAS's own threads: OpenBLAS runs single-threaded, Whittle splits.
import Dispatch

extension TensorScalar {
    /// Products below this many multiply-adds run as one single-threaded call.
    static var parallelGemmThreshold: Int { 1 << 19 }

    /// `C = alpha · op(A) · op(B) + beta · C`, row-major: `op(A)` is `m × k`, `op(B)` is `k × n`,
    /// `C` is `m × n`; `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
    ///
    /// The one entry point for matrix products in Whittle: large products are split along the
    /// larger of C's dimensions into one single-threaded OpenBLAS call per core.
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int) {
        if m == 0 || n == 0 { return }  // C is empty (BLAS would reject ldc = 0)
        let workers = ParallelWorkers.count
        let work = m.multipliedReportingOverflow(by: n).partialValue.multipliedReportingOverflow(by: k).partialValue
        guard workers > 1, work >= parallelGemmThreshold, Swift.max(m, n) >= 2 * workers else {
            blasGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if k >= 8 * Swift.max(m, n) {
            gemmSplitInner(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                           a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, workers: workers)
            return
        }
        let splitColumns = n >= m
        let extent = splitColumns ? n : m
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            // Block edges on multiples of 16 keep each block's columns SIMD-aligned.
            let lo = Swift.min(extent, (extent * w / workers + 8) / 16 * 16)
            let hi = w == workers - 1 ? extent : Swift.min(extent, (extent * (w + 1) / workers + 8) / 16 * 16)
            guard hi > lo else { return }
            if splitColumns {
                // Columns lo..<hi of C come from columns lo..<hi of op(B).
                let bBlock = transposeB ? b + lo * ldb : b + lo
                blasGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: hi - lo, k: k, alpha: alpha,
                            a: a, lda: lda, b: bBlock, ldb: ldb, beta: beta, c: c + lo, ldc: ldc)
            } else {
                // Rows lo..<hi of C come from rows lo..<hi of op(A).
                let aBlock = transposeA ? a + lo : a + lo * lda
                blasGemm(transposeA: transposeA, transposeB: transposeB, m: hi - lo, n: n, k: k, alpha: alpha,
                            a: aBlock, lda: lda, b: b, ldb: ldb, beta: beta, c: c + lo * ldc, ldc: ldc)
            }
        }
    }
    /// A product whose inner dimension dwarfs the output (a weight gradient summed over a batch of
    /// pixels, 32 × 64 × 14,400): split along k, each core its share of the sum, added at the end.
    /// Split along C instead, both cores would pack the whole of the shared operand.
    private static func gemmSplitInner(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                                       a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                                       beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int, workers: Int) {
        // Worker 0 accumulates into C with beta; the others into zeroed buffers of m × n.
        var partial = [Self](repeating: 0, count: (workers - 1) * m * n)
        partial.withUnsafeMutableBufferPointer { pp in
            let pp = pp
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = k * w / workers, hi = k * (w + 1) / workers
                guard hi > lo, let base = pp.baseAddress else { return }
                // op(A) columns lo..<hi and op(B) rows lo..<hi.
                let aBlock = transposeA ? a + lo * lda : a + lo
                let bBlock = transposeB ? b + lo : b + lo * ldb
                if w == 0 {
                    blasGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: hi - lo, alpha: alpha,
                             a: aBlock, lda: lda, b: bBlock, ldb: ldb, beta: beta, c: c, ldc: ldc)
                } else {
                    blasGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: hi - lo, alpha: alpha,
                             a: aBlock, lda: lda, b: bBlock, ldb: ldb, beta: 0, c: base + (w - 1) * m * n, ldc: n)
                }
            }
            guard let base = pp.baseAddress else { return }
            for w in 1..<workers {
                let block = base + (w - 1) * m * n
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] += block[i * n + j] } }
            }
        }
    }
}
