// What training and evaluation read from: a count of examples and batches gathered by index.

/// A source of labelled examples for `fit`, `evaluate` and `accuracy`: anything that can gather
/// a batch of rows by index (io's `Dataset` conforms; so does `TensorData`).
public protocol DataSource<Scalar> {
    associatedtype Scalar: TensorScalar
    /// The number of examples.
    var count: Int { get }
    /// The examples at `indices` as (x, y), the first axis of each being the batch.
    func batch(_ indices: ArraySlice<Int>) throws -> (x: Tensor<Scalar>, y: Tensor<Scalar>)
}

/// Examples held as two tensors whose first axis is the example index.
public struct TensorData<Scalar: TensorScalar>: DataSource {
    public let x: Tensor<Scalar>
    public let y: Tensor<Scalar>

    /// - Throws: `CoreError.shapeMismatch` when x and y do not have the same number of rows.
    public init(x: Tensor<Scalar>, y: Tensor<Scalar>) throws {
        guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0] else {
            throw CoreError.shapeMismatch(op: "data", shapes: [x.shape, y.shape],
                message: "x \(Tensor<Float>.describe(x.shape)) and y \(Tensor<Float>.describe(y.shape)) need the same number of rows")
        }
        self.x = x
        self.y = y
    }

    public var count: Int { x.shape[0] }

    @_specialize(where Scalar == Float)
    public func batch(_ indices: ArraySlice<Int>) throws -> (x: Tensor<Scalar>, y: Tensor<Scalar>) {
        (try TensorData.rows(x, indices), try TensorData.rows(y, indices))
    }

    /// Copies whole rows (contiguous runs) of `t`.
    static func rows(_ t: Tensor<Scalar>, _ indices: ArraySlice<Int>) throws -> Tensor<Scalar> {
        let n = t.shape[0], row = t.shape.dropFirst().reduce(1, *)
        var out = [Scalar]()
        out.reserveCapacity(indices.count * row)
        try t.scalars.withUnsafeBufferPointer { p in
            for i in indices {
                guard i >= 0, i < n else {
                    throw CoreError.badArgument(op: "batch", message: "row \(i) is out of range for \(n) rows")
                }
                out.append(contentsOf: p[(i * row)..<((i + 1) * row)])
            }
        }
        return Tensor(uncheckedShape: [indices.count] + t.shape.dropFirst(), scalars: out)
    }
}
