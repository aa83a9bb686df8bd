// Differentiable conv → ReLU → max pool as one node, and the tap-by-tap GEMM convolution nodes.

extension Variable {
    /// `conv2d(weight, bias, relu: true).maxPool(pool)` as one node, the block a Sequential of
    /// Conv2D, ReLU, MaxPool runs. Same values and gradients; only the pooled output is stored.
    ///
    /// Small patches (C·kh·kw ≤ 16, conv1 of a CNN) run as one direct pass per sample; stride-1
    /// convolutions with at least 16 input channels as tap-by-tap GEMMs with the pooling fused into
    /// their epilogue; anything else as the two nodes.
    /// - Throws: as `conv2d` and `maxPool`.
    @_specialize(where Scalar == Float)
    public func conv2dReLUMaxPool(weight: Variable, bias: Variable?, stride: Int = 1,
                                  padding: Padding = .same, pool: Int) throws -> Variable {
        try Variable.sameTape(self, weight, op: "conv2d")
        if let bias { try Variable.sameTape(self, bias, op: "conv2d") }
        let g = try ConvolutionGeometry(input: shape, weight: weight.shape, bias: bias?.shape, stride: stride, padding: padding)
        if let plan = DirectConvPool(g, pool: pool) {
            return directConvPool(plan, weight: weight, bias: bias)
        }
        if pool >= 1, pool <= 16, g.outHeight >= pool, g.outWidth >= pool,
           g.inChannels >= TapConvolution.minimumChannels, let plan = TapConvolution(g) {
            return tapConvPool(plan, weight: weight, bias: bias, pool: pool)
        }
        return try conv2d(weight: weight, bias: bias, stride: stride, padding: padding, relu: true).maxPool(pool)
    }

    /// The record of a block whose backward yields (gradInput?, gradWeight, gradBias) storage.
    private func recordBlock(_ output: Tensor<Scalar>, weight: Variable, bias: Variable?,
                             backward: @escaping (Tensor<Scalar>, _ needInput: Bool) -> ([Scalar]?, [Scalar], [Scalar]))
        -> Variable {
        let (inputShape, weightShape, outChannels) = (shape, weight.shape, weight.shape[0])
        let (ix, iw, ib) = (id, weight.id, bias?.id)
        let (nx, nw, nb) = (requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false)
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        return tape.record(output, inputs: inputs) {
            { gradOutput in
                let (gx, gw, gb) = backward(gradOutput, nx)
                var grads: [(Int, Tensor<Scalar>)] = []
                if nx, let gx { grads.append((ix, Tensor(uncheckedShape: inputShape, scalars: gx))) }
                if nw { grads.append((iw, Tensor(uncheckedShape: weightShape, scalars: gw))) }
                if nb, let ib { grads.append((ib, Tensor(uncheckedShape: [outChannels], scalars: gb))) }
                return grads
            }
        }
    }

