// Stride-1 convolution as one GEMM per kernel tap over a zero-padded, channel-major input.
//
// With stride 1, output pixel (y, x) takes tap (ky, kx) from padded pixel (y + ky, x + kx). Lay
// the input out channel-major, every sample's padded plane (Hp × Wp) back to back, and the pixels
// tap (ky, kx) reads for the whole batch are the same rows shifted by ky·Wp + kx. So
//
//     Y[O, N·Hp·Wp] = Σ_taps W_tap[O, C] · Xp[C, shift_tap ..< shift_tap + N·Hp·Wp]
//
// is the convolution of the whole batch: kh·kw GEMMs and no im2col. The outputs sit on the padded
// grid ("extended" layout); the columns past the output width and the rows past its height are
// computed and ignored (15% more work for 14×14 with k = 2, against im2col's 4× copy of the input
// written and read again, which cost as much as the GEMM itself). The backward passes are the
// same GEMMs transposed: dW_tap = G · Xp_shiftᵀ and dXp_shift += W_tapᵀ · G.

/// The layouts and GEMMs of one stride-1 convolution done tap by tap.
struct TapConvolution: Sendable {
    let g: ConvolutionGeometry
    /// The padded plane: exactly the input rows and columns the valid outputs read.
    let paddedHeight: Int, paddedWidth: Int
    /// Hp · Wp, and N · Hp · Wp: the columns of every GEMM.
    let plane: Int, columns: Int
    /// The row stride of the padded input: the columns plus the furthest tap shift, so a shifted
    /// row never leaves its channel's row (the extra entries are zero).
    let inputStride: Int
    var taps: Int { g.kernelHeight &* g.kernelWidth }

    /// The plan for `g`, or nil when the convolution is strided or too small to be worth it.
    init?(_ g: ConvolutionGeometry) {
        guard g.strideHeight == 1, g.strideWidth == 1, g.outHeight > 0, g.outWidth > 0,
              g.batch > 0, g.inChannels > 0, g.outChannels > 0 else { return nil }
        let hp = g.outHeight &+ g.kernelHeight &- 1, wp = g.outWidth &+ g.kernelWidth &- 1
        // Same, valid and explicit padding all keep the image inside the padded plane.
        guard hp >= g.padTop &+ g.height, wp >= g.padLeft &+ g.width else { return nil }
        let (p, o1) = hp.multipliedReportingOverflow(by: wp)
        let (cols, o2) = p.multipliedReportingOverflow(by: g.batch)
        guard !o1, !o2, cols < Int(Int32.max) else { return nil }
        self.g = g
        paddedHeight = hp
        paddedWidth = wp
        plane = p
        columns = cols
        inputStride = cols &+ (g.kernelHeight &- 1) &* wp &+ g.kernelWidth &- 1
    }

    /// Where tap `t` = (ky, kx) starts reading in a padded row.
    @inline(__always)
    func shift(_ t: Int) -> Int { (t / g.kernelWidth) &* paddedWidth &+ t % g.kernelWidth }

    // MARK: - Layouts

