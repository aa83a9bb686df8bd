// Direct 2-d convolution for small patches (C·kh·kw ≤ 16), where im2col + GEMM is memory-bound.
//
// Output planes are processed in spans of whole rows (about 1024 pixels). For one span of one
// sample, the patch P[t][p] (t = (c, ky, kx), p = pixel of the span) is gathered into a small
// buffer that stays in L1; every output channel's span is then the tiny product W[o, :] · P,
// computed in SIMD registers over contiguous pixels. The backward passes reuse the same patches.

extension Tensor {
    typealias Vector = SIMD8<Scalar>

    /// Lanes per SIMD vector.
    static var lanes: Int { 8 }

    /// Output rows per span: whole rows, about 1024 pixels.
    static func spanRows(_ g: ConvolutionGeometry) -> Int {
        Swift.max(1, Swift.min(g.outHeight, 1024 / Swift.max(1, g.outWidth)))
    }

    /// The valid output rows and columns of every tap t = (c, ky, kx).
    static func tapRanges(_ g: ConvolutionGeometry) -> [(rows: Range<Int>, cols: Range<Int>)] {
        let kk = g.kernelHeight &* g.kernelWidth
        return (0..<g.patchSize).map { t in
            (g.validRows((t % kk) / g.kernelWidth), g.validColumns(t % g.kernelWidth))
        }
    }

    /// Fills `patch` [T][stride] with the input pixels under each kernel tap for output rows
    /// `y0..<y1` of sample `n`, row after row (0 in the padding and beyond the span).
    @inline(__always)
    static func gatherPatch(_ g: ConvolutionGeometry, _ taps: [(rows: Range<Int>, cols: Range<Int>)],
                            _ x: UnsafeBufferPointer<Scalar>, n: Int, rows y0: Int, _ y1: Int,
                            _ patch: UnsafeMutablePointer<Scalar>, stride: Int) {
        let kk = g.kernelHeight &* g.kernelWidth, ow = g.outWidth
        for t in 0..<taps.count {
            let row = patch + t &* stride
            row.update(repeating: 0, count: stride)
            let (rows, cols) = taps[t]
            guard !cols.isEmpty else { continue }
            let c = t / kk, ky = (t % kk) / g.kernelWidth, kx = t % g.kernelWidth
            let plane = (n &* g.inChannels &+ c) &* g.inPlane
            for y in Swift.max(y0, rows.lowerBound)..<Swift.max(Swift.max(y0, rows.lowerBound), Swift.min(y1, rows.upperBound)) {
                let src = plane &+ (y &* g.strideHeight &+ ky &- g.padTop) &* g.width &+ kx &- g.padLeft
                let dst = row + (y &- y0) &* ow
                if g.strideWidth == 1 {
                    for xo in cols { dst[xo] = x[src &+ xo] }
                } else {
                    for xo in cols { dst[xo] = x[src &+ xo &* g.strideWidth] }
                }
            }
        }
    }

