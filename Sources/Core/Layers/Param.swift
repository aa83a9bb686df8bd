// Trainable parameters, non-trainable buffers, and the roles that let optimizers tell them apart.

/// What a parameter is for, so optimizers treat it by role (weight decay on `weight` only, none on
/// mask logits) without matching on names. Method layers add roles in their own file with
/// `extension Role { static let myRole = Role("my_role") }`.
public struct Role: Hashable, Sendable, CustomStringConvertible {
    /// The script-facing name, e.g. "weight", "mask_logit".
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    public static let weight = Role("weight")
    public static let bias = Role("bias")
    /// BatchNorm scale and shift.
    public static let bn = Role("bn")
    public static let maskLogit = Role("mask_logit")
    public static let switchGate = Role("switch")
    public static let template = Role("template")
    public static let coefficient = Role("coefficient")
    public static let precision = Role("precision")
}

/// A trainable tensor of a network: a reference, so a layer, an optimizer and a listing share it.
///
/// `grad` is overwritten by every `grad`/step call, never accumulated. `path` is the PyTorch
/// `state_dict` key (e.g. `3.weight`), assigned when the owning network enumerates its parameters.
public final class Param<Scalar: TensorScalar> {
    /// The current value.
    public var value: Tensor<Scalar>
    /// The gradient of the last differentiation call, nil before the first one (and for frozen
    /// parameters).
    public var grad: Tensor<Scalar>?
    /// What the parameter is for.
    public let role: Role
    /// The dotted path under the root network, e.g. `0.weight`; the local name until enumerated.
    public internal(set) var path: String
    /// A frozen parameter is a constant: no gradient, optimizers skip it.
    public var isFrozen: Bool = false { didSet { StructureRevision.advance() } }
    /// The gates acting on this parameter, applied in order (see `WeightGate`): a hard mask, a
    /// continuous-sparsification gate, a quantizer. Their keep-masks bind the optimizers.
    public internal(set) var gates: [any WeightGate<Scalar>] = [] { didSet { StructureRevision.advance() } }

    /// Makes a parameter with its initial value, role and local name.
    public init(_ value: Tensor<Scalar>, role: Role, name: String) {
        self.value = value
        self.role = role
        self.path = name
    }

    /// A deep copy: value, grad, flags and a copy of every gate.
    public func copy() -> Param<Scalar> {
        let p = Param(value, role: role, name: path)
        p.grad = grad
        p.isFrozen = isFrozen
        p.gates = gates.map { $0.copy() }
        return p
    }

    /// The number of scalars.
    public var count: Int { value.count }
}

/// A non-trainable tensor saved with the network: BatchNorm running statistics, hard masks.
/// Not in `params`, `countParams` or `flatParams`.
public final class Buffer<Scalar: TensorScalar> {
    /// The current value.
    public var value: Tensor<Scalar>
    /// The dotted path under the root network, e.g. `1.running_mean`, `3.mask`.
    public internal(set) var path: String

    public init(_ value: Tensor<Scalar>, name: String) {
        self.value = value
        self.path = name
    }

    public func copy() -> Buffer<Scalar> { Buffer(value, name: path) }
}
