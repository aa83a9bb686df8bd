// io's Dataset as a training source: batches are gathered rows of its x and y.

extension Dataset: DataSource {
    public typealias Scalar = Float

    /// The examples at `indices` as (x, y).
    public func batch(_ indices: ArraySlice<Int>) throws -> (x: Tensor<Float>, y: Tensor<Float>) {
        let rows = try gather(Array(indices))
        return (rows.x, rows.y)
    }
}
