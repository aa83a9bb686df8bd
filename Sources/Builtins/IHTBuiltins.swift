// Iterative hard thresholding in the language: iht, l2s, l2s_exact, ht_stable.
import Core
import Interpreter

enum IHTBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Optimizers and training", summary: summary, details: details,
                    example: example, body: body)
    }

    /// The paths of the parameters an optimizer on `net` with roles `roles` updates (θ's coordinates).
    static func paths(_ net: any Layer<Float>, roles: Set<Role>?) -> [String] {
        net.namedParams.filter { !$0.param.isFrozen && (roles?.contains($0.param.role) ?? true) }.map(\.path)
    }

    /// A seed argument as the generator's key (negative seeds keep their bits).
    static func seed(_ a: Arguments, _ name: String) throws -> UInt64 {
        UInt64(bitPattern: Int64(try a.int(name)))
    }

    static let table: [BuiltinSpec] = [
        spec("ht_stable", [.required("x", "Net or Optimizer"), .required("data", "Dataset"), .optional("s", "Int", .null),
                           .named("lr", "Float", .null), .named("tol", "Float", .float(HTStabilityDefaults.tolerance)),
                           .named("loss", "Function", .null)],
             "The HT-stability check of the IHT paper (eq. 8) at the current parameters, as a record.",
             details: "With S the support: `stable` is min over S of |θᵢ| ≥ γ·max off S of |∇ⱼf| (eq. 8), `margin` the left side minus the right, `support_grad` ‖∇_S f‖∞ (≈ 0 at a stationary point), `off_support_grad` the largest off-support gradient, `residual` ‖H_s(θ − γ∇f) − θ‖∞ and `fixed_point` whether it is at most `tol`. Given an iht optimizer, s, γ and the parameters come from it; given a net, `s` and `lr` are needed. The net is not changed.",
             example: "h = ht_stable(opt, train)\nh.stable\nht_stable(net, train, 7, lr: 0.4)") { a in
            let data = try LossBuiltins.data(a, "data")
            let net: any Layer<Float>, paths: [String]?, s: Int, lr: Double
            switch a["x"] {
            case .native(let o as OptimizerObject):
                guard let iht = o.optimizer as? IHT<Float>, let n = iht.core.network else {
                    throw a.typeError("x", expected: "Net or an iht optimizer made from a net", got: a["x"])
                }
                net = n
                paths = iht.vector.entries.map(\.path)
                s = try a.optionalInt("s") ?? iht.s
                lr = try a.optionalDouble("lr") ?? iht.lr
            case .native(let l as LayerObject):
                net = l.layer
                paths = nil
                guard let given = try a.optionalInt("s") else { throw a.valueError("s", "is needed with a net (or pass the iht optimizer)") }
                guard let rate = try a.optionalDouble("lr") else { throw a.valueError("lr", "is needed with a net (or pass the iht optimizer)") }
                s = given
                lr = rate
            default:
                throw a.typeError("x", expected: "Net or Optimizer")
            }
            return TrainingPlatform.record(try htStability(net: net, paths: paths, x: data.x, y: data.y, loss: try LossBuiltins.loss(a, "loss"),
                                                   s: s, lr: lr, tolerance: try a.double("tol")).report)
        },
        spec("iht", [.required("net", "Net or List"), .required("s", "Int"), .named("lr", "Float or \"auto\"", .string("auto")),
                     .named("data", "Dataset", .null), .named("samples", "Int", .int(L2SDefaults.samples)),
                     .named("seed", "Int", .int(0)), .named("support_seed", "Int", .null), .named("loss", "Function", .null)]
                + TrainingPlatform.optimizerParameters,
             "Iterative hard thresholding: θ ← H_s(θ − γ∇f), all chosen parameters as one vector, s of them nonzero.",
             details: "The parameters (weights and biases, or the roles of `only:`) are projected at once: an s-sparse start on a random support drawn from `support_seed` (keeping the net's values there), or the s largest entries when no seed is given. Each step keeps the s entries of largest |θᵢ − γ∇ᵢf|, the smaller index winning a tie. `lr: \"auto\"` is γ = 1/L̂₂ₛ from `l2s(net, data, s, samples:, seed:)` (needs `data:`, the training set). Fields: `opt.support` (indices and names such as w23, b2; entered/left in the last step; the step of the last change), `opt.s`, `opt.l2s`. Each step's support changes are in `opt.last_step.hooks.iht`. Use full batches: the theory is for the full gradient.",
             example: "opt = iht(net, s: 7, data: train, support_seed: 84)\nfor k in 0..<1000 { step(opt, train) }\nopt.support.names") { a in
            let roles = try TrainingPlatform.roles(a)
            let supportSeed = try a.optionalInt("support_seed").map { UInt64(bitPattern: Int64($0)) }
            let s = try a.int("s")
            var estimate: L2SEstimate?
            let lr: Double
            if case .string(let mode) = a["lr"] {
                guard mode == "auto" else { throw a.valueError("lr", "must be a Float or \"auto\", got \"\(mode)\"") }
                guard case .native(let n as LayerObject) = a["net"] else { throw a.valueError("lr", "\"auto\" needs a net (to estimate L₂ₛ), not a list of parameters") }
                guard !a["data"].isNil else { throw a.valueError("lr", "\"auto\" needs `data:` (the training set) to estimate L₂ₛ; or give a number") }
                let chosen = paths(n.layer, roles: roles)
                let count = chosen.reduce(0) { $0 + (n.layer.param($1)?.count ?? 0) }
                guard s >= 1, s <= count else { throw a.valueError("s", "must be between 1 and the number of parameters (\(count)), got \(s)") }
                let data = try LossBuiltins.data(a, "data")
                let e = try estimateL2s(net: n.layer, paths: chosen, x: data.x, y: data.y,
                                        loss: try LossBuiltins.loss(a, "loss"), s: s, samples: try a.int("samples"),
                                        seed: try seed(a, "seed"))
                guard e.l2s > 0, e.lr.isFinite else {
                    throw a.valueError("lr", "\"auto\": every one of the \(e.samples) samples was skipped or had a zero gradient change; give a number")
                }
                estimate = e
                lr = e.lr
            } else {
                lr = try a.double("lr")
            }
            return try TrainingPlatform.optimizer(a) { source in
                let o = try IHT(source, s: s, lr: lr, roles: roles, supportSeed: supportSeed)
                o.estimate = estimate
                return o
            }
        },
        spec("l2s", [.required("net", "Net"), .required("data", "Dataset"), .required("s", "Int"),
                     .named("samples", "Int", .int(L2SDefaults.samples)), .named("seed", "Int", .int(0)),
                     .named("loss", "Function", .null)] + TrainingPlatform.optimizerParameters,
             "The IHT paper's Monte Carlo estimate of L₂ₛ for the full-batch loss, and γ = 1/L̂₂ₛ, as a record.",
             details: "Each sample draws a fresh PyTorch-default θ (uniform in ±1/√fan_in for Dense and Conv2D), zeroes it outside a random support of size s, moves it by δ·d (δ the smallest kept |θᵢ|, d standard normal), projects with H_s and takes ‖∇f(θ̃) − ∇f(θ)‖/‖θ̃ − θ‖; L̂₂ₛ is the largest. The record has l2s, lr, the per-sample min / median / max, samples, skipped (‖θ̃ − θ‖ < 1e-12) and the seed. A maximum over samples bounds the true L₂ₛ from below. The net is not changed.",
             example: "e = l2s(net, train, 5, samples: 100)\ne.lr") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            let data = try LossBuiltins.data(a, "data")
            let roles = try TrainingPlatform.roles(a)
            return TrainingPlatform.record(try estimateL2s(net: net, paths: paths(net, roles: roles), x: data.x, y: data.y,
                                                  loss: try LossBuiltins.loss(a, "loss"), s: try a.int("s"),
                                                  samples: try a.int("samples"), seed: try seed(a, "seed")).report)
        },
        spec("l2s_exact", [.required("X", "Tensor"), .required("s", "Int")],
             "The exact constants of least squares ½‖Xθ − y‖² on s-sparse pairs, by brute force: {l2s, lipschitz}.",
             details: "`l2s` is the largest λ_max(X_Uᵀ X_U) over column sets U of size 2s (the paper's RSS modulus); `lipschitz` the largest ‖Xᵀ X_U‖₂, the restricted Lipschitz constant of the gradient, which bounds every ratio `l2s(...)` samples. For checking `l2s` on a small problem (at most 200,000 column sets). For the mean squared error (1/m)‖Xθ − y‖² both are 2/m times these.",
             example: "X = randn(30, 12)\nl2s_exact(X, 3).l2s") { a in
            let e = try exactL2s(try a.tensorValue("X"), s: try a.int("s"))
            return .record([("l2s", .float(e.l2s)), ("lipschitz", .float(e.lipschitz))])
        },
    ]
}
