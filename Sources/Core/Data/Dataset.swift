// A data set: a features tensor and a labels (or targets) tensor with one row per example.

/// Examples as two tensors sharing their first axis.
///
/// `x` holds the features, shape `[count, ...]` (images are NCHW Float32 in [0, 1]); `y` holds
/// class indices as Float (rank 1) for classification, or regression targets (`[count]` or
/// `[count, k]`). A value type: copies share storage until written.
public struct Dataset {
    /// Features, shape `[count, ...]`.
    public var x: Tensor<Float>
    /// Labels (class indices as Float, rank 1) or regression targets, shape `[count, ...]`.
    public var y: Tensor<Float>
    /// The number of classes for classification data; nil for regression targets.
    public var classCount: Int?
    /// Class names in index order when known (Iris species, CSV text labels).
    public var classNames: [String]?

    /// Pairs features with labels.
    /// - Throws: `CoreError.shapeMismatch` when `x` or `y` is 0-d or their first axes differ;
    ///   `CoreError.badArgument` when `classCount` is given and a label is not an index below it.
    public init(x: Tensor<Float>, y: Tensor<Float>, classCount: Int? = nil,
                classNames: [String]? = nil) throws {
        guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0] else {
            throw CoreError.shapeMismatch(op: "dataset", shapes: [x.shape, y.shape],
                message: "x \(Tensor<Float>.describe(x.shape)) and y \(Tensor<Float>.describe(y.shape)) "
                    + "need the same number of rows (first axis)")
        }
        if let classes = classCount {
            guard classes >= 1, y.rank == 1 else {
                throw CoreError.badArgument(op: "dataset",
                    message: "class labels must be a rank-1 tensor of indices and classes >= 1")
            }
            for label in y.scalars where !(label >= 0 && label < Float(classes) && label.rounded() == label) {
                throw CoreError.badArgument(op: "dataset",
                    message: "label \(label) is not a class index in 0..<\(classes)")
            }
        }
        if let names = classNames, let classes = classCount, names.count != classes {
            throw CoreError.badArgument(op: "dataset",
                message: "\(names.count) class names for \(classes) classes")
        }
        self.x = x
        self.y = y
        self.classCount = classCount
        self.classNames = classNames
    }

    /// Internal initialiser for data already known to be consistent.
    init(validX x: Tensor<Float>, y: Tensor<Float>, classCount: Int?, classNames: [String]?) {
        self.x = x
        self.y = y
        self.classCount = classCount
        self.classNames = classNames
    }

    /// Internal initialiser for rows cut from a valid data set.
    init(validX x: Tensor<Float>, y: Tensor<Float>, like other: Dataset) {
        self.init(validX: x, y: y, classCount: other.classCount, classNames: other.classNames)
    }

    /// The number of examples.
    public var count: Int { x.shape.first ?? 0 }

    /// The shape of one example's features, e.g. `[1, 28, 28]`.
    public var featureShape: [Int] { Array(x.shape.dropFirst()) }

    /// True when `y` holds class indices.
    public var isClassification: Bool { classCount != nil }

    /// Example `index` as `(x, y)` with the leading axis removed (`x` of shape `featureShape`).
    /// - Throws: `CoreError.badArgument` when `index` is outside `0..<count` (negative indices
    ///   count from the end, as in the language).
    public func example(at index: Int) throws -> (x: Tensor<Float>, y: Tensor<Float>) {
        let i = index < 0 ? index + count : index
        guard i >= 0, i < count else {
            throw CoreError.badArgument(op: "dataset[]", message: "index \(index) out of range for \(count) examples")
        }
        let rows = try self.rows(i..<(i + 1))
        return (Tensor(uncheckedShape: featureShape, scalars: rows.x.scalars),
                Tensor(uncheckedShape: Array(y.shape.dropFirst()), scalars: rows.y.scalars))
    }

    /// `d[i]`: the same as `example(at:)`.
    public subscript(index: Int) -> (x: Tensor<Float>, y: Tensor<Float>) {
        get throws { try example(at: index) }
    }

    /// The first `n` examples (all of them when `n >= count`).
    /// - Throws: `CoreError.badArgument` for a negative `n`.
    public func take(_ n: Int) throws -> Dataset {
        guard n >= 0 else { throw CoreError.badArgument(op: "take", message: "count must be >= 0, got \(n)") }
        return try rows(0..<min(n, count))
    }

    /// A contiguous range of examples, copied with one memory copy per tensor.
    /// - Throws: `CoreError.badArgument` when the range is outside `0...count`.
    public func rows(_ range: Range<Int>) throws -> Dataset {
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw CoreError.badArgument(op: "rows", message: "rows \(range) out of range for \(count) examples")
        }
        return Dataset(validX: Dataset.slice(x, range), y: Dataset.slice(y, range), like: self)
    }

    /// The examples at `indices`, in that order (indices may repeat).
    /// - Throws: `CoreError.badArgument` for an index outside `0..<count`.
    public func gather(_ indices: [Int]) throws -> Dataset {
        for i in indices where i < 0 || i >= count {
            throw CoreError.badArgument(op: "gather", message: "index \(i) out of range for \(count) examples")
        }
        return Dataset(validX: Dataset.gatherRows(x, indices), y: Dataset.gatherRows(y, indices), like: self)
    }

    /// The examples in a random order fixed by `seed` (the same seed gives the same order). The
    /// draws come from a private stream, `RandomStream(seed: seed)`; no global state is touched.
    public func shuffled(seed: Int) -> Dataset {
        var rng = RandomStream(seed: UInt64(bitPattern: Int64(seed)))
        return shuffled(using: &rng)
    }

    /// The examples in a random order drawn from `rng` (e.g. a training loop's stream, advanced
    /// once per epoch).
    public func shuffled(using rng: inout RandomStream) -> Dataset {
        let order = rng.permutation(count)
        return Dataset(validX: Dataset.gatherRows(x, order), y: Dataset.gatherRows(y, order), like: self)
    }

    /// Shuffles with `seed`, then cuts into a training part of `round(fraction · count)` examples
    /// and a test part with the rest.
    /// - Throws: `CoreError.badArgument` unless `0 <= fraction <= 1`.
    public func split(_ fraction: Double, seed: Int) throws -> (train: Dataset, test: Dataset) {
        var rng = RandomStream(seed: UInt64(bitPattern: Int64(seed)))
        return try split(fraction, using: &rng)
    }

    /// `split(_:seed:)` with the shuffle drawn from `rng`.
    public func split(_ fraction: Double, using rng: inout RandomStream) throws -> (train: Dataset, test: Dataset) {
        guard fraction >= 0, fraction <= 1 else {
            throw CoreError.badArgument(op: "split", message: "fraction must be in [0, 1], got \(fraction)")
        }
        let cut = min(count, max(0, Int((fraction * Double(count)).rounded())))
        let mixed = shuffled(using: &rng)
        return (try mixed.rows(0..<cut), try mixed.rows(cut..<count))
    }

    // MARK: - Row copies

    /// Rows `range` of `t` (first axis) as a new tensor: one contiguous copy.
    static func slice(_ t: Tensor<Float>, _ range: Range<Int>) -> Tensor<Float> {
        let rowSize = t.shape.dropFirst().reduce(1, *)
        var shape = t.shape
        shape[0] = range.count
        let scalars = Array(t.scalars[(range.lowerBound * rowSize)..<(range.upperBound * rowSize)])
        return Tensor(uncheckedShape: shape, scalars: scalars)
    }

    /// Rows `indices` of `t` (each valid) gathered into a new tensor, one memory copy per row.
    static func gatherRows(_ t: Tensor<Float>, _ indices: [Int]) -> Tensor<Float> {
        let rowSize = t.shape.dropFirst().reduce(1, *)
        var shape = t.shape
        shape[0] = indices.count
        let scalars = [Float](unsafeUninitializedCapacity: indices.count * rowSize) { out, initialized in
            t.scalars.withUnsafeBufferPointer { src in
                guard let srcBase = src.baseAddress, let outBase = out.baseAddress else { return }
                for (row, i) in indices.enumerated() {
                    (outBase + row * rowSize).initialize(from: srcBase + i * rowSize, count: rowSize)
                }
            }
            initialized = indices.count * rowSize
        }
        return Tensor(uncheckedShape: shape, scalars: scalars)
    }
}

extension Dataset: CustomStringConvertible {
    /// One line such as `Dataset(60000 examples, x [60000, 1, 28, 28], y [60000], 10 classes)`.
    public var description: String {
        let kind = classCount.map { "\($0) class\($0 == 1 ? "" : "es")" } ?? "regression targets"
        return "Dataset(\(count) example\(count == 1 ? "" : "s"), x \(Tensor<Float>.describe(x.shape)), "
            + "y \(Tensor<Float>.describe(y.shape)), \(kind))"
    }
}

extension Dataset: Explainable {
    public var explanation: Explanation {
        var numbers = [ExplainedValue("examples", count), ExplainedValue("x", Tensor<Float>.describe(x.shape)),
                       ExplainedValue("y", Tensor<Float>.describe(y.shape))]
        if let classCount { numbers.append(ExplainedValue("classes", classCount)) }
        if let names = classNames { numbers.append(ExplainedValue("class names", names.joined(separator: ", "))) }
        return Explanation("Dataset", summary: isClassification ? "examples with class labels." : "examples with regression targets.",
                           formula: ["x: one row (or image) per example;  y: " + (isClassification ? "class indices 0…k−1" : "targets")],
                           numbers: numbers)
    }
}
