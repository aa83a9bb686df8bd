// im2col + GEMM one sample at a time, in parallel over the batch: each sample's unfolded input
// stays in the core's L2 cache between unfolding and the (single-threaded) GEMM. Measured against
// unfolding chunks of 20 samples for one multi-threaded GEMM: 10–12% less time on conv2 of W1.

extension Tensor {
    /// Runs `body(first..<last, scratch)` on one slice of the batch per worker, each with its own
    /// scratch buffer of `scratchCount` scalars (heap: it can be larger than a thread's stack).
    static func forEachBatchSlice(_ batch: Int, scratchCount: Int,
                                  _ body: (Range<Int>, UnsafeMutablePointer<Scalar>, Int) -> Void) {
        let workers = Swift.max(1, Swift.min(parallelWorkers, batch))
        concurrentRows(workers) { worker in
            let first = batch &* worker / workers, last = batch &* (worker &+ 1) / workers
            let scratch = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(1, scratchCount))
            defer { scratch.deallocate() }
            body(first..<last, scratch, worker)
        }
    }

    /// out[n] = W [O, K] · col_n [K, P] (+ bias, ReLU), sample by sample.
    static func sampleForward(_ g: ConvolutionGeometry, _ x: [Scalar], _ w: [Scalar], _ bias: [Scalar]?,
                              _ out: inout [Scalar], relu: Bool) {
        let k = g.patchSize, o = g.outChannels, plane = g.outPlane
        guard plane > 0, o > 0 else { return }
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    guard let wBase = pw.baseAddress, let outBase = po.baseAddress else { return }
                    forEachBatchSlice(g.batch, scratchCount: (k &+ o) &* plane) { samples, scratch, _ in
                        let col = UnsafeMutableBufferPointer(start: scratch, count: k &* plane)
                        let product = scratch + k &* plane
                        for n in samples {
                            unfold(g, px, first: n, count: 1, col, parallel: false)
                            Scalar.blasGemm(transposeA: false, transposeB: false, m: o, n: plane, k: k, alpha: 1,
                                            a: wBase, lda: k, b: UnsafePointer(scratch), ldb: plane,
                                            beta: 0, c: product, ldc: plane)
                            for c in 0..<o {
                                let b = bias?[c] ?? 0
                                let src = product + c &* plane, dst = outBase + (n &* o &+ c) &* plane
                                if relu {
                                    for p in 0..<plane { let v = src[p] + b; dst[p] = v < 0 ? 0 : v }
                                } else {
                                    for p in 0..<plane { dst[p] = src[p] + b }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx[n] = fold(Wᵀ [K, O] · gy_n [O, P]), sample by sample (samples' gradients are disjoint).
    static func sampleBackwardInput(_ g: ConvolutionGeometry, _ gy: [Scalar], _ w: [Scalar], _ dx: inout [Scalar]) {
        let k = g.patchSize, o = g.outChannels, plane = g.outPlane
        guard plane > 0, o > 0 else { return }
        gy.withUnsafeBufferPointer { pg in
            w.withUnsafeBufferPointer { pw in
                dx.withUnsafeMutableBufferPointer { pdx in
                    let pdx = pdx  // not inout: lets the loops vectorise
                    guard let wBase = pw.baseAddress, let gBase = pg.baseAddress else { return }
                    forEachBatchSlice(g.batch, scratchCount: k &* plane) { samples, scratch, _ in
                        for n in samples {
                            Scalar.blasGemm(transposeA: true, transposeB: false, m: k, n: plane, k: o, alpha: 1,
                                            a: wBase, lda: k, b: gBase + n &* o &* plane, ldb: plane,
                                            beta: 0, c: scratch, ldc: plane)
                            fold(g, UnsafeBufferPointer(start: scratch, count: k &* plane), first: n, count: 1, pdx,
                                 parallel: false)
                        }
                    }
                }
            }
        }
    }

    /// dW [O, K] = Σ_n gy_n [O, P] · col_nᵀ [P, K]: each worker accumulates its own dW (GEMM with
    /// beta 1), and the workers' sums are added at the end.
    static func sampleBackwardWeight(_ g: ConvolutionGeometry, _ gy: [Scalar], _ x: [Scalar], _ dw: inout [Scalar]) {
        let k = g.patchSize, o = g.outChannels, plane = g.outPlane
        guard plane > 0, o > 0, g.batch > 0 else { return }
        let workers = Swift.max(1, Swift.min(parallelWorkers, g.batch))
        var partials = [Scalar](repeating: 0, count: workers &* o &* k)
        gy.withUnsafeBufferPointer { pg in
            x.withUnsafeBufferPointer { px in
                partials.withUnsafeMutableBufferPointer { pp in
                    guard let gBase = pg.baseAddress, let partialBase = pp.baseAddress else { return }
                    forEachBatchSlice(g.batch, scratchCount: k &* plane) { samples, scratch, worker in
                        let col = UnsafeMutableBufferPointer(start: scratch, count: k &* plane)
                        for n in samples {
                            unfold(g, px, first: n, count: 1, col, parallel: false)
                            Scalar.blasGemm(transposeA: false, transposeB: true, m: o, n: k, k: plane, alpha: 1,
                                            a: gBase + n &* o &* plane, lda: plane, b: UnsafePointer(scratch), ldb: plane,
                                            beta: 1, c: partialBase + worker &* o &* k, ldc: k)
                        }
                    }
                }
            }
        }
        for i in 0..<(o &* k) {
            var total: Scalar = 0
            for worker in 0..<workers { total += partials[worker &* o &* k &+ i] }
            dw[i] = total
        }
    }
}