    /// Xp[c][n·plane + (y + padTop)·Wp + x + padLeft] = x[n, c, y, x], zero elsewhere; C rows of
    /// `inputStride`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func pad<S: TensorScalar>(_ x: UnsafePointer<S>, into xp: UnsafeMutablePointer<S>) {
        let (c, h, w) = (g.inChannels, g.height, g.width)
        Tensor<S>.concurrentRows(c, parallel: columns >= 4096) { ch in
            let row = xp + ch &* inputStride
            // Only the padding is zeroed: the rows above and below the image, the columns beside
            // it, and the tail.
            let right = paddedWidth &- g.padLeft &- w
            for n in 0..<g.batch {
                let source: Int = (n &* c &+ ch) &* h &* w
                let sample = row + n &* plane
                sample.update(repeating: 0, count: g.padTop &* paddedWidth)
                for y in 0..<h {
                    let line = sample + (g.padTop &+ y) &* paddedWidth
                    line.update(repeating: 0, count: g.padLeft)
                    (line + g.padLeft).update(from: x + (source &+ y &* w), count: w)
                    (line + (g.padLeft &+ w)).update(repeating: 0, count: right)
                }
                let below = g.padTop &+ h
                (sample + below &* paddedWidth).update(repeating: 0, count: (paddedHeight &- below) &* paddedWidth)
            }
            (row + columns).update(repeating: 0, count: inputStride &- columns)
        }
    }

    /// The inverse of `pad` for gradients: dx[n, c, y, x] = dXp[c][…] (the padding is dropped).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func crop<S: TensorScalar>(_ xp: UnsafePointer<S>, into x: UnsafeMutablePointer<S>) {
        let (c, h, w) = (g.inChannels, g.height, g.width)
        Tensor<S>.concurrentRows(c, parallel: columns >= 4096) { ch in
            let row = xp + ch &* inputStride
            for n in 0..<g.batch {
                let origin: Int = n &* plane &+ g.padTop &* paddedWidth &+ g.padLeft
                let target: Int = (n &* c &+ ch) &* h &* w
                for y in 0..<h { (x + (target &+ y &* w)).update(from: row + (origin &+ y &* paddedWidth), count: w) }
            }
        }
    }

    /// wt[tap][o][c] = w[o, c, ky, kx]: each tap's weights as one contiguous O × C matrix.
    func tapMajor<S: TensorScalar>(_ w: [S]) -> [S] {
        let (o, c, t) = (g.outChannels, g.inChannels, taps)
        var out = [S](repeating: 0, count: w.count)
        for oc in 0..<o { for ch in 0..<c { for tap in 0..<t { out[(tap &* o &+ oc) &* c &+ ch] = w[(oc &* c &+ ch) &* t &+ tap] } } }
        return out
    }

    /// The inverse of `tapMajor`.
    func kernelMajor<S: TensorScalar>(_ wt: [S]) -> [S] {
        let (o, c, t) = (g.outChannels, g.inChannels, taps)
        var out = [S](repeating: 0, count: wt.count)
        for oc in 0..<o { for ch in 0..<c { for tap in 0..<t { out[(oc &* c &+ ch) &* t &+ tap] = wt[(tap &* o &+ oc) &* c &+ ch] } } }
        return out
    }

    /// The extended layout of the output: on the padded grid, Hp · Wp per sample.
    var outputLayout: ChannelMajorLayout {
        ChannelMajorLayout(batch: g.batch, channels: g.outChannels, height: g.outHeight, width: g.outWidth,
                           rowStride: paddedWidth, plane: plane)
    }

    // MARK: - GEMMs

    /// Y[O][columns] = Σ_taps W_tap · Xp_shift.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func forward<S: TensorScalar>(_ xp: UnsafePointer<S>, tapWeights wt: UnsafePointer<S>,
                                  into y: UnsafeMutablePointer<S>) {
        let (o, c) = (g.outChannels, g.inChannels)
        for t in 0..<taps {
            S.gemm(transposeA: false, transposeB: false, m: o, n: columns, k: c, alpha: 1,
                   a: wt + t &* o &* c, lda: c, b: xp + shift(t), ldb: inputStride,
                   beta: t == 0 ? 0 : 1, c: y, ldc: columns)
        }
    }

    /// dW_tap = G · Xp_shiftᵀ into `gradTapWeights` [taps][O][C] (overwritten); when
    /// `gradPadded` is given (C rows of `inputStride`), it is overwritten with Σ_taps W_tapᵀ · G
    /// shifted back into place (tap 0 is the one with shift 0).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func backward<S: TensorScalar>(_ gy: UnsafePointer<S>, input xp: UnsafePointer<S>, tapWeights wt: UnsafePointer<S>,
                                   gradTapWeights gwt: UnsafeMutablePointer<S>,
                                   gradPadded gxp: UnsafeMutablePointer<S>?) {
        let (o, c) = (g.outChannels, g.inChannels)
        for t in 0..<taps {
            S.gemm(transposeA: false, transposeB: true, m: o, n: c, k: columns, alpha: 1,
                   a: gy, lda: columns, b: xp + shift(t), ldb: inputStride,
                   beta: 0, c: gwt + t &* o &* c, ldc: c)
        }
        guard let gxp else { return }
        // Tap 0 has shift 0: its product (beta 0) initialises the first `columns` of each row;
        // only the tail is zeroed before the other taps add theirs.
        for ch in 0..<c { (gxp + (ch &* inputStride &+ columns)).update(repeating: 0, count: inputStride &- columns) }
        for t in 0..<taps {
            S.gemm(transposeA: true, transposeB: false, m: c, n: columns, k: o, alpha: 1,
                   a: wt + t &* o &* c, lda: c, b: gy, ldb: columns,
                   beta: t == 0 ? 0 : 1, c: gxp + shift(t), ldc: inputStride)
        }
    }

    // MARK: - Fused ReLU and max pooling

    /// pooled[n, o, qy, qx] = ReLU(max over the k×k window of Y + bias[o]) with the window
    /// position of the maximum (ry·k + rx, the first one on ties) in `winners`.
    /// Pooling the raw sums and adding the bias after is exact: max(v + b) = max(v) + b, and
    /// ReLU(max) = max(ReLU).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func reluMaxPool<S: TensorScalar>(_ y: UnsafePointer<S>, bias: UnsafePointer<S>?, pool k: Int,
                                      into out: UnsafeMutablePointer<S>, winners: UnsafeMutablePointer<UInt8>) {
        let o = g.outChannels, ph = g.outHeight / k, pw = g.outWidth / k
        Tensor<S>.concurrentRows(g.batch) { n in
            for oc in 0..<o {
                let b = bias?[oc] ?? 0
                let src = y + (oc &* columns &+ n &* plane)
                let dst = (n &* o &+ oc) &* ph &* pw
                for qy in 0..<ph {
                    let top = src + qy &* k &* paddedWidth
                    let d = out + (dst &+ qy &* pw), win = winners + (dst &+ qy &* pw)
                    if k == 2 {
                        let bottom = top + paddedWidth
                        // Values through max, positions through arithmetic on the comparison bits:
                        // no branches (one per comparison mispredicted on half of them).
                        for qx in 0..<pw {
                            let v0 = top[2 &* qx], v1 = top[2 &* qx &+ 1], v2 = bottom[2 &* qx], v3 = bottom[2 &* qx &+ 1]
                            let m01 = Swift.max(v0, v1), m23 = Swift.max(v2, v3)
                            let w01 = Self.bit(v1 > v0), w23 = 2 &+ Self.bit(v3 > v2)
                            let best = Swift.max(m01, m23) + b
                            d[qx] = Swift.max(best, 0)
                            win[qx] = w01 &+ Self.bit(m23 > m01) &* (w23 &- w01)
                        }
                        continue
                    }
                    for qx in 0..<pw {
                        var best = top[k &* qx], at = 0
                        for ry in 0..<k {
                            let row = top + (ry &* paddedWidth &+ k &* qx)
                            for rx in 0..<k where row[rx] > best { best = row[rx]; at = ry &* k &+ rx }
                        }
                        let v = best + b
                        d[qx] = v < 0 ? 0 : v
                        win[qx] = UInt8(truncatingIfNeeded: at)
                    }
                }
            }
        }
    }

    /// 1 for true, 0 for false, without a branch.
    @inline(__always)
    static func bit(_ b: Bool) -> UInt8 { unsafeBitCast(b, to: UInt8.self) }

    /// The extended-layout gradient of `reluMaxPool`: each pooled gradient goes to its window's
    /// winner where the pooled output is positive; zero everywhere else. Returns the bias gradient.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func unpool<S: TensorScalar>(_ gradOutput: UnsafePointer<S>, output: UnsafePointer<S>,
                                 winners: UnsafePointer<UInt8>, pool k: Int,
                                 into gy: UnsafeMutablePointer<S>) -> [S] {
        let o = g.outChannels, ph = g.outHeight / k, pw = g.outWidth / k
        let workers = Swift.max(1, Swift.min(Tensor<S>.parallelWorkers, g.batch))
        var partial = [Double](repeating: 0, count: workers &* o)
        partial.withUnsafeMutableBufferPointer { pp in
            let pp = pp
            Tensor<S>.concurrentRows(workers) { worker in
                let first = g.batch &* worker / workers, last = g.batch &* (worker &+ 1) / workers
                for oc in 0..<o {
                    var sum: S = 0
                    for n in first..<last {
                        let dst = gy + (oc &* columns &+ n &* plane)
                        dst.update(repeating: 0, count: plane)
                        let at = (n &* o &+ oc) &* ph &* pw
                        for qy in 0..<ph {
                            for qx in 0..<pw where output[at &+ qy &* pw &+ qx] > 0 {
                                let v = gradOutput[at &+ qy &* pw &+ qx], r = Int(winners[at &+ qy &* pw &+ qx])
                                dst[(qy &* k &+ r / k) &* paddedWidth &+ qx &* k &+ r % k] = v
                                sum += v
                            }
                        }
                    }
                    pp[worker &* o &+ oc] = sum.doubleValue
                }
            }
        }
        return (0..<o).map { oc in S((0..<workers).reduce(0.0) { $0 + partial[$1 &* o &+ oc] }) }
    }
}

