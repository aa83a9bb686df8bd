// The HT-stability check of a sparse point (IHT paper eq. 8): margin, gradients on and off the support, fixed-point residual.

/// Whether θ* is an HT-stable point for step γ and sparsity s.
///
/// With S = supp(θ*): eq. 8 holds when min over S of |θ*ᵢ| ≥ γ · max over j ∉ S of |∇ⱼf(θ*)|
/// (`stable`; `margin` is the left side minus the right). At a stationary point ∇_S f ≈ 0
/// (`supportGradient`), and θ* is a fixed point of the IHT map: ‖H_s(θ* − γ∇f(θ*)) − θ*‖∞ ≈ 0
/// (`residual`). When |S| < s a fixed point also needs every off-support gradient to vanish,
/// otherwise IHT adds coordinates.
public struct HTStability: Equatable, Sendable {
    public var stable: Bool
    public var margin: Double
    /// ‖∇_S f(θ*)‖∞.
    public var supportGradient: Double
    /// max over j ∉ S of |∇ⱼf(θ*)| (0 when S is everything).
    public var offSupportGradient: Double
    /// min over S of |θ*ᵢ| (0 for an empty support).
    public var smallestKept: Double
    /// ‖H_s(θ* − γ∇f(θ*)) − θ*‖∞.
    public var residual: Double
    /// True when the residual is at most `tolerance`.
    public var fixedPoint: Bool
    /// |S| and s, γ and the tolerance used.
    public var supportSize: Int, s: Int
    public var lr: Double, tolerance: Double
    /// f(θ*).
    public var loss: Double
    /// True when H_s met a tie at the boundary.
    public var tie: Bool
}

/// The check at the current values of `vector` (the user's net is not changed).
/// - Throws: `CoreError.badArgument` for s outside 1…n, a bad γ or tolerance, or a layer error.
public func htStability<S: TensorScalar>(net: any Layer<S>, paths: [String]?, x: Tensor<S>, y: Tensor<S>,
                                         loss: Loss<S>? = nil, s: Int, lr: Double,
                                         tolerance: Double = HTStabilityDefaults.tolerance) throws -> HTStability {
    let objective = try FlatObjective(net: net, paths: paths, x: x, y: y, loss: loss, op: "ht_stable")
    let n = objective.count
    guard s >= 1, s <= n else {
        throw CoreError.badArgument(op: "ht_stable", message: "s must be between 1 and the number of parameters (\(n)), got \(s)")
    }
    guard lr.isFinite, lr > 0 else { throw CoreError.badArgument(op: "ht_stable", message: "lr must be a positive number, got \(lr)") }
    guard tolerance.isFinite, tolerance >= 0 else {
        throw CoreError.badArgument(op: "ht_stable", message: "tol must be a non-negative number, got \(tolerance)")
    }
    let theta = objective.vector.values
    let (value, grad) = try objective.valueAndGradient(at: theta)
    var smallest = Double.infinity, onSupport = 0.0, offSupport = 0.0, size = 0
    for i in 0..<n {
        if theta[i] != 0 {
            size += 1
            smallest = Swift.min(smallest, Swift.abs(theta[i].doubleValue))
            onSupport = Swift.max(onSupport, Swift.abs(grad[i]))
        } else {
            offSupport = Swift.max(offSupport, Swift.abs(grad[i]))
        }
    }
    if size == 0 { smallest = 0 }
    let z = (0..<n).map { S(theta[$0].doubleValue - lr * grad[$0]) }
    let projected = try Tensor(uncheckedShape: [n], scalars: z).hardThreshold(s).scalars
    var residual = 0.0, cut = Double.infinity
    for i in 0..<n {
        residual = Swift.max(residual, Swift.abs((projected[i] - theta[i]).doubleValue))
        if projected[i] != 0 { cut = Swift.min(cut, Swift.abs(projected[i].doubleValue)) }
    }
    let tie = cut.isFinite && (0..<n).contains { projected[$0] == 0 && z[$0] != 0 && Swift.abs(z[$0].doubleValue) == cut }
    let margin = smallest - lr * offSupport
    return HTStability(stable: size > 0 && margin >= 0, margin: margin, supportGradient: onSupport,
                       offSupportGradient: offSupport, smallestKept: smallest, residual: residual,
                       fixedPoint: residual <= tolerance, supportSize: size, s: s, lr: lr, tolerance: tolerance,
                       loss: value, tie: tie)
}

/// The check's defaults.
public enum HTStabilityDefaults {
    /// The fixed-point tolerance on ‖H_s(θ − γ∇f) − θ‖∞ (Float arithmetic).
    public static let tolerance = 1e-4
}

extension HTStability {
    /// The check as named values (`ht_stable(...)` in scripts).
    public var report: Report {
        Report([("stable", .bool(stable)), ("margin", .number(margin)), ("support_grad", .number(supportGradient)),
                ("off_support_grad", .number(offSupportGradient)), ("smallest_kept", .number(smallestKept)),
                ("residual", .number(residual)), ("fixed_point", .bool(fixedPoint)), ("nonzeros", .int(supportSize)),
                ("s", .int(s)), ("lr", .number(lr)), ("loss", .number(loss)), ("tie", .bool(tie))])
    }
}
