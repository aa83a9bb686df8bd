// The tensor: shape plus contiguous row-major storage, copy-on-write through Swift's Array.

/// An n-dimensional array of `Scalar`, contiguous and row-major.
///
/// A value type: copies share storage until one of them is written (Array's copy-on-write). A 0-d
/// tensor has shape `[]` and one scalar. Every operation that a script can reach validates shapes
/// and throws `CoreError` naming the op and the shapes; kernels run on unsafe buffers.
public struct Tensor<Scalar: TensorScalar>: Equatable, Sendable {
    /// The extent of each axis, outermost first.
    public internal(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count` is the product of `shape`.
    public internal(set) var scalars: [Scalar]

    /// Makes a tensor from its shape and row-major scalars.
    /// - Throws: `CoreError.badArgument` when the counts disagree or an extent is negative.
    @_specialize(where Scalar == Float)
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

    /// Internal initialiser for a shape the caller already validated (a layer's own extents, a
    /// gradient of an existing tensor's shape), filled with `value`.
    @inline(__always)
    init(uncheckedShape shape: [Int], repeating value: Scalar) {
        self.init(uncheckedShape: shape, scalars: [Scalar](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor of the given shape filled with `value`.
    /// - Throws: `CoreError.badArgument` for a negative or too large shape.
    @_specialize(where Scalar == Float)
    public init(shape: [Int], repeating value: Scalar) throws {
        let count = try Tensor.elementCount(of: shape, op: "full")
        self.init(uncheckedShape: shape, scalars: [Scalar](repeating: value, count: count))
    }

    /// A 0-d tensor holding one scalar.
    @_specialize(where Scalar == Float)
    public init(scalar: Scalar) {
        self.init(uncheckedShape: [], scalars: [scalar])
    }

    /// A rank-1 tensor holding `scalars`.
    @_specialize(where Scalar == Float)
    public init(_ scalars: [Scalar]) {
        self.init(uncheckedShape: [scalars.count], scalars: scalars)
    }

    /// Converts between element types (Float ↔ Double), e.g. to run a gradient check in Double.
    public init<Other: TensorScalar>(converting other: Tensor<Other>) {
        self.init(uncheckedShape: other.shape, scalars: other.scalars.map { Scalar($0) })
    }

    /// The number of axes.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }

    /// The single element of a tensor with exactly one element (any rank).
    /// - Throws: `CoreError.badArgument` when the tensor holds more or fewer than one element.
    @_specialize(where Scalar == Float)
    public func item() throws -> Scalar {
        guard scalars.count == 1 else {
            throw CoreError.badArgument(op: "item",
                message: "needs a tensor with one element, got shape \(Tensor.describe(shape))")
        }
        return scalars[0]
    }

    /// Calls `body` with the elements, read-only.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the elements for in-place update (optimizers, masks); the shape is fixed.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

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

    /// Row-major strides (in elements) of a contiguous tensor of `shape`.
    static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running &*= shape[axis]
        }
        return strides
    }

    /// Maps a possibly negative axis onto `0..<rank`.
    /// - Throws: `CoreError.badArgument` naming the op when the axis is out of range.
    static func normalize(axis: Int, rank: Int, op: String, shape: [Int]) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0, resolved < rank else {
            throw CoreError.badArgument(op: op,
                message: "axis \(axis) is out of range for a tensor of shape \(describe(shape))")
        }
        return resolved
    }
}

extension Array where Element: TensorScalar {
    /// Storage for `count` scalars that the caller overwrites completely before reading (kernels
    /// whose output covers every entry): skips the zero fill of a large buffer.
    @inline(__always)
    init(uninitializedCount count: Int) {
        self.init(unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}

extension Tensor: CustomStringConvertible {
    /// A short text such as `Tensor[2, 3](1.0, 2.0, ...)`; the language has its own renderer.
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor\(Tensor.describe(shape))(\(shown)\(scalars.count > 8 ? ", ..." : ""))"
    }
}
