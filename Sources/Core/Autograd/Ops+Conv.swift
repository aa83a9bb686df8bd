// Differentiable 2-d convolution and pooling on NCHW batches, each one node with fused kernels.

extension Variable {
    /// 2-d convolution: input [N, C, H, W], weight [O, C, kh, kw], optional bias [O] → [N, O, H', W'],
    /// optionally followed by ReLU in the same node (`relu: true`, used when a Conv2D is followed
    /// by a ReLU layer: the pre-activation is never stored).
    ///
    /// Direct loops when C·kh·kw is small (conv1 of a CNN has 4), one GEMM per kernel tap for
    /// stride-1 convolutions of 16 or more input channels (`TapConvolution`), im2col + one GEMM
    /// for the whole batch otherwise. Backward skips the input gradient when the input needs none (the data).
    /// - Throws: `CoreError.shapeMismatch` naming the input and weight shapes when they disagree.
    @_specialize(where Scalar == Float)
    public func conv2d(weight: Variable, bias: Variable?, stride: Int = 1,
                       padding: Padding = .same, relu: Bool = false) throws -> Variable {
        try Variable.sameTape(self, weight, op: "conv2d")
        let x = value, w = weight.value
        // The tensor part's geometry validates shapes, stride and padding with its error wording.
        let g = try ConvolutionGeometry(input: x.shape, weight: w.shape, bias: bias?.shape, stride: stride, padding: padding)
        let (outH, outW) = (g.outHeight, g.outWidth)
        if g.patchSize > DirectConvPool.patchLimit, g.inChannels >= TapConvolution.minimumChannels,
           let plan = TapConvolution(g) {
            return tapConv2d(plan, weight: weight, bias: bias, relu: relu)
        }
        let outShape = [g.batch, g.outChannels, outH, outW]
        let outCount = try Tensor<Scalar>.elementCount(of: outShape, op: "conv2d")
        var out = [Scalar](uninitializedCount: outCount)  // both paths write every entry
        let direct = g.patchSize <= DirectConvPool.patchLimit
        var cols: [Scalar] = []
        let b = bias?.value
        x.scalars.withUnsafeBufferPointer { px in
            w.scalars.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    guard let bx = px.baseAddress, let bw = pw.baseAddress, let bo = po.baseAddress else { return }
                    b?.scalars.withUnsafeBufferPointer { pb in
                        Variable.convForward(g, direct: direct, relu: relu, bx, bw, pb.baseAddress, bo, &cols)
                    } ?? Variable.convForward(g, direct: direct, relu: relu, bx, bw, nil, bo, &cols)
                }
            }
        }
        let (ix, iw, ib) = (id, weight.id, bias?.id)
        let (nx, nw, nb) = (requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false)
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        let y = Tensor(uncheckedShape: outShape, scalars: out)
        // Backward needs the patch columns, not the input itself.
        let (inputShape, inputCount) = (x.shape, x.count)
        return tape.record(y, inputs: inputs) {
            { gradOutput in
                // Through the fused ReLU first: the gradient passes where the output is positive.
                let gradOut = relu ? gradOutput.zip(y) { gi, yi in yi > 0 ? gi : 0 } : gradOutput
                var gx = nx ? [Scalar](repeating: 0, count: inputCount) : []
                var gw = [Scalar](repeating: 0, count: w.count)
                gradOut.scalars.withUnsafeBufferPointer { pg in
                    w.scalars.withUnsafeBufferPointer { pw in
                        gx.withUnsafeMutableBufferPointer { pgx in
                            gw.withUnsafeMutableBufferPointer { pgw in
                                cols.withUnsafeBufferPointer { pc in
                                    guard let bg = pg.baseAddress, let bw = pw.baseAddress,
                                          let bgw = pgw.baseAddress, let bc = pc.baseAddress else { return }
                                    let gin = nx ? pgx.baseAddress : nil
                                    if direct {
                                        ConvKernels.directBackward(g, patches: bc, weight: bw, gradOutput: bg,
                                                                   gradInput: gin, gradWeight: bgw)
                                    } else {
                                        Variable.gemmBackward(g, cols: bc, weight: bw, gradOutput: bg,
                                                              gradInput: gin, gradWeight: bgw)
                                    }
                                }
                            }
                        }
                    }
                }
                var grads: [(Int, Tensor<Scalar>)] = []
                if nx { grads.append((ix, Tensor(uncheckedShape: inputShape, scalars: gx))) }
                if nw { grads.append((iw, Tensor(uncheckedShape: w.shape, scalars: gw))) }
                if nb, let ib {
                    var gb = [Scalar](repeating: 0, count: g.outChannels)
                    gradOut.scalars.withUnsafeBufferPointer { pg in
                        guard let base = pg.baseAddress else { return }
                        for n in 0..<g.batch {
                            for o in 0..<g.outChannels {
                                gb[o] += Scalar(Tensor<Scalar>.blockedSum(base + (n * g.outChannels + o) * g.outPlane, g.outPlane))
                            }
                        }
                    }
                    grads.append((ib, Tensor(uncheckedShape: [g.outChannels], scalars: gb)))
                }
                return grads
            }
        }
    }

    /// Forward convolution into `out`; for the GEMM path the patch columns are kept in `cols`.
    @inline(__always)
    private static func convForward(_ g: ConvolutionGeometry, direct: Bool, relu: Bool, _ x: UnsafePointer<Scalar>,
                                    _ w: UnsafePointer<Scalar>, _ b: UnsafePointer<Scalar>?,
                                    _ out: UnsafeMutablePointer<Scalar>, _ cols: inout [Scalar]) {
        if direct {
            cols = [Scalar](uninitializedCount: g.batch * g.patchSize * g.outPlane)  // samplePatches writes all
            cols.withUnsafeMutableBufferPointer { pc in
                guard let bc = pc.baseAddress else { return }
                ConvKernels.directForward(g, input: x, weight: w, bias: b, output: out, relu: relu, patches: bc)
            }
            return
        }
        let columns = g.batch * g.outPlane
        cols = [Scalar](uninitializedCount: g.patchSize * columns)                 // im2col writes all
        var product = [Scalar](uninitializedCount: g.outChannels * columns)  // GEMM, beta 0
        cols.withUnsafeMutableBufferPointer { pc in
            product.withUnsafeMutableBufferPointer { pp in
                guard let bc = pc.baseAddress, let bp = pp.baseAddress else { return }
                ConvKernels.im2col(g, input: x, cols: bc)
                Scalar.gemm(transposeA: false, transposeB: false, m: g.outChannels, n: columns, k: g.patchSize,
                               alpha: 1, a: w, lda: g.patchSize, b: bc, ldb: columns, beta: 0, c: bp, ldc: columns)
                ConvKernels.gemmLayout(g).toNCHW(bp, bias: b, relu: relu, into: out)
            }
        }
    }

    /// Backward through im2col + GEMM: gradWeight = G · colsᵀ, gradCols = Wᵀ · G, then col2im.
    private static func gemmBackward(_ g: ConvolutionGeometry, cols: UnsafePointer<Scalar>, weight: UnsafePointer<Scalar>,
                                     gradOutput: UnsafePointer<Scalar>,
                                     gradInput: UnsafeMutablePointer<Scalar>?,
                                     gradWeight: UnsafeMutablePointer<Scalar>) {
        let columns = g.batch * g.outPlane
        var g2 = [Scalar](uninitializedCount: g.outChannels * columns)  // nchwToGemm writes all
        g2.withUnsafeMutableBufferPointer { pg2 in
            guard let b2 = pg2.baseAddress else { return }
            ConvKernels.gemmLayout(g).fromNCHW(gradOutput, into: b2)
            Scalar.gemm(transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: columns,
                           alpha: 1, a: b2, lda: columns, b: cols, ldb: columns,
                           beta: 1, c: gradWeight, ldc: g.patchSize)
            guard let gradInput else { return }
            // Every entry is written by the GEMM (beta = 0) before it is read.
            var gradCols = [Scalar](uninitializedCount: g.patchSize * columns)
            gradCols.withUnsafeMutableBufferPointer { pgc in
                guard let bgc = pgc.baseAddress else { return }
                Scalar.gemm(transposeA: true, transposeB: false, m: g.patchSize, n: columns, k: g.outChannels,
                               alpha: 1, a: weight, lda: g.patchSize, b: b2, ldb: columns,
                               beta: 0, c: bgc, ldc: columns)
                ConvKernels.col2im(g, cols: bgc, gradInput: gradInput)
            }
        }
    }

    /// Max pooling over k×k windows with stride k on [N, C, H, W] (floor of H/k, W/k); the
    /// gradient goes to the first maximum of each window (`Tensor.maxPool2d`'s argmax).
    @_specialize(where Scalar == Float)
    public func maxPool(_ k: Int) throws -> Variable {
        try poolCheck(k, op: "maxpool")
        let x = value, i = id
        let (out, argmax) = try Tensor.maxPool2d(x, kernel: k)
        return tape.record(out, inputs: [self]) {
            { g in [(i, try Tensor.maxPool2dBackward(g, argmax: argmax, inputShape: x.shape))] }
        }
    }

    /// Average pooling over k×k windows with stride k on [N, C, H, W].
    @_specialize(where Scalar == Float)
    public func avgPool(_ k: Int) throws -> Variable {
        try poolCheck(k, op: "avgpool")
        let x = value, i = id
        let out = try Tensor.avgPool2d(x, kernel: k)
        return tape.record(out, inputs: [self]) {
            { g in [(i, try Tensor.avgPool2dBackward(g, inputShape: x.shape, kernel: k))] }
        }
    }

    private func poolCheck(_ k: Int, op: String) throws {
        guard shape.count == 4 else {
            throw CoreError.shapeMismatch(op: op, shapes: [shape],
                message: "expected [N, C, H, W], got \(Tensor<Float>.describe(shape))")
        }
        guard k >= 1 else { throw CoreError.badArgument(op: op, message: "window must be at least 1, got \(k)") }
        guard shape[2] >= k, shape[3] >= k else {
            throw CoreError.shapeMismatch(op: op, shapes: [shape],
                message: "window \(k) is larger than the image \(shape[2])×\(shape[3])")
        }
    }
}
