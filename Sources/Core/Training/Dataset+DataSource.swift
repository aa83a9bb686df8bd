// Lets training and evaluation read a Dataset directly: a batch is a gather of rows.

extension Dataset: DataSource {
    public typealias Scalar = Float

    /// The rows at `indices` as (x, y).
    public func batch(_ indices: ArraySlice<Int>) throws -> (x: Tensor<Float>, y: Tensor<Float>) {
        let rows = try gather(Array(indices))
        return (rows.x, rows.y)
    }
}
