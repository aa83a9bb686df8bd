// Small-patch convolution + bias + ReLU + max pooling in one pass per sample, forward and backward.
//
// conv1 of a CNN has C·kh·kw = 4: as a GEMM it is memory-bound, and unfused it writes an
// activation k² times the size of what pooling keeps, which pooling, ReLU's backward and the
// weight gradient then read again. Here, for one sample, the input under each tap is gathered into
// a small buffer in *window order*: one plane of the pooled size per window position (ry, rx),
// holding the pixel at that position of every window. Each output channel is then a few SIMD
// passes over that buffer, and pooling is an element-wise maximum over k² contiguous planes. Only the
// pooled output and the window position of each maximum leave the core. The backward pass
// gathers the patch again and rebuilds each channel's (sparse) gradient in the same order.

/// The plan of one fused convolution → ReLU → k×k max pool (stride k, floor) with a small patch.
struct DirectConvPool: Sendable {
    /// Patches up to this size (C·kh·kw) run here, and in `conv2d`'s direct path; larger ones
    /// are GEMM work.
    static let patchLimit = 16

    let g: ConvolutionGeometry
    /// The pooling window and stride.
    let k: Int
    let pooledHeight: Int, pooledWidth: Int
    /// ph · pw, and k² · ph · pw: the convolution outputs pooling looks at, in window order.
    let pooledPlane: Int, windowed: Int

    /// The plan, or nil when the patch is too large, the window does not fit, or k² > 256
    /// (window positions are stored in a byte).
    init?(_ g: ConvolutionGeometry, pool k: Int) {
        guard k >= 1, k <= 16, g.patchSize >= 1, g.patchSize <= Self.patchLimit else { return nil }
        let ph = g.outHeight / k, pw = g.outWidth / k
        guard ph >= 1, pw >= 1 else { return nil }
        self.g = g
        self.k = k
        pooledHeight = ph
        pooledWidth = pw
        pooledPlane = ph &* pw
        windowed = k &* k &* ph &* pw
    }

    var outputShape: [Int] { [g.batch, g.outChannels, pooledHeight, pooledWidth] }
    var outputCount: Int { g.batch &* g.outChannels &* pooledHeight &* pooledWidth }

    /// Visits the patch in window order, one run of `pooledWidth` entries at a time: `body(run,
    /// pixel, columns)` gets the run's offset in the patch, the offset in `x` (NCHW) of the input
    /// row it reads (nil when that row is padding) and the input column of entry qx as
    /// `columns.start + qx · columns.step` (outside 0..<width in the padding). Shared by `gather`
    /// and its adjoint `scatter`, so the two cannot disagree.
    @inline(__always)
    private func forEachRun(sample n: Int, _ body: (_ run: Int, _ row: Int?, _ columns: (start: Int, step: Int)) -> Void) {
        let kk = g.kernelHeight &* g.kernelWidth, (h, w) = (g.height, g.width)
        var run = 0
        for t in 0..<g.patchSize {
            let c = t / kk, ky = (t % kk) / g.kernelWidth, kx = t % g.kernelWidth
            let plane = (n &* g.inChannels &+ c) &* h &* w
            for ry in 0..<k {
                for rx in 0..<k {
                    let columns = (start: rx &* g.strideWidth &+ kx &- g.padLeft, step: k &* g.strideWidth)
                    for qy in 0..<pooledHeight {
                        let iy = (qy &* k &+ ry) &* g.strideHeight &+ ky &- g.padTop
                        body(run, iy >= 0 && iy < h ? plane &+ iy &* w : nil, columns)
                        run &+= pooledWidth
                    }
                }
            }
        }
    }

    /// patch[t][…] = the input pixel under tap t = (c, ky, kx) for each pooled convolution
    /// output, in window order (0 in the padding).
    @inline(__always)
    private func gather<S: TensorScalar>(_ x: UnsafePointer<S>, sample n: Int, into patch: UnsafeMutablePointer<S>) {
        let w = g.width
        forEachRun(sample: n) { run, row, columns in
            let dst = patch + run
            guard let row else { dst.update(repeating: 0, count: pooledWidth); return }
            for qx in 0..<pooledWidth {
                let ix = columns.start &+ qx &* columns.step
                dst[qx] = ix >= 0 && ix < w ? x[row &+ ix] : 0
            }
        }
    }

    /// The adjoint of `gather`: adds each patch entry back into the input pixel it came from.
    @inline(__always)
    private func scatter<S: TensorScalar>(_ patch: UnsafePointer<S>, sample n: Int, into gx: UnsafeMutablePointer<S>) {
        let w = g.width
        forEachRun(sample: n) { run, row, columns in
            guard let row else { return }
            let src = patch + run
            for qx in 0..<pooledWidth {
                let ix = columns.start &+ qx &* columns.step
                if ix >= 0 && ix < w { gx[row &+ ix] += src[qx] }
            }
        }
    }

