// What a gradient-free search minimises: f, the feasibility score and its threshold, and the point's layout.

/// The shapes a flat search vector stands for (one tensor, or a list of them), in order.
public struct SearchLayout: Equatable, Sendable {
    public var shapes: [[Int]]

    public init(shapes: [[Int]]) { self.shapes = shapes }

    /// The number of components, K.
    public var count: Int { shapes.reduce(0) { $0 + $1.reduce(1, *) } }

    /// Flattens tensors into one vector, in Double.
    public static func flatten(_ tensors: [Tensor<Float>]) -> (vector: [Double], layout: SearchLayout) {
        var v: [Double] = []
        v.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
        for t in tensors { v.append(contentsOf: t.scalars.lazy.map(Double.init)) }
        return (v, SearchLayout(shapes: tensors.map(\.shape)))
    }

    /// The tensors a flat vector stands for (rounded to Float).
    public func tensors(_ v: [Double]) -> [Tensor<Float>] {
        var out: [Tensor<Float>] = []
        var offset = 0
        for shape in shapes {
            let n = shape.reduce(1, *)
            out.append(Tensor(uncheckedShape: shape, scalars: v[offset..<offset + n].map(Float.init)))
            offset += n
        }
        return out
    }
}

/// A minimisation problem over a set S given by a score and a threshold: minimise f(x) subject to
/// score(x) ≥ threshold (or > with `strict`). A non-finite f or score means x is not in S.
///
/// `decide`, when set, answers "x ∈ S?" exactly and possibly faster than computing the score
/// (the pruning problem stops counting errors once the answer is settled; a user's function may
/// answer with a Bool); it must give the same answer as comparing the full score, and returns the
/// score when it computed it.
public struct SearchProblem {
    /// What the problem is, for explanations ("‖θ‖₁ subject to R² ≥ 0.999").
    public var name: String
    public var f: ([Double]) throws -> Double
    public var score: ([Double]) throws -> Double
    public var threshold: Double
    public var strict: Bool
    public var decide: (([Double]) throws -> (isFeasible: Bool, score: Double?))?

    public init(name: String, f: @escaping ([Double]) throws -> Double, score: @escaping ([Double]) throws -> Double,
                threshold: Double, strict: Bool = false, decide: (([Double]) throws -> (isFeasible: Bool, score: Double?))? = nil) {
        self.name = name
        self.f = f
        self.score = score
        self.threshold = threshold
        self.strict = strict
        self.decide = decide
    }

    /// Whether a score puts a point in S.
    public func accepts(score s: Double) -> Bool {
        s.isFinite && (strict ? s > threshold : s >= threshold)
    }

    /// Whether x is in S, and its score when it was computed (nil after an early decision).
    public func membership(_ x: [Double]) throws -> (isFeasible: Bool, score: Double?) {
        if let decide { return try decide(x) }
        let s = try score(x)
        return (accepts(score: s), s)
    }
}
