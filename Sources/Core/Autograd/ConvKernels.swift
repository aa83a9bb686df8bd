// Convolution and pooling kernels (forward and backward) for NCHW tensors: direct and im2col + GEMM.
import Dispatch

/// The geometry of a 2-d convolution or pooling window over an NCHW batch.
struct ConvGeometry: Equatable {
    var batch: Int, channels: Int, height: Int, width: Int
    var outChannels: Int, kernelH: Int, kernelW: Int
    var stride: Int
    /// Zero rows above / columns left of the input ("same" puts any extra at the bottom/right).
    var padTop: Int, padLeft: Int
    var outH: Int, outW: Int

    /// C_in · kh · kw: the inner size of the convolution as a GEMM.
    var patch: Int { channels * kernelH * kernelW }
    var outPlane: Int { outH * outW }
    var inPlane: Int { height * width }
}

extension Padding {
    /// (padBefore, outExtent) along one axis.
    func nnResolve(input: Int, kernel: Int, stride: Int) -> (Int, Int) {
        switch self {
        case .same:
            let out = (input + stride - 1) / stride
            let total = Swift.max((out - 1) * stride + kernel - input, 0)
            return (total / 2, out)
        case .valid:
            return (0, input >= kernel ? (input - kernel) / stride + 1 : 0)
        case .explicit(let p):
            let padded = input + 2 * p
            return (p, padded >= kernel ? (padded - kernel) / stride + 1 : 0)
        }
    }
}

/// Runs `body(chunkStart, chunkEnd)` over `0..<count`, split in two halves across the cores when
/// the work is large enough to pay for it. Never called while BLAS is running.
@inline(__always)
func parallelChunks(_ count: Int, minimum: Int = 2, _ body: (Int, Int) -> Void) {
    if count < minimum {
        body(0, count)
        return
    }
    let chunks = 2
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        body(count * c / chunks, count * (c + 1) / chunks)
    }
}

enum ConvKernels {
    /// The inner size up to which the direct convolution beats im2col + GEMM.
    static let directLimit = 16

    // MARK: - Direct convolution (small C_in · k²)

