// The "Layers and networks" built-ins: making layers and nets, and whole-network queries.
import Core
import Interpreter
import Lang

enum LayerBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Layers and networks", summary: summary, details: details,
                    example: example, body: body)
    }

    static func wrap(_ l: any Layer<Float>) -> Value { .native(LayerObject(l)) }

    /// Parameter `i` as a layer or net.
    static func layer(_ a: Arguments, _ name: String) throws -> any Layer<Float> {
        try a.native(name, as: LayerObject.self, expected: "Layer or Net").layer
    }

    static func padding(_ a: Arguments, _ name: String) throws -> Padding {
        switch a[name] {
        case .string("same"): return .same
        case .string("valid"): return .valid
        case .int(let n) where n >= 0: return .explicit(n)
        default: throw a.valueError(name, "must be \"same\", \"valid\" or an Int >= 0, got \(a[name].repr(width: 40))")
        }
    }

    /// How a padding is written in a script (the inverse of `padding`).
    static func paddingValue(_ p: Padding) -> Value {
        switch p {
        case .same: return .string("same")
        case .valid: return .string("valid")
        case .explicit(let n): return .int(n)
        }
    }

    /// `conv2d(x, w, stride:, pad:, bias:)` on tensors, through the autograd op the layer uses.
    static func functionalConv2d(_ a: Arguments) throws -> Value {
        guard a["kernel"].isNil else { throw a.valueError("kernel", "must be omitted when convolving a tensor (the kernel is w's shape)") }
        let stride = try a.int("stride"), padding = try padding(a, "pad")
        var operands = [try a.tensor("in"), try a.tensor("out")]
        if case .native = a["bias"] { operands.append(try a.tensor("bias")) }
        return .native(try TensorMath.apply(operands) { v in
            try v[0].conv2d(weight: v[1], bias: v.count > 2 ? v[2] : nil, stride: stride, padding: padding)
        })
    }

    /// An activation: applied to a tensor when one is given, a layer otherwise (one registration).
    static func activation(_ name: String, _ summary: String, make: @escaping () -> any Layer<Float>,
                           apply: @escaping (Core.Variable<Float>) throws -> Core.Variable<Float>) -> BuiltinSpec {
        spec(name, [.optional("t", "Tensor", .null)], summary,
             details: "`\(name)(t)` applies it to a tensor; `\(name)()` makes a layer for `sequential`.",
             example: "\(name)(tensor([-1, 0, 2]))\nsequential(dense(4, 8), \(name)(), dense(8, 3))") { a in
            if a["t"].isNil { return wrap(make()) }
            return .native(try TensorMath.apply([try a.tensor("t")]) { try apply($0[0]) })
        }
    }

    static let table: [BuiltinSpec] = [
        spec("dense", [.required("in", "Int"), .required("out", "Int"), .named("bias", "Bool", .bool(DenseDefaults.bias))],
             "A fully connected layer: x @ weight + bias, weight [in, out].",
             details: "Weights and bias start uniform in ±1/√in (PyTorch's default), drawn from the global stream.",
             example: "dense(784, 128)\ndense(256, 10, bias: false)") { a in
            var rng = RandomState.fork(a.interpreter)
            return wrap(try Dense<Float>(try a.int("in"), try a.int("out"), bias: try a.bool("bias"), using: &rng))
        },
        spec("conv2d", [.required("in", "Int or Tensor"), .required("out", "Int or Tensor"), .optional("kernel", "Int", .null),
                        .named("stride", "Int", .int(Conv2DDefaults.stride)),
                        .named("pad", "String or Int", paddingValue(Conv2DDefaults.padding)),
                        .named("bias", "Bool or Tensor", .bool(Conv2DDefaults.bias))],
             "A 2-d convolution on NCHW images, weight [out, in, kernel, kernel]; or `conv2d(x, w)` applied to tensors.",
             details: "`conv2d(in, out, kernel)` makes a layer. `conv2d(x, w, stride:, pad:, bias:)` convolves a tensor x [N, C, H, W] with a weight w [O, C, kh, kw] (differentiable in both; `bias:` may be a tensor [O]). `pad: \"same\"` keeps the size at stride 1 (an even kernel puts the extra row and column at the bottom and right); `\"valid\"` pads nothing; an Int pads that much on every side.",
             example: "conv2d(1, 64, 2, pad: \"same\")\nconv2d(3, 16, 3, stride: 2, pad: 1)\nconv2d(x, w, stride: 1, pad: 0)") { a in
            if case .native = a["in"] { return try functionalConv2d(a) }
            guard !a["kernel"].isNil else { throw a.valueError("kernel", "is needed to make a layer: conv2d(in, out, kernel)") }
            var rng = RandomState.fork(a.interpreter)
            return wrap(try Conv2D<Float>(try a.int("in"), try a.int("out"), kernel: try a.int("kernel"), stride: try a.int("stride"),
                                          padding: try padding(a, "pad"), bias: try a.bool("bias"), using: &rng))
        },
        spec("maxpool", [.required("k", "Int")], "k×k max pooling with stride k.",
             example: "maxpool(2)") { a in wrap(try MaxPool<Float>(try a.int("k"))) },
        spec("avgpool", [.required("k", "Int")], "k×k average pooling with stride k.",
             example: "avgpool(2)") { a in wrap(try AvgPool<Float>(try a.int("k"))) },
        spec("flatten", [.optional("t", "Tensor", .null)], "Flattens all axes after the first (the batch).",
             details: "`flatten(t)` flattens a tensor to one axis; `flatten()` makes the layer that keeps the batch axis.",
             example: "flatten(eye(2))   # [1, 0, 0, 1]\nsequential(conv2d(1, 8, 3), flatten(), dense(6272, 10))") { a in
            if a["t"].isNil { return wrap(Flatten<Float>()) }
            return .native(try TensorMath.apply([try a.tensor("t")]) { try $0[0].reshaped([-1]) })
        },
        activation("relu", "max(x, 0), element-wise.", make: { ReLU<Float>() }, apply: { $0.relu() }),
        activation("sigmoid", "1 / (1 + e^-x), element-wise.", make: { Sigmoid<Float>() }, apply: { $0.sigmoid() }),
        activation("tanh", "The hyperbolic tangent, element-wise.", make: { Tanh<Float>() }, apply: { $0.tanh() }),
        activation("softmax", "e^x / Σ e^x along the last axis.", make: { Softmax<Float>() }, apply: { try $0.softmax() }),
        spec("dropout", [.required("p", "Float")], "Zeroes each input with probability p in training mode (scaling the rest by 1/(1-p)).",
             example: "dropout(0.5)") { a in
            var rng = RandomState.fork(a.interpreter)
            return wrap(try Dropout<Float>(try a.double("p"), using: &rng))
        },
        spec("batchnorm", [.required("channels", "Int"), .named("momentum", "Float", .float(BatchNormDefaults.momentum)),
                           .named("eps", "Float", .float(BatchNormDefaults.eps))],
             "Batch normalisation over the channel axis (rank 2 or NCHW input).",
             example: "sequential(conv2d(1, 8, 3), batchnorm(8), relu())") { a in
            wrap(try BatchNorm<Float>(try a.int("channels"), momentum: try a.double("momentum"), eps: try a.double("eps")))
        },
        spec("sequential", [.variadic("layers", "Layer")], "A network that applies its layers in order.",
             details: "Children are numbered among all layers, parameter-free ones included, so paths match PyTorch's state_dict (`3.weight`).",
             example: "net = sequential(dense(4, 16), relu(), dense(16, 3))") { a in
            let layers = try a.variadic.enumerated().map { i, v -> any Layer<Float> in
                guard case .native(let n) = v, let l = n as? LayerObject else {
                    throw runtimeError("`sequential`: argument \(i + 1) (`layers`) expects Layer, got \(v.typeName)", kind: "type")
                }
                return l.layer
            }
            return wrap(Sequential<Float>(layers))
        },
        spec("residual", [.required("body", "Layer")], "x + body(x): a skip connection around a layer or net.",
             example: "residual(sequential(dense(16, 16), relu()))") { a in
            wrap(Residual<Float>(try layer(a, "body")))
        },
        spec("summary", [.required("net", "Net"), .named("input", "List", .null)],
             "A table of the layers with output shapes and parameter counts (like Keras' summary).",
             details: "Give `input:` (one sample's shape, without the batch axis) to see output shapes.",
             example: "summary(net, input: [1, 28, 28])") { a in
            let net = try layer(a, "net")
            guard !a["input"].isNil else { return .native(TableObject(NetAccess.describe(net))) }
            let shape = try TensorConversion.ints(a["input"], what: "`summary`: argument 2 (`input`)")
            let rows = try net.summary(inputShape: shape)
            return .native(TableObject(SummaryTable.render(rows, total: net.countParams, trainable: net.params.filter { !$0.isFrozen }.reduce(0) { $0 + $1.count })))
        },
        spec("params", [.required("net", "Net")], "The parameters as a record keyed by path (`0.weight`, ...).",
             details: "A parameter several layers share (a layer used twice, a template bank) is listed once, at its first path; its other paths are in `.aliases`. Gates' parameters (`3.mask_logit`) are listed under their layer.",
             example: "params(net)[\"0.weight\"].shape") { a in
            let net = try layer(a, "net")
            let aliases = net.paramAliases
            return .record(net.namedParams.map { ($0.path, .native(ParamObject($0.param, aliases: aliases[$0.path] ?? []))) })
        },
        spec("count_params", [.required("net", "Net")], "The number of trainable values (buffers excluded).",
             example: "count_params(net)") { a in .int(try layer(a, "net").countParams) },
        spec("flat_params", [.required("net", "Net")], "Every parameter value in path order, as one vector.",
             example: "v = flat_params(net)") { a in .tensor(try layer(a, "net").flatParams()) },
        spec("set_params", [.required("net", "Net"), .required("vector", "Tensor")],
             "Writes a vector (as from `flat_params`) back into the parameters.",
             example: "set_params(net, flat_params(net) * 0.5)") { a in
            let net = try layer(a, "net")
            try net.setParams(try a.tensorValue("vector"))
            return a["net"]
        },
        spec("train_mode", [.required("net", "Net")], "Puts the net in training mode (dropout on, batch statistics).",
             example: "train_mode(net)") { a in try layer(a, "net").train(); return a["net"] },
        spec("eval_mode", [.required("net", "Net")], "Puts the net in evaluation mode (dropout off, running statistics).",
             example: "eval_mode(net)") { a in try layer(a, "net").eval(); return a["net"] },
        spec("freeze", [.required("x", "Layer, Net or Param")], "Stops training a layer, net or parameter: no gradient, no update.",
             example: "freeze(net.layers[0])") { a in
            if case .native(let n) = a["x"], let p = n as? ParamObject { p.param.isFrozen = true; p.param.grad = nil; return a["x"] }
            try layer(a, "x").freeze()
            return a["x"]
        },
        spec("unfreeze", [.required("x", "Layer, Net or Param")], "Trains a frozen layer, net or parameter again.",
             example: "unfreeze(net)") { a in
            if case .native(let n) = a["x"], let p = n as? ParamObject { p.param.isFrozen = false; return a["x"] }
            try layer(a, "x").unfreeze()
            return a["x"]
        },
    ]
}

/// The Keras-like table `summary` prints.
enum SummaryTable {
    static func render(_ rows: [SummaryRow], total: Int, trainable: Int) -> String {
        let body = rows.map { [$0.path, $0.layer, Tensor<Float>.describe($0.outputShape), NetAccess.formatCount($0.params)] }
        return TextTable.render(header: ["path", "layer", "output shape", "params"], rows: body, closing: [[]], rightAlignedFrom: 3)
            + "total parameters: \(NetAccess.formatCount(total))  (trainable: \(NetAccess.formatCount(trainable)))"
    }
}
