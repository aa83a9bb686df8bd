// The fused block conv2d → bias → ReLU → max pool, forward and backward (the CNN's first layers).
//
// Unfused, conv1 of the W1 network writes a [64, 64, 28, 28] activation that pooling, ReLU's
// backward and the weight gradient each read again. Fused, the forward pass pools each span of
// rows while it is still in L1 and writes only the pooled output and its argmax; the backward
// pass visits only the pooled positions (a quarter of the pixels, half of them zero after ReLU).

extension Tensor {
    /// `maxPool2d(conv2d(input, weight, bias, stride, padding, relu: true), kernel: pool)` in one
    /// pass; same values and the same argmax (positions within the convolution's output plane).
    /// Small patches (C·kh·kw ≤ 16) run fused; larger ones compose the two kernels.
    /// - Throws: as `conv2d` and `maxPool2d`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func conv2dReLUMaxPool(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                                         padding: Padding = .same, pool: Int) throws -> (output: Tensor, argmax: [Int32]) {
        let g = try ConvolutionGeometry(input: input.shape, weight: weight.shape, stride: stride, padding: padding)
        let p = try ConvolutionGeometry(poolInput: g.outputShape, kernel: pool, stride: pool, op: "maxpool")
        if let bias, bias.shape != [g.outChannels] {
            throw CoreError.shapeMismatch(op: "conv2d", shapes: [weight.shape, bias.shape],
                message: "bias must have shape [\(g.outChannels)] for weight \(describe(weight.shape)), got \(describe(bias.shape))")
        }
        guard g.patchSize > 0, g.patchSize <= directPatchLimit, g.outWidth > 0 else {
            let activation = try conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, relu: true)
            return try maxPool2d(activation, kernel: pool)
        }
        _ = BLASThreads.pinned
        let count = g.batch &* g.outChannels &* p.outPlane
        var out = scratch(count)
        var argmax = [Int32](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        fusedForward(g, p, input.scalars, weight.scalars, bias?.scalars, &out, &argmax)
        return (Tensor(uncheckedShape: p.outputShape, scalars: out), argmax)
    }

    /// The gradients of `conv2dReLUMaxPool` with respect to its input (when `needInput`), weight
    /// and bias, from the pooled output's gradient, the pooled output and its argmax. The argmax
    /// must come from `conv2dReLUMaxPool` with the same geometry (each index inside its window).
    /// - Throws: `CoreError.shapeMismatch` when the tensors do not fit together.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func conv2dReLUMaxPoolBackward(_ gradOutput: Tensor, output: Tensor, argmax: [Int32], input: Tensor,
                                                 weight: Tensor, stride: Int = 1, padding: Padding = .same, pool: Int,
                                                 needInput: Bool = true)
        throws -> (gradInput: Tensor?, gradWeight: Tensor, gradBias: Tensor) {
        let g = try ConvolutionGeometry(input: input.shape, weight: weight.shape, stride: stride, padding: padding)
        let p = try ConvolutionGeometry(poolInput: g.outputShape, kernel: pool, stride: pool, op: "maxpool")
        guard gradOutput.shape == p.outputShape, output.shape == p.outputShape, argmax.count == output.count else {
            throw CoreError.shapeMismatch(op: "conv2d", shapes: [gradOutput.shape, p.outputShape],
                message: "output gradient has shape \(describe(gradOutput.shape)), expected \(describe(p.outputShape))")
        }
        // The gradient reaching each pooled position, zero where ReLU was off.
        let gated = try Tensor.where(output.binary(.greater, scalar: 0), gradOutput, Tensor(scalar: 0))
        guard g.patchSize > 0, g.patchSize <= directPatchLimit else {
            let gradActivation = try maxPool2dBackward(gated, argmax: argmax, inputShape: g.outputShape)
            let gx = needInput ? try conv2dBackwardInput(gradActivation, weight: weight, inputShape: input.shape,
                                                         stride: stride, padding: padding) : nil
            return (gx, try conv2dBackwardWeight(gradActivation, input: input, weightShape: weight.shape,
                                                 stride: stride, padding: padding),
                    try conv2dBackwardBias(gradActivation))
        }
        guard let (gx, gw, gb) = sparseBackward(g, p, gated.scalars, argmax, input.scalars, weight.scalars,
                                                needInput: needInput) else {
            throw CoreError.badArgument(op: "maxpool", message: "argmax indices do not fit output \(describe(g.outputShape))")
        }
        return (gx.map { Tensor(uncheckedShape: input.shape, scalars: $0) },
                Tensor(uncheckedShape: weight.shape, scalars: gw), Tensor(uncheckedShape: [g.outChannels], scalars: gb))
    }

    /// Direct convolution of spans of whole pooling bands, ReLU, then pooling from the L1 buffer.
    static func fusedForward(_ g: ConvolutionGeometry, _ p: ConvolutionGeometry, _ x: [Scalar], _ w: [Scalar],
                             _ bias: [Scalar]?, _ out: inout [Scalar], _ argmax: inout [Int32]) {
        let taps = tapRanges(g), patchSize = g.patchSize, ow = g.outWidth, k = p.kernelHeight
        // Spans hold whole bands of k conv rows; rows below the last full band are never pooled.
        let rowsPerSpan = Swift.max(k, (1024 / Swift.max(1, ow)) / k &* k)
        let pooledRows = p.outHeight &* k
        let stride = (rowsPerSpan &* ow &+ lanes &- 1) / lanes &* lanes
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    argmax.withUnsafeMutableBufferPointer { pa in
                        let po = po, pa = pa  // not inout: lets the loops vectorise
                        concurrentRows(g.batch) { n in
                            withUnsafeTemporaryAllocation(of: Scalar.self, capacity: (patchSize &+ 1) &* stride) { scratch in
                                guard let patch = scratch.baseAddress else { return }
                                let span = patch + patchSize &* stride
                                for y0 in Swift.stride(from: 0, to: pooledRows, by: rowsPerSpan) {
                                    let y1 = Swift.min(pooledRows, y0 &+ rowsPerSpan)
                                    let chunks = ((y1 &- y0) &* ow &+ lanes &- 1) / lanes
                                    gatherPatch(g, taps, px, n: n, rows: y0, y1, patch, stride: stride)
                                    for o in 0..<g.outChannels {
                                        let b = bias?[o] ?? 0
                                        for chunk in 0..<chunks {
                                            let at = chunk &* lanes
                                            var acc = Vector(repeating: b)
                                            for t in 0..<patchSize {
                                                let v = UnsafeRawPointer(patch + (t &* stride &+ at))
                                                acc += Vector(repeating: pw[o &* patchSize &+ t]) * v.loadUnaligned(as: Vector.self)
                                            }
                                            UnsafeMutableRawPointer(span + at).storeBytes(of: acc, as: Vector.self)
                                        }
                                        // Pool the raw values, then ReLU the maximum: max(relu(v)) =
                                        // relu(max(v)). Where the maximum is ≤ 0 every ReLU output
                                        // is 0 and the first pixel of the window wins, as in the
                                        // unfused kernels. (ReLU per element turned into a branch
                                        // tree that mispredicts on random data.)
                                        let plane = (n &* g.outChannels &+ o) &* p.outPlane
                                        for qy in (y0 / k)..<(y1 / k) {
                                            let local = (qy &* k &- y0) &* ow
                                            let dst = plane &+ qy &* p.outWidth
                                            if k == 2 {
                                                for qx in 0..<p.outWidth {
                                                    let i0 = local &+ 2 &* qx, i2 = i0 &+ ow
                                                    let v0 = span[i0], v1 = span[i0 &+ 1], v2 = span[i2], v3 = span[i2 &+ 1]
                                                    let m01 = v1 > v0 ? v1 : v0, m23 = v3 > v2 ? v3 : v2
                                                    let a01 = v1 > v0 ? i0 &+ 1 : i0, a23 = v3 > v2 ? i2 &+ 1 : i2
                                                    let take = m23 > m01
                                                    let best = take ? m23 : m01
                                                    let at = best > 0 ? (take ? a23 : a01) : i0
                                                    po[dst &+ qx] = best > 0 ? best : 0
                                                    pa[dst &+ qx] = Int32(truncatingIfNeeded: y0 &* ow &+ at)
                                                }
                                                continue
                                            }
                                            for qx in 0..<p.outWidth {
                                                let origin = local &+ qx &* k
                                                var best = span[origin], at = origin
                                                for dy in 0..<k {
                                                    for dx in 0..<k {
                                                        let i = origin &+ dy &* ow &+ dx
                                                        let v = span[i]
                                                        let better = v > best
                                                        best = better ? v : best
                                                        at = better ? i : at
                                                    }
                                                }
                                                po[dst &+ qx] = best > 0 ? best : 0
                                                pa[dst &+ qx] = Int32(truncatingIfNeeded: y0 &* ow &+ (best > 0 ? at : origin))
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
    }

    /// Gradients through the block, one span of pooling bands at a time: the gradient of the
    /// convolution's output is rebuilt in an L1 buffer from the pooled gradient and its argmax
    /// (zero elsewhere), then used exactly as in the direct kernels: SIMD dot products with the
    /// patch rows for the weight, weighted sums scattered back for the input. The full-size
    /// activation gradient never exists. Parallel over batch slices, per-worker sums in Double.
    static func sparseBackward(_ g: ConvolutionGeometry, _ p: ConvolutionGeometry, _ gated: [Scalar], _ argmax: [Int32],
                               _ x: [Scalar], _ w: [Scalar], needInput: Bool) -> ([Scalar]?, [Scalar], [Scalar])? {
        let taps = tapRanges(g), patchSize = g.patchSize, o = g.outChannels, ow = g.outWidth, k = p.kernelHeight
        let kk = g.kernelHeight &* g.kernelWidth
        let rowsPerSpan = Swift.max(k, (1024 / Swift.max(1, ow)) / k &* k)
        let pooledRows = p.outHeight &* k
        let stride = (rowsPerSpan &* ow &+ lanes &- 1) / lanes &* lanes
        let workers = Swift.max(1, Swift.min(parallelWorkers, g.batch))
        let perWorker = o &* (patchSize &+ 1)
        var partials = [Double](repeating: 0, count: workers &* perWorker)
        var dx = needInput ? [Scalar](repeating: 0, count: x.count) : []
        // Per worker: did every argmax fall inside the span of its pooling band?
        var inRange = [Bool](repeating: true, count: workers)
        inRange.withUnsafeMutableBufferPointer { flags in
            let flags = flags  // not inout: lets the loops vectorise
            gated.withUnsafeBufferPointer { pg in
                argmax.withUnsafeBufferPointer { pa in
                    x.withUnsafeBufferPointer { px in
                        w.withUnsafeBufferPointer { pw in
                            dx.withUnsafeMutableBufferPointer { pdx in
                                partials.withUnsafeMutableBufferPointer { pp in
                                    let pdx = pdx, pp = pp  // not inout: lets the loops vectorise
                                    concurrentRows(workers) { worker in
                                        let first = g.batch &* worker / workers, last = g.batch &* (worker &+ 1) / workers
                                        guard let totals = pp.baseAddress.map({ $0 + worker &* perWorker }) else { return }
                                        // patch [T][stride], dPatch [T][stride], gz [stride]
                                        let scratchCount = (2 &* patchSize &+ 1) &* stride
                                        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: scratchCount) { scratch in
                                            guard let patch = scratch.baseAddress else { return }
                                            let dPatch = patch + patchSize &* stride, gz = dPatch + patchSize &* stride
                                            for n in first..<last {
                                                for y0 in Swift.stride(from: 0, to: pooledRows, by: rowsPerSpan) {
                                                    let y1 = Swift.min(pooledRows, y0 &+ rowsPerSpan)
                                                    let pixels = (y1 &- y0) &* ow, full = pixels / lanes &* lanes
                                                    let q0 = (y0 / k) &* p.outWidth, q1 = (y1 / k) &* p.outWidth
                                                    gatherPatch(g, taps, px, n: n, rows: y0, y1, patch, stride: stride)
                                                    if needInput { dPatch.update(repeating: 0, count: patchSize &* stride) }
                                                    for oc in 0..<o {
                                                        let plane = (n &* o &+ oc) &* p.outPlane
                                                        gz.update(repeating: 0, count: pixels)
                                                        var biasSum: Scalar = 0
                                                        for q in q0..<q1 {
                                                            let v = pg[plane &+ q]
                                                            biasSum += v
                                                            let at = Int(pa[plane &+ q]) &- y0 &* ow
                                                            guard at >= 0, at < pixels else { flags[worker] = false; continue }
                                                            gz[at] += v
                                                        }
                                                        totals[o &* patchSize &+ oc] += biasSum.doubleValue
                                                        for t in 0..<patchSize {
                                                            let row = patch + t &* stride
                                                            var acc = Vector.zero
                                                            var at = 0
                                                            while at < full {
                                                                acc += UnsafeRawPointer(gz + at).loadUnaligned(as: Vector.self)
                                                                    * UnsafeRawPointer(row + at).loadUnaligned(as: Vector.self)
                                                                at &+= lanes
                                                            }
                                                            var sum = acc.sum()
                                                            while at < pixels { sum += gz[at] * row[at]; at &+= 1 }
                                                            totals[oc &* patchSize &+ t] += sum.doubleValue
                                                        }
                                                        guard needInput else { continue }
                                                        for t in 0..<patchSize {
                                                            let weight = pw[oc &* patchSize &+ t]
                                                            let wv = Vector(repeating: weight)
                                                            let row = dPatch + t &* stride
                                                            var at = 0
                                                            while at < full {
                                                                let d = UnsafeRawPointer(row + at).loadUnaligned(as: Vector.self)
                                                                let gv = UnsafeRawPointer(gz + at).loadUnaligned(as: Vector.self)
                                                                UnsafeMutableRawPointer(row + at).storeBytes(of: d + wv * gv, as: Vector.self)
                                                                at &+= lanes
                                                            }
                                                            while at < pixels { row[at] += weight * gz[at]; at &+= 1 }
                                                        }
                                                    }
                                                    guard needInput else { continue }
                                                    // Scatter the patch gradient back onto the input pixels.
                                                    for t in 0..<patchSize {
                                                        let (rows, cols) = taps[t]
                                                        let c = t / kk, ky = (t % kk) / g.kernelWidth, kx = t % g.kernelWidth
                                                        let inPlane = (n &* g.inChannels &+ c) &* g.inPlane
                                                        let firstRow = Swift.max(y0, rows.lowerBound)
                                                        for y in firstRow..<Swift.max(firstRow, Swift.min(y1, rows.upperBound)) {
                                                            let dst = inPlane &+ (y &* g.strideHeight &+ ky &- g.padTop) &* g.width &+ kx &- g.padLeft
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
                    }
                }
            }
        }
        guard inRange.allSatisfy({ $0 }) else { return nil }
        var gw = [Scalar](repeating: 0, count: o &* patchSize), gb = [Scalar](repeating: 0, count: o)
        for i in 0..<(o &* patchSize) {
            var total = 0.0
            for worker in 0..<workers { total += partials[worker &* perWorker &+ i] }
            gw[i] = Scalar(total)
        }
        for i in 0..<o {
            var total = 0.0
            for worker in 0..<workers { total += partials[worker &* perWorker &+ o &* patchSize &+ i] }
            gb[i] = Scalar(total)
        }
        return (needInput ? dx : nil, gw, gb)
    }
}