extension TapConvolution {
    /// Input channels from which tap-by-tap GEMMs (K = C) beat im2col (K = C·kh·kw).
    static let minimumChannels = 16

    /// The forward pass on NCHW storage: the padded input and the tap-major weights (both kept
    /// for the backward pass) and the output in the extended layout [O][columns].
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func forward<S: TensorScalar>(input x: [S], weight w: [S]) -> (padded: [S], tapWeights: [S], output: [S]) {
        var xp = [S](unsafeUninitializedCapacity: g.inChannels &* inputStride) { _, n in n = g.inChannels &* inputStride }
        var y = [S](unsafeUninitializedCapacity: g.outChannels &* columns) { _, n in n = g.outChannels &* columns }
        let wt = tapMajor(w)
        x.withUnsafeBufferPointer { px in
            wt.withUnsafeBufferPointer { pw in
                xp.withUnsafeMutableBufferPointer { pxp in
                    y.withUnsafeMutableBufferPointer { py in
                        guard let bx = px.baseAddress, let bw = pw.baseAddress, let bxp = pxp.baseAddress,
                              let by = py.baseAddress else { return }
                        pad(bx, into: bxp)  // writes every entry, padding included
                        forward(UnsafePointer(bxp), tapWeights: bw, into: by)  // beta 0 on the first tap
                    }
                }
            }
        }
        return (xp, wt, y)
    }

