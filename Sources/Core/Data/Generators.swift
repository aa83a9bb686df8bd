// Synthetic data sets following scikit-learn's recipes: make_regression and make_blobs.

/// A linear regression problem with a known sparse ground truth (scikit-learn's `make_regression`).
///
/// Recipe: X ~ N(0, 1) of shape `[samples, features]`; the true coefficients are 100·U(0, 1) on
/// the first `informative` features and 0 elsewhere; y = X·coef + bias + noise·N(0, 1); then the
/// rows are shuffled and the columns permuted (with the coefficients), as with `shuffle=True`.
/// Draws come from a private stream, `RandomStream(seed: seed)`, so the numbers differ from NumPy's.
/// - Parameters:
///   - samples: rows (>= 1).
///   - features: columns (>= 1).
///   - informative: non-zero coefficients; clamped to `features` as scikit-learn does.
///   - noise: standard deviation of the Gaussian noise added to y (>= 0).
///   - bias: the intercept.
///   - seed: the stream's seed.
/// - Returns: the data (`x` `[samples, features]`, `y` `[samples]`) and the true coefficients `[features]`.
/// - Throws: `CoreError.badArgument` for counts below their minimum, a negative noise, or a size
///   too large to allocate.
public func makeRegression(samples: Int, features: Int, informative: Int = RegressionDefaults.informative,
                           noise: Double = RegressionDefaults.noise, bias: Double = RegressionDefaults.bias, seed: Int = 0) throws -> (data: Dataset, coef: Tensor<Float>) {
    let op = "make_regression"
    guard samples >= 1, features >= 1 else {
        throw CoreError.badArgument(op: op, message: "samples and features must be >= 1, got \(samples) and \(features)")
    }
    guard informative >= 0 else { throw CoreError.badArgument(op: op, message: "informative must be >= 0, got \(informative)") }
    guard noise >= 0, noise.isFinite, bias.isFinite else {
        throw CoreError.badArgument(op: op, message: "noise must be finite and >= 0, bias finite; got noise \(noise), bias \(bias)")
    }
    _ = try Tensor<Float>.elementCount(of: [samples, features], op: op)
    var rng = RandomStream(seed: UInt64(bitPattern: Int64(seed)))
    // Drawn in Double so y = X·coef is computed from the same X that is returned (rounded after).
    let x = try Tensor<Double>.normal([samples, features], using: &rng).scalars
    var coef = [Double](repeating: 0, count: features)
    let informativeCount = min(informative, features)
    let drawn = try Tensor<Double>.uniform([informativeCount], using: &rng).scalars
    for j in 0..<informativeCount { coef[j] = 100 * drawn[j] }
    var y = [Double](repeating: bias, count: samples)
    for i in 0..<samples {
        var sum = 0.0
        for j in 0..<informativeCount { sum += x[i * features + j] * coef[j] }
        y[i] += sum
    }
    if noise > 0 {
        let e = try Tensor<Double>.normal([samples], std: noise, using: &rng).scalars
        for i in 0..<samples { y[i] += e[i] }
    }

    let rowOrder = rng.permutation(samples)
    let columnOrder = rng.permutation(features)
    var shuffledX = [Float](repeating: 0, count: samples * features)
    for (row, source) in rowOrder.enumerated() {
        for (column, sourceColumn) in columnOrder.enumerated() {
            shuffledX[row * features + column] = Float(x[source * features + sourceColumn])
        }
    }
    let data = Dataset(validX: Tensor(uncheckedShape: [samples, features], scalars: shuffledX),
                       y: Tensor(uncheckedShape: [samples], scalars: rowOrder.map { Float(y[$0]) }),
                       classCount: nil, classNames: nil)
    return (data, Tensor(uncheckedShape: [features], scalars: columnOrder.map { Float(coef[$0]) }))
}

/// Gaussian clusters for classification (scikit-learn's `make_blobs`).
///
/// Centres are drawn uniformly in `centerBox` per coordinate; the samples are shared out evenly
/// (the first `samples % centers` clusters get one more); each point is its centre plus
/// `std`·N(0, 1) per coordinate; the rows are then shuffled. Labels are cluster indices.
/// - Returns: the data (`x` `[samples, features]`, `y` `[samples]`) and the centres `[centers, features]`.
/// - Throws: `CoreError.badArgument` for counts below 1, a negative `std` or an empty box.
public func makeBlobs(samples: Int, features: Int = BlobsDefaults.features, centers: Int = BlobsDefaults.centers,
                      std: Double = BlobsDefaults.std,
                      centerBox: (Double, Double) = (-10, 10), seed: Int = 0) throws -> (data: Dataset, centers: Tensor<Float>) {
    let op = "blobs"
    guard samples >= 1, features >= 1, centers >= 1 else {
        throw CoreError.badArgument(op: op, message: "samples, features and centers must be >= 1")
    }
    guard std >= 0, std.isFinite, centerBox.0 <= centerBox.1, centerBox.0.isFinite, centerBox.1.isFinite else {
        throw CoreError.badArgument(op: op, message: "std must be finite and >= 0 and the centre box (low, high) finite with low <= high")
    }
    _ = try Tensor<Float>.elementCount(of: [samples, features], op: op)
    _ = try Tensor<Float>.elementCount(of: [centers, features], op: op)
    var rng = RandomStream(seed: UInt64(bitPattern: Int64(seed)))
    let middles = try Tensor<Double>.uniform([centers, features], low: centerBox.0, high: centerBox.1, using: &rng).scalars
    let offsets = try Tensor<Double>.normal([samples, features], std: std, using: &rng).scalars
    var x = [Float](), labels = [Float]()
    x.reserveCapacity(samples * features)
    for cluster in 0..<centers {
        let size = samples / centers + (cluster < samples % centers ? 1 : 0)
        for _ in 0..<size {
            let row = labels.count
            for j in 0..<features { x.append(Float(middles[cluster * features + j] + offsets[row * features + j])) }
            labels.append(Float(cluster))
        }
    }
    // Continue the same stream for the row order, so it is independent of the draws above.
    let order = rng.permutation(samples)
    let data = Dataset(validX: Dataset.gatherRows(Tensor(uncheckedShape: [samples, features], scalars: x), order),
                       y: Tensor(uncheckedShape: [samples], scalars: order.map { labels[$0] }),
                       classCount: centers, classNames: nil)
    return (data, Tensor(uncheckedShape: [centers, features], scalars: middles.map { Float($0) }))
}

/// `makeRegression`'s defaults (scikit-learn's), written once: the function and the built-in read them.
public enum RegressionDefaults {
    public static let informative = 10
    public static let noise = 0.0
    public static let bias = 0.0
}

/// `makeBlobs`'s defaults (scikit-learn's), written once: the function and the `blobs` built-in read them.
public enum BlobsDefaults {
    public static let features = 2
    public static let centers = 3
    public static let std = 1.0
}
