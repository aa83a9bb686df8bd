// Direct 2-d convolution kernels for small patches (C·kh·kw ≤ 16), where im2col + GEMM is memory-bound.

extension Tensor {
    /// out[n, o] = bias[o] + Σ_{c,ky,kx} w[o, c, ky, kx] · x[n, c, shifted], one output plane at a
    /// time so it stays in cache; each tap is an axpy over a contiguous run of the row. Parallel
    /// over the batch.
    static func directForward(_ g: ConvolutionGeometry, _ x: [Scalar], _ w: [Scalar], _ bias: [Scalar]?,
                              _ out: inout [Scalar], relu: Bool) {
        let kh = g.kernelHeight, kw = g.kernelWidth, ow = g.outWidth, sh = g.strideHeight, sw = g.strideWidth
        let taps = (0..<(kh &* kw)).map { (rows: g.validRows($0 / kw), cols: g.validColumns($0 % kw)) }
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    concurrentRows(g.batch) { n in
                        for o in 0..<g.outChannels {
                            let dstPlane = (n &* g.outChannels &+ o) &* g.outPlane
                            let b = bias?[o] ?? 0
                            for p in 0..<g.outPlane { po[dstPlane &+ p] = b }
                            for c in 0..<g.inChannels {
                                let srcPlane = (n &* g.inChannels &+ c) &* g.inPlane
                                for t in 0..<(kh &* kw) {
                                    let ky = t / kw, kx = t % kw
                                    let weight = pw[((o &* g.inChannels &+ c) &* kh &+ ky) &* kw &+ kx]
                                    let (rows, cols) = taps[t]
                                    for y in rows {
                                        let src = srcPlane &+ (y &* sh &+ ky &- g.padTop) &* g.width &+ kx &- g.padLeft
                                        let dst = dstPlane &+ y &* ow
                                        if sw == 1 {
                                            for xo in cols { po[dst &+ xo] += weight * px[src &+ xo] }
                                        } else {
                                            for xo in cols { po[dst &+ xo] += weight * px[src &+ xo &* sw] }
                                        }
                                    }
                                }
                            }
                            if relu {
                                for p in 0..<g.outPlane where !(po[dstPlane &+ p] > 0) { po[dstPlane &+ p] = 0 }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx[n, c, shifted] += w[o, c, ky, kx] · gy[n, o]: the forward loops with source and
    /// destination exchanged. Parallel over the batch (each sample's gradient is disjoint).
    static func directBackwardInput(_ g: ConvolutionGeometry, _ gy: [Scalar], _ w: [Scalar], _ dx: inout [Scalar]) {
        let kh = g.kernelHeight, kw = g.kernelWidth, ow = g.outWidth, sh = g.strideHeight, sw = g.strideWidth
        let taps = (0..<(kh &* kw)).map { (rows: g.validRows($0 / kw), cols: g.validColumns($0 % kw)) }
        gy.withUnsafeBufferPointer { pg in
            w.withUnsafeBufferPointer { pw in
                dx.withUnsafeMutableBufferPointer { pdx in
                    concurrentRows(g.batch) { n in
                        for c in 0..<g.inChannels {
                            let dstPlane = (n &* g.inChannels &+ c) &* g.inPlane
                            for o in 0..<g.outChannels {
                                let srcPlane = (n &* g.outChannels &+ o) &* g.outPlane
                                for t in 0..<(kh &* kw) {
                                    let ky = t / kw, kx = t % kw
                                    let weight = pw[((o &* g.inChannels &+ c) &* kh &+ ky) &* kw &+ kx]
                                    let (rows, cols) = taps[t]
                                    for y in rows {
                                        let dst = dstPlane &+ (y &* sh &+ ky &- g.padTop) &* g.width &+ kx &- g.padLeft
                                        let src = srcPlane &+ y &* ow
                                        if sw == 1 {
                                            for xo in cols { pdx[dst &+ xo] += weight * pg[src &+ xo] }
                                        } else {
                                            for xo in cols { pdx[dst &+ xo &* sw] += weight * pg[src &+ xo] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dw[o, c, ky, kx] = Σ_n Σ_pixels gy[n, o] · x[n, c, shifted]: row dot products accumulated in
    /// Scalar, rows and samples in Double. Parallel over output channels (disjoint rows of dw).
    static func directBackwardWeight(_ g: ConvolutionGeometry, _ gy: [Scalar], _ x: [Scalar], _ dw: inout [Scalar]) {
        let kh = g.kernelHeight, kw = g.kernelWidth, ow = g.outWidth, sh = g.strideHeight, sw = g.strideWidth
        let taps = (0..<(kh &* kw)).map { (rows: g.validRows($0 / kw), cols: g.validColumns($0 % kw)) }
        let patch = g.patchSize
        gy.withUnsafeBufferPointer { pg in
            x.withUnsafeBufferPointer { px in
                dw.withUnsafeMutableBufferPointer { pdw in
                    concurrentRows(g.outChannels) { o in
                        withUnsafeTemporaryAllocation(of: Double.self, capacity: patch) { acc in
                            for i in 0..<patch { acc[i] = 0 }
                            for n in 0..<g.batch {
                                let gPlane = (n &* g.outChannels &+ o) &* g.outPlane
                                for c in 0..<g.inChannels {
                                    let xPlane = (n &* g.inChannels &+ c) &* g.inPlane
                                    for t in 0..<(kh &* kw) {
                                        let ky = t / kw, kx = t % kw
                                        let (rows, cols) = taps[t]
                                        var sum: Scalar = 0
                                        for y in rows {
                                            let src = xPlane &+ (y &* sh &+ ky &- g.padTop) &* g.width &+ kx &- g.padLeft
                                            let gr = gPlane &+ y &* ow
                                            if sw == 1 {
                                                for xo in cols { sum += pg[gr &+ xo] * px[src &+ xo] }
                                            } else {
                                                for xo in cols { sum += pg[gr &+ xo] * px[src &+ xo &* sw] }
                                            }
                                        }
                                        acc[(c &* kh &+ ky) &* kw &+ kx] += sum.doubleValue
                                    }
                                }
                            }
                            for i in 0..<patch { pdw[o &* patch &+ i] = Scalar(acc[i]) }
                        }
                    }
                }
            }
        }
    }
}
