// A dynamic ε for Adam (thesis Thm 6.2 / Cor 6.1): ε_t from a user function, with the rate scaled along with it.

/// ε_t for Adam's step t, from a function of t (`adam(eps_schedule: fn(t) sqrt(t))`).
///
/// Theorem 6.2 bounds Adam with a nondecreasing ε_t; Corollary 6.1 gets SGD's O(1/√T) rate with
/// ε_t growing (e.g. ∝ √t) *and* α_t ∝ ε_t. So by default the rate is scaled with ε:
/// α_t = lr · ε_t / ε_1 (lr is the first step's rate). With `scalesLR` false the rate stays lr, and
/// a growing ε_t shrinks the steps until w freezes (the spec's §B9 note).
public final class EpsSchedule {
    /// ε_t for t = 1, 2, ...; may throw (a script's function).
    public let function: (Int) throws -> Double
    /// α_t = lr · ε_t / ε_1 when true.
    public let scalesLR: Bool
    /// The last step evaluated and its ε_t, so a step over several parameters calls `function` once.
    public private(set) var last: (step: Int, eps: Double)?
    /// ε_1, the scale of α_t.
    public private(set) var first: Double?

    public init(scalesLR: Bool = true, _ function: @escaping (Int) throws -> Double) {
        self.function = function
        self.scalesLR = scalesLR
    }

    /// ε_t and the rate to use at step t with the base rate `lr`.
    /// - Throws: `CoreError.badArgument` when the function gives a value that is not a positive
    ///   number, or what the function throws.
    public func values(step t: Int, lr: Double) throws -> (eps: Double, lr: Double) {
        let eps = try self.eps(at: t)
        if first == nil { first = t == 1 ? eps : try self.eps(at: 1) }
        guard scalesLR, let first else { return (eps, lr) }
        return (eps, lr * eps / first)
    }

    func eps(at t: Int) throws -> Double {
        if let last, last.step == t { return last.eps }
        let eps = try function(t)
        guard eps > 0, eps.isFinite else {
            throw CoreError.badArgument(op: "adam", message: "eps_schedule must give a positive number, got \(eps) at step \(t)")
        }
        last = (t, eps)
        return eps
    }

    /// ε of the last step evaluated (nil before the first).
    public var current: Double? { last?.eps }
}
