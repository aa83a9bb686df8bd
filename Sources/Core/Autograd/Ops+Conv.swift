// Differentiable 2-d convolution and pooling on NCHW batches, each one node with fused kernels.

extension Variable {
    /// 2-d convolution: input [N, C, H, W], weight [O, C, kh, kw], optional bias [O] → [N, O, H', W'],
    /// optionally followed by ReLU in the same node (`relu: true`, used when a Conv2D is followed
    /// by a ReLU layer: the activation never exists separately).
    ///
    /// One node on the tensor kernels (direct loops for small C·kh·kw, im2col + GEMM otherwise).
    /// Backward computes only the gradients some input needs: never the data's.
    /// - Throws: `CoreError.shapeMismatch` naming the input and weight shapes when they disagree.
    @_specialize(where Scalar == Float)
    public func conv2d(weight: Variable, bias: Variable?, stride: Int = 1,
                       padding: Padding = .same, relu: Bool = false) throws -> Variable {
        try Variable.sameTape(self, weight, op: "conv2d")
        let x = value, w = weight.value
        let y = try Tensor.conv2d(x, weight: w, bias: bias?.value, stride: stride, padding: padding, relu: relu)
        let (ix, iw, ib) = (id, weight.id, bias?.id)
        let (nx, nw, nb) = (requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false)
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        return tape.record(y, inputs: inputs) {
            { gradOut in
                // Through the fused ReLU first: the gradient passes where the output is positive.
                let g = relu ? NNKernels.zip(gradOut, y) { gi, yi in yi > 0 ? gi : 0 } : gradOut
                var grads: [(Int, Tensor<Scalar>)] = []
                if nx {
                    grads.append((ix, try Tensor.conv2dBackwardInput(g, weight: w, inputShape: x.shape,
                                                                     stride: stride, padding: padding)))
                }
                if nw {
                    grads.append((iw, try Tensor.conv2dBackwardWeight(g, input: x, weightShape: w.shape,
                                                                      stride: stride, padding: padding)))
                }
                if nb, let ib { grads.append((ib, try Tensor.conv2dBackwardBias(g))) }
                return grads
            }
        }
    }

    /// Max pooling over k×k windows with stride k on [N, C, H, W] (floor of H/k, W/k); the
    /// gradient goes to the first maximum of each window.
    @_specialize(where Scalar == Float)
    public func maxPool(_ k: Int) throws -> Variable {
        try poolCheck(k, op: "maxpool")
        let shape = self.shape, i = id
        let (y, argmax) = try Tensor.maxPool2d(value, kernel: k)
        return tape.record(y, inputs: [self]) {
            { g in [(i, try Tensor.maxPool2dBackward(g, argmax: argmax, inputShape: shape))] }
        }
    }

    /// Average pooling over k×k windows with stride k on [N, C, H, W].
    @_specialize(where Scalar == Float)
    public func avgPool(_ k: Int) throws -> Variable {
        try poolCheck(k, op: "avgpool")
        let shape = self.shape, i = id
        let y = try Tensor.avgPool2d(value, kernel: k)
        return tape.record(y, inputs: [self]) {
            { g in [(i, try Tensor.avgPool2dBackward(g, inputShape: shape, kernel: k))] }
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
