// 2-d convolution, NCHW: forward and backward (input, weight, bias), im2col + GEMM or direct.
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

extension Tensor {
    /// Convolves `input` [N, C, H, W] with `weight` [O, C, kh, kw], adds `bias` [O] and optionally
    /// applies ReLU in the same pass.
    ///
    /// Small patches (C·kh·kw ≤ `directPatchLimit`, e.g. conv1 of the CNN with 1·2·2 = 4) run a
    /// direct loop parallel over the batch; larger ones unfold one sample at a time (im2col) and
    /// call a GEMM per sample, one slice of the batch per core.
    /// - Throws: `CoreError.shapeMismatch` naming input and weight shapes (or the bias shape).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                              padding: Padding = .same, relu: Bool = false) throws -> Tensor {
        let g = try ConvolutionGeometry(input: input.shape, weight: weight.shape, stride: stride, padding: padding)
        if let bias, bias.shape != [g.outChannels] {
            throw CoreError.shapeMismatch(op: "conv2d", shapes: [weight.shape, bias.shape],
                message: "bias must have shape [\(g.outChannels)] for weight \(describe(weight.shape)), got \(describe(bias.shape))")
        }
        _ = BLASThreads.pinned
        // Every element is written by either path (an empty patch leaves just the bias).
        var out = g.patchSize == 0 ? [Scalar](repeating: 0, count: g.batch &* g.outChannels &* g.outPlane)
                                   : scratch(g.batch &* g.outChannels &* g.outPlane)
        if g.patchSize == 0 {
            if let bias { out = (try Tensor(uncheckedShape: [1, g.outChannels, 1, 1], scalars: bias.scalars)
                                    .broadcast(to: g.outputShape)).scalars }
        } else if g.patchSize <= directPatchLimit {
            directForward(g, input.scalars, weight.scalars, bias?.scalars, &out, relu: relu)
        } else {
            sampleForward(g, input.scalars, weight.scalars, bias?.scalars, &out, relu: relu)
        }
        return Tensor(uncheckedShape: g.outputShape, scalars: out)
    }

    /// The gradient of `conv2d` with respect to its input, given the output gradient.
    /// - Throws: `CoreError.shapeMismatch` when `gradOutput` does not have the forward output shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func conv2dBackwardInput(_ gradOutput: Tensor, weight: Tensor, inputShape: [Int],
                                           stride: Int = 1, padding: Padding = .same) throws -> Tensor {
        let g = try ConvolutionGeometry(input: inputShape, weight: weight.shape, stride: stride, padding: padding)
        try checkGradOutput(gradOutput, g)
        _ = BLASThreads.pinned
        var gradInput = [Scalar](repeating: 0, count: g.batch &* g.inChannels &* g.inPlane)
        if g.patchSize <= directPatchLimit {
            directBackwardInput(g, gradOutput.scalars, weight.scalars, &gradInput)
        } else {
            sampleBackwardInput(g, gradOutput.scalars, weight.scalars, &gradInput)
        }
        return Tensor(uncheckedShape: inputShape, scalars: gradInput)
    }

    /// The gradient of `conv2d` with respect to its weight, given the output gradient.
    /// - Throws: `CoreError.shapeMismatch` when `gradOutput` does not have the forward output shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func conv2dBackwardWeight(_ gradOutput: Tensor, input: Tensor, weightShape: [Int],
                                            stride: Int = 1, padding: Padding = .same) throws -> Tensor {
        let g = try ConvolutionGeometry(input: input.shape, weight: weightShape, stride: stride, padding: padding)
        try checkGradOutput(gradOutput, g)
        _ = BLASThreads.pinned
        var gradWeight = [Scalar](repeating: 0, count: g.outChannels &* g.patchSize)
        if g.patchSize <= directPatchLimit {
            directBackwardWeight(g, gradOutput.scalars, input.scalars, &gradWeight)
        } else {
            sampleBackwardWeight(g, gradOutput.scalars, input.scalars, &gradWeight)
        }
        return Tensor(uncheckedShape: weightShape, scalars: gradWeight)
    }

    /// The gradient of `conv2d` with respect to its bias: `gradOutput` [N, O, H, W] summed to [O].
    /// - Throws: `CoreError.shapeMismatch` unless `gradOutput` has rank 4.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func conv2dBackwardBias(_ gradOutput: Tensor) throws -> Tensor {
        guard gradOutput.rank == 4 else {
            throw CoreError.shapeMismatch(op: "conv2d", shapes: [gradOutput.shape],
                message: "bias gradient needs [N, O, H, W], got \(describe(gradOutput.shape))")
        }
        let (n, o, plane) = (gradOutput.shape[0], gradOutput.shape[1], gradOutput.shape[2] &* gradOutput.shape[3])
        var sums = [Double](repeating: 0, count: o)
        gradOutput.scalars.withUnsafeBufferPointer { gy in
            guard let base = gy.baseAddress else { return }
            for b in 0..<n {
                for c in 0..<o { sums[c] += blockedSum(base + (b &* o &+ c) &* plane, plane) }
            }
        }
        return Tensor(uncheckedShape: [o], scalars: sums.map { Scalar($0) })
    }

    /// Patches up to this size (C·kh·kw) run the direct kernels; a GEMM with so small an inner
    /// dimension is memory-bound (≈ 11 GFLOP/s for K = 4 on the reference machine).
    static var directPatchLimit: Int { 16 }

    static func checkGradOutput(_ gradOutput: Tensor, _ g: ConvolutionGeometry) throws {
        guard gradOutput.shape == g.outputShape else {
            throw CoreError.shapeMismatch(op: "conv2d", shapes: [gradOutput.shape, g.outputShape],
                message: "output gradient has shape \(describe(gradOutput.shape)), expected \(describe(g.outputShape))")
        }
    }

    /// A buffer for intermediate results that are fully written before they are read: no zero fill.
    @inline(__always)
    static func scratch(_ count: Int) -> [Scalar] {
        [Scalar](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    // MARK: - im2col + GEMM

    /// Unfolds samples `first..<first+count` into `col` [C·kh·kw, count·Ho·Wo]: row (c, ky, kx)
    /// holds, for every output pixel, the input pixel under that kernel tap (0 in the padding).
    static func unfold(_ g: ConvolutionGeometry, _ x: UnsafeBufferPointer<Scalar>, first: Int, count: Int,
                       _ col: UnsafeMutableBufferPointer<Scalar>, parallel: Bool = true) {
        let kk = g.kernelHeight &* g.kernelWidth
        let columns = count &* g.outPlane
        let samePlane = g.strideHeight == 1 && g.strideWidth == 1 && g.outHeight == g.height && g.outWidth == g.width
        concurrentRows(g.patchSize, parallel: parallel) { r in
            let c = r / kk, ky = (r % kk) / g.kernelWidth, kx = r % g.kernelWidth
            let rows = g.validRows(ky), cols = g.validColumns(kx)
            if samePlane {
                // Stride 1 and an output as large as the input ("same"): each tap is the plane
                // shifted by a fixed offset, so copy it in one run and zero the columns that
                // wrapped around from the neighbouring row.
                let plane = g.outPlane, shift = (ky &- g.padTop) &* g.width &+ kx &- g.padLeft
                let lo = Swift.max(0, -shift), hi = Swift.max(lo, Swift.min(plane, plane &- shift))
                for s in 0..<count {
                    let src = ((first &+ s) &* g.inChannels &+ c) &* g.inPlane
                    let dst = r &* columns &+ s &* plane
                    for p in 0..<lo { col[dst &+ p] = 0 }
                    for p in lo..<hi { col[dst &+ p] = x[src &+ p &+ shift] }
                    for p in hi..<plane { col[dst &+ p] = 0 }
                    for y in 0..<g.outHeight {
                        for xo in 0..<cols.lowerBound { col[dst &+ y &* g.outWidth &+ xo] = 0 }
                        for xo in cols.upperBound..<g.outWidth { col[dst &+ y &* g.outWidth &+ xo] = 0 }
                    }
                }
                return
            }
            for s in 0..<count {
                let src = ((first &+ s) &* g.inChannels &+ c) &* g.inPlane
                let dstBase = r &* columns &+ s &* g.outPlane
                for y in 0..<g.outHeight {
                    let dst = dstBase &+ y &* g.outWidth
                    guard rows.contains(y) else {
                        for xo in 0..<g.outWidth { col[dst &+ xo] = 0 }
                        continue
                    }
                    let iy = y &* g.strideHeight &+ ky &- g.padTop
                    let rowBase = src &+ iy &* g.width &+ kx &- g.padLeft
                    for xo in 0..<cols.lowerBound { col[dst &+ xo] = 0 }
                    if g.strideWidth == 1 {
                        for xo in cols { col[dst &+ xo] = x[rowBase &+ xo] }
                    } else {
                        for xo in cols { col[dst &+ xo] = x[rowBase &+ xo &* g.strideWidth] }
                    }
                    for xo in cols.upperBound..<g.outWidth { col[dst &+ xo] = 0 }
                }
            }
        }
    }

    /// The adjoint of `unfold`: adds every entry of `col` back onto the input pixel it came from.
    /// Parallel over input channels, whose pixels are disjoint.
    static func fold(_ g: ConvolutionGeometry, _ col: UnsafeBufferPointer<Scalar>, first: Int, count: Int,
                     _ dx: UnsafeMutableBufferPointer<Scalar>, parallel: Bool = true) {
        let kk = g.kernelHeight &* g.kernelWidth
        let columns = count &* g.outPlane
        concurrentRows(g.inChannels, parallel: parallel) { c in
            for tap in 0..<kk {
                let r = c &* kk &+ tap, ky = tap / g.kernelWidth, kx = tap % g.kernelWidth
                let rows = g.validRows(ky), cols = g.validColumns(kx)
                for s in 0..<count {
                    let dstPlane = ((first &+ s) &* g.inChannels &+ c) &* g.inPlane
                    let srcBase = r &* columns &+ s &* g.outPlane
                    for y in rows {
                        let iy = y &* g.strideHeight &+ ky &- g.padTop
                        let rowBase = dstPlane &+ iy &* g.width &+ kx &- g.padLeft
                        let src = srcBase &+ y &* g.outWidth
                        if g.strideWidth == 1 {
                            for xo in cols { dx[rowBase &+ xo] += col[src &+ xo] }
                        } else {
                            for xo in cols { dx[rowBase &+ xo &* g.strideWidth] += col[src &+ xo] }
                        }
                    }
                }
            }
        }
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

/// The number of worker threads for Whittle's own parallel loops, fixed at first use.
enum ParallelWorkers {
    static let count: Int = {
        #if canImport(Glibc)
        let n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return Swift.max(1, Swift.min(n, 8))
        #else
        return 2
        #endif
    }()
}