    /// The backward pass from the output gradient in the extended layout (zero at the ignored
    /// positions): the weight gradient [O, C, kh, kw] and, when asked, the input's (NCHW).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func backward<S: TensorScalar>(gradOutput gy: [S], padded xp: [S], tapWeights wt: [S],
                                   needInput: Bool) -> (gradWeight: [S], gradInput: [S]?) {
        var gwt = [S](repeating: 0, count: wt.count)
        var gxp: [S] = needInput ? [S](unsafeUninitializedCapacity: g.inChannels &* inputStride) { _, n in
            n = g.inChannels &* inputStride } : []  // zeroed by `backward` before the GEMMs add to it
        var gx: [S] = needInput ? [S](unsafeUninitializedCapacity: g.batch &* g.inChannels &* g.inPlane) { _, n in
            n = g.batch &* g.inChannels &* g.inPlane } : []  // `crop` writes every entry
        gy.withUnsafeBufferPointer { pg in
            xp.withUnsafeBufferPointer { pxp in
                wt.withUnsafeBufferPointer { pw in
                    gwt.withUnsafeMutableBufferPointer { pgw in
                        gxp.withUnsafeMutableBufferPointer { pgxp in
                            gx.withUnsafeMutableBufferPointer { pgx in
                                guard let bg = pg.baseAddress, let bxp = pxp.baseAddress, let bw = pw.baseAddress,
                                      let bgw = pgw.baseAddress else { return }
                                // (An empty array's base address is not nil: test the flag.)
                                backward(bg, input: bxp, tapWeights: bw, gradTapWeights: bgw,
                                         gradPadded: needInput ? pgxp.baseAddress : nil)
                                if needInput, let from = pgxp.baseAddress, let to = pgx.baseAddress {
                                    crop(UnsafePointer(from), into: to)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (kernelMajor(gwt), needInput ? gx : nil)
    }
}
