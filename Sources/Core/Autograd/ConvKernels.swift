// Convolution kernels (forward and backward) for NCHW tensors: direct and im2col + GEMM.
import Dispatch

enum ConvKernels {
    // MARK: - Direct convolution (small C_in · k²)

    /// One sample's patch planes: dst[t, p] = input pixel under tap t = (c, ky, kx) for output
    /// pixel p, zero outside the image. With C·k² ≤ 16 this is at most 16 planes per sample.
    @inline(__always)
    static func samplePatches<S: TensorScalar>(_ g: ConvolutionGeometry, input: UnsafePointer<S>, sample n: Int,
                                               into dst: UnsafeMutablePointer<S>) {
        for r in 0..<g.patchSize {
            let c = r / (g.kernelHeight * g.kernelWidth), ky = (r / g.kernelWidth) % g.kernelHeight, kx = r % g.kernelWidth
            let row = dst + r * g.outPlane
            for i in 0..<g.outPlane { row[i] = 0 }
            let inp = input + (n * g.inChannels + c) * g.inPlane
            forEachSpan(g, ky: ky, kx: kx) { oy, iy, ox0, ox1, ix0 in
                let d = row + oy * g.outWidth, s = inp + iy * g.width
                for k in 0..<(ox1 - ox0) { d[ox0 + k] = s[ix0 + k * g.strideWidth] }
            }
        }
    }