    /// out[n, o] = bias[o] + Σ_c,ky,kx w[o, c, ky, kx] · in[n, c, shifted]; loops over output rows
    /// with the valid column range precomputed, so the inner loop is a contiguous axpy for stride 1.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func directForward<S: TensorScalar>(_ g: ConvGeometry, input: UnsafePointer<S>,
                                               weight: UnsafePointer<S>, bias: UnsafePointer<S>?,
                                               output: UnsafeMutablePointer<S>, relu: Bool) {
        parallelChunks(g.batch) { n0, n1 in
            for n in n0..<n1 {
                for o in 0..<g.outChannels {
                    let out = output + (n * g.outChannels + o) * g.outPlane
                    let b = bias?[o] ?? 0
                    for i in 0..<g.outPlane { out[i] = b }
                    for c in 0..<g.channels {
                        let inp = input + (n * g.channels + c) * g.inPlane
                        for ky in 0..<g.kernelH {
                            for kx in 0..<g.kernelW {
                                let w = weight[((o * g.channels + c) * g.kernelH + ky) * g.kernelW + kx]
                                forEachSpan(g, ky: ky, kx: kx) { oy, iy, ox0, ox1, ix0 in
                                    let orow = out + oy * g.outW, irow = inp + iy * g.width
                                    if g.stride == 1 {
                                        for k in 0..<(ox1 - ox0) { orow[ox0 + k] += w * irow[ix0 + k] }
                                    } else {
                                        for k in 0..<(ox1 - ox0) { orow[ox0 + k] += w * irow[ix0 + k * g.stride] }
                                    }
                                }
                            }
                        }
                    }
                    // `< 0` so NaN passes through, as in PyTorch.
                    if relu { for i in 0..<g.outPlane where out[i] < 0 { out[i] = 0 } }
                }
            }
        }
    }

    /// Backward of the direct convolution: gradInput (optional) and gradWeight (accumulated).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func directBackward<S: TensorScalar>(_ g: ConvGeometry, input: UnsafePointer<S>,
                                                weight: UnsafePointer<S>, gradOutput: UnsafePointer<S>,
                                                gradInput: UnsafeMutablePointer<S>?,
                                                gradWeight: UnsafeMutablePointer<S>?) {
        let wCount = g.outChannels * g.patch
        // Each half of the batch accumulates its own weight gradient; the halves are summed after.
        var partial = [S](repeating: 0, count: 2 * wCount)
        partial.withUnsafeMutableBufferPointer { pp in
            guard let partialBase = pp.baseAddress else { return }
            let chunkCount = g.batch >= 2 ? 2 : 1
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                let n0 = g.batch * chunk / chunkCount, n1 = g.batch * (chunk + 1) / chunkCount
                let gw = partialBase + chunk * wCount
                for n in n0..<n1 {
                    for o in 0..<g.outChannels {
                        let gout = gradOutput + (n * g.outChannels + o) * g.outPlane
                        for c in 0..<g.channels {
                            let inp = input + (n * g.channels + c) * g.inPlane
                            let gin = gradInput.map { $0 + (n * g.channels + c) * g.inPlane }
                            for ky in 0..<g.kernelH {
                                for kx in 0..<g.kernelW {
                                    let wi = ((o * g.channels + c) * g.kernelH + ky) * g.kernelW + kx
                                    let w = weight[wi]
                                    var acc: S = 0
                                    forEachSpan(g, ky: ky, kx: kx) { oy, iy, ox0, ox1, ix0 in
                                        let grow = gout + oy * g.outW, irow = inp + iy * g.width
                                        let s = g.stride
                                        for k in 0..<(ox1 - ox0) { acc += grow[ox0 + k] * irow[ix0 + k * s] }
                                        if let gin {
                                            let girow = gin + iy * g.width
                                            for k in 0..<(ox1 - ox0) { girow[ix0 + k * s] += w * grow[ox0 + k] }
                                        }
                                    }
                                    gw[wi] += acc
                                }
                            }
                        }
                    }
                }
            }
            if let gradWeight {
                for i in 0..<wCount { gradWeight[i] += partialBase[i] + partialBase[wCount + i] }
            }
        }
    }

    /// Calls `body(oy, iy, ox0, ox1, ix0)` for every output row whose input row (for kernel offset
    /// ky) is inside the image, with the output columns [ox0, ox1) whose input columns are inside.
    @inline(__always)
    static func forEachSpan(_ g: ConvGeometry, ky: Int, kx: Int,
                            _ body: (Int, Int, Int, Int, Int) -> Void) {
        // ix = ox·stride + kx − padLeft must lie in [0, width).
        let shift = kx - g.padLeft
        var ox0 = 0
        if shift < 0 { ox0 = (-shift + g.stride - 1) / g.stride }
        var ox1 = g.outW
        if g.width - shift <= 0 { ox1 = 0 } else { ox1 = Swift.min(g.outW, (g.width - shift + g.stride - 1) / g.stride) }
        if ox0 >= ox1 { return }
        for oy in 0..<g.outH {
            let iy = oy * g.stride + ky - g.padTop
            if iy < 0 || iy >= g.height { continue }
            body(oy, iy, ox0, ox1, ox0 * g.stride + shift)
        }
    }

    // MARK: - im2col + GEMM

    /// Lays the input patches out as columns: cols[(c, ky, kx), n · P + p], zeros outside the image.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func im2col<S: TensorScalar>(_ g: ConvGeometry, input: UnsafePointer<S>,
                                        cols: UnsafeMutablePointer<S>) {
        let columns = g.batch * g.outPlane
        parallelChunks(g.patch) { r0, r1 in
            for r in r0..<r1 {
                let c = r / (g.kernelH * g.kernelW), ky = (r / g.kernelW) % g.kernelH, kx = r % g.kernelW
                let row = cols + r * columns
                for i in 0..<columns { row[i] = 0 }
                for n in 0..<g.batch {
                    let inp = input + (n * g.channels + c) * g.inPlane
                    let dst = row + n * g.outPlane
                    forEachSpan(g, ky: ky, kx: kx) { oy, iy, ox0, ox1, ix0 in
                        let d = dst + oy * g.outW, s = inp + iy * g.width
                        for k in 0..<(ox1 - ox0) { d[ox0 + k] = s[ix0 + k * g.stride] }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds each column entry back into the input position it came from.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func col2im<S: TensorScalar>(_ g: ConvGeometry, cols: UnsafePointer<S>,
                                        gradInput: UnsafeMutablePointer<S>) {
        let columns = g.batch * g.outPlane
        // Split by sample so the halves write disjoint parts of gradInput.
        parallelChunks(g.batch) { n0, n1 in
            for r in 0..<g.patch {
                let c = r / (g.kernelH * g.kernelW), ky = (r / g.kernelW) % g.kernelH, kx = r % g.kernelW
                let row = cols + r * columns
                for n in n0..<n1 {
                    let gin = gradInput + (n * g.channels + c) * g.inPlane
                    let src = row + n * g.outPlane
                    forEachSpan(g, ky: ky, kx: kx) { oy, iy, ox0, ox1, ix0 in
                        let s = src + oy * g.outW, d = gin + iy * g.width
                        for k in 0..<(ox1 - ox0) { d[ix0 + k * g.stride] += s[ox0 + k] }
                    }
                }
            }
        }
    }

    /// [O, N·P] (GEMM layout) ⇄ [N, O, P] (NCHW), adding `bias` (and applying ReLU) on the way to NCHW.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func gemmToNCHW<S: TensorScalar>(_ g: ConvGeometry, _ src: UnsafePointer<S>,
                                            bias: UnsafePointer<S>?, _ dst: UnsafeMutablePointer<S>, relu: Bool) {
        let p = g.outPlane, columns = g.batch * p
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                let s = src + o * columns + n * p, d = dst + (n * g.outChannels + o) * p
                let b = bias?[o] ?? 0
                if relu {
                    for i in 0..<p { let v = s[i] + b; d[i] = v < 0 ? 0 : v }
                } else {
                    for i in 0..<p { d[i] = s[i] + b }
                }
            }
        }
    }

    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func nchwToGemm<S: TensorScalar>(_ g: ConvGeometry, _ src: UnsafePointer<S>,
                                            _ dst: UnsafeMutablePointer<S>) {
        let p = g.outPlane, columns = g.batch * p
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                let s = src + (n * g.outChannels + o) * p, d = dst + o * columns + n * p
                for i in 0..<p { d[i] = s[i] }
            }
        }
    }

    // MARK: - Pooling

    /// Max pooling with a k×k window and stride k (floor): writes the output and, per output, the
    /// flat input index of its maximum (the first one on ties) for the backward pass.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func maxPool<S: TensorScalar>(_ input: UnsafePointer<S>, planes: Int, height: Int, width: Int,
                                         k: Int, output: UnsafeMutablePointer<S>,
                                         argmax: UnsafeMutablePointer<Int32>) {
        let oh = height / k, ow = width / k
        parallelChunks(planes, minimum: 8) { p0, p1 in
            for p in p0..<p1 {
                let inp = input + p * height * width
                let base = p * oh * ow
                if k == 2 {
                    // The common 2×2 window without inner loops; the first maximum wins.
                    for oy in 0..<oh {
                        let r0 = 2 * oy * width, r1 = r0 + width
                        for ox in 0..<ow {
                            var best = inp[r0 + 2 * ox], at = r0 + 2 * ox
                            if inp[r0 + 2 * ox + 1] > best { best = inp[r0 + 2 * ox + 1]; at = r0 + 2 * ox + 1 }
                            if inp[r1 + 2 * ox] > best { best = inp[r1 + 2 * ox]; at = r1 + 2 * ox }
                            if inp[r1 + 2 * ox + 1] > best { best = inp[r1 + 2 * ox + 1]; at = r1 + 2 * ox + 1 }
                            output[base + oy * ow + ox] = best
                            argmax[base + oy * ow + ox] = Int32(truncatingIfNeeded: at)
                        }
                    }
                    continue
                }
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var best = inp[oy * k * width + ox * k], bestAt = oy * k * width + ox * k
                        for dy in 0..<k {
                            let row = (oy * k + dy) * width + ox * k
                            for dx in 0..<k where inp[row + dx] > best {
                                best = inp[row + dx]; bestAt = row + dx
                            }
                        }
                        output[base + oy * ow + ox] = best
                        argmax[base + oy * ow + ox] = Int32(truncatingIfNeeded: bestAt)
                    }
                }
            }
        }
    }

    /// Average pooling with a k×k window and stride k (floor).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func avgPool<S: TensorScalar>(_ input: UnsafePointer<S>, planes: Int, height: Int, width: Int,
                                         k: Int, output: UnsafeMutablePointer<S>) {
        let oh = height / k, ow = width / k
        let scale = 1 / S(k * k)
        parallelChunks(planes, minimum: 8) { p0, p1 in
            for p in p0..<p1 {
                let inp = input + p * height * width
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var sum: S = 0
                        for dy in 0..<k {
                            let row = (oy * k + dy) * width + ox * k
                            for dx in 0..<k { sum += inp[row + dx] }
                        }
                        output[(p * oh + oy) * ow + ox] = sum * scale
                    }
                }
            }
        }
    }
}
