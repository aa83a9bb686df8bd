// PyTorch's default initialisation: uniform in ±1/√fan_in, drawn from an injected random stream.

enum Initialization {
    /// A tensor of `shape` with entries uniform in [−bound, bound).
    static func uniform<S: TensorScalar>(_ shape: [Int], bound: Double,
                                         using rng: inout RandomStream) throws -> Tensor<S> {
        let count = try Tensor<S>.elementCount(of: shape, op: "init")
        try Tensor<S>.stopIfInterrupted("rand")
        var values = [S](repeating: 0, count: count)
        for i in 0..<count { values[i] = S((rng.nextDouble() * 2 - 1) * bound) }
        return Tensor(uncheckedShape: shape, scalars: values)
    }

    /// Checks a layer size argument is positive.
    static func positive(_ value: Int, _ name: String, op: String) throws {
        guard value >= 1 else {
            throw CoreError.badArgument(op: op, message: "\(name) must be at least 1, got \(value)")
        }
    }
}
