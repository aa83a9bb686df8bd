// The reverse-mode tape: one per `grad` call or training step, so no graph outlives the call.

/// A record of the operations of one differentiation call, replayed backwards by `backward`.
///
/// A tape is created by `valueAndGradient`, a training step or `fit`, and dropped when that call
/// returns, so nothing is ever recorded outside such a call. A non-recording tape (used by plain
/// `net(x)`, `accuracy`, `evaluate`) stores values only: no backward closures are kept and no
/// parameter becomes a leaf that needs a gradient.
///
/// Every node holds its value, whether a gradient must flow into it, and (for recorded operations)
/// a closure that maps the gradient of the node to the gradients of its inputs. A node used twice
/// receives the sum of both contributions.
public final class Tape<Scalar: TensorScalar> {
    /// The backward rule of one node: given the gradient of its output, the contributions to each
    /// input, as (input node id, gradient with exactly that input's shape). Inputs that need no
    /// gradient may be skipped.
    typealias Backward = (Tensor<Scalar>) throws -> [(Int, Tensor<Scalar>)]

    /// True when operations record backward rules.
    public let isRecording: Bool
    var values: [Tensor<Scalar>] = []
    var needsGrad: [Bool] = []
    var backwards: [Backward?] = []
    /// Parameters that became leaves of this tape, in first-use order, with their node ids.
    private(set) var paramLeaves: [(Param<Scalar>, Int)] = []
    private var paramIndex: [ObjectIdentifier: Int] = [:]

    /// Makes an empty tape; `recording: false` makes an inference-only tape.
    public init(recording: Bool = true) {
        self.isRecording = recording
    }

    /// The number of nodes recorded so far.
    public var count: Int { values.count }

    // MARK: - Leaves

    /// A leaf holding `value`; gradients flow into it when `requiresGrad` and the tape records.
    public func variable(_ value: Tensor<Scalar>, requiresGrad: Bool = true) -> Variable<Scalar> {
        Variable(tape: self, id: append(value, needsGrad: requiresGrad && isRecording, backward: nil))
    }

    /// A constant: a leaf no gradient flows into.
    public func constant(_ value: Tensor<Scalar>) -> Variable<Scalar> {
        variable(value, requiresGrad: false)
    }

    /// The leaf of a parameter on this tape, created on first use so every layer that uses the same
    /// `Param` shares one node (and so its gradient is the sum over all uses). Frozen parameters
    /// are constants.
    public func variable(for param: Param<Scalar>) -> Variable<Scalar> {
        let key = ObjectIdentifier(param)
        if let id = paramIndex[key] { return Variable(tape: self, id: id) }
        let id = append(param.value, needsGrad: isRecording && !param.isFrozen, backward: nil)
        paramIndex[key] = id
        paramLeaves.append((param, id))
        return Variable(tape: self, id: id)
    }

    // MARK: - Recording

    @discardableResult
    func append(_ value: Tensor<Scalar>, needsGrad needs: Bool, backward: Backward?) -> Int {
        values.append(value)
        needsGrad.append(needs)
        backwards.append(needs ? backward : nil)
        return values.count - 1
    }

    /// Records the result of an operation on `inputs`. The backward closure is built (and so its
    /// captured tensors kept) only when the tape records and some input needs a gradient.
    func record(_ value: Tensor<Scalar>, inputs: [Variable<Scalar>],
                backward: () -> Backward) -> Variable<Scalar> {
        let needs = isRecording && inputs.contains { needsGrad[$0.id] }
        let id = append(value, needsGrad: needs, backward: needs ? backward() : nil)
        return Variable(tape: self, id: id)
    }

    // MARK: - Backward

