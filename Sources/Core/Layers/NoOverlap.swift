// The no-overlap one-hidden-layer ReLU network of the RVSM paper: one filter shared by k disjoint patches, average pooling.

/// L(x; w) = (1/k)·Σᵢ ReLU(w·xᵢ), where x [N, k·d] is split into k patches of d and the filter
/// w [d, 1] is shared. Output [N, 1]. The filter starts as a random unit vector.
public final class NoOverlap<Scalar: TensorScalar>: GatedLayer {
    public let weight: Param<Scalar>   // [d, 1]
    public let d: Int, k: Int
    public var isTraining = true

    /// - Throws: `CoreError.badArgument` for d or k below 1.
    public init(d: Int, k: Int, using rng: inout RandomStream) throws {
        try Initialization.positive(d, "d", op: "no_overlap")
        try Initialization.positive(k, "k", op: "no_overlap")
        var w = try Tensor<Scalar>.normal([d, 1], using: &rng).scalars
        let norm = w.reduce(0.0) { $0 + $1.doubleValue * $1.doubleValue }.squareRoot()
        if norm > 0 { w = w.map { Scalar($0.doubleValue / norm) } }
        self.d = d
        self.k = k
        weight = Param(Tensor(uncheckedShape: [d, 1], scalars: w), role: .weight, name: "weight")
    }

    private init(copying other: NoOverlap) {
        d = other.d
        k = other.k
        weight = other.weight.copy()
        isTraining = other.isTraining
    }

    public var kind: String { "NoOverlap" }

    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        guard input.shape.count == 2, input.shape[1] == k * d else {
            throw layerShapeError(kind, expected: "[*, \(k * d)]", got: input.shape)
        }
        let n = input.shape[0]
        let hidden = try input.reshaped([n * k, d]).matmul(try gatedWeight(on: input.tape)).relu()
        return try hidden.reshaped([n, k]).mean(axis: 1, keepDims: true)
    }

    public var localParams: [(name: String, param: Param<Scalar>)] { [("weight", weight)] }

    public func copy() -> any Layer<Scalar> { NoOverlap(copying: self) }

    public var description: String { "NoOverlap(d: \(d), k: \(k)\(gateSummary))" }
}
