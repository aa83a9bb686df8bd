// The relaxed variable splitting method: a w-step on f + (β/2)‖w − u‖², then u ← prox_{λ/β}(w) after each update.
import Foundation

/// The order of RVSM's two updates.
public enum RVSMOrder: String, Sendable {
    /// The proofs' order: the w-step uses uᵗ⁺¹ = prox(wᵗ) (the default).
    case proofs = "B"
    /// The listing's order: the w-step uses the previous u, then u ← prox(wᵗ) of the old w.
    case listing = "A"
}

/// The relaxed variable splitting method (Dinh & Xin, IntelliSys 2020, Algorithm 1).
///
/// It minimises L_β(w, u) = f(w) + λ·P(u) + (β/2)‖w − u‖² with a sparse copy u of every weight
/// (role `weight`; biases and other roles take plain gradient steps): w ← w − η∇f(w) − ηβ(w − u),
/// then, as a training hook after the update, u ← prox_{λ/β}(w) (`SparsePenalty`). Unlike ADMM
/// there is no multiplier, so the limit keeps w̄ ≠ ū and ū is the sparse network: evaluate with
/// `sparseCopy()`. u lives in each weight's optimizer state (slot `u`), so checkpoints keep it.
public final class RVSM<Scalar: TensorScalar>: ElementwiseOptimizer, TrainingHook {
    public let core: OptimizerCore<Scalar>
    public let penalty: SparsePenalty
    /// λ ≥ 0, the penalty weight.
    public let lambda: Double
    /// β > 0, the coupling of w and u.
    public let beta: Double
    public let order: RVSMOrder
    /// The teacher's w* and k, when training the no-overlap model (for the angle and the theorem's
    /// conditions in the explanation).
    public var teacher: (wStar: Tensor<Scalar>, k: Int)?
    /// The angle θ(w⁰, w*) at the start (teacher runs).
    public private(set) var initialAngle: Double?
    /// L_β after each step (from the step's loss, when there was one), to flag any increase.
    public private(set) var objectives: [Double] = []

    /// - Throws: `CoreError.badArgument` for λ < 0, β ≤ 0, a bad rate, or no weight to split.
    public init(_ source: ParamSource<Scalar>, penalty: SparsePenalty, lambda: Double, beta: Double,
                lr: Double, order: RVSMOrder = .proofs, roles: Set<Role>? = nil) throws {
        core = try OptimizerCore(source, lr: lr, weightDecay: 0, op: "rvsm", roles: roles)
        guard lambda.isFinite, lambda >= 0 else { throw CoreError.badArgument(op: "rvsm", message: "lambda must be a non-negative number, got \(lambda)") }
        guard beta.isFinite, beta > 0 else { throw CoreError.badArgument(op: "rvsm", message: "beta must be a positive number, got \(beta)") }
        self.penalty = penalty
        self.lambda = lambda
        self.beta = beta
        self.order = order
        guard !splitParams.isEmpty else {
            throw CoreError.badArgument(op: "rvsm", message: "there is no weight to split (RVSM keeps a sparse copy of each `weight`)")
        }
        // u⁰ = prox(w⁰).
        for (path, p) in splitParams { core.state(for: path).slots["u"] = penalty.prox(p.value, tau: tau) }
    }

    public var name: String { "rvsm" }
    public var hookName: String { "rvsm" }

    /// τ = λ/β, the threshold of the prox.
    public var tau: Double { lambda / beta }

    /// The parameters with a sparse copy: the chosen ones of role `weight`.
    public var splitParams: [(path: String, param: Param<Scalar>)] {
        core.namedParams.filter { $0.param.role == .weight && !$0.param.isFrozen }
    }

    /// u of the weight at `path` (created as prox(w) for a weight added later).
    public func sparseCopy(of path: String, _ param: Param<Scalar>) -> Tensor<Scalar> {
        let state = core.state(for: path)
        if let u = state.slots["u"], u.shape == param.value.shape { return u }
        let u = penalty.prox(param.value, tau: tau)
        state.slots["u"] = u
        return u
    }

    @_specialize(where Scalar == Float)
    public func update(_ value: inout Tensor<Scalar>, grad: Tensor<Scalar>, state: ParamState<Scalar>,
                       group: ParamGroup<Scalar>, lr: Double) throws -> UpdateSize {
        let eta = Scalar(lr)
        guard group.role == .weight else {
            return UpdateLanes.apply(&value, grad) { w, g in w -= eta * g }
        }
        if order == .listing { state.slots["w_prev"] = value }
        var u = state.slots.removeValue(forKey: "u") ?? penalty.prox(value, tau: tau)
        let b = Scalar(beta)
        let size = UpdateLanes.apply(&value, grad, &u) { w, g, u in w -= eta * (g + b * (w - u)) }
        state.slots["u"] = u
        return size
    }

