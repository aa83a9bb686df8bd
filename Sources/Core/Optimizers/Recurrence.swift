// The recurrence regularizer: an optimizer wrapper whose penalty −λ Σ S rewards layers of a bank becoming alike.

/// Soft sharing's recurrence regularizer (thesis eq. 3.19): the loss becomes Loss − λ Σ_{l,l'} S[l, l']
/// over every ordered pair of layers of each bank (diagonal included; it is constant), which
/// pushes each bank's LSM toward all ones and so the net toward one layer run in a loop.
///
/// A wrapper around any optimizer (`recurrence(adam(net), lambda: 0.01)`): it steps the inner
/// optimizer and adds its penalty through the training hooks, so `fit` and `step` need nothing
/// else. |cos| is differentiated through the tape (subgradient 0 at cos = 0); the norms get
/// `eps` so α = 0 gives no NaN.
public final class Recurrence<Scalar: TensorScalar>: OptimizerWrapper, TrainingHook {
    /// The optimizer that updates the parameters.
    public let inner: any Optimizer<Scalar>
    /// λ_R ≥ 0 (0.01 on the thesis' shortest-path task).
    public var lambda: Double
    /// Added under the square root of each ‖α‖².
    public let eps: Double = 1e-12
    /// The last penalty added, −λ Σ S.
    public private(set) var lastPenalty: Double?

    /// - Throws: `CoreError.badArgument` for a negative or non-finite λ.
    public init(_ inner: any Optimizer<Scalar>, lambda: Double = 0.01) throws {
        guard lambda.isFinite, lambda >= 0 else {
            throw CoreError.badArgument(op: "recurrence", message: "lambda must be a non-negative number, got \(lambda)")
        }
        self.inner = inner
        self.lambda = lambda
    }

    public var name: String { "recurrence" }
    public var hookName: String { "recurrence" }





    /// −λ Σ S over the banks of the net, on the step's tape.
    public func penalty(on tape: Tape<Scalar>, context: HookContext<Scalar>) throws -> Variable<Scalar>? {
        let banks = context.net.banks
        guard lambda > 0, !banks.isEmpty else { lastPenalty = nil; return nil }
        var total: Variable<Scalar>?
        for (_, members) in banks {
            let s = try Recurrence.similaritySum(members.map { $0.mixture }, on: tape, eps: Scalar(eps))
            total = try total.map { try $0.adding(s) } ?? s
        }
        guard let sum = total else { return nil }
        let p = sum.scaled(by: Scalar(-lambda))
        lastPenalty = Double(p.value.scalars.first ?? 0)
        return p
    }

    /// Σ_{l,l'} |cos(α_l, α_l')| on `tape`, from the mixtures' α parameters (a tied mixture's
    /// scale enters as c·e_g).
    static func similaritySum(_ mixtures: [SharedWeight<Scalar>], on tape: Tape<Scalar>, eps: Scalar) throws -> Variable<Scalar> {
        let rows = try mixtures.map { m -> Variable<Scalar> in
            let a = tape.variable(for: m.alpha)
            guard let g = m.tiedIndex else { return a }
            var basis = [Scalar](repeating: 0, count: m.bank.k)
            basis[g] = 1
            return try a.multiplying(tape.constant(Tensor(uncheckedShape: [m.bank.k], scalars: basis)))
        }
        let a = try Variable.stack(rows)                                   // [L, k]
        let norms = try a.power(2).sum(axis: 1, keepDims: true).shifted(by: eps).sqrt()
        let unit = try a.dividing(norms)
        return try unit.matmul(unit.transposed()).abs().sum()
    }

    public func afterUpdate(_ context: HookContext<Scalar>) throws -> Report {
        guard let p = lastPenalty else { return Report() }
        return Report([("penalty", .number(p)), ("lambda", .number(lambda))])
    }

    public var description: String { "recurrence(\(inner.description), lambda: \(lambda))" }
}