    /// conv[i] = bias + Σ_t weight[t] · patch[t][i] for i in 0..<windowed, four taps per pass.
    @inline(__always)
    private func convolve<S: TensorScalar>(_ patch: UnsafePointer<S>, _ weight: UnsafePointer<S>, bias b: S,
                                           into conv: UnsafeMutablePointer<S>) {
        let count = windowed, taps = g.patchSize
        var t = 0
        if taps >= 4 {
            let (w0, w1, w2, w3) = (weight[0], weight[1], weight[2], weight[3])
            let p0 = patch, p1 = p0 + count, p2 = p1 + count, p3 = p2 + count
            for i in 0..<count { conv[i] = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] }
            t = 4
        } else {
            conv.update(repeating: b, count: count)
        }
        while t &+ 4 <= taps {
            let (w0, w1, w2, w3) = (weight[t], weight[t &+ 1], weight[t &+ 2], weight[t &+ 3])
            let p0 = patch + t &* count, p1 = p0 + count, p2 = p1 + count, p3 = p2 + count
            for i in 0..<count { conv[i] += w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] }
            t &+= 4
        }
        while t < taps {
            let w0 = weight[t], p0 = patch + t &* count
            for i in 0..<count { conv[i] += w0 * p0[i] }
            t &+= 1
        }
    }

    /// Pooled output [N, O, ph, pw] = ReLU(max over each window of the convolution) and the
    /// window position (ry·k + rx, the first maximum on ties) of each maximum.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func forward<S: TensorScalar>(_ x: UnsafePointer<S>, weight: UnsafePointer<S>, bias: UnsafePointer<S>?,
                                  into out: UnsafeMutablePointer<S>, winners: UnsafeMutablePointer<UInt8>) {
        let taps = g.patchSize, o = g.outChannels, kk = k &* k
        Tensor<S>.concurrentRows(g.batch) { n in
            withUnsafeTemporaryAllocation(of: S.self, capacity: (taps &+ 1) &* windowed) { buffer in
                guard let patch = buffer.baseAddress else { return }
                let conv = patch + taps &* windowed
                gather(x, sample: n, into: patch)
                for oc in 0..<o {
                    convolve(patch, weight + oc &* taps, bias: bias?[oc] ?? 0, into: conv)
                    let dst = out + (n &* o &+ oc) &* pooledPlane, win = winners + (n &* o &+ oc) &* pooledPlane
                    Self.reluMaxPool(windows: conv, count: kk, length: pooledPlane, into: dst, winners: win)
                }
            }
        }
    }

    /// The gradients from the pooled output's gradient: weight [O, T] and bias [O] (overwritten),
    /// and the input's (added to `gradInput`, NCHW) when it is given. Parallel over the batch,
    /// with per-worker sums in Double.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func backward<S: TensorScalar>(_ gradOutput: UnsafePointer<S>, output: UnsafePointer<S>,
                                   winners: UnsafePointer<UInt8>, input x: UnsafePointer<S>,
                                   weight: UnsafePointer<S>, gradWeight: UnsafeMutablePointer<S>,
                                   gradBias: UnsafeMutablePointer<S>, gradInput: UnsafeMutablePointer<S>?) {
        let taps = g.patchSize, o = g.outChannels, kk = k &* k
        let workers = Swift.max(1, Swift.min(Tensor<S>.parallelWorkers, g.batch))
        let perWorker = o &* (taps &+ 1)
        var partial = [Double](repeating: 0, count: workers &* perWorker)
        partial.withUnsafeMutableBufferPointer { pp in
            let pp = pp
            Tensor<S>.concurrentRows(workers) { worker in
                guard let sums = pp.baseAddress.map({ $0 + worker &* perWorker }) else { return }
                let first = g.batch &* worker / workers, last = g.batch &* (worker &+ 1) / workers
                let scratch = (2 &* taps &+ 1) &* windowed &+ pooledPlane
                withUnsafeTemporaryAllocation(of: S.self, capacity: scratch) { buffer in
                    guard let patch = buffer.baseAddress else { return }
                    let gradPatch = patch + taps &* windowed, gz = gradPatch + taps &* windowed
                    let gated = gz + windowed  // the pooled gradient where the output is positive
                    for n in first..<last {
                        gather(x, sample: n, into: patch)
                        if gradInput != nil { gradPatch.update(repeating: 0, count: taps &* windowed) }
                        for oc in 0..<o {
                            let at = (n &* o &+ oc) &* pooledPlane
                            // The convolution's gradient in window order: the pooled gradient at
                            // each window's winner where the output is positive, zero elsewhere.
                            for q in 0..<pooledPlane { gated[q] = output[at &+ q] > 0 ? gradOutput[at &+ q] : 0 }
                            let biasSum = S(Tensor<S>.blockedSum(gated, pooledPlane))
                            let win = winners + at
                            for r in 0..<kk {
                                let plane = gz + r &* pooledPlane, index = UInt8(truncatingIfNeeded: r)
                                for q in 0..<pooledPlane { plane[q] = win[q] == index ? gated[q] : 0 }
                            }
                            sums[o &* taps &+ oc] += biasSum.doubleValue
                            var t = 0
                            while t &+ 4 <= taps {
                                let d = Self.dot4(gz, patch + t &* windowed, stride: windowed, windowed)
                                for j in 0..<4 { sums[oc &* taps &+ t &+ j] += d[j].doubleValue }
                                t &+= 4
                            }
                            while t < taps {
                                sums[oc &* taps &+ t] += Self.dot(gz, patch + t &* windowed, windowed).doubleValue
                                t &+= 1
                            }
                            guard gradInput != nil else { continue }
                            for t in 0..<taps {
                                let wt = weight[oc &* taps &+ t], row = gradPatch + t &* windowed
                                for i in 0..<windowed { row[i] += wt * gz[i] }
                            }
                        }
                        if let gradInput { scatter(gradPatch, sample: n, into: gradInput) }
                    }
                }
            }
        }
        for i in 0..<(o &* taps) {
            gradWeight[i] = S((0..<workers).reduce(0.0) { $0 + partial[$1 &* perWorker &+ i] })
        }
        for oc in 0..<o {
            gradBias[oc] = S((0..<workers).reduce(0.0) { $0 + partial[$1 &* perWorker &+ o &* taps &+ oc] })
        }
    }

    /// out[i] = ReLU(max over the `count` runs of `windows` at i), winners[i] = the run holding
    /// the first maximum; runs are `length` apart. Branch-free selects, so the loops vectorise.
    @inline(__always)
    static func reluMaxPool<S: TensorScalar>(windows: UnsafePointer<S>, count: Int, length: Int,
                                             into out: UnsafeMutablePointer<S>, winners: UnsafeMutablePointer<UInt8>) {
        if count == 4 {
            // The maximum first (float selects only), then the first plane that holds it.
            let r0 = windows, r1 = r0 + length, r2 = r1 + length, r3 = r2 + length
            for i in 0..<length {
                let v0 = r0[i], v1 = r1[i], v2 = r2[i], v3 = r3[i]
                let m01 = v1 > v0 ? v1 : v0, m23 = v3 > v2 ? v3 : v2
                let best = m23 > m01 ? m23 : m01
                out[i] = best < 0 ? 0 : best  // `< 0` so NaN passes through, as in PyTorch
            }
            // Where the output is 0 the winner is never used (no gradient passes ReLU there).
            for i in 0..<length {
                let best = out[i]
                winners[i] = r0[i] == best ? 0 : r1[i] == best ? 1 : r2[i] == best ? 2 : 3
            }
            return
        }
        out.update(from: windows, count: length)
        winners.update(repeating: 0, count: length)
        for r in 1..<Swift.max(1, count) {
            let run = windows + r &* length, index = UInt8(truncatingIfNeeded: r)
            for i in 0..<length {
                let v = run[i], old = out[i], better = v > old
                out[i] = better ? v : old
                winners[i] = better ? index : winners[i]
            }
        }
        for i in 0..<length { let v = out[i]; out[i] = v < 0 ? 0 : v }
    }

    /// The four dot products of `a` with rows b, b + stride, b + 2·stride, b + 3·stride in one pass:
    /// four independent SIMD sums (one running sum waits on the add latency) and `a` read once.
    @inline(__always)
    static func dot4<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>, stride: Int, _ count: Int) -> SIMD4<S> {
        var s0 = SIMD8<S>(), s1 = SIMD8<S>(), s2 = SIMD8<S>(), s3 = SIMD8<S>()
        let b1 = b + stride, b2 = b1 + stride, b3 = b2 + stride
        var i = 0
        while i &+ 8 <= count {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<S>.self)
            s0.addProduct(x, UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<S>.self))
            s1.addProduct(x, UnsafeRawPointer(b1 + i).loadUnaligned(as: SIMD8<S>.self))
            s2.addProduct(x, UnsafeRawPointer(b2 + i).loadUnaligned(as: SIMD8<S>.self))
            s3.addProduct(x, UnsafeRawPointer(b3 + i).loadUnaligned(as: SIMD8<S>.self))
            i &+= 8
        }
        var result = SIMD4<S>(s0.sum(), s1.sum(), s2.sum(), s3.sum())
        while i < count {
            result += SIMD4<S>(b[i], b1[i], b2[i], b3[i]) * a[i]
            i &+= 1
        }
        return result
    }

    /// Σ a[i]·b[i] with eight lanes of independent sums, so the loop vectorises.
    @inline(__always)
    static func dot<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ count: Int) -> S {
        var acc = SIMD8<S>()
        var i = 0
        while i &+ 8 <= count {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<S>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<S>.self)
            i &+= 8
        }
        var sum = acc.sum()
        while i < count { sum += a[i] * b[i]; i &+= 1 }
        return sum
    }
}
