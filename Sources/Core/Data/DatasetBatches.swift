// Minibatches of a data set: consecutive row blocks, each copied contiguously, last partial kept.

/// The minibatches of a data set, in order: `ceil(count / size)` batches of `size` rows, the last
/// one holding the remainder. Iterating copies each batch's rows with one memory copy per tensor.
///
/// Shuffle first (`shuffled(seed:)`) for a new order each epoch.
public struct DatasetBatches: Sequence {
    /// The data being cut into batches.
    public let dataset: Dataset
    /// Rows per batch (the last batch may hold fewer).
    public let size: Int

    /// The number of batches, the last partial one included.
    public var count: Int { (dataset.count + size - 1) / size }

    public func makeIterator() -> Iterator {
        Iterator(dataset: dataset, size: size, start: 0)
    }

    /// Yields `(x, y)` for each batch in turn.
    public struct Iterator: IteratorProtocol {
        let dataset: Dataset
        let size: Int
        var start: Int

        public mutating func next() -> (x: Tensor<Float>, y: Tensor<Float>)? {
            guard start < dataset.count else { return nil }
            let end = start + Swift.min(size, dataset.count - start)
            let range = start..<end
            start = end
            return (Dataset.slice(dataset.x, range), Dataset.slice(dataset.y, range))
        }
    }
}

extension Dataset {
    /// The minibatches of `size` rows, in order; the last partial batch is kept.
    /// - Throws: `CoreError.badArgument` when `size < 1`.
    public func batches(_ size: Int) throws -> DatasetBatches {
        guard size >= 1 else {
            throw CoreError.badArgument(op: "batches", message: "batch size must be >= 1, got \(size)")
        }
        return DatasetBatches(dataset: self, size: size)
    }
}
