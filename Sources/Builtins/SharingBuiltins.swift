// The soft parameter sharing built-ins: template banks, shared layers, the LSM, folding, the recurrence regularizer.
import Core
import Interpreter
import Lang

enum SharingBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, topic: String = "Layers and networks",
                     details: String = "", example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: topic, summary: summary, details: details, example: example, body: body)
    }

    static func bank(_ a: Arguments, _ name: String) throws -> TemplateBank<Float> {
        try a.native(name, as: BankObject.self, expected: "Bank").bank
    }

    static func kind(_ a: Arguments) throws -> SimilarityKind {
        let text = try a.string("kind")
        guard let k = SimilarityKind(rawValue: text) else { throw a.valueError("kind", "must be \"alpha\" or \"weight\", got \"\(text)\"") }
        return k
    }

    static func method(_ a: Arguments) throws -> FoldMethod {
        let text = try a.string("method")
        guard let m = FoldMethod(rawValue: text) else { throw a.valueError("method", "must be \"leader\" or \"complete\", got \"\(text)\"") }
        return m
    }

    /// The rows of a rank-2 tensor (layers × templates) as Double vectors.
    static func rows(_ t: Tensor<Float>, _ a: Arguments, _ name: String) throws -> [[Double]] {
        guard t.rank == 2, t.shape[0] >= 1, t.shape[1] >= 1 else {
            throw a.valueError(name, "must be a Bank, a Net or an α matrix [layers, templates], got a tensor of shape \(Tensor<Float>.describe(t.shape))")
        }
        let k = t.shape[1]
        return (0..<t.shape[0]).map { r in t.scalars[(r * k)..<((r + 1) * k)].map(Double.init) }
    }

    static func ints(_ xs: [Int]) -> Value { .list(xs.map { .int($0) }) }
    static func floats(_ xs: [Double]) -> Value { .list(xs.map { .float($0) }) }

    /// `lsm(..., file:)`: writes the SVG (one file per bank, `name_1.svg`, … when there are several).
    static func writeSVGs(_ objects: [LSMObject], _ a: Arguments) throws {
        guard !a["file"].isNil else { return }
        let path = try a.filePath("file")
        for (i, o) in objects.enumerated() {
            var target = path
            if objects.count > 1 {
                let dot = path.lastIndex(of: ".") ?? path.endIndex
                target = String(path[..<dot]) + "_\(i + 1)" + String(path[dot...])
            }
            try OutputBuiltins.writeText(try svgHeatmap(o.lsm.tensor, options: o.options), to: target)
            OutputBuiltins.noteWritten(target, a)
        }
    }

    /// A fold as a record: what `fold` returns for an α matrix, a bank, and each bank of a net.
    static func record(_ f: BankFold, templates: Tensor<Float>?) -> Value {
        var pairs: [(String, Value)] = [
            ("clusters", ints(f.clusters)), ("n", .int(f.templateCount)),
            ("b", BankMembers.matrix(f.b, columns: f.b.first?.count ?? 0)), ("scales", floats(f.scales)),
            ("program", .string(f.program)),
        ]
        if let templates { pairs.append(("templates", .tensor(templates))) }
        pairs += [("errors", floats(f.relativeErrors)), ("params_before", .int(f.paramsBefore)), ("params_after", .int(f.paramsAfter))]
        return .record(pairs)
    }

    static let table: [BuiltinSpec] = [
        spec("bank", [.required("k", "Int"), .required("shape", "List")],
             "A template bank: k templates of one weight shape, mixed by the layers made from it.",
             details: "`shape` is a conv kernel [out, in, kh, kw] (for `shared_conv`) or a dense weight [in, out] (for `shared_dense`). Each template is Kaiming-normal, N(0, 2/fan_in). The bank is one parameter (role `template`, with weight decay) however many layers use it: listed once, at the first layer's path, and its gradient is the sum over the layers. Each layer's α (role `coefficient`, no decay) is a row of an orthogonal matrix, so up to k layers start with an identity LSM.",
             example: "b = bank(2, [16, 16, 3, 3])\nnet = sequential(shared_conv(b), relu(), shared_conv(b))") { a in
            var rng = RandomState.fork(a.interpreter)
            let shape = try TensorConversion.ints(a["shape"], what: "`bank`: argument 2 (`shape`)")
            return .native(BankObject(try TemplateBank<Float>(k: try a.int("k"), shape: shape, using: &rng)))
        },
        spec("fold", [.required("x", "Bank, Net or Tensor"), .named("tau", "Float", .float(0.9)),
                      .named("method", "String", .string(FoldMethod.leader.rawValue)), .named("sign_scale", "Bool", .bool(true))],
             "Folds similar layers of a bank into one template each: the loops hidden in a shared net.",
             topic: "Queries",
             details: "Layers whose LSM entry is ≥ tau join a cluster (`method: \"leader\"`: similar to the cluster's first layer; `\"complete\"`: to all of it). Each cluster gets one new template T' = B·T; each step runs c·T'. With `sign_scale: true` B's rows are the mean of the sign-aligned unit α's and c = ±‖α‖ (exact for collinear α's); with false, B's rows are the mean α's and c = 1 (the thesis' formula). For an α matrix [layers, templates]: {clusters, n, b, scales, program}; for a bank: also the new templates, the relative weight error per layer (`errors`) and the bank's parameters before and after; for a net: {net, folds (one record per bank, without the templates), params_before, params_after, removed_layers}, where `net` is a folded copy that runs (each step with its own BatchNorm).",
             example: "f = fold(b, tau: 0.9)\nf.program   # e.g. \"A B (C D)×2\"\nsmall = fold(net, tau: 0.8).net") { a in
            let tau = try a.double("tau"), method = try method(a), signScale = try a.bool("sign_scale")
            if case .native(let o as BankObject) = a["x"] {
                let (f, templates) = try o.bank.fold(tau: tau, method: method, signScale: signScale)
                return record(f, templates: templates)
            }
            if case .native(let o as LayerObject) = a["x"] {
                let before = o.layer.countParams
                let (net, folds) = try o.layer.folded(tau: tau, method: method, signScale: signScale)
                return .record([("net", .native(LayerObject(net))), ("folds", .list(folds.map { record($0, templates: nil) })),
                                ("params_before", .int(before)), ("params_after", .int(net.countParams)),
                                ("removed_layers", .int(folds.reduce(0) { $0 + $1.clusters.count - $1.templateCount }))])
            }
            let plan = try FoldProgram.plan(alphas: try rows(try a.tensorValue("x"), a, "x"), tau: tau, method: method, signScale: signScale)
            return .record([("clusters", ints(plan.clusters)), ("n", .int(plan.b.count)),
                            ("b", BankMembers.matrix(plan.b, columns: plan.b.first?.count ?? 0)), ("scales", floats(plan.scales)),
                            ("program", .string(FoldProgram.compress(plan.clusters.map(FoldProgram.letter))))])
        },
        spec("lsm", [.required("x", "Bank, Net or Tensor"), .named("kind", "String", .string(SimilarityKind.alpha.rawValue)),
                     .named("file", "String", .null), .named("title", "String", .null)],
             "The layer similarity matrix: |cos| between the α's (or weights) of the layers of a bank.",
             topic: "Queries",
             details: "S[l, l'] = |⟨α_l, α_l'⟩| / (‖α_l‖‖α_l'‖): 1 on the diagonal, near 1 where two layers compute the same function up to scale and sign. For a bank: one LSM over its layers in the order they were made; for a net: a list, one per bank, layers in forward order and labelled by path; for a tensor [layers, templates]: the LSM of its rows. `kind: \"weight\"` compares the effective weights instead. Shown as a heatmap at the prompt; `file:` also writes an SVG (name_1.svg, name_2.svg, … for several banks). Take one per epoch with `fit(..., on_epoch: fn(r) { append(snaps, lsm(b).matrix) })`.",
             example: "lsm(b)\nlsm(net, file: \"lsm.svg\")\nlsm(tensor([[1, 0], [-2, 0], [0, 1]])).matrix") { a in
            let kind = try kind(a), title = try a.optionalString("title")
            let objects: [LSMObject]
            var single = true
            switch a["x"] {
            case .native(let o as BankObject):
                objects = [LSMObject(try o.bank.similarity(kind), title: title ?? "LSM (\(kind.rawValue))")]
            case .native(let o as LayerObject):
                let banks = o.layer.banks
                guard !banks.isEmpty else { throw a.valueError("x", "has no template banks (make layers with shared_conv or shared_dense)") }
                objects = try banks.enumerated().map { i, b in
                    LSMObject(try b.bank.similarity(kind, members: b.members.map(\.mixture), labels: b.members.map(\.path)),
                              title: title ?? "LSM of bank \(i + 1) (\(kind.rawValue))")
                }
                single = false
            default:
                guard kind == .alpha else { throw a.valueError("kind", "must be \"alpha\" for an α matrix (it has no weights)") }
                objects = [LSMObject(LayerSimilarity(vectors: try rows(try a.tensorValue("x"), a, "x"), kind: .alpha), title: title ?? "LSM")]
            }
            try writeSVGs(objects, a)
            return single ? .native(objects[0]) : .list(objects.map { .native($0) })
        },
        spec("path_cnn", [.named("layers", "Int", .int(20)), .named("channels", "Int", .int(32)), .named("templates", "Int", .int(0))],
             "The shortest-path task's CNN, or with `templates:` its soft-shared SCNN (one bank over the 3×3 layers).",
             details: "1×1 conv 2 → channels, then `layers` × residual(3×3 conv, batchnorm, relu), then a 1×1 conv to one logit per pixel (the thesis' 20-layer net has 184,320 conv weights; its SCNN uses 20 templates). Train it with `loss: bce` on `shortest_paths` data.",
             example: "cnn = path_cnn(layers: 4, channels: 8)\nscnn = path_cnn(layers: 4, channels: 8, templates: 4)") { a in
            // Building is not interruptible: a net of more layers than any experiment uses is refused
            // rather than left to run for minutes.
            guard (1...1000).contains(try a.int("layers")) else { throw a.valueError("layers", "must be in 1...1000") }
            guard (1...4096).contains(try a.int("channels")) else { throw a.valueError("channels", "must be in 1...4096") }
            var rng = RandomState.fork(a.interpreter)
            return LayerBuiltins.wrap(try pathCNN(layers: try a.int("layers"), channels: try a.int("channels"),
                                                  templates: try a.int("templates"), using: &rng) as Sequential<Float>)
        },
        spec("recurrence", [.required("opt", "Optimizer"), .named("lambda", "Float", .float(0.01))],
             "Wraps an optimizer with the recurrence regularizer: loss − λ Σ LSM, rewarding layers of a bank for becoming alike.",
             topic: "Optimizers and training",
             details: "Every bank of the optimizer's net adds −λ Σ_{l,l'} |cos(α_l, α_l')| to the loss of each step (the thesis uses λ = 0.01 on the shortest-path task). `fit` and `step` take the wrapper like any optimizer; `opt.last_step.hooks.recurrence.penalty` is the term added.",
             example: "opt = recurrence(adam(net, lr: 0.01), lambda: 0.01)\nfit(net, data, opt, epochs: 2)") { a in
            let inner = try a.native("opt", as: OptimizerObject.self, expected: "Optimizer").optimizer
            return OptimizerBuiltins.wrap(try Recurrence(inner, lambda: try a.double("lambda")))
        },
        spec("shared_conv", [.required("bank", "Bank"), .named("stride", "Int", .int(Conv2DDefaults.stride)),
                             .named("pad", "String or Int", LayerBuiltins.paddingValue(Conv2DDefaults.padding))],
             "A convolution whose kernel is a learned mixture W = Σ αᵢ Tᵢ of a bank's templates.",
             details: "The bank's shape is the kernel [out, in, k, k]; stride and padding are this layer's own, so layers of one bank may differ in them. No bias (a BatchNorm follows in the nets that use it). W is rebuilt every step; masks do not apply to a computed weight.",
             example: "b = bank(4, [32, 32, 3, 3])\nc = shared_conv(b, stride: 1, pad: 1)") { a in
            LayerBuiltins.wrap(try SharedConv(bank: try bank(a, "bank"), stride: try a.int("stride"), padding: try LayerBuiltins.padding(a, "pad")))
        },
        spec("shared_dense", [.required("bank", "Bank"), .named("bias", "Bool", .bool(DenseDefaults.bias))],
             "A fully connected layer whose weight is a learned mixture W = Σ αᵢ Tᵢ of a bank's templates.",
             details: "The bank's shape is the weight [in, out]. The bias (zeros at first) is this layer's own.",
             example: "b = bank(2, [64, 64])\nnet = sequential(shared_dense(b), relu(), shared_dense(b))") { a in
            LayerBuiltins.wrap(try SharedDense(bank: try bank(a, "bank"), bias: try a.bool("bias")))
        },
        spec("shortest_paths", [.required("count", "Int"), .named("grid", "Int", .int(ShortestPathDefaults.grid)),
                                .required("max_distance", "Int"), .named("obstacles", "Float", .float(ShortestPathDefaults.obstacles)),
                                .named("seed", "Int", .null)],
             "The synthetic shortest-paths task: grids with obstacles, labelled with every shortest path between two points.",
             topic: "Data",
             details: "x [N, 2, grid, grid]: channel 0 marks the two query points, channel 1 the obstacles (each other cell with probability `obstacles`); y [N, 1, grid, grid] is 1 on every cell of at least one shortest 4-connected path (BFS), the endpoints included. The second point is within Chebyshev distance `max_distance` of the first; unreachable samples are drawn again. The thesis' curriculum has 5 phases of 5,000 samples with max_distance 2, 4, 6, 8, 10. Score with `f1(net(x) > 0, y)`.",
             example: "phase1 = shortest_paths(500, grid: 16, max_distance: 2, seed: 1)") { a in
            var rng = RandomState.fork(a.interpreter, seed: try a.optionalInt("seed"))
            return DataBuiltins.wrap(try shortestPaths(count: try a.int("count"), grid: try a.int("grid"), maxDistance: try a.int("max_distance"),
                                                       obstacles: try a.double("obstacles"), using: &rng))
        },
        spec("sharing", [.required("net", "Net")],
             "A shared net's parameters by kind, its compression ratio and its banks.",
             topic: "Queries",
             details: "{templates, coefficients, other, total, equivalent_unshared, compression_ratio, banks}: `equivalent_unshared` counts every shared layer with its own weight; each bank is {k, shape, layers (paths), effective_templates}.",
             example: "sharing(net).compression_ratio") { a in
            let net = try LayerBuiltins.layer(a, "net")
            let s = net.sharingBreakdown
            let banks: [Value] = try net.banks.map { b in
                .record([("k", .int(b.bank.k)), ("shape", ints(b.bank.shape)), ("layers", .list(b.members.map { .string($0.path) })),
                         ("effective_templates", .int(try b.bank.effectiveTemplateCount(members: b.members.map(\.mixture))))])
            }
            return .record([("templates", .int(s.templates)), ("coefficients", .int(s.coefficients)), ("other", .int(s.other)),
                            ("total", .int(s.total)), ("equivalent_unshared", .int(s.equivalentUnshared)),
                            ("compression_ratio", .float(s.compressionRatio)), ("banks", .list(banks))])
        },
        spec("wrn", [.required("depth", "Int"), .required("width", "Int"), .named("templates", "Int", .int(0)),
                     .named("classes", "Int", .int(WideResNetDefaults.classes)), .named("in_channels", "Int", .int(WideResNetDefaults.inChannels)),
                     .named("image", "Int", .int(WideResNetDefaults.image)), .named("dropout", "Float", .float(WideResNetDefaults.dropout))],
             "A Wide ResNet WRN-depth-width, or with `templates: k` the soft-shared SWRN-depth-width-k.",
             details: "depth = 6n + 4 (n blocks per stage), channels 16, 16·width, 32·width, 64·width, stage strides 1, 2, 2, pre-activation blocks, then batchnorm, relu, global average pooling and a dense head. In SWRN each stage's blocks 2…n (2(n − 1) convs) mix one bank of k templates; the first block of each stage, the stem and the 1×1 shortcuts are never shared. Defaults fit Fashion-MNIST (1 channel, 28×28, 10 classes).",
             example: "net = wrn(10, 2)\nswrn = wrn(16, 2, templates: 1)\nsharing(swrn)") { a in
            var rng = RandomState.fork(a.interpreter)
            return LayerBuiltins.wrap(try wideResNet(depth: try a.int("depth"), width: try a.int("width"), templates: try a.int("templates"),
                                                     classes: try a.int("classes"), inChannels: try a.int("in_channels"), image: try a.int("image"),
                                                     dropout: try a.double("dropout"), using: &rng) as Sequential<Float>)
        },
    ]
}
