// Differentiable log-softmax, softmax and the losses: cross-entropy on logits, MSE, BCE on logits.

extension Variable {
    /// log-softmax along the last axis, computed stably (max subtracted first).
    @_specialize(where Scalar == Float)
    public func logSoftmax() throws -> Variable {
        let x = value, i = id
        guard let classes = x.shape.last, classes > 0 else {
            throw CoreError.badArgument(op: "log_softmax", message: "needs a non-empty last axis, got \(Tensor<Float>.describe(x.shape))")
        }
        let rows = x.count / classes
        var y = [Scalar](repeating: 0, count: x.count)
        x.scalars.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                for r in 0..<rows {
                    let base = r * classes
                    var m = px[base]
                    for c in 1..<classes { m = Swift.max(m, px[base + c]) }
                    var s: Scalar = 0
                    for c in 0..<classes { s += Scalar.exp(px[base + c] - m) }
                    let lse = m + Scalar.log(s)
                    for c in 0..<classes { py[base + c] = px[base + c] - lse }
                }
            }
        }
        let out = Tensor(uncheckedShape: x.shape, scalars: y)
        return tape.record(out, inputs: [self]) {
            { g in
                // dx = g − softmax · Σ g (per row).
                var gx = [Scalar](repeating: 0, count: g.count)
                for r in 0..<rows {
                    let base = r * classes
                    var s: Scalar = 0
                    for c in 0..<classes { s += g.scalars[base + c] }
                    for c in 0..<classes { gx[base + c] = g.scalars[base + c] - Scalar.exp(y[base + c]) * s }
                }
                return [(i, Tensor(uncheckedShape: g.shape, scalars: gx))]
            }
        }
    }

    /// softmax along the last axis.
    @_specialize(where Scalar == Float)
    public func softmax() throws -> Variable { try logSoftmax().exp() }

    /// Mean cross-entropy of logits [N, C] against class indices [N] (stored as floats).
    ///
    /// One fused node: the gradient is (softmax − onehot) / N.
    /// - Throws: a shape mismatch naming both shapes, or a bad argument for a label outside 0..<C.
    @_specialize(where Scalar == Float)
    public func crossEntropy(labels: Tensor<Scalar>) throws -> Variable {
        let x = value, i = id
        guard x.rank == 2, labels.rank == 1, labels.count == x.shape[0], x.shape[0] > 0, x.shape[1] > 0 else {
            throw CoreError.shapeMismatch(op: "cross_entropy", shapes: [x.shape, labels.shape],
                message: "expected logits [N, C] and labels [N], got \(Tensor<Float>.describe(x.shape)) and \(Tensor<Float>.describe(labels.shape))")
        }
        let (rows, classes) = (x.shape[0], x.shape[1])
        var targets = [Int](repeating: 0, count: rows)
        let limit = Scalar(classes)
        for r in 0..<rows {
            let l = labels.scalars[r]
            guard l >= 0, l < limit, l == l.rounded() else {
                throw CoreError.badArgument(op: "cross_entropy",
                    message: "label \(l) at row \(r) is not a class index in 0..<\(classes)")
            }
            // Through Double: Int's generic floating-point initialiser stays a generic call even
            // in the Float specialisation, and showed in the profile of IRIS's 15-parameter step.
            targets[r] = Int(l.doubleValue)
        }
        var probs = [Scalar](repeating: 0, count: x.count)
        var total = 0.0
        x.scalars.withUnsafeBufferPointer { px in
            probs.withUnsafeMutableBufferPointer { pp in
                for r in 0..<rows {
                    let base = r * classes
                    var m = px[base]
                    for c in 1..<classes { m = Swift.max(m, px[base + c]) }
                    var s: Scalar = 0
                    for c in 0..<classes {
                        let e = Scalar.exp(px[base + c] - m)
                        pp[base + c] = e
                        s += e
                    }
                    let inv = 1 / s
                    for c in 0..<classes { pp[base + c] *= inv }
                    total += Double(m + Scalar.log(s) - px[base + targets[r]])
                }
            }
        }
        let loss = Tensor(scalar: Scalar(total / Double(rows)))
        return tape.record(loss, inputs: [self]) {
            { g in
                let scale = g.scalars[0] / Scalar(rows)
                var gx = probs
                for r in 0..<rows { gx[r * classes + targets[r]] -= 1 }
                for j in 0..<gx.count { gx[j] *= scale }
                return [(i, Tensor(uncheckedShape: x.shape, scalars: gx))]
            }
        }
    }

    /// Mean squared error against a constant target of the same shape.
    @_specialize(where Scalar == Float)
    public func mse(target: Tensor<Scalar>) throws -> Variable {
        guard shape == target.shape else {
            throw CoreError.shapeMismatch(op: "mse", shapes: [shape, target.shape], message: "")
        }
        guard target.count > 0 else { throw CoreError.badArgument(op: "mse", message: "empty tensors") }
        let d = try subtracting(constant(target))
        return try d.multiplying(d).mean()
    }

    /// Mean binary cross-entropy of logits against targets in [0, 1], computed stably:
    /// max(x, 0) − x·t + log(1 + e^−|x|).
    @_specialize(where Scalar == Float)
    public func bce(target: Tensor<Scalar>) throws -> Variable {
        let x = value, i = id
        guard x.shape == target.shape else {
            throw CoreError.shapeMismatch(op: "bce", shapes: [x.shape, target.shape], message: "")
        }
        guard x.count > 0 else { throw CoreError.badArgument(op: "bce", message: "empty tensors") }
        var total = 0.0
        for j in 0..<x.count {
            let v = x.scalars[j], t = target.scalars[j]
            total += Double(Swift.max(v, 0) - v * t + Tensor<Scalar>.softplus(-Swift.abs(v)))
        }
        let n = Scalar(x.count)
        return tape.record(Tensor(scalar: Scalar(total / Double(x.count))), inputs: [self]) {
            { g in
                let s = g.scalars[0] / n
                return [(i, x.zip(target) { v, t in (Tensor<Scalar>.sigmoid(v) - t) * s })]
            }
        }
    }
}
