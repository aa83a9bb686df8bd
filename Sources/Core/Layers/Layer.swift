// The Layer protocol, fused-ReLU layers, and layer error context.
import Runtime

/// A building block of a network: a forward pass on a tape, its own parameters and buffers under
/// local names, its children, and a train/eval flag.
///
/// Paths are never stored by hand: the root enumerates its tree (children numbered as in PyTorch's
/// `state_dict`, parameter-free children included) and assigns `Param.path` / `Buffer.path`.
/// Everything that acts on a whole network (params, buffers, flat vectors, modes, summaries,
/// copies) is an extension over this protocol in `Network.swift`.
public protocol Layer<Scalar>: AnyObject, CustomStringConvertible {
    associatedtype Scalar: TensorScalar

    /// The script-facing kind, e.g. "Dense", "Conv2D", "Sequential".
    var kind: String { get }

    /// Runs the layer on the input's tape. Validates the input shape at entry.
    /// - Throws: `CoreError.shapeMismatch` naming the expected and actual shapes.
    func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar>

    /// This layer's own parameters (not its children's), by local name: ("weight", w), ("bias", b).
    var localParams: [(name: String, param: Param<Scalar>)] { get }
    /// This layer's own buffers, by local name: ("running_mean", …), ("mask", …).
    var localBuffers: [(name: String, buffer: Buffer<Scalar>)] { get }
    /// Child layers by local name ("0", "1", … in a Sequential; "body" in a Residual).
    var children: [(name: String, layer: any Layer<Scalar>)] { get }

    /// True in training mode (Dropout drops, BatchNorm uses batch statistics and updates its
    /// running ones). Set for a whole tree with `train()` / `eval()`.
    var isTraining: Bool { get set }

    /// A deep copy: new parameters and buffers with the same values, same mode.
    func copy() -> any Layer<Scalar>
}

extension Layer {
    public var localParams: [(name: String, param: Param<Scalar>)] { [] }
    public var localBuffers: [(name: String, buffer: Buffer<Scalar>)] { [] }
    public var children: [(name: String, layer: any Layer<Scalar>)] { [] }

    /// Runs the layer without recording (inference): `net(x)`.
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let tape = Tape<Scalar>(recording: false)
        return try forward(tape.constant(input)).value
    }
}

/// A layer that can apply a following ReLU inside its own node (Dense, Conv2D): a Sequential
/// fuses `layer, ReLU` pairs this way so the pre-activation is never stored.
public protocol ReLUFusable<Scalar>: Layer {
    /// The layer's output passed through max(·, 0), as one node.
    func forward(_ input: Variable<Scalar>, fusedReLU: Bool) throws -> Variable<Scalar>
}

// MARK: - Errors with layer context

/// An error raised inside a layer of a container, with the chain of containers that led to it:
/// "in layer 3 (Dense) of Sequential: expected [*, 1568], got [64, 1500]".
public struct LayerError: Error, CustomStringConvertible {
    /// Outermost first, e.g. ["layer 2 (Residual) of Sequential", "layer 0 (Dense) of Sequential"].
    public var context: [String]
    /// The original error.
    public var underlying: Error

    /// Adds one level of context to `error` (merging into an existing `LayerError`).
    public static func wrap(_ error: Error, index: Int, kind: String, container: String) -> Error {
        if error is Interrupted { return error }
        let level = "layer \(index) (\(kind)) of \(container)"
        if var inner = error as? LayerError {
            inner.context.insert(level, at: 0)
            return inner
        }
        return LayerError(context: [level], underlying: error)
    }

    public var description: String {
        let message: String
        switch underlying {
        case let CoreError.shapeMismatch(_, _, text) where !text.isEmpty: message = text
        default: message = String(describing: underlying)
        }
        return context.map { "in " + $0 }.joined(separator: ": ") + ": " + message
    }
}

/// The shape error every layer raises at entry: `expected [*, 1568], got [64, 1500]`.
func layerShapeError(_ kind: String, expected: String, got shape: [Int]) -> CoreError {
    CoreError.shapeMismatch(op: kind, shapes: [shape],
                            message: "expected \(expected), got \(Tensor<Float>.describe(shape))")
}