    /// The u-update: u ← prox_{λ/β}(w) (the new w in order B, the old one in order A), with what it
    /// left: λP(u), the coupling (β/2)‖w − u‖², zeros in u, ‖w − u‖ and the cutoff.
    @_specialize(where Scalar == Float)
    public func afterUpdate(_ context: HookContext<Scalar>) throws -> Report {
        for (path, p) in splitParams {
            let state = core.state(for: path)
            let source = order == .listing ? (state.slots.removeValue(forKey: "w_prev") ?? p.value) : p.value
            var u = penalty.prox(source, tau: tau)
            if let keep = p.keepMask { GateKernels.zeroRemoved(&u, keep: keep) }
            state.slots["u"] = u
        }
        let s = split
        var entries: [(name: String, value: ReportValue)] = [
            ("penalty_u", .number(s.penalty)), ("coupling", .number(s.coupling)), ("zeros_u", .number(s.zeroFraction)),
            ("w_minus_u", .number(s.distance)), ("cutoff", .number(penalty.cutoff(tau)))]
        if let loss = context.loss {
            let objective = loss + s.penalty + s.coupling
            let increased = objectives.last.map { objective > $0 } ?? false
            objectives.append(objective)
            entries += [("objective", .number(objective)), ("increased", .bool(increased))]
        }
        return Report(entries)
    }

    /// λP(u), (β/2)‖w − u‖², the fraction of zeros in u and ‖w − u‖, over every split weight.
    public var split: (penalty: Double, coupling: Double, zeroFraction: Double, distance: Double) {
        var p = 0.0, d2 = 0.0, zeros = 0, count = 0
        for (path, param) in splitParams {
            let u = sparseCopy(of: path, param)
            p += penalty.total(u)
            for (w, v) in zip(param.value.scalars, u.scalars) {
                let d = (w - v).doubleValue
                d2 += d * d
                if v == 0 { zeros += 1 }
            }
            count += u.count
        }
        return (lambda * p, beta / 2 * d2, count == 0 ? 0 : Double(zeros) / Double(count), d2.squareRoot())
    }

    /// A copy of the network with every split weight replaced by its sparse copy u: the network
    /// RVSM deploys.
    /// - Throws: `CoreError.badArgument` for an optimizer made from a list of parameters.
    public func sparseNetwork() throws -> any Layer<Scalar> {
        guard let net = core.network else {
            throw CoreError.badArgument(op: "use_sparse", message: "this rvsm optimizer was made from parameters, not a net")
        }
        let copy = net.copy()
        let byPath = Dictionary(copy.namedParams.map { ($0.path, $0.param) }, uniquingKeysWith: { a, _ in a })
        for (path, p) in splitParams { byPath[path]?.value = sparseCopy(of: path, p) }
        return copy
    }

    public var description: String {
        "rvsm(penalty: \"\(penalty)\"\(penalty.tl1A.map { ", a: \($0)" } ?? ""), lambda: \(lambda), beta: \(beta), lr: \(core.lr), order: \"\(order.rawValue)\")"
    }
}

extension SparsePenalty {
    /// TL1's a (nil for the other penalties).
    public var tl1A: Double? {
        if case .tl1(let a) = self { return a }
        return nil
    }
}

/// RVSM's defaults (the paper's VGG-16 settings: λ = 1e-5, β = 1e-2, a = 1).
public enum RVSMDefaults {
    public static let lambda = 1e-5
    public static let beta = 1e-2
    public static let a = 1.0
    public static let lr = 0.1
    public static let penalty = "l1"
    public static let order = "B"
}

// MARK: - Fields and the teacher's theorem conditions

extension RVSM: OptimizerFields {
    public var fieldNames: [String] { ["cutoff", "order", "penalty", "tau", "teacher", "zeros"] }

    public func field(_ name: String) -> ReportValue? {
        switch name {
        case "zeros": return .number(split.zeroFraction)
        case "cutoff": return .number(penalty.cutoff(tau))
        case "tau": return .number(tau)
        case "penalty": return .text(penalty.description)
        case "order": return .text(order.rawValue)
        case "teacher": return .report(teacherReport ?? Report())
        default: return nil
        }
    }

    /// Tells the optimizer the teacher's w* and k, so it can report the angle to w* and check the
    /// theorem's conditions on the live values.
    /// - Throws: `CoreError.badArgument` unless there is one split weight with w*'s size.
    public func setTeacher(wStar: Tensor<Scalar>, k: Int) throws {
        let ps = splitParams
        guard ps.count == 1, ps[0].param.count == wStar.count else {
            throw CoreError.badArgument(op: "rvsm", message: "w_star has \(wStar.count) entries; it needs one weight of that size (the no-overlap filter), the net has \(ps.map { "\($0.path) (\($0.param.count))" }.joined(separator: ", "))")
        }
        teacher = (wStar, k)
        initialAngle = NoOverlapPopulation.angle(ps[0].param.value.scalars.map { $0.doubleValue }, wStar.scalars.map { $0.doubleValue })
    }

