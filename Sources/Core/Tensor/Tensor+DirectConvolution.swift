// Direct 2-d convolution for small patches (C·kh·kw ≤ 16), where im2col + GEMM is memory-bound.
//
// For one output row of one sample, the patch rows P[t][x] (t = (c, ky, kx), x = output column)
// are gathered into a small zero-padded buffer that stays in L1; the row of every output channel
// is then a tiny matrix product W[o, :] · P computed in SIMD registers, written once. Backward
// passes reuse the same patch rows.

extension Tensor {
    typealias Vector = SIMD8<Scalar>

    /// Lanes per SIMD vector.
    static var lanes: Int { 8 }

    /// Fills `patch` [T][padded] with the input pixels under each kernel tap for output row `y`
    /// of sample `n` (zero in the padding and beyond the row's end).
    @inline(__always)
    static func gatherPatchRows(_ g: ConvolutionGeometry, _ taps: [(rows: Range<Int>, cols: Range<Int>)],
                                _ x: UnsafeBufferPointer<Scalar>, n: Int, y: Int,
                                _ patch: UnsafeMutablePointer<Scalar>, padded: Int) {
        let kk = g.kernelHeight &* g.kernelWidth
        for t in 0..<taps.count {
            let row = patch + t &* padded
            row.update(repeating: 0, count: padded)
            let (rows, cols) = taps[t]
            guard rows.contains(y), !cols.isEmpty else { continue }
            let c = t / kk, ky = (t % kk) / g.kernelWidth, kx = t % g.kernelWidth
            let src = ((n &* g.inChannels &+ c) &* g.height &+ y &* g.strideHeight &+ ky &- g.padTop) &* g.width
                &+ kx &- g.padLeft
            if g.strideWidth == 1 {
                for xo in cols { row[xo] = x[src &+ xo] }
            } else {
                for xo in cols { row[xo] = x[src &+ xo &* g.strideWidth] }
            }
        }
    }

    /// The valid output rows and columns of every tap t = (c, ky, kx).
    static func tapRanges(_ g: ConvolutionGeometry) -> [(rows: Range<Int>, cols: Range<Int>)] {
        let kk = g.kernelHeight &* g.kernelWidth
        return (0..<g.patchSize).map { t in
            (g.validRows((t % kk) / g.kernelWidth), g.validColumns(t % g.kernelWidth))
        }
    }

