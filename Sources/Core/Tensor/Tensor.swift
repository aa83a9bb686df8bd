// The tensor: shape plus contiguous row-major storage, copy-on-write through Swift's Array.

/// The element types a tensor can hold. The language only ever sees `Float`; `Double` exists so
/// gradient checks can run the very same kernels at a tolerance near 1e-6.
public protocol TensorScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible
where Magnitude == Self {
}

extension Float: TensorScalar {}
extension Double: TensorScalar {}

/// An n-dimensional array of `Scalar`, contiguous and row-major.
///
/// A value type: copies share storage until one of them is written (Array's copy-on-write). A 0-d
/// tensor has shape `[]` and one scalar.
public struct Tensor<Scalar: TensorScalar> {
    /// The extent of each axis, outermost first.
    public internal(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count` is the product of `shape`.
    public internal(set) var scalars: [Scalar]

    /// Makes a tensor from its shape and row-major scalars.
    /// - Throws: `CoreError.shapeMismatch` when the counts disagree or an extent is negative.
    public init(shape: [Int], scalars: [Scalar]) throws {
        let count = try Tensor.elementCount(of: shape, op: "tensor")
        guard count == scalars.count else {
            throw CoreError.badArgument(op: "tensor",
                message: "shape \(Tensor.describe(shape)) needs \(count) values, got \(scalars.count)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// Internal initialiser for kernels that already know the counts agree.
    @inline(__always)
    init(uncheckedShape shape: [Int], scalars: [Scalar]) {
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Scalar) throws {
        let count = try Tensor.elementCount(of: shape, op: "full")
        self.init(uncheckedShape: shape, scalars: [Scalar](repeating: value, count: count))
    }

    /// A 0-d tensor holding one scalar.
    public init(scalar: Scalar) {
        self.init(uncheckedShape: [], scalars: [scalar])
    }

    public var rank: Int { shape.count }
    public var count: Int { scalars.count }

    /// The number of elements of `shape`, refusing negative extents and sizes that overflow or
    /// exceed `maxElements` (so a typo like `zeros(100000, 100000, 100)` is an error, not a crash).
    public static func elementCount(of shape: [Int], op: String) throws -> Int {
        var count = 1
        for extent in shape {
            guard extent >= 0 else {
                throw CoreError.badArgument(op: op, message: "negative extent in shape \(describe(shape))")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= maxElements else {
                throw CoreError.badArgument(op: op,
                    message: "shape \(describe(shape)) is too large (limit \(maxElements) elements)")
            }
            count = product
        }
        return count
    }

    /// The largest tensor Whittle will allocate: 2^32 elements (16 GiB of Float32).
    public static var maxElements: Int { 1 << 32 }

    /// `[2, 3]` style text for a shape, as used in every error message.
    public static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}
