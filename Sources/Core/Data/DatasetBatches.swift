// Minibatches of a data set: row blocks in order or in a shuffled order, the last partial batch kept.

/// The minibatches of a data set: `ceil(count / size)` batches of `size` rows, the last one
/// holding the remainder.
///
/// In order, each batch is one contiguous copy per tensor; with a shuffled order, each batch
/// gathers its rows (one copy per row), so an epoch never copies the whole data set at once.
public struct DatasetBatches: Sequence {
    /// The data being cut into batches.
    public let dataset: Dataset
    /// Rows per batch (the last batch may hold fewer).
    public let size: Int
    /// The row order (a permutation of `0..<count`), or nil for the stored order.
    public let order: [Int]?

    /// The number of batches, the last partial one included.
    public var count: Int { dataset.count == 0 ? 0 : (dataset.count - 1) / size + 1 }

    /// The same batches, each as a Dataset keeping the class count and names (for the language's
    /// `for batch in batches(d, 64)`).
    public var datasets: LazyMapSequence<DatasetBatches, Dataset> {
        let source = dataset
        return lazy.map { Dataset(validX: $0.x, y: $0.y, like: source) }
    }

    public func makeIterator() -> Iterator {
        Iterator(batches: self, start: 0)
    }

    /// Yields `(x, y)` for each batch in turn.
    public struct Iterator: IteratorProtocol {
        let batches: DatasetBatches
        var start: Int

        public mutating func next() -> (x: Tensor<Float>, y: Tensor<Float>)? {
            let data = batches.dataset
            guard start < data.count else { return nil }
            let end = start + Swift.min(batches.size, data.count - start)
            defer { start = end }
            guard let order = batches.order else {
                return (Dataset.slice(data.x, start..<end), Dataset.slice(data.y, start..<end))
            }
            let rows = Array(order[start..<end])
            return (Dataset.gatherRows(data.x, rows), Dataset.gatherRows(data.y, rows))
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
        return DatasetBatches(dataset: self, size: size, order: nil)
    }

    /// The minibatches of `size` rows in a fresh random order drawn from `rng` (one epoch of
    /// shuffled training), without copying the whole data set.
    /// - Throws: `CoreError.badArgument` when `size < 1`.
    public func batches(_ size: Int, shuffledWith rng: inout RandomStream) throws -> DatasetBatches {
        guard size >= 1 else {
            throw CoreError.badArgument(op: "batches", message: "batch size must be >= 1, got \(size)")
        }
        return DatasetBatches(dataset: self, size: size, order: rng.permutation(count))
    }
}
