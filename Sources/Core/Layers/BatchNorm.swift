// BatchNorm: per-channel normalisation of [N, C] or [N, C, H, W] with running statistics.

/// Batch normalisation over channels: y = γ (x − μ) / √(σ² + eps) + β.
///
/// Input [N, C] (1-d) or [N, C, H, W] (2-d). In training μ, σ² are the batch statistics (biased
/// variance) and the running ones move by `momentum` (the running variance is unbiased, as in
/// PyTorch); in evaluation the running statistics are used. γ (`weight`, ones) and β (`bias`,
/// zeros) have role `bn`; `running_mean` (zeros) and `running_var` (ones) are buffers.
public final class BatchNorm<Scalar: TensorScalar>: Layer {
    public internal(set) var channels: Int
    public let momentum: Double
    public let eps: Double
    public let weight: Param<Scalar>        // [C]
    public let bias: Param<Scalar>          // [C]
    public let runningMean: Buffer<Scalar>  // [C]
    public let runningVar: Buffer<Scalar>   // [C]
    public var isTraining = true

    /// - Throws: `CoreError.badArgument` for channels below 1 or a momentum outside [0, 1].
    public init(_ channels: Int, momentum: Double = BatchNormDefaults.momentum, eps: Double = BatchNormDefaults.eps) throws {
        try Initialization.positive(channels, "channels", op: "batchnorm")
        _ = try Tensor<Scalar>.elementCount(of: [channels], op: "batchnorm")
        guard momentum >= 0, momentum <= 1, eps > 0 else {
            throw CoreError.badArgument(op: "batchnorm", message: "momentum must be in [0, 1] and eps > 0")
        }
        self.channels = channels
        self.momentum = momentum
        self.eps = eps
        weight = Param(Tensor(uncheckedShape: [channels], repeating: 1), role: .bn, name: "weight")
        bias = Param(Tensor(uncheckedShape: [channels], repeating: 0), role: .bn, name: "bias")
        runningMean = Buffer(Tensor(uncheckedShape: [channels], repeating: 0), name: "running_mean")
        runningVar = Buffer(Tensor(uncheckedShape: [channels], repeating: 1), name: "running_var")
    }