    /// out[n, o, :] = bias[o] + Σ_t w[o, t] · patches[n, t, :] (then ReLU if asked), with the patch
    /// planes of every sample written to `patches` [N, C·k², P] for the backward pass. Each inner
    /// loop runs over a whole output plane, so it vectorises; parallel over the batch.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func directForward<S: TensorScalar>(_ g: ConvolutionGeometry, input: UnsafePointer<S>,
                                               weight: UnsafePointer<S>, bias: UnsafePointer<S>?,
                                               output: UnsafeMutablePointer<S>, relu: Bool,
                                               patches: UnsafeMutablePointer<S>) {
        let plane = g.outPlane
        parallelChunks(g.batch) { n0, n1 in
            for n in n0..<n1 {
                let pn = patches + n * g.patchSize * plane
                samplePatches(g, input: input, sample: n, into: pn)
                for o in 0..<g.outChannels {
                    let out = output + (n * g.outChannels + o) * plane
                    let b = bias?[o] ?? 0
                    // Taps four at a time: one pass over the output plane per group.
                    var t = 0
                    let wo = weight + o * g.patchSize
                    if g.patchSize >= 4 {
                        let (w0, w1, w2, w3) = (wo[0], wo[1], wo[2], wo[3])
                        let (p0, p1, p2, p3) = (UnsafePointer(pn), UnsafePointer(pn + plane),
                                                UnsafePointer(pn + 2 * plane), UnsafePointer(pn + 3 * plane))
                        if relu && g.patchSize == 4 {
                            // conv1 of a CNN: all taps and the ReLU in one pass (a select, so NaN passes).
                            for i in 0..<plane {
                                let v = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i]
                                out[i] = v < 0 ? 0 : v
                            }
                            continue
                        }
                        for i in 0..<plane { out[i] = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] }
                        t = 4
                    } else {
                        for i in 0..<plane { out[i] = b }
                    }
                    while t + 4 <= g.patchSize {
                        let (w0, w1, w2, w3) = (wo[t], wo[t + 1], wo[t + 2], wo[t + 3])
                        let p0 = UnsafePointer(pn + t * plane), p1 = p0 + plane, p2 = p1 + plane, p3 = p2 + plane
                        for i in 0..<plane { out[i] += w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] }
                        t += 4
                    }
                    while t < g.patchSize {
                        let w = wo[t], src = UnsafePointer(pn + t * plane)
                        for i in 0..<plane { out[i] += w * src[i] }
                        t += 1
                    }
                    // `< 0` so NaN passes through, as in PyTorch.
                    if relu { for i in 0..<plane { let v = out[i]; out[i] = v < 0 ? 0 : v } }
                }
            }
        }
    }

    /// Backward of the direct convolution from the saved patch planes: gradWeight += G_n · P_nᵀ
    /// per sample (GEMM), and, when asked, gradInput from Wᵀ · G_n scattered back per sample.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func directBackward<S: TensorScalar>(_ g: ConvolutionGeometry, patches: UnsafePointer<S>,
                                                weight: UnsafePointer<S>, gradOutput: UnsafePointer<S>,
                                                gradInput: UnsafeMutablePointer<S>?,
                                                gradWeight: UnsafeMutablePointer<S>) {
        let plane = g.outPlane, per = g.outChannels * plane
        // Sequential GEMMs: BLAS owns the cores while they run.
        for n in 0..<g.batch {
            S.gemm(transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: plane, alpha: 1,
                           a: gradOutput + n * per, lda: plane, b: patches + n * g.patchSize * plane, ldb: plane,
                           beta: 1, c: gradWeight, ldc: g.patchSize)
        }
        guard let gradInput else { return }
        var scratch = [S](repeating: 0, count: g.patchSize * plane)
        scratch.withUnsafeMutableBufferPointer { ps in
            guard let dp = ps.baseAddress else { return }
            for n in 0..<g.batch {
                S.gemm(transposeA: true, transposeB: false, m: g.patchSize, n: plane, k: g.outChannels, alpha: 1,
                               a: weight, lda: g.patchSize, b: gradOutput + n * per, ldb: plane,
                               beta: 0, c: dp, ldc: plane)
                sampleCol2im(g, sample: n, cols: UnsafePointer(dp), gradInput: gradInput)
            }
        }
    }

    /// The adjoint of `samplePatches` for one sample: adds each patch entry back into its pixel.
    @inline(__always)
    static func sampleCol2im<S: TensorScalar>(_ g: ConvolutionGeometry, sample n: Int, cols: UnsafePointer<S>,
                                              gradInput: UnsafeMutablePointer<S>) {
        for r in 0..<g.patchSize {
            let c = r / (g.kernelHeight * g.kernelWidth), ky = (r / g.kernelWidth) % g.kernelHeight, kx = r % g.kernelWidth
            let src = cols + r * g.outPlane
            let gin = gradInput + (n * g.inChannels + c) * g.inPlane
            forEachSpan(g, ky: ky, kx: kx) { oy, iy, ox0, ox1, ix0 in
                let s = src + oy * g.outWidth, d = gin + iy * g.width
                for k in 0..<(ox1 - ox0) { d[ix0 + k * g.strideWidth] += s[ox0 + k] }
            }
        }
    }

    /// Calls `body(oy, iy, ox0, ox1, ix0)` for every output row whose input row (for kernel offset
    /// ky) is inside the image, with the output columns [ox0, ox1) whose input columns are inside.
    @inline(__always)
    static func forEachSpan(_ g: ConvolutionGeometry, ky: Int, kx: Int,
                            _ body: (Int, Int, Int, Int, Int) -> Void) {
        // ix = ox·stride + kx − padLeft must lie in [0, width): the geometry's valid columns.
        let columns = g.validColumns(kx)
        if columns.isEmpty { return }
        let ix0 = columns.lowerBound &* g.strideWidth &+ kx &- g.padLeft
        for oy in g.validRows(ky) {
            body(oy, oy &* g.strideHeight &+ ky &- g.padTop, columns.lowerBound, columns.upperBound, ix0)
        }
    }

    // MARK: - im2col + GEMM

    /// Lays the input patches out as columns: cols[(c, ky, kx), n · P + p], zeros outside the image.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func im2col<S: TensorScalar>(_ g: ConvolutionGeometry, input: UnsafePointer<S>,
                                        cols: UnsafeMutablePointer<S>) {
        let columns = g.batch * g.outPlane
        parallelChunks(g.patchSize) { r0, r1 in
            for r in r0..<r1 {
                let c = r / (g.kernelHeight * g.kernelWidth), ky = (r / g.kernelWidth) % g.kernelHeight, kx = r % g.kernelWidth
                let row = cols + r * columns
                for i in 0..<columns { row[i] = 0 }
                for n in 0..<g.batch {
                    let inp = input + (n * g.inChannels + c) * g.inPlane
                    let dst = row + n * g.outPlane
                    forEachSpan(g, ky: ky, kx: kx) { oy, iy, ox0, ox1, ix0 in
                        let d = dst + oy * g.outWidth, s = inp + iy * g.width
                        for k in 0..<(ox1 - ox0) { d[ox0 + k] = s[ix0 + k * g.strideWidth] }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds each column entry back into the input position it came from.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func col2im<S: TensorScalar>(_ g: ConvolutionGeometry, cols: UnsafePointer<S>,
                                        gradInput: UnsafeMutablePointer<S>) {
        let columns = g.batch * g.outPlane
        // Split by sample so the halves write disjoint parts of gradInput.
        parallelChunks(g.batch) { n0, n1 in
            for r in 0..<g.patchSize {
                let c = r / (g.kernelHeight * g.kernelWidth), ky = (r / g.kernelWidth) % g.kernelHeight, kx = r % g.kernelWidth
                let row = cols + r * columns
                for n in n0..<n1 {
                    let gin = gradInput + (n * g.inChannels + c) * g.inPlane
                    let src = row + n * g.outPlane
                    forEachSpan(g, ky: ky, kx: kx) { oy, iy, ox0, ox1, ix0 in
                        let s = src + oy * g.outWidth, d = gin + iy * g.width
                        for k in 0..<(ox1 - ox0) { d[ix0 + k * g.strideWidth] += s[ox0 + k] }
                    }
                }
            }
        }
    }

    /// The im2col GEMM's output layout [O, N·P]: dense planes, one row per output channel.
    static func gemmLayout(_ g: ConvolutionGeometry) -> ChannelMajorLayout {
        ChannelMajorLayout(batch: g.batch, channels: g.outChannels, height: g.outHeight, width: g.outWidth,
                           rowStride: g.outWidth, plane: g.outPlane)
    }
}
