// The relaxed variable splitting method in the language: rvsm, use_sparse, the prox maps, the no-overlap teacher and its population loss.
import Core
import Interpreter

enum RVSMBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, topic: String = "Optimizers and training",
                     details: String = "", example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: topic, summary: summary, details: details, example: example, body: body)
    }

    /// A prox built-in: τ ≥ 0 checked, the map applied element-wise.
    static func prox(_ a: Arguments, _ penalty: SparsePenalty) throws -> Value {
        let tau = try a.double("tau")
        guard tau.isFinite, tau >= 0 else { throw a.valueError("tau", "must be a non-negative number, got \(tau)") }
        return .tensor(penalty.prox(try a.tensorValue("t"), tau: tau))
    }

    /// A filter argument (Tensor or Param, any shape) as Doubles.
    static func vector(_ a: Arguments, _ name: String) throws -> [Double] {
        try a.tensorValue(name).scalars.map(Double.init)
    }

    static let table: [BuiltinSpec] = [
        spec("no_overlap", [.required("d", "Int"), .required("k", "Int")],
             "The RVSM paper's no-overlap network: (1/k)·Σᵢ ReLU(w·xᵢ) over k disjoint patches of x [N, k·d], one filter w [d, 1].",
             topic: "Layers and networks",
             details: "The student for `teacher(...)` data. The filter starts as a random unit vector (from the global stream).",
             example: "net = no_overlap(64, 4)") { a in
            var rng = RandomState.fork(a.interpreter)
            return LayerBuiltins.wrap(try NoOverlap<Float>(d: try a.int("d"), k: try a.int("k"), using: &rng))
        },
        spec("population_grad", [.required("w", "Tensor"), .required("w_star", "Tensor"), .required("k", "Int")],
             "The closed-form gradient of the no-overlap population loss at w (RVSM paper), a tensor of w's shape.",
             details: "∇f(w) = (1/k²)[(k + (k²−k)/π − (k/π)(‖w*‖/‖w‖) sin θ − ((k²−k)/π)(‖w*‖/‖w‖))·w − (k/π)(π − θ)·w*], θ the angle between w and w*. Undefined at w = 0 (an error). Set it as a parameter's gradient to run RVSM on the population loss.",
             example: "net[\"weight\"].grad = population_grad(net[\"weight\"], t.w_star, 4)\nstep(opt)") { a in
            let w = try a.tensorValue("w")
            let g = try NoOverlapPopulation.gradient(w.scalars.map(Double.init), try vector(a, "w_star"), k: try a.int("k"))
            return .tensor(try Tensor(shape: w.shape, scalars: g.map(Float.init)))
        },
        spec("population_loss", [.required("w", "Tensor"), .required("w_star", "Tensor"), .required("k", "Int")],
             "The no-overlap population loss E[(L(x; w) − L(x; w*))²] for Gaussian inputs, in closed form (RVSM paper).",
             details: "f(w) = (1/k²)[a(‖w‖² + ‖w*‖²) − 2k·g(w, w*) − 2b‖w‖‖w*‖] with b = (k² − k)/2π, a = b + k/2 and g(u, v) = ‖u‖‖v‖(sin θ + (π − θ) cos θ)/2π; f(0) = a‖w*‖²/k².",
             example: "population_loss(net[\"weight\"], t.w_star, 4)") { a in
            .float(try NoOverlapPopulation.loss(try vector(a, "w"), try vector(a, "w_star"), k: try a.int("k")))
        },
        spec("prox_l0", [.required("t", "Tensor"), .required("tau", "Float")],
             "Hard thresholding at √(2τ): argmin_u τ·#{uᵢ ≠ 0} + ½‖u − t‖², element-wise (|t| = √(2τ) gives 0).",
             example: "prox_l0(tensor([0.1, -0.5, 2]), 0.02)   # [0, -0.5, 2]") { a in try prox(a, .l0) },
        spec("prox_l1", [.required("t", "Tensor"), .required("tau", "Float")],
             "Soft thresholding: argmin_u τ·‖u‖₁ + ½‖u − t‖² = sign(t)·max(|t| − τ, 0).",
             example: "prox_l1(tensor([0.1, -0.5, 2]), 0.2)   # [0, -0.3, 1.8]") { a in try prox(a, .l1) },
        spec("prox_tl1", [.required("t", "Tensor"), .required("tau", "Float"), .named("a", "Float", .float(RVSMDefaults.a))],
             "The transformed-ℓ1 prox: argmin_u τ·Σ(a+1)|uᵢ|/(a+|uᵢ|) + ½‖u − t‖², element-wise (Zhang & Xin's closed form).",
             details: "Entries with |t| at most the cutoff (τ(a+1)/a when τ ≤ a²/(2(a+1)), else √(2τ(a+1)) − a/2) become 0; the others follow the cubic's trigonometric root. a → 0 tends to ℓ0, a → ∞ to ℓ1.",
             example: "prox_tl1(tensor([0.1, -0.5, 2]), 0.05, a: 1)") { a in
            try prox(a, try SparsePenalty(name: "tl1", a: try a.double("a"), op: "prox_tl1"))
        },
        spec("rvsm", [.required("net", "Net or List"), .named("penalty", "String", .string(RVSMDefaults.penalty)),
                      .named("lambda", "Float", .float(RVSMDefaults.lambda)), .named("beta", "Float", .float(RVSMDefaults.beta)),
                      .named("a", "Float", .float(RVSMDefaults.a)), .named("lr", "Float", .float(RVSMDefaults.lr)),
                      .named("order", "String", .string(RVSMDefaults.order)), .named("w_star", "Tensor", .null),
                      .named("k", "Int", .null)] + TrainingPlatform.optimizerParameters,
             "The relaxed variable splitting method: gradient steps on f(w) + (β/2)‖w − u‖², and u ← prox_{λ/β}(w) after each.",
             details: "Every weight gets a sparse copy u (biases take plain gradient steps): w ← w − lr·(∇f + β(w − u)), then u ← prox(w) with the `penalty` \"l1\", \"l0\" or \"tl1\" (with `a`). `order: \"B\"` (the proofs') uses u = prox of the w before the step; \"A\" (the listing's) lags u by one more step. Evaluate the sparse network with `use_sparse(opt)`. Each step reports penalty_u, coupling, zeros_u, w_minus_u, cutoff and (with a batch) the objective L_β and whether it rose, under `opt.last_step.hooks.rvsm`. Fields: `opt.zeros` (fraction of zeros in u), `opt.cutoff`, `opt.tau`. On the no-overlap teacher give `w_star:` and `k:` so `explain(opt)` shows the angle to w* and checks the theorem's conditions.",
             example: "opt = rvsm(net, penalty: \"l0\", lambda: 1e-5, beta: 1e-2, lr: 0.05)\nfit(net, data.train, opt, epochs: 2)\naccuracy(use_sparse(opt), data.test)") { a in
            let penalty = try SparsePenalty(name: try a.string("penalty"), a: try a.double("a"), op: "rvsm")
            let orderName = try a.string("order")
            guard let order = RVSMOrder(rawValue: orderName) else { throw a.valueError("order", "must be \"B\" (the proofs') or \"A\" (the listing's), got \"\(orderName)\"") }
            let roles = try TrainingPlatform.roles(a)
            var teacher: (wStar: Tensor<Float>, k: Int)?
            if !a["w_star"].isNil {
                guard let k = try a.optionalInt("k"), k >= 1 else { throw a.valueError("k", "is needed with `w_star:` (the number of patches, at least 1)") }
                teacher = (try a.tensorValue("w_star"), k)
            }
            return try TrainingPlatform.optimizer(a) { source in
                let o = try RVSM(source, penalty: penalty, lambda: try a.double("lambda"), beta: try a.double("beta"),
                                 lr: try a.double("lr"), order: order, roles: roles)
                if let teacher { try o.setTeacher(wStar: teacher.wStar, k: teacher.k) }
                return o
            }
        },
        spec("teacher", [.named("d", "Int", .int(64)), .named("k", "Int", .int(4)), .named("nonzero", "Int", .int(16)),
                         .named("samples", "Int", .int(1000)), .named("seed", "Int", .int(0))],
             "Data from the RVSM paper's model: Gaussian x [samples, k·d] through a no-overlap ReLU network with a sparse unit-norm w*.",
             topic: "Data",
             details: "Returns {data, w_star, d, k}: data.y = (1/k)·Σᵢ ReLU(w*·xᵢ) over the k patches xᵢ of each row, w* [d] with `nonzero` Gaussian entries normalised to norm 1. Train `no_overlap(d, k)` on it, or use `population_loss` / `population_grad` for the infinite-sample problem.",
             example: "t = teacher(d: 64, k: 4, nonzero: 16, samples: 2000, seed: 1)\nnet = no_overlap(64, 4)") { a in
            let t = try NoOverlapTeacher(d: try a.int("d"), k: try a.int("k"), nonzero: try a.int("nonzero"),
                                         samples: try a.int("samples"), seed: try IHTBuiltins.seed(a, "seed"))
            return .record([("data", DataBuiltins.wrap(t.data)), ("w_star", .tensor(t.wStar)), ("d", .int(t.d)), ("k", .int(t.k))])
        },
        spec("use_sparse", [.required("opt", "Optimizer")],
             "A copy of an rvsm optimizer's net with every weight replaced by its sparse copy u: the network RVSM deploys.",
             details: "Evaluate with it (`accuracy(use_sparse(opt), test)`, `sparsity(use_sparse(opt))`); the training net keeps its dense w.",
             example: "sparse = use_sparse(opt)\nsparsity(sparse)") { a in
            guard let o = try a.native("opt", as: OptimizerObject.self, expected: "Optimizer").optimizer as? RVSM<Float> else {
                throw a.typeError("opt", expected: "an rvsm optimizer")
            }
            return LayerBuiltins.wrap(try o.sparseNetwork())
        },
    ]
}