    /// The filter's angle and distance to w*, u's, and Theorem 1's conditions on the live values:
    /// η(β + L) ≤ 1 with Lemma 4's L = 1 + 3‖w*‖/‖w‖, β ≤ δ·sin δ/(kπ) and θ ≤ π − δ for
    /// δ = π − θ(w⁰, w*) (the largest δ condition (ii) allows), λ/β < 1/√d, k ≥ 2.
    public var teacherReport: Report? {
        guard let (wStar, k) = teacher, let (path, p) = splitParams.first else { return nil }
        let w = p.value.scalars.map { $0.doubleValue }, s = wStar.scalars.map { $0.doubleValue }
        let u = sparseCopy(of: path, p).scalars.map { $0.doubleValue }
        let nw = NoOverlapPopulation.norm(w), ns = NoOverlapPopulation.norm(s)
        let angle = NoOverlapPopulation.angle(w, s)
        let distance = zip(w, s).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let lipschitz = nw > 0 ? 1 + 3 * ns / nw : .infinity
        let delta = Double.pi - (initialAngle ?? angle)
        let betaBound = delta * sin(delta) / (Double(k) * Double.pi)
        let d = Double(w.count)
        let support = zip(u, s).filter { ($0.0 != 0) == ($0.1 != 0) }.count
        let conditions = Report([
            ("eta_beta_L", .number(core.lr * (beta + lipschitz))), ("eta_beta_L_ok", .bool(core.lr * (beta + lipschitz) <= 1)),
            ("L", .number(lipschitz)), ("delta", .number(delta)), ("beta_bound", .number(betaBound)),
            ("beta_ok", .bool(beta <= betaBound)), ("tau", .number(tau)), ("tau_bound", .number(1 / d.squareRoot())),
            ("tau_ok", .bool(tau < 1 / d.squareRoot())), ("angle_ok", .bool(angle <= Double.pi - delta + 1e-12)),
            ("k_ok", .bool(k >= 2))])
        return Report([
            ("angle", .number(angle)), ("distance", .number(distance)),
            ("angle_u", .number(NoOverlapPopulation.angle(u, s))), ("f_w", .number((try? NoOverlapPopulation.loss(w, s, k: k)) ?? .nan)),
            ("f_u", .number((try? NoOverlapPopulation.loss(u, s, k: k)) ?? .nan)),
            ("support_match", .number(Double(support) / d)), ("conditions", .report(conditions))])
    }
}

extension RVSM: Explainable {
    public var explanation: Explanation {
        let s = split
        var numbers = [ExplainedValue("penalty", penalty.description + (penalty.tl1A.map { " (a = \(Explanation.format($0)))" } ?? "")),
                       ExplainedValue("lambda", lambda), ExplainedValue("beta", beta), ExplainedValue("τ = λ/β", tau),
                       ExplainedValue("cutoff (|w| sent to 0 up to)", penalty.cutoff(tau)), ExplainedValue("order", order.rawValue)]
        numbers += core.explainedNumbers.filter { $0.name != "weight_decay" }
        numbers += [ExplainedValue("zeros in u", s.zeroFraction), ExplainedValue("λ·P(u)", s.penalty),
                    ExplainedValue("(β/2)‖w − u‖²", s.coupling), ExplainedValue("‖w − u‖", s.distance)]
        let rises = zip(objectives, objectives.dropFirst()).filter { $1 > $0 }.count
        if !objectives.isEmpty { numbers.append(ExplainedValue("L_β rose in steps", "\(rises) of \(objectives.count - 1)")) }
        let largest = splitParams.map(\.param.count).max() ?? 1
        numbers.append(ExplainedValue("λ/β < 1/√d (d = \(largest), the largest weight)", tau < 1 / Double(largest).squareRoot()))
        if let t = teacherReport {
            if case .number(let angle)? = t["angle"] { numbers.append(ExplainedValue("θ(w, w*)", angle)) }
            if case .number(let d)? = t["distance"] { numbers.append(ExplainedValue("‖w − w*‖", d)) }
            if case .number(let m)? = t["support_match"] { numbers.append(ExplainedValue("support match of u and w*", m)) }
            if case .report(let c)? = t["conditions"] {
                for (name, label) in [("eta_beta_L_ok", "η(β + L) ≤ 1, L = 1 + 3‖w*‖/‖w‖"), ("beta_ok", "β ≤ δ·sin δ/(kπ), δ = π − θ(w⁰, w*)"),
                                      ("angle_ok", "θ(w, w*) ≤ π − δ"), ("k_ok", "k ≥ 2")] {
                    if case .bool(let ok)? = c[name] { numbers.append(ExplainedValue(label, ok)) }
                }
            }
        }
        return Explanation("RVSM", summary: "the relaxed variable splitting method: a dense w that trains and its sparse copy u (Dinh & Xin, 2020).",
                           formula: ["L_β(w, u) = f(w) + λ·P(u) + (β/2)‖w − u‖²,  P = \(penalty)",
                                     "w ← w − lr·(∇f(w) + β(w − u));  u ← prox_{λ/β}(w)" + (order == .proofs ? "" : " of the previous w (order A)")],
                           numbers: numbers)
    }
}
