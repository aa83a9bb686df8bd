// 2-d max and average pooling over NCHW (no padding, floor), forward and backward.

extension Tensor {
    /// Max pooling with a `kernel × kernel` window moved by `stride` (default: the kernel).
    ///
    /// Returns the pooled tensor [N, C, Ho, Wo] and, per output element, the position
    /// `iy · W + ix` of the chosen input pixel within its plane (the first maximum wins; with NaN
    /// inputs the choice is unspecified), which `maxPool2dBackward` routes the gradient to.
    /// - Throws: `CoreError.shapeMismatch` for a non-rank-4 input or a window larger than the image;
    ///   `badArgument` for a kernel or stride below 1.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func maxPool2d(_ input: Tensor, kernel: Int, stride: Int? = nil) throws
        -> (output: Tensor, argmax: [Int32]) {
        let g = try ConvolutionGeometry(poolInput: input.shape, kernel: kernel, stride: stride ?? kernel, op: "maxpool")
        guard g.inPlane <= Int(Int32.max) else {
            throw CoreError.badArgument(op: "maxpool", message: "image plane too large: \(describe(input.shape))")
        }
        let planes = g.batch &* g.inChannels, ow = g.outWidth, s = g.strideHeight
        let outCount = planes &* g.outPlane
        // Both are fully written below.
        var out = scratch(outCount)
        var argmax = [Int32](unsafeUninitializedCapacity: outCount) { _, initialized in initialized = outCount }
        input.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                let po = po  // not inout: lets the loops vectorise
                argmax.withUnsafeMutableBufferPointer { pa in
                    let pa = pa  // not inout: lets the loops vectorise
                    concurrentRows(planes) { plane in
                        let src = plane &* g.inPlane, dst = plane &* g.outPlane
                        if kernel == 2 && s == 2 {
                            // The common 2×2 window, unrolled as two pairwise maxima and a final one:
                            // selects only, which LLVM vectorises (strict > keeps the first maximum).
                            for y in 0..<g.outHeight {
                                let r0 = 2 &* y &* g.width, r1 = r0 &+ g.width
                                let row = dst &+ y &* ow
                                for xo in 0..<ow {
                                    let i0 = r0 &+ 2 &* xo, i2 = r1 &+ 2 &* xo
                                    let v0 = px[src &+ i0], v1 = px[src &+ i0 &+ 1]
                                    let v2 = px[src &+ i2], v3 = px[src &+ i2 &+ 1]
                                    let m01 = v1 > v0 ? v1 : v0, m23 = v3 > v2 ? v3 : v2
                                    let a01 = v1 > v0 ? i0 &+ 1 : i0, a23 = v3 > v2 ? i2 &+ 1 : i2
                                    let take = m23 > m01
                                    po[row &+ xo] = take ? m23 : m01
                                    pa[row &+ xo] = Int32(truncatingIfNeeded: take ? a23 : a01)
                                }
                            }
                            return
                        }
                        for y in 0..<g.outHeight {
                            for xo in 0..<ow {
                                var best = px[src &+ (y &* s) &* g.width &+ xo &* s], bestAt = (y &* s) &* g.width &+ xo &* s
                                for ky in 0..<kernel {
                                    let row = (y &* s &+ ky) &* g.width &+ xo &* s
                                    for kx in 0..<kernel {
                                        let v = px[src &+ row &+ kx]
                                        // Selects, not branches: random data would mispredict.
                                        let better = v > best
                                        best = better ? v : best
                                        bestAt = better ? row &+ kx : bestAt
                                    }
                                }
                                po[dst &+ y &* ow &+ xo] = best
                                pa[dst &+ y &* ow &+ xo] = Int32(truncatingIfNeeded: bestAt)
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(uncheckedShape: g.outputShape, scalars: out), argmax)
    }

    /// The gradient of `maxPool2d`: each output gradient goes to the input pixel that won.
    /// - Throws: `CoreError.shapeMismatch` when `gradOutput` and `argmax` do not fit `inputShape`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func maxPool2dBackward(_ gradOutput: Tensor, argmax: [Int32], inputShape: [Int]) throws -> Tensor {
        guard inputShape.count == 4, gradOutput.rank == 4, gradOutput.count == argmax.count,
              gradOutput.shape[0] == inputShape[0], gradOutput.shape[1] == inputShape[1] else {
            throw CoreError.shapeMismatch(op: "maxpool", shapes: [gradOutput.shape, inputShape],
                message: "output gradient \(describe(gradOutput.shape)) does not fit input \(describe(inputShape))")
        }
        let inCount = try elementCount(of: inputShape, op: "maxpool")
        let inPlane = inputShape[2] &* inputShape[3], outPlane = gradOutput.shape[2] &* gradOutput.shape[3]
        let planes = inputShape[0] &* inputShape[1]
        // Each plane is zeroed just before its scatter (while it is in cache), in parallel over
        // planes; a flag per plane records an argmax outside its plane.
        var dx = scratch(inCount)
        var badPlanes = [Bool](repeating: false, count: planes)
        gradOutput.scalars.withUnsafeBufferPointer { pg in
            argmax.withUnsafeBufferPointer { pa in
                dx.withUnsafeMutableBufferPointer { pdx in
                    badPlanes.withUnsafeMutableBufferPointer { bad in
                        let pdx = pdx, bad = bad  // not inout: lets the loops vectorise
                        concurrentRows(planes) { plane in
                            let src = plane &* outPlane, dst = plane &* inPlane
                            for i in 0..<inPlane { pdx[dst &+ i] = 0 }
                            for i in 0..<outPlane {
                                let at = Int(pa[src &+ i])
                                guard at >= 0, at < inPlane else { bad[plane] = true; continue }
                                pdx[dst &+ at] += pg[src &+ i]
                            }
                        }
                    }
                }
            }
        }
        let valid = !badPlanes.contains(true)
        guard valid else {
            throw CoreError.badArgument(op: "maxpool", message: "argmax indices do not fit input \(describe(inputShape))")
        }
        return Tensor(uncheckedShape: inputShape, scalars: dx)
    }

    /// Average pooling with a `kernel × kernel` window moved by `stride` (default: the kernel).
    /// - Throws: as `maxPool2d`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func avgPool2d(_ input: Tensor, kernel: Int, stride: Int? = nil) throws -> Tensor {
        let g = try ConvolutionGeometry(poolInput: input.shape, kernel: kernel, stride: stride ?? kernel, op: "avgpool")
        let planes = g.batch &* g.inChannels, ow = g.outWidth, s = g.strideHeight
        let scale = 1 / Scalar(kernel &* kernel)
        var out = [Scalar](repeating: 0, count: planes &* g.outPlane)
        input.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                let po = po  // not inout: lets the loops vectorise
                concurrentRows(planes) { plane in
                    let src = plane &* g.inPlane, dst = plane &* g.outPlane
                    for y in 0..<g.outHeight {
                        for xo in 0..<ow {
                            var sum: Scalar = 0
                            for ky in 0..<kernel {
                                let row = src &+ (y &* s &+ ky) &* g.width &+ xo &* s
                                for kx in 0..<kernel { sum += px[row &+ kx] }
                            }
                            po[dst &+ y &* ow &+ xo] = sum * scale
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: g.outputShape, scalars: out)
    }

    /// The gradient of `avgPool2d`: each output gradient spread evenly over its window.
    /// - Throws: `CoreError.shapeMismatch` when `gradOutput` is not the pooled shape of `inputShape`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func avgPool2dBackward(_ gradOutput: Tensor, inputShape: [Int], kernel: Int, stride: Int? = nil) throws -> Tensor {
        let g = try ConvolutionGeometry(poolInput: inputShape, kernel: kernel, stride: stride ?? kernel, op: "avgpool")
        guard gradOutput.shape == g.outputShape else {
            throw CoreError.shapeMismatch(op: "avgpool", shapes: [gradOutput.shape, g.outputShape],
                message: "output gradient has shape \(describe(gradOutput.shape)), expected \(describe(g.outputShape))")
        }
        let planes = g.batch &* g.inChannels, ow = g.outWidth, s = g.strideHeight
        let scale = 1 / Scalar(kernel &* kernel)
        var dx = [Scalar](repeating: 0, count: planes &* g.inPlane)
        gradOutput.scalars.withUnsafeBufferPointer { pg in
            dx.withUnsafeMutableBufferPointer { pdx in
                let pdx = pdx  // not inout: lets the loops vectorise
                concurrentRows(planes) { plane in
                    let src = plane &* g.outPlane, dst = plane &* g.inPlane
                    for y in 0..<g.outHeight {
                        for xo in 0..<ow {
                            let share = pg[src &+ y &* ow &+ xo] * scale
                            for ky in 0..<kernel {
                                let row = dst &+ (y &* s &+ ky) &* g.width &+ xo &* s
                                for kx in 0..<kernel { pdx[row &+ kx] += share }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: inputShape, scalars: dx)
    }
}
