// The one error type thrown by Core: every user-reachable failure names its op and the shapes.

/// An error from Core. The driver renders it with the source location of the failing expression.
public enum CoreError: Error, Equatable, CustomStringConvertible {
    /// Two operands whose shapes do not fit, e.g. `@` on [64, 1568] and [256, 10].
    case shapeMismatch(op: String, shapes: [[Int]], message: String)
    /// An argument with a bad value, e.g. a negative extent or a probability above 1.
    case badArgument(op: String, message: String)
    /// A file that is missing, unreadable, truncated or not in the expected format.
    case badFile(path: String, message: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, shapes, message):
            let shapeText = shapes.map { Tensor<Float>.describe($0) }.joined(separator: " and ")
            return message.isEmpty ? "shape mismatch in `\(op)`: \(shapeText)"
                                   : "shape mismatch in `\(op)`: \(message)"
        case let .badArgument(op, message):
            return "\(op): \(message)"
        case let .badFile(path, message):
            return "\(path): \(message)"
        }
    }
}