    public var kind: String { "BatchNorm" }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        let s = input.shape
        guard (s.count == 2 || s.count == 4), s[1] == channels else {
            throw layerShapeError(kind, expected: "[*, \(channels)] or [*, \(channels), H, W]", got: s)
        }
        let n = s[0], c = channels, spatial = s.count == 4 ? s[2] * s[3] : 1
        let m = n * spatial
        guard !isTraining || m > 1 else {
            throw CoreError.badArgument(op: kind, message: "training needs more than one value per channel, got \(Tensor<Float>.describe(s))")
        }
        let x = input.value, gamma = weight.value.scalars, beta = bias.value.scalars
        var mean = [Double](repeating: 0, count: c), invStd = [Double](repeating: 0, count: c)
        if isTraining {
            for ch in 0..<c {
                var sum = 0.0, sq = 0.0
                for b in 0..<n {
                    let base = (b * c + ch) * spatial
                    for k in 0..<spatial { let v = Double(x.scalars[base + k]); sum += v; sq += v * v }
                }
                let mu = sum / Double(m)
                let variance = max(sq / Double(m) - mu * mu, 0)
                mean[ch] = mu
                invStd[ch] = 1 / (variance + eps).squareRoot()
                let unbiased = variance * Double(m) / Double(m - 1)
                runningMean.value.scalars[ch] = Scalar((1 - momentum) * Double(runningMean.value.scalars[ch]) + momentum * mu)
                runningVar.value.scalars[ch] = Scalar((1 - momentum) * Double(runningVar.value.scalars[ch]) + momentum * unbiased)
            }
        } else {
            for ch in 0..<c {
                mean[ch] = Double(runningMean.value.scalars[ch])
                invStd[ch] = 1 / (Double(runningVar.value.scalars[ch]) + eps).squareRoot()
            }
        }
        var xhat = [Scalar](repeating: 0, count: x.count), y = [Scalar](repeating: 0, count: x.count)
        for b in 0..<n {
            for ch in 0..<c {
                let base = (b * c + ch) * spatial
                let mu = Scalar(mean[ch]), inv = Scalar(invStd[ch])
                for k in 0..<spatial {
                    let h = (x.scalars[base + k] - mu) * inv
                    xhat[base + k] = h
                    y[base + k] = gamma[ch] * h + beta[ch]
                }
            }
        }
        let tape = input.tape
        let vg = tape.variable(for: weight), vb = tape.variable(for: bias)
        let (ix, ig, ib) = (input.id, vg.id, vb.id)
        let training = isTraining
        return tape.record(Tensor(uncheckedShape: s, scalars: y), inputs: [input, vg, vb]) {
            { g in
                var gx = [Scalar](repeating: 0, count: x.count)
                var gGamma = [Scalar](repeating: 0, count: c), gBeta = [Scalar](repeating: 0, count: c)
                for ch in 0..<c {
                    var sumG = 0.0, sumGH = 0.0
                    for b in 0..<n {
                        let base = (b * c + ch) * spatial
                        for k in 0..<spatial {
                            sumG += Double(g.scalars[base + k])
                            sumGH += Double(g.scalars[base + k] * xhat[base + k])
                        }
                    }
                    gGamma[ch] = Scalar(sumGH)
                    gBeta[ch] = Scalar(sumG)
                    let scale = Double(gamma[ch]) * invStd[ch]
                    for b in 0..<n {
                        let base = (b * c + ch) * spatial
                        for k in 0..<spatial {
                            let gk = Double(g.scalars[base + k])
                            // Training: the batch statistics depend on x too.
                            let v = training
                                ? scale * (gk - sumG / Double(m) - Double(xhat[base + k]) * sumGH / Double(m))
                                : scale * gk
                            gx[base + k] = Scalar(v)
                        }
                    }
                }
                return [(ix, Tensor(uncheckedShape: s, scalars: gx)),
                        (ig, Tensor(uncheckedShape: [c], scalars: gGamma)),
                        (ib, Tensor(uncheckedShape: [c], scalars: gBeta))]
            }
        }
    }

    public var localParams: [(name: String, param: Param<Scalar>)] { [("weight", weight), ("bias", bias)] }
    public var localBuffers: [(name: String, buffer: Buffer<Scalar>)] {
        [("running_mean", runningMean), ("running_var", runningVar)]
    }

    public func copy() -> any Layer<Scalar> { BatchNorm(copying: self) }

    private init(copying o: BatchNorm) {
        channels = o.channels; momentum = o.momentum; eps = o.eps
        weight = o.weight.copy(); bias = o.bias.copy()
        runningMean = o.runningMean.copy(); runningVar = o.runningVar.copy()
        isTraining = o.isTraining
    }

    public var description: String { "BatchNorm(\(channels))" }
}

/// BatchNorm's defaults (PyTorch's), written once: the initialiser and the `batchnorm` built-in read them.
public enum BatchNormDefaults {
    public static let momentum = 0.1
    public static let eps = 1e-5
}

extension BatchNorm: Explainable {
    public var explanation: Explanation {
        Explanation(description, summary: "batch normalisation over the channel axis (Ioffe & Szegedy, 2015).",
                    formula: ["y = γ · (x − μ) / √(σ² + ε) + β;  μ, σ² from the batch in training, running ones in eval",
                              "running ← (1 − momentum) · running + momentum · batch statistic"],
                    numbers: [ExplainedValue("channels", channels), ExplainedValue("momentum", momentum),
                              ExplainedValue("eps", eps), explainedMode, explainedParams,
                              ExplainedValue("‖running_mean‖", Explanation.norm(runningMean.value)),
                              ExplainedValue("‖running_var‖", Explanation.norm(runningVar.value))])
    }
}
