// combine: several optimizers in one step, each on its own parameters (routed by role), as optax's multi_transform.

/// Several optimizers stepping together: `combine(adam(net, only: "weight"), sgd(net, only:
/// "mask_logit", lr: 20))`. Each part updates its own parameters with its own rule, rate and
/// state; one `step` runs them all, in order, and records one step.
///
/// Two parts may not update the same parameter (that would step it twice); a parameter no part
/// claims is not updated. The parts' hooks all take part in training. `lr` reads the first part's
/// rate; setting it sets every part's.
public final class Combined<Scalar: TensorScalar>: Optimizer {
    public let core: OptimizerCore<Scalar>
    /// The optimizers, in the order they step.
    public let parts: [any Optimizer<Scalar>]

    /// - Throws: `CoreError.badArgument` for no parts, or when two parts update one parameter.
    public init(_ parts: [any Optimizer<Scalar>]) throws {
        guard let first = parts.first else {
            throw CoreError.badArgument(op: "combine", message: "needs at least one optimizer")
        }
        var owner: [ObjectIdentifier: (part: Int, path: String)] = [:]
        for (i, part) in parts.enumerated() {
            for (path, param) in part.core.namedParams {
                if let other = owner[ObjectIdentifier(param)] {
                    throw CoreError.badArgument(op: "combine",
                        message: "\(path) would be updated by optimizer \(other.part) (\(parts[other.part].name)) and optimizer \(i) (\(part.name)); give each a different `only:`")
                }
                owner[ObjectIdentifier(param)] = (i, path)
            }
        }
        self.parts = parts
        let source: ParamSource<Scalar> = first.core.network.map { .network($0) }
            ?? .params(parts.flatMap { $0.core.namedParams.map(\.param) })
        core = try OptimizerCore(source, lr: first.lr, weightDecay: 0, op: "combine")
    }

    public var name: String { "combine" }

    public var lr: Double {
        get { parts[0].lr }
        set { for p in parts { p.lr = newValue } }
    }

    public func epochEnded() {
        core.epochEnded()
        for p in parts { p.epochEnded() }
    }

    public var hookProviders: [AnyObject] { [self] + parts.flatMap { $0.hookProviders } }

    @discardableResult
    public func step() throws -> StepRecord {
        var gradSq = 0.0, updateSq = 0.0
        for p in parts {
            let r = try p.step()
            gradSq += r.gradNorm * r.gradNorm
            updateSq += r.updateNorm * r.updateNorm
        }
        return recordStep(lr: lr, gradNorm: gradSq.squareRoot(), updateNorm: updateSq.squareRoot())
    }

    public var description: String {
        "combine(" + parts.map { p in
            p.core.roles.map { roles in "\(p.description) on \(roles.map(\.name).sorted().joined(separator: ", "))" } ?? p.description
        }.joined(separator: ", ") + ")"
    }
}
