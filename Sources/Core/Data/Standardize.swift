// Per-feature standardization: subtract the mean and divide by the standard deviation of each feature.

/// The per-feature statistics used by `standardized()`, each of shape `featureShape`.
public struct FeatureStats {
    /// Mean of each feature over the examples.
    public var mean: Tensor<Float>
    /// Population standard deviation (ddof 0, as scikit-learn's StandardScaler) of each feature;
    /// a constant feature gets 1 so it maps to 0 instead of NaN.
    public var std: Tensor<Float>
}

extension Dataset {
    /// The per-feature mean and standard deviation of `x`, accumulated in Double.
    public func featureStats() -> FeatureStats {
        let n = count
        let width = featureShape.reduce(1, *)
        var sum = [Double](repeating: 0, count: width)
        var sumSquares = [Double](repeating: 0, count: width)
        x.scalars.withUnsafeBufferPointer { src in
            sum.withUnsafeMutableBufferPointer { s in
                for row in 0..<n {
                    let base = row * width
                    for j in 0..<width { s[j] += Double(src[base + j]) }
                }
            }
            let mean = sum.map { n > 0 ? $0 / Double(n) : 0 }
            sumSquares.withUnsafeMutableBufferPointer { q in
                for row in 0..<n {
                    let base = row * width
                    for j in 0..<width {
                        let d = Double(src[base + j]) - mean[j]
                        q[j] += d * d
                    }
                }
            }
            sum = mean
        }
        let std = sumSquares.map { q -> Float in
            let s = n > 0 ? (q / Double(n)).squareRoot() : 0
            return s > 0 && s.isFinite ? Float(s) : 1
        }
        return FeatureStats(mean: Tensor(uncheckedShape: featureShape, scalars: sum.map { Float($0) }),
                            std: Tensor(uncheckedShape: featureShape, scalars: std))
    }

    /// The data set with each feature shifted to mean 0 and scaled to standard deviation 1, and
    /// the statistics used (apply them to a test set with `standardized(using:)`).
    public func standardized() -> (dataset: Dataset, stats: FeatureStats) {
        let stats = featureStats()
        // The stats come from this data, so their shape always fits.
        return ((try? standardized(using: stats)) ?? self, stats)
    }

    /// The data set standardized with given statistics (e.g. those of the training set).
    /// - Throws: `CoreError.shapeMismatch` when the statistics' shape differs from `featureShape`.
    public func standardized(using stats: FeatureStats) throws -> Dataset {
        guard stats.mean.shape == featureShape, stats.std.shape == featureShape else {
            throw CoreError.shapeMismatch(op: "standardize", shapes: [featureShape, stats.mean.shape],
                                          message: "")
        }
        let width = featureShape.reduce(1, *)
        let n = count
        var out = x.scalars
        stats.mean.scalars.withUnsafeBufferPointer { mean in
            stats.std.scalars.withUnsafeBufferPointer { std in
                out.withUnsafeMutableBufferPointer { v in
                    for row in 0..<n {
                        let base = row * width
                        for j in 0..<width { v[base + j] = (v[base + j] - mean[j]) / std[j] }
                    }
                }
            }
        }
        return Dataset(validX: Tensor(uncheckedShape: x.shape, scalars: out), y: y, like: self)
    }
}