    /// out[n, o, span] = bias[o] + Σ_t w[o, t] · P[t][span], optionally clamped at 0.
    /// Parallel over the batch.
    static func directForward(_ g: ConvolutionGeometry, _ x: [Scalar], _ w: [Scalar], _ bias: [Scalar]?,
                              _ out: inout [Scalar], relu: Bool) {
        let taps = tapRanges(g), patchSize = g.patchSize, ow = g.outWidth
        let rowsPerSpan = spanRows(g)
        let stride = (rowsPerSpan &* ow &+ lanes &- 1) / lanes &* lanes
        guard patchSize > 0, ow > 0 else { return }
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    guard let outBase = po.baseAddress else { return }
                    concurrentRows(g.batch) { n in
                        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: (patchSize &+ 1) &* stride) { scratch in
                            guard let patch = scratch.baseAddress else { return }
                            // The span is built in `spanBuffer`, then copied out; ReLU as a select
                            // between two buffers vectorises (in place it became a branch).
                            let spanBuffer = patch + patchSize &* stride
                            for y0 in Swift.stride(from: 0, to: g.outHeight, by: rowsPerSpan) {
                                let y1 = Swift.min(g.outHeight, y0 &+ rowsPerSpan)
                                let pixels = (y1 &- y0) &* ow
                                let chunks = (pixels &+ lanes &- 1) / lanes
                                gatherPatch(g, taps, px, n: n, rows: y0, y1, patch, stride: stride)
                                for o in 0..<g.outChannels {
                                    let b = bias?[o] ?? 0
                                    let weights = o &* patchSize
                                    for chunk in 0..<chunks {
                                        let at = chunk &* lanes
                                        var acc = Vector(repeating: b)
                                        for t in 0..<patchSize {
                                            let p = UnsafeRawPointer(patch + (t &* stride &+ at))
                                            acc += Vector(repeating: pw[weights &+ t]) * p.loadUnaligned(as: Vector.self)
                                        }
                                        UnsafeMutableRawPointer(spanBuffer + at).storeBytes(of: acc, as: Vector.self)
                                    }
                                    let dst = outBase + ((n &* g.outChannels &+ o) &* g.outHeight &+ y0) &* ow
                                    if relu {
                                        for i in 0..<pixels { let v = spanBuffer[i]; dst[i] = v < 0 ? 0 : v }
                                    } else {
                                        dst.update(from: spanBuffer, count: pixels)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dP[t][span] = Σ_o w[o, t] · gy[n, o, span], then added back onto the input pixels each
    /// patch entry came from. Parallel over the batch (each sample's gradient is disjoint).
    static func directBackwardInput(_ g: ConvolutionGeometry, _ gy: [Scalar], _ w: [Scalar], _ dx: inout [Scalar]) {
        let taps = tapRanges(g), patchSize = g.patchSize, ow = g.outWidth
        let rowsPerSpan = spanRows(g)
        let stride = (rowsPerSpan &* ow &+ lanes &- 1) / lanes &* lanes
        let kk = g.kernelHeight &* g.kernelWidth
        guard patchSize > 0, ow > 0 else { return }
        gy.withUnsafeBufferPointer { pg in
            w.withUnsafeBufferPointer { pw in
                dx.withUnsafeMutableBufferPointer { pdx in
                    let pdx = pdx  // not inout: lets the loops vectorise
                    guard let gyBase = pg.baseAddress else { return }
                    concurrentRows(g.batch) { n in
                        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: patchSize &* stride) { scratch in
                            guard let dPatch = scratch.baseAddress else { return }
                            for y0 in Swift.stride(from: 0, to: g.outHeight, by: rowsPerSpan) {
                                let y1 = Swift.min(g.outHeight, y0 &+ rowsPerSpan)
                                let pixels = (y1 &- y0) &* ow
                                let full = pixels / lanes &* lanes
                                dPatch.update(repeating: 0, count: patchSize &* stride)
                                for o in 0..<g.outChannels {
                                    let src = gyBase + ((n &* g.outChannels &+ o) &* g.outHeight &+ y0) &* ow
                                    for t in 0..<patchSize {
                                        let weight = pw[o &* patchSize &+ t]
                                        let wv = Vector(repeating: weight)
                                        let row = dPatch + t &* stride
                                        var at = 0
                                        while at < full {
                                            let gv = UnsafeRawPointer(src + at).loadUnaligned(as: Vector.self)
                                            let d = UnsafeRawPointer(row + at).loadUnaligned(as: Vector.self)
                                            UnsafeMutableRawPointer(row + at).storeBytes(of: d + wv * gv, as: Vector.self)
                                            at &+= lanes
                                        }
                                        while at < pixels { row[at] += weight * src[at]; at &+= 1 }
                                    }
                                }
                                // Scatter the patch gradient back onto the input pixels it came from.
                                for t in 0..<patchSize {
                                    let (rows, cols) = taps[t]
                                    let c = t / kk, ky = (t % kk) / g.kernelWidth, kx = t % g.kernelWidth
                                    let plane = (n &* g.inChannels &+ c) &* g.inPlane
                                    let first = Swift.max(y0, rows.lowerBound)
                                    for y in first..<Swift.max(first, Swift.min(y1, rows.upperBound)) {
                                        let dst = plane &+ (y &* g.strideHeight &+ ky &- g.padTop) &* g.width &+ kx &- g.padLeft
                                        let row = dPatch + (t &* stride &+ (y &- y0) &* ow)
                                        for xo in cols { pdx[dst &+ xo &* g.strideWidth] += row[xo] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dw[o, t] = Σ_n Σ_span gy[n, o, span] · P[t][span]: contiguous SIMD dot products in Scalar,
    /// span totals accumulated in Double per worker, workers combined at the end. Parallel over
    /// batch slices.
    static func directBackwardWeight(_ g: ConvolutionGeometry, _ gy: [Scalar], _ x: [Scalar], _ dw: inout [Scalar]) {
        let taps = tapRanges(g), patchSize = g.patchSize, ow = g.outWidth, o = g.outChannels
        let rowsPerSpan = spanRows(g)
        let stride = (rowsPerSpan &* ow &+ lanes &- 1) / lanes &* lanes
        guard patchSize > 0, ow > 0, o > 0 else { return }
        let workers = Swift.max(1, Swift.min(parallelWorkers, g.batch))
        var partials = [Double](repeating: 0, count: workers &* o &* patchSize)
        gy.withUnsafeBufferPointer { pg in
            x.withUnsafeBufferPointer { px in
                partials.withUnsafeMutableBufferPointer { pp in
                    let pp = pp  // not inout: lets the loops vectorise
                    guard let gyBase = pg.baseAddress else { return }
                    concurrentRows(workers) { worker in
                        let first = g.batch &* worker / workers, last = g.batch &* (worker &+ 1) / workers
                        let totals = pp.baseAddress.map { $0 + worker &* o &* patchSize }
                        guard let totals else { return }
                        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: patchSize &* stride) { scratch in
                            guard let patch = scratch.baseAddress else { return }
                            for n in first..<last {
                                for y0 in Swift.stride(from: 0, to: g.outHeight, by: rowsPerSpan) {
                                    let y1 = Swift.min(g.outHeight, y0 &+ rowsPerSpan)
                                    let pixels = (y1 &- y0) &* ow
                                    let full = pixels / lanes &* lanes
                                    gatherPatch(g, taps, px, n: n, rows: y0, y1, patch, stride: stride)
                                    for oc in 0..<o {
                                        let src = gyBase + ((n &* o &+ oc) &* g.outHeight &+ y0) &* ow
                                        for t in 0..<patchSize {
                                            let row = patch + t &* stride
                                            var acc = Vector.zero
                                            var at = 0
                                            while at < full {
                                                acc += UnsafeRawPointer(src + at).loadUnaligned(as: Vector.self)
                                                    * UnsafeRawPointer(row + at).loadUnaligned(as: Vector.self)
                                                at &+= lanes
                                            }
                                            var sum = acc.sum()
                                            while at < pixels { sum += src[at] * row[at]; at &+= 1 }
                                            totals[oc &* patchSize &+ t] += sum.doubleValue
                                        }
                                    }
                                }
                            }
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
