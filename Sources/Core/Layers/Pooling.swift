// MaxPool and AvgPool: k×k windows with stride k over NCHW batches.

/// The maximum of each k×k window (stride k, floor): [N, C, H, W] → [N, C, ⌊H/k⌋, ⌊W/k⌋].
public final class MaxPool<Scalar: TensorScalar>: Layer {
    public let size: Int
    public var isTraining = true
    /// - Throws: `CoreError.badArgument` for a window below 1.
    public init(_ size: Int) throws {
        try Initialization.positive(size, "window", op: "maxpool")
        self.size = size
    }
    public var kind: String { "MaxPool" }
    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        guard input.shape.count == 4, input.shape[2] >= size, input.shape[3] >= size else {
            throw layerShapeError(kind, expected: "[*, C, H ≥ \(size), W ≥ \(size)]", got: input.shape)
        }
        return try input.maxPool(size)
    }
    public func copy() -> any Layer<Scalar> { MaxPool(validated: size) }
    private init(validated size: Int) { self.size = size }
    public var description: String { "MaxPool(\(size))" }
}

/// The mean of each k×k window (stride k, floor): [N, C, H, W] → [N, C, ⌊H/k⌋, ⌊W/k⌋].
public final class AvgPool<Scalar: TensorScalar>: Layer {
    public let size: Int
    public var isTraining = true
    /// - Throws: `CoreError.badArgument` for a window below 1.
    public init(_ size: Int) throws {
        try Initialization.positive(size, "window", op: "avgpool")
        self.size = size
    }
    public var kind: String { "AvgPool" }
    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        guard input.shape.count == 4, input.shape[2] >= size, input.shape[3] >= size else {
            throw layerShapeError(kind, expected: "[*, C, H ≥ \(size), W ≥ \(size)]", got: input.shape)
        }
        return try input.avgPool(size)
    }
    public func copy() -> any Layer<Scalar> { AvgPool(validated: size) }
    private init(validated size: Int) { self.size = size }
    public var description: String { "AvgPool(\(size))" }
}

extension MaxPool: Explainable {
    public var explanation: Explanation {
        Explanation(description, summary: "the largest value of each \(size)×\(size) window, stride \(size).",
                    formula: ["y[n, c, i, j] = max over the window at (\(size)i, \(size)j)"],
                    numbers: [ExplainedValue("size", size)])
    }
}

extension AvgPool: Explainable {
    public var explanation: Explanation {
        Explanation(description, summary: "the mean of each \(size)×\(size) window, stride \(size).",
                    formula: ["y[n, c, i, j] = mean over the window at (\(size)i, \(size)j)"],
                    numbers: [ExplainedValue("size", size)])
    }
}