    /// out[n, o, y, :] = bias[o] + Σ_t w[o, t] · P[t][:], optionally clamped at 0. Parallel over the batch.
    static func directForward(_ g: ConvolutionGeometry, _ x: [Scalar], _ w: [Scalar], _ bias: [Scalar]?,
                              _ out: inout [Scalar], relu: Bool) {
        let taps = tapRanges(g), patchSize = g.patchSize, ow = g.outWidth
        let chunks = (ow + lanes - 1) / lanes, padded = chunks &* lanes
        guard patchSize > 0, ow > 0 else {
            // An empty patch leaves only the bias.
            for i in 0..<out.count { out[i] = bias?[(i / Swift.max(1, g.outPlane)) % Swift.max(1, g.outChannels)] ?? 0 }
            return
        }
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    let po = po  // not inout: lets the loops vectorise
                    guard let outBase = po.baseAddress else { return }
                    concurrentRows(g.batch) { n in
                        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: patchSize &* padded &+ lanes) { scratch in
                            guard let patch = scratch.baseAddress else { return }
                            for y in 0..<g.outHeight {
                                gatherPatchRows(g, taps, px, n: n, y: y, patch, padded: padded)
                                for o in 0..<g.outChannels {
                                    let b = bias?[o] ?? 0
                                    let weights = o &* patchSize
                                    let dst = ((n &* g.outChannels &+ o) &* g.outHeight &+ y) &* ow
                                    for chunk in 0..<chunks {
                                        var acc = Vector(repeating: b)
                                        for t in 0..<patchSize {
                                            let p = UnsafeRawPointer(patch + (t &* padded &+ chunk &* lanes))
                                            acc += Vector(repeating: pw[weights &+ t]) * p.loadUnaligned(as: Vector.self)
                                        }
                                        let x0 = chunk &* lanes
                                        if x0 &+ lanes <= ow {
                                            UnsafeMutableRawPointer(outBase + (dst &+ x0)).storeBytes(of: acc, as: Vector.self)
                                        } else {
                                            for lane in 0..<(ow &- x0) { po[dst &+ x0 &+ lane] = acc[lane] }
                                        }
                                    }
                                    if relu {
                                        // A scalar select pass: SIMD masks lower poorly in generic code.
                                        for i in dst..<(dst &+ ow) { let v = po[i]; po[i] = v > 0 ? v : 0 }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx = the adjoint of the patch gather applied to dP[t][:] = Σ_o w[o, t] · gy[n, o, y, :].
    /// Parallel over the batch (each sample's gradient is disjoint).
    static func directBackwardInput(_ g: ConvolutionGeometry, _ gy: [Scalar], _ w: [Scalar], _ dx: inout [Scalar]) {
        let taps = tapRanges(g), patchSize = g.patchSize, ow = g.outWidth
        let chunks = (ow + lanes - 1) / lanes, padded = chunks &* lanes
        let kk = g.kernelHeight &* g.kernelWidth
        guard patchSize > 0, ow > 0 else { return }
        gy.withUnsafeBufferPointer { pg in
            w.withUnsafeBufferPointer { pw in
                dx.withUnsafeMutableBufferPointer { pdx in
                    let pdx = pdx  // not inout: lets the loops vectorise
                    concurrentRows(g.batch) { n in
                        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: (patchSize &+ 1) &* padded) { scratch in
                            guard let dPatch = scratch.baseAddress else { return }
                            let gRow = dPatch + patchSize &* padded
                            for y in 0..<g.outHeight {
                                dPatch.update(repeating: 0, count: patchSize &* padded)
                                gRow.update(repeating: 0, count: padded)
                                for o in 0..<g.outChannels {
                                    let src = ((n &* g.outChannels &+ o) &* g.outHeight &+ y) &* ow
                                    for xo in 0..<ow { gRow[xo] = pg[src &+ xo] }
                                    for t in 0..<patchSize {
                                        let wv = Vector(repeating: pw[o &* patchSize &+ t])
                                        let row = dPatch + t &* padded
                                        for chunk in 0..<chunks {
                                            let at = chunk &* lanes
                                            let gv = UnsafeRawPointer(gRow + at).loadUnaligned(as: Vector.self)
                                            let d = UnsafeRawPointer(row + at).loadUnaligned(as: Vector.self)
                                            UnsafeMutableRawPointer(row + at).storeBytes(of: d + wv * gv, as: Vector.self)
                                        }
                                    }
                                }
                                // Scatter the patch gradient back onto the input pixels it came from.
                                for t in 0..<patchSize {
                                    let (rows, cols) = taps[t]
                                    guard rows.contains(y) else { continue }
                                    let c = t / kk, ky = (t % kk) / g.kernelWidth, kx = t % g.kernelWidth
                                    let dst = ((n &* g.inChannels &+ c) &* g.height &+ y &* g.strideHeight &+ ky &- g.padTop) &* g.width
                                        &+ kx &- g.padLeft
                                    let row = dPatch + t &* padded
                                    for xo in cols { pdx[dst &+ xo &* g.strideWidth] += row[xo] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dw[o, t] = Σ_{n, y} Σ_x gy[n, o, y, x] · P[t][x], with SIMD accumulators per (o, t) in Scalar
    /// and the per-worker totals combined in Double. Parallel over batch slices.
    static func directBackwardWeight(_ g: ConvolutionGeometry, _ gy: [Scalar], _ x: [Scalar], _ dw: inout [Scalar]) {
        let taps = tapRanges(g), patchSize = g.patchSize, ow = g.outWidth, o = g.outChannels
        let chunks = (ow + lanes - 1) / lanes, padded = chunks &* lanes
        guard patchSize > 0, ow > 0, o > 0 else { return }
        let workers = Swift.max(1, Swift.min(parallelWorkers, g.batch))
        var partials = [Double](repeating: 0, count: workers &* o &* patchSize)
        gy.withUnsafeBufferPointer { pg in
            x.withUnsafeBufferPointer { px in
                partials.withUnsafeMutableBufferPointer { pp in
                    let pp = pp  // not inout: lets the loops vectorise
                    concurrentRows(workers) { worker in
                        let first = g.batch &* worker / workers, last = g.batch &* (worker &+ 1) / workers
                        withUnsafeTemporaryAllocation(of: Vector.self, capacity: o &* patchSize) { acc in
                            acc.initialize(repeating: .zero)
                            withUnsafeTemporaryAllocation(of: Scalar.self, capacity: (patchSize &+ 1) &* padded) { scratch in
                                guard let patch = scratch.baseAddress else { return }
                                let gRow = patch + patchSize &* padded
                                gRow.update(repeating: 0, count: padded)
                                for n in first..<last {
                                    for y in 0..<g.outHeight {
                                        gatherPatchRows(g, taps, px, n: n, y: y, patch, padded: padded)
                                        for oc in 0..<o {
                                            let src = ((n &* o &+ oc) &* g.outHeight &+ y) &* ow
                                            for xo in 0..<ow { gRow[xo] = pg[src &+ xo] }
                                            for t in 0..<patchSize {
                                                var a = acc[oc &* patchSize &+ t]
                                                let row = patch + t &* padded
                                                for chunk in 0..<chunks {
                                                    let at = chunk &* lanes
                                                    a += UnsafeRawPointer(gRow + at).loadUnaligned(as: Vector.self)
                                                        * UnsafeRawPointer(row + at).loadUnaligned(as: Vector.self)
                                                }
                                                acc[oc &* patchSize &+ t] = a
                                            }
                                        }
                                    }
                                }
                            }
                            for i in 0..<(o &* patchSize) { pp[worker &* o &* patchSize &+ i] = acc[i].sum().doubleValue }
                        }
                    }
                }
            }
        }
        for i in 0..<(o &* patchSize) {
            var total = 0.0
            for worker in 0..<workers { total += partials[worker &* o &* patchSize &+ i] }
            dw[i] = Scalar(total)
        }
    }
}