    /// Runs the tape backwards from `output` (seeded with ones of its shape, or `seed`) and returns
    /// the gradient of every node (nil where none flowed).
    /// - Throws: `CoreError.badArgument` when the tape does not record.
    func gradients(of output: Variable<Scalar>, seed: Tensor<Scalar>? = nil) throws -> [Tensor<Scalar>?] {
        guard isRecording else {
            throw CoreError.badArgument(op: "grad", message: "the tape does not record operations")
        }
        var grads = [Tensor<Scalar>?](repeating: nil, count: values.count)
        let outValue = values[output.id]
        if let seed {
            guard seed.shape == outValue.shape else {
                throw CoreError.shapeMismatch(op: "grad", shapes: [seed.shape, outValue.shape],
                                              message: "")
            }
            grads[output.id] = seed
        } else {
            grads[output.id] = Tensor(uncheckedShape: outValue.shape,
                                      scalars: [Scalar](repeating: 1, count: outValue.count))
        }
        var id = output.id
        while id >= 0 {
            defer { id -= 1 }
            guard let grad = grads[id], let backward = backwards[id] else { continue }
            for (input, contribution) in try backward(grad) where needsGrad[input] {
                if var sum = grads[input] {
                    grads[input] = nil  // keep `sum` uniquely referenced so the add is in place
                    sum.addInPlace(contribution)
                    grads[input] = sum
                } else {
                    grads[input] = contribution
                }
            }
            // Free what is no longer needed as soon as possible: the graph can be large.
            backwards[id] = nil
            if id != output.id { grads[id] = nil }
        }
        return grads
    }

    /// Runs backward from `output` and stores each parameter's gradient in `Param.grad`
    /// (overwriting, zeros when no gradient reached it). Frozen parameters keep `grad == nil`.
    public func backward(from output: Variable<Scalar>) throws {
        let grads = try gradients(of: output)
        for (param, id) in paramLeaves where !param.isFrozen {
            param.grad = grads[id] ?? Tensor(uncheckedShape: param.value.shape,
                                             scalars: [Scalar](repeating: 0, count: param.value.count))
        }
    }
}

/// A handle on one node of a tape: its value plus the ability to take part in recorded operations.
///
/// Cheap to copy (a tape reference and an index). Operations on variables are methods and free
/// functions in the `Ops+*.swift` files.
public struct Variable<Scalar: TensorScalar> {
    /// The tape this node lives on.
    public let tape: Tape<Scalar>
    /// The node's index on the tape.
    public let id: Int

    /// The node's value.
    public var value: Tensor<Scalar> { tape.values[id] }
    /// The node's shape.
    public var shape: [Int] { tape.values[id].shape }
    /// True when a gradient flows into this node.
    public var requiresGrad: Bool { tape.needsGrad[id] }
}

// MARK: - Entry points

/// Evaluates `f` at `inputs` on a fresh recording tape and returns its value and the gradient of
/// its (summed) value with respect to each input.
///
/// The function receives the tape (to make constants) and one variable per input. A non-scalar
/// result is differentiated as the sum of its elements, as `grad` does in the language.
/// - Returns: the value of `f` and one gradient per input, each with that input's shape (zeros
///   where the result does not depend on it).
/// - Throws: whatever `f` throws, or a `CoreError` from an operation.
public func valueAndGradient<Scalar>(
    of f: (Tape<Scalar>, [Variable<Scalar>]) throws -> Variable<Scalar>,
    at inputs: [Tensor<Scalar>]
) throws -> (value: Tensor<Scalar>, gradients: [Tensor<Scalar>]) {
    let tape = Tape<Scalar>()
    let variables = inputs.map { tape.variable($0) }
    let output = try f(tape, variables)
    guard output.tape === tape else {
        throw CoreError.badArgument(op: "grad", message: "the function returned a value from another tape")
    }
    let grads = try tape.gradients(of: output)
    let gradients = variables.map { v in
        grads[v.id] ?? Tensor(uncheckedShape: v.shape, scalars: [Scalar](repeating: 0, count: v.value.count))
    }
    return (output.value, gradients)
}

/// Evaluates `f` on a fresh recording tape and sets `grad` of every parameter it used (overwriting,
/// never accumulating). Use it for `grad(f, net)`: the function runs the network on the tape.
/// - Returns: the value of `f`.
public func valueAndGradient<Scalar>(
    of f: (Tape<Scalar>) throws -> Variable<Scalar>,
    for params: [Param<Scalar>]
) throws -> Tensor<Scalar> {
    let tape = Tape<Scalar>()
    // Register the parameters first so even unused ones get a zero gradient.
    for param in params { _ = tape.variable(for: param) }
    let output = try f(tape)
    guard output.tape === tape else {
        throw CoreError.badArgument(op: "grad", message: "the function returned a value from another tape")
    }
    try tape.backward(from: output)
    return output.value
}