    /// The direct fused block (see `DirectConvPool`).
    private func directConvPool(_ plan: DirectConvPool, weight: Variable, bias: Variable?) -> Variable {
        let x = value.scalars, w = weight.value.scalars, b = bias?.value.scalars
        let count = plan.outputCount
        var out = [Scalar](uninitializedCount: count)  // the kernel writes every entry
        var winners = [UInt8](repeating: 0, count: count)
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    winners.withUnsafeMutableBufferPointer { pwin in
                        guard let bx = px.baseAddress, let bw = pw.baseAddress, let bo = po.baseAddress,
                              let bwin = pwin.baseAddress else { return }
                        if let b {
                            b.withUnsafeBufferPointer { pb in plan.forward(bx, weight: bw, bias: pb.baseAddress, into: bo, winners: bwin) }
                        } else {
                            plan.forward(bx, weight: bw, bias: nil, into: bo, winners: bwin)
                        }
                    }
                }
            }
        }
        let y = Tensor(uncheckedShape: plan.outputShape, scalars: out)
        return recordBlock(y, weight: weight, bias: bias) { gradOutput, needInput in
            var gx = needInput ? [Scalar](repeating: 0, count: x.count) : []
            var gw = [Scalar](uninitializedCount: w.count)           // overwritten by backward
            var gb = [Scalar](uninitializedCount: plan.g.outChannels)  // overwritten by backward
            gradOutput.scalars.withUnsafeBufferPointer { pg in
                y.scalars.withUnsafeBufferPointer { py in
                    winners.withUnsafeBufferPointer { pwin in
                        x.withUnsafeBufferPointer { px in
                            w.withUnsafeBufferPointer { pw in
                                gx.withUnsafeMutableBufferPointer { pgx in
                                    gw.withUnsafeMutableBufferPointer { pgw in
                                        gb.withUnsafeMutableBufferPointer { pgb in
                                            guard let bg = pg.baseAddress, let by = py.baseAddress,
                                                  let bwin = pwin.baseAddress, let bx = px.baseAddress,
                                                  let bw = pw.baseAddress, let bgw = pgw.baseAddress,
                                                  let bgb = pgb.baseAddress else { return }
                                            // (An empty array's base address is not nil: test the flag.)
                                            plan.backward(bg, output: by, winners: bwin, input: bx, weight: bw,
                                                          gradWeight: bgw, gradBias: bgb,
                                                          gradInput: needInput ? pgx.baseAddress : nil)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return (needInput ? gx : nil, gw, gb)
        }
    }

    /// Tap-by-tap GEMMs with ReLU and pooling fused into the epilogue (see `TapConvolution`).
    private func tapConvPool(_ plan: TapConvolution, weight: Variable, bias: Variable?, pool k: Int) -> Variable {
        let g = plan.g
        let (xp, wt, yext) = plan.forward(input: value.scalars, weight: weight.value.scalars)
        let outShape = [g.batch, g.outChannels, g.outHeight / k, g.outWidth / k]
        let count = outShape.reduce(1, &*)
        var out = [Scalar](uninitializedCount: count)  // reluMaxPool writes every entry
        var winners = [UInt8](repeating: 0, count: count)
        yext.withUnsafeBufferPointer { py in
            out.withUnsafeMutableBufferPointer { po in
                winners.withUnsafeMutableBufferPointer { pwin in
                    guard let by = py.baseAddress, let bo = po.baseAddress, let bwin = pwin.baseAddress else { return }
                    if let b = bias?.value.scalars {
                        b.withUnsafeBufferPointer { pb in plan.reluMaxPool(by, bias: pb.baseAddress, pool: k, into: bo, winners: bwin) }
                    } else {
                        plan.reluMaxPool(by, bias: nil, pool: k, into: bo, winners: bwin)
                    }
                }
            }
        }
        let y = Tensor(uncheckedShape: outShape, scalars: out)
        return recordBlock(y, weight: weight, bias: bias) { gradOutput, needInput in
            var gy = [Scalar](uninitializedCount: g.outChannels &* plan.columns)  // unpool writes all
            var gb: [Scalar] = []
            gradOutput.scalars.withUnsafeBufferPointer { pg in
                y.scalars.withUnsafeBufferPointer { pout in
                    winners.withUnsafeBufferPointer { pwin in
                        gy.withUnsafeMutableBufferPointer { pgy in
                            guard let bg = pg.baseAddress, let bout = pout.baseAddress, let bwin = pwin.baseAddress,
                                  let bgy = pgy.baseAddress else { return }
                            gb = plan.unpool(bg, output: bout, winners: bwin, pool: k, into: bgy)
                        }
                    }
                }
            }
            let (gw, gx) = plan.backward(gradOutput: gy, padded: xp, tapWeights: wt, needInput: needInput)
            return (gx, gw, gb)
        }
    }

    /// conv2d (+ ReLU) by tap-by-tap GEMMs; the node `conv2d` makes for stride-1 convolutions
    /// with at least 16 input channels.
    func tapConv2d(_ plan: TapConvolution, weight: Variable, bias: Variable?, relu: Bool) -> Variable {
        let g = plan.g
        let (xp, wt, yext) = plan.forward(input: value.scalars, weight: weight.value.scalars)
        var out = [Scalar](uninitializedCount: g.batch &* g.outChannels &* g.outPlane)  // toNCHW writes all
        yext.withUnsafeBufferPointer { py in
            out.withUnsafeMutableBufferPointer { po in
                guard let by = py.baseAddress, let bo = po.baseAddress else { return }
                if let b = bias?.value.scalars {
                    b.withUnsafeBufferPointer { pb in plan.outputLayout.toNCHW(by, bias: pb.baseAddress, relu: relu, into: bo) }
                } else {
                    plan.outputLayout.toNCHW(by, bias: nil, relu: relu, into: bo)
                }
            }
        }
        let y = Tensor(uncheckedShape: g.outputShape, scalars: out)
        return recordBlock(y, weight: weight, bias: bias) { gradOutput, needInput in
            // Through the fused ReLU first: the gradient passes where the output is positive.
            let gradOut = relu ? gradOutput.zip(y) { gi, yi in yi > 0 ? gi : 0 } : gradOutput
            var gy = [Scalar](uninitializedCount: g.outChannels &* plan.columns)  // fromNCHW writes all
            var gb = [Scalar](repeating: 0, count: g.outChannels)
            gradOut.scalars.withUnsafeBufferPointer { pg in
                gy.withUnsafeMutableBufferPointer { pgy in
                    guard let bg = pg.baseAddress, let bgy = pgy.baseAddress else { return }
                    plan.outputLayout.fromNCHW(bg, into: bgy)
                    for n in 0..<g.batch {
                        for o in 0..<g.outChannels {
                            gb[o] += Scalar(Tensor<Scalar>.blockedSum(bg + (n &* g.outChannels &+ o) &* g.outPlane, g.outPlane))
                        }
                    }
                }
            }
            let (gw, gx) = plan.backward(gradOutput: gy, padded: xp, tapWeights: wt, needInput: needInput)
            return (gx, gw, gb)
        }
    }
}
