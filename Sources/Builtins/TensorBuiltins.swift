// The Tensors built-ins: making, reshaping, element-wise, reductions, linear algebra, selection.
import Core
import Interpreter
import Lang

enum TensorBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Tensors", summary: summary, details: details, example: example, body: body)
    }

    /// The global random stream, advanced by every draw (see `RandomState`).
    static func draw<R>(_ a: Arguments, seed: Int?, _ body: (inout RandomStream) throws -> R) throws -> R {
        try RandomState.draw(a.interpreter, seed: seed, body)
    }

    static func wrap(_ t: Tensor<Float>) -> Value { .tensor(t) }
    static func wrap(_ t: TensorObject) -> Value { .native(t) }

    static let table: [BuiltinSpec] = [
        // MARK: make
        spec("tensor", [.required("data", "number, List or Tensor")],
             "A Float32 tensor from a number or a nested list of numbers.",
             details: "Rows must have equal lengths. The result is a copy: changing it leaves `data` alone.",
             example: "t = tensor([[1, 2], [3, 4]])\nt.shape   # [2, 2]") { a in
            wrap(try a.tensorValue("data"))
        },
        spec("zeros", [.variadic("shape", "Int or List")], "A tensor of zeros.",
             example: "zeros(3, 4)\nzeros(t.shape)") { a in wrap(try Tensor<Float>.zeros(try a.shape("shape"))) },
        spec("ones", [.variadic("shape", "Int or List")], "A tensor of ones.",
             example: "ones(2, 3)") { a in wrap(try Tensor<Float>.ones(try a.shape("shape"))) },
        spec("full", [.variadic("shape", "Int or List")], "A tensor filled with one value: the shape, then the value.",
             details: "The shape is several Ints or one List, as for `zeros`; the last argument is the value.",
             example: "full([2, 2], 0.5)\nfull(2, 2, 7)") { a in
            guard let last = a.variadic.last, a.variadic.count >= 2 else {
                throw runtimeError("`full`: needs a shape and a value, e.g. full(2, 2, 7) or full([2, 2], 7)", kind: "argument")
            }
            guard let value = last.numberValue else {
                throw runtimeError("`full`: the value (the last argument) must be a number, got \(last.typeName)", kind: "type")
            }
            let dims = Array(a.variadic.dropLast())
            let shape = dims.count == 1 ? try TensorConversion.ints(dims[0], what: "`full`: the shape")
                : try TensorConversion.ints(.list(ListObject(dims)), what: "`full`: the shape")
            return wrap(try Tensor<Float>.full(shape, Float(value)))
        },
        spec("print_options", [.named("precision", "Int or nil", .int(4))],
             "Sets how many digits after the point tensors print with (NumPy's precision, 4 by default); nil prints every digit.",
             details: "Only printing changes: values keep their full precision, and numbers you ask for (`item(t)`, `t[0]`, 0-d tensors) print in full. Returns the previous setting.",
             example: "print_options(precision: 2)\nprint_options(precision: nil)") { a in
            let previous: Value = TensorRendering.precision.map { .int($0) } ?? .null
            if a["precision"].isNil {
                TensorRendering.precision = nil
            } else {
                let p = try a.int("precision")
                guard (0...16).contains(p) else { throw a.valueError("precision", "must be in 0...16 or nil, got \(p)") }
                TensorRendering.precision = p
            }
            return .record([("precision", previous)])
        },
        spec("eye", [.required("n", "Int")], "The n×n identity matrix.", example: "eye(3)") { a in
            wrap(try Tensor<Float>.eye(try a.int("n")))
        },
        spec("arange", [.required("start", "Float"), .optional("stop", "Float", .null), .optional("step", "Float", .int(1))],
             "Evenly spaced values in [start, stop) by step; `arange(n)` is 0..<n.",
             example: "arange(5)          # [0, 1, 2, 3, 4]\narange(0, 1, 0.25)") { a in
            let (start, stop) = a["stop"].isNil ? (0.0, try a.double("start")) : (try a.double("start"), try a.double("stop"))
            let step = try a.double("step")
            guard step != 0 else { throw a.valueError("step", "must not be 0") }
            return wrap(try Tensor<Float>.arange(start, stop, step: step))
        },
        spec("linspace", [.required("start", "Float"), .required("stop", "Float"), .required("n", "Int")],
             "n evenly spaced values from start to stop, both included.", example: "linspace(0, 1, 5)") { a in
            wrap(try Tensor<Float>.linspace(try a.double("start"), try a.double("stop"), count: try a.int("n")))
        },
        spec("randn", [.variadic("shape", "Int or List"), .named("seed", "Int", .null)],
             "Normally distributed values (mean 0, std 1).",
             details: "Draws from the global stream (`seed(n)`), or from a private one when `seed:` is given.",
             example: "randn(2, 3)\nrandn(100, seed: 7)") { a in
            let shape = try a.shape("shape")
            return wrap(try draw(a, seed: try a.optionalInt("seed")) { try Tensor<Float>.normal(shape, using: &$0) })
        },
        spec("rand", [.variadic("shape", "Int or List"), .named("seed", "Int", .null)],
             "Uniformly distributed values in [0, 1).", example: "rand(3)") { a in
            let shape = try a.shape("shape")
            return wrap(try draw(a, seed: try a.optionalInt("seed")) { try Tensor<Float>.uniform(shape, using: &$0) })
        },
        spec("laplace", [.variadic("shape", "Int or List"), .named("b", "Float", .float(1)), .named("seed", "Int", .null)],
             "Laplace-distributed values with scale b (mean 0).", example: "laplace(1000, b: 0.5)") { a in
            let shape = try a.shape("shape")
            let b = try a.double("b")
            guard b > 0 else { throw a.valueError("b", "must be > 0") }
            return wrap(try draw(a, seed: try a.optionalInt("seed")) { try Tensor<Float>.laplace(shape, scale: Float(b), using: &$0) })
        },

        // MARK: shape
        spec("reshape", [.required("t", "Tensor"), .variadic("shape", "Int or List")],
             "The same values in a new shape; one extent may be -1.", example: "reshape(arange(6), 2, 3)\nreshape(x, [-1, 784])") { a in
            let shape = try a.shape("shape")
            return wrap(try TensorMath.apply([try a.tensor("t")]) { try $0[0].reshaped(shape) })
        },
        spec("transpose", [.required("t", "Tensor"), .variadic("axes", "Int or List")],
             "The axes reversed (the matrix transpose), or permuted as given.", example: "transpose(eye(2))\ntranspose(x, 0, 2, 1)") { a in
            let axes = try a.shape("axes")
            return wrap(try TensorMath.apply([try a.tensor("t")]) { try $0[0].transposed(axes.isEmpty ? nil : axes) })
        },
        spec("cat", [.required("tensors", "List"), .named("axis", "Int", .int(0))],
             "Joins tensors along an existing axis.", example: "cat([ones(2, 3), zeros(1, 3)])   # shape [3, 3]") { a in
            let parts = try tensorList(a, "tensors")
            let axis = try a.int("axis")
            return wrap(try TensorMath.apply(parts) { try Core.Variable.cat($0, axis: axis) })
        },
        spec("stack", [.required("tensors", "List")], "Joins same-shape tensors along a new first axis.",
             example: "stack([ones(3), zeros(3)])   # shape [2, 3]") { a in
            wrap(try TensorMath.apply(try tensorList(a, "tensors")) { try Core.Variable.stack($0) })
        },

        // MARK: element-wise
        elementwise("abs", .abs, "Absolute value, element-wise (also on numbers).", example: "abs(tensor([-2, 3]))   # [2, 3]"),
        elementwise("acos", .acos, "The arc cosine in [0, π], element-wise (NaN outside [-1, 1]).", example: "acos(0.0)   # 1.5707963267948966"),
        elementwise("ceil", .ceil, "The smallest whole number not below x, element-wise.", example: "ceil(tensor([1.2, -1.5]))   # [2, -1]"),
        elementwise("cos", .cos, "The cosine (radians), element-wise.", example: "cos(0.0)   # 1.0"),
        elementwise("erf", .erf, "The Gauss error function 2/√π ∫₀ˣ e^(-t²) dt, element-wise.",
                    details: "The Gaussian CDF is (1 + erf(x / sqrt(2))) / 2.", example: "erf(tensor([0, 1]))   # [0, 0.8427]"),
        elementwise("exp", .exp, "e^x, element-wise.", example: "exp(1.0)   # 2.718281828459045"),
        elementwise("floor", .floor, "The largest whole number not above x, element-wise.", example: "floor(tensor([1.7, -1.5]))   # [1, -2]"),
        elementwise("log", .log, "Natural logarithm, element-wise (log 0 = -inf).", example: "log(tensor([1, 10]))"),
        elementwise("log2", .log2, "Base-2 logarithm, element-wise.", example: "log2(8.0)   # 3.0"),
        elementwise("log_sigmoid", .logSigmoid, "log σ(x) = -softplus(-x), element-wise, finite for very negative x.",
                    example: "log_sigmoid(tensor([-200, 0]))   # [-200, -0.6931]"),
        elementwise("sign", .sign, "-1, 0 or 1 by the sign of each element.", example: "sign(tensor([-2, 0, 3]))"),
        elementwise("sin", .sin, "The sine (radians), element-wise.", example: "sin(tensor([0, 1.5708]))   # [0, 1]"),
        elementwise("softplus", .softplus, "log(1 + e^x), element-wise, without overflow for large |x|.",
                    details: "Its derivative is sigmoid(x).", example: "softplus(tensor([-100, 0, 100]))   # [0, 0.6931, 100]"),
        elementwise("round", .round, "Rounds half to even, element-wise.", example: "round(tensor([0.5, 1.5, 2.4]))   # [0, 2, 2]"),
        elementwise("sqrt", .sqrt, "Square root, element-wise.", example: "sqrt(2.0)   # 1.4142135623730951"),
        spec("detach", [.required("t", "Tensor")], "The same values with no gradient flowing back through them.",
             details: "Inside `grad`, `detach(x)` is a constant. The straight-through estimator of a hard function h is `x + detach(h(x) - x)`: its value is h(x), its gradient the identity.",
             example: "grad(fn(x) sum(x * detach(x)), tensor([3]))   # [3]\nx + detach(round(x) - x)") { a in
            wrap(try TensorMath.apply([try a.tensor("t")]) { $0[0].detached() })
        },
        spec("clamp", [.required("t", "Tensor"), .required("lo", "Float or Tensor"), .required("hi", "Float or Tensor")],
             "Limits every element to [lo, hi]; the bounds may be numbers or tensors (broadcast).",
             example: "clamp(randn(5), -1, 1)\nclamp(x, zeros(3), tensor([1, 2, 3]))") { a in
            if let lo = a["lo"].numberValue, let hi = a["hi"].numberValue {
                guard lo <= hi else { throw a.valueError("lo", "must not exceed `hi` (\(lo) > \(hi))") }
                return wrap(try TensorMath.apply([try a.tensor("t")]) { $0[0].clamped(Float(lo), Float(hi)) })
            }
            // Tensor bounds: max(lo, min(t, hi)), with its gradient where the bound is not active.
            return wrap(try TensorMath.apply([try a.tensor("t"), try a.tensor("lo"), try a.tensor("hi")]) {
                try $0[0].minimum($0[2]).maximum($0[1])
            })
        },
        spec("where", [.required("cond", "Tensor"), .required("a", "Tensor"), .required("b", "Tensor")],
             "Element-wise choice: a where cond is non-zero, else b (broadcast).",
             example: "where(x > 0, x, 0)   # relu") { a in
            let cond = try a.tensorValue("cond")
            return wrap(try TensorMath.apply([try a.tensor("a"), try a.tensor("b")]) { try Core.Variable.select(cond, $0[0], $0[1]) })
        },
        spec("maximum", [.required("a", "Tensor"), .required("b", "Tensor")], "The larger of a and b, element-wise (NaN if either is).",
             example: "maximum(x, 0)") { a in
            wrap(try TensorMath.apply([try a.tensor("a"), try a.tensor("b")]) { try $0[0].maximum($0[1]) })
        },
        spec("minimum", [.required("a", "Tensor"), .required("b", "Tensor")], "The smaller of a and b, element-wise (NaN if either is).",
             example: "minimum(x, 1)") { a in
            wrap(try TensorMath.apply([try a.tensor("a"), try a.tensor("b")]) { try $0[0].minimum($0[1]) })
        },

        // MARK: reductions
        reduction(.sum, "sum", "The sum of the elements, or along `axis`; of a List of Ints, an exact Int."),
        reduction(.mean, "mean", "The mean of the elements, or along `axis`."),
        reduction(.variance, "var", "The variance (divided by n), or along `axis`."),
        reduction(.std, "std", "The standard deviation (divided by n), or along `axis`."),
        reduction(.argmax, "argmax", "The index of the largest element (first on ties, the first NaN if any), or along `axis`."),
        reduction(.argmin, "argmin", "The index of the smallest element (first on ties, the first NaN if any), or along `axis`."),
        reduction(.countNonzero, "count_nonzero", "How many elements are not zero, or along `axis`."),
        spec("median", [.required("t", "Tensor"), .named("axis", "Int", .null), .named("keepdims", "Bool", .bool(false))],
             "The median of the elements (the mean of the two middle ones for an even count), or along `axis`.",
             details: "NaN anywhere in a reduced slice gives NaN, as NumPy. The gradient goes to the middle element(s).",
             example: "median(tensor([3, 1, 2]))   # 2.0\nmedian(x, axis: 0)") { a in
            let axis = try a.axis("axis"), keepDims = try a.bool("keepdims")
            return wrap(try TensorMath.apply([try a.tensor("t")]) { try $0[0].median(axis: axis, keepDims: keepDims) })
        },
        extreme(.max, "max"),
        extreme(.min, "min"),
        spec("norm", [.required("t", "Tensor"), .optional("p", "Float", .int(2)), .named("axis", "Int", .null)],
             "The p-norm of the elements (p = 2 by default; p = 1, inf and 0 (count) too).",
             example: "norm(tensor([3, 4]))   # 5.0") { a in
            let t = try a.tensor("t")
            let p = try a.double("p"), axis = try a.axis("axis")
            guard t.node != nil else { return wrap(try t.tensor.norm(p, axis: axis)) }
            return wrap(try TensorMath.apply([t]) { try $0[0].norm(p, axis: axis) })
        },
        truth("all", .all, "True when every element is non-zero."),
        truth("any", .any, "True when some element is non-zero."),

        // MARK: linear algebra
        spec("matmul", [.required("a", "Tensor"), .required("b", "Tensor")], "The matrix product a @ b.",
             example: "matmul(x, w)   # the same as x @ w") { a in
            wrap(try TensorMath.binary(.matmul, try a.tensor("a"), try a.tensor("b")))
        },
        spec("dot", [.required("a", "Tensor"), .required("b", "Tensor")], "The dot product of two vectors (a 0-d tensor).",
             example: "dot(tensor([1, 2]), tensor([3, 4]))   # 11.0") { a in
            let x = try a.tensor("a"), y = try a.tensor("b")
            guard x.tensor.rank == 1, y.tensor.rank == 1, x.tensor.count == y.tensor.count else {
                throw CoreError.shapeMismatch(op: "dot", shapes: [x.tensor.shape, y.tensor.shape], message: "")
            }
            return wrap(try TensorMath.apply([x, y]) { try $0[0].multiplying($0[1]).sum() })
        },
        spec("outer", [.required("a", "Tensor"), .required("b", "Tensor")], "The outer product of two vectors.",
             example: "outer(tensor([1, 2]), tensor([1, 10, 100]))") { a in
            wrap(try TensorMath.apply([try a.tensor("a"), try a.tensor("b")]) { try $0[0].outer($0[1]) })
        },

        spec("svd", [.required("a", "Tensor")], "The thin singular value decomposition a = u · diag(s) · vt, as {u, s, vt}.",
             details: "Singular values come in decreasing order (LAPACK's gesdd, through OpenBLAS).",
             example: "r = svd(randn(4, 3))\nr.s   # 3 singular values") { a in
            try TensorMath.requireNoGradient("svd", [try a.tensor("a")])
            let r = try a.tensorValue("a").svd()
            return .record([("u", wrap(r.u)), ("s", wrap(r.s)), ("vt", wrap(r.vt))])
        },
        spec("solve", [.required("a", "Tensor"), .required("b", "Tensor")], "The solution x of a @ x = b for a square matrix a.",
             example: "solve(tensor([[2, 0], [0, 4]]), tensor([2, 8]))   # [1, 2]") { a in
            wrap(try TensorMath.apply([try a.tensor("a"), try a.tensor("b")]) { try Core.Variable.solve($0[0], $0[1]) })
        },

        // MARK: selection
        spec("topk", [.required("t", "Tensor"), .required("k", "Int"), .named("axis", "Int", .int(-1))],
             "The k largest values along an axis and their indices, as {values, indices}.",
             example: "topk(tensor([3, 1, 4, 1, 5]), 2)   # values [5, 4], indices [4, 2]") { a in
            let k = try a.int("k"), axis = try a.int("axis")
            var indices = Tensor<Float>(scalar: 0)
            let values = try TensorMath.apply([try a.tensor("t")]) { v in
                let r = try v[0].topk(k, axis: axis)
                indices = r.indices
                return r.values
            }
            return .record([("values", wrap(values)), ("indices", wrap(indices))])
        },
        spec("argsort", [.required("t", "Tensor"), .named("axis", "Int", .int(-1)), .named("descending", "Bool", .bool(false))],
             "The indices that sort the tensor along an axis (stable).", example: "argsort(tensor([3, 1, 2]))   # [1, 2, 0]") { a in
            wrap(try a.tensorValue("t").argsort(axis: try a.int("axis"), descending: try a.bool("descending")))
        },
        spec("hard_threshold", [.required("t", "Tensor"), .required("s", "Int")],
             "Keeps the s entries of largest magnitude and zeroes the rest (ties: lower index first).",
             details: "The projection of iterative hard thresholding (IHT).",
             example: "hard_threshold(tensor([0.1, -3, 2, 0.5]), 2)   # [0, -3, 2, 0]") { a in
            let s = try a.int("s")
            guard s >= 0 else { throw a.valueError("s", "must be >= 0") }
            return wrap(try TensorMath.apply([try a.tensor("t")]) { try $0[0].hardThresholded(s) })
        },
        spec("soft_threshold", [.required("t", "Tensor"), .required("tau", "Float")],
             "Shrinks every entry toward zero by tau: sign(t)·max(|t| - tau, 0).",
             details: "The proximal operator of tau·‖t‖₁ (RVSM's l1 step, Lasso).",
             example: "soft_threshold(tensor([-2, 0.5, 3]), 1)   # [-1, 0, 2]") { a in
            let tau = try a.double("tau")
            guard tau >= 0 else { throw a.valueError("tau", "must be >= 0") }
            return wrap(try TensorMath.apply([try a.tensor("t")]) { try $0[0].softThresholded(Float(tau)) })
        },

        // MARK: conversion
        spec("item", [.required("t", "Tensor")], "The single element of a one-element tensor, as a Float.",
             example: "item(sum(ones(3)))   # 3.0") { a in
            try TensorMath.requireNoGradient("item", [try a.tensor("t")])
            let t = try a.tensorValue("t")
            guard t.count == 1 else { throw a.valueError("t", "has \(t.count) elements; `item` needs exactly one") }
            return .float(Double(t.scalars[0]))
        },
        spec("to_list", [.required("t", "Tensor")], "The values as (nested) lists of Floats.",
             example: "to_list(eye(2))   # [[1.0, 0.0], [0.0, 1.0]]") { a in
            TensorConversion.nestedList(try a.tensorValue("t"))
        },
        spec("float", [.required("x", "number, String or Tensor")], "x as a Float: numbers, numeric strings, one-element tensors.",
             example: "float(3)      # 3.0\nfloat(\"1e-3\")") { a in
            switch a["x"] {
            case .int(let i): return .float(Double(i))
            case .float: return a["x"]
            case .bool(let b): return .float(b ? 1 : 0)
            case .string(let s):
                guard let d = Double(s.trimmingCharacters(in: .whitespaces)) else { throw a.valueError("x", "\"\(s)\" is not a number") }
                return .float(d)
            default:
                let t = try a.tensorValue("x")
                guard t.count == 1 else { throw a.valueError("x", "has \(t.count) elements; `float` needs exactly one") }
                return .float(Double(t.scalars[0]))
            }
        },
        spec("int", [.required("x", "number, String or Tensor")], "x as an Int, truncating toward zero.",
             example: "int(3.9)   # 3\nint(\"42\")") { a in
            let d: Double
            switch a["x"] {
            case .int: return a["x"]
            case .float(let f): d = f
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s):
                if let i = Int(s.trimmingCharacters(in: .whitespaces)) { return .int(i) }
                guard let f = Double(s.trimmingCharacters(in: .whitespaces)) else { throw a.valueError("x", "\"\(s)\" is not a number") }
                d = f
            default:
                let t = try a.tensorValue("x")
                guard t.count == 1 else { throw a.valueError("x", "has \(t.count) elements; `int` needs exactly one") }
                d = Double(t.scalars[0])
            }
            guard d.isFinite, abs(d) < 9.2e18 else { throw a.valueError("x", "\(d) does not fit in an Int") }
            return .int(Int(d))
        },
    ]

    /// Parameter `i` as a list of tensors (`cat`, `stack`).
    static func tensorList(_ a: Arguments, _ name: String) throws -> [TensorObject] {
        try a.list(name).items.enumerated().map { k, v in
            guard let t = try TensorConversion.operand(v) else { throw a.valueError(name, "element \(k) is \(v.typeName), not a Tensor") }
            return t
        }
    }

    /// `name(t)`: an element-wise function of a tensor, or of a number giving a Float computed in
    /// Double (tensors stay Float32).
    static func elementwise(_ name: String, _ op: Core.UnaryOperator, _ summary: String, details: String = "",
                            example: String) -> BuiltinSpec {
        spec(name, [.required("t", "Tensor or number")], summary, details: details, example: example) { a in
            switch a["t"] {
            case .int(let i) where op == .abs:
                guard i != Int.min else { throw a.valueError("t", "overflows an Int") }
                return .int(Swift.abs(i))
            case .int, .float:
                let x = a["t"].numberValue ?? 0
                return .float(Tensor<Double>(scalar: x).unary(op).scalars[0])
            default:
                return wrap(try TensorMath.unary(op, try a.tensor("t")))
            }
        }
    }

    /// A reduction built-in with `axis:` and `keepdims:`.
    static func reduction(_ op: ReductionOperator, _ name: String, _ summary: String) -> BuiltinSpec {
        spec(name, [.required("t", "Tensor"), .named("axis", "Int", .null), .named("keepdims", "Bool", .bool(false))],
             summary, details: "Without `axis` the result is a 0-d tensor (usable as a number); sums accumulate in Double.",
             example: "\(name)(tensor([[1, 2], [3, 4]]))\n\(name)(x, axis: 0)") { a in
            if op == .sum, case .list(let l) = a["t"], !l.items.isEmpty, l.items.allSatisfy({ if case .int = $0 { return true }; return false }) {
                return try intSum(l.items)
            }
            let axis = try a.axis("axis"), keepDims = try a.bool("keepdims")
            // An index or a count over everything is an Int (usable as a subscript).
            if axis == nil, !keepDims, [.argmax, .argmin, .countNonzero].contains(op) {
                return .int(try a.tensorValue("t").integerReduction(op))
            }
            return wrap(try TensorMath.reduce(op, try a.tensor("t"), axis: axis, keepDims: keepDims))
        }
    }

    /// The exact sum of Ints; overflow is an error, never a wrapped or rounded number.
    static func intSum(_ items: [Value]) throws -> Value {
        var total = 0
        for case .int(let i) in items {
            let (s, overflow) = total.addingReportingOverflow(i)
            guard !overflow else { throw runtimeError("integer overflow in `sum`", kind: "overflow") }
            total = s
        }
        return .int(total)
    }

    /// `max` / `min`: a tensor reduction, the extreme of a list, or of several numbers or tensors.
    static func extreme(_ op: ReductionOperator, _ name: String) -> BuiltinSpec {
        let isMax = op == .max
        return spec(name, [.variadic("x", "Tensor, List or numbers"), .named("axis", "Int", .null), .named("keepdims", "Bool", .bool(false))],
                    "The \(isMax ? "largest" : "smallest") element of a tensor (or along `axis`), of a list, or of several values.",
                    details: "`\(name)(t)` reduces a tensor to a 0-d tensor; `\(name)(xs)` takes a List; `\(name)(a, b)` compares values (element-wise for tensors).",
                    example: "\(name)(tensor([3, 1, 2]))\n\(name)([3, 1, 2])\n\(name)(0.5, x)") { a in
            let xs = a.variadic
            guard !xs.isEmpty else { throw runtimeError("`\(name)` needs at least one argument", kind: "argument") }
            if xs.count == 1 {
                if case .list(let l) = xs[0] { return try extremeOf(l.items, isMax: isMax, name: name) }
                if case .range = xs[0] { return try extremeOf(try a.interpreter.elements(of: xs[0]), isMax: isMax, name: name) }
                guard let t = try TensorConversion.operand(xs[0]) else {
                    throw runtimeError("`\(name)`: argument 1 (`x`) expects Tensor, List or numbers, got \(xs[0].typeName)", kind: "type")
                }
                return wrap(try TensorMath.reduce(op, t, axis: try a.axis("axis"), keepDims: try a.bool("keepdims")))
            }
            let hasTensor = xs.contains { if case .native = $0 { return true }; return false }
            if !hasTensor { return try extremeOf(xs, isMax: isMax, name: name) }
            var acc = try TensorConversion.operand(xs[0])?.tensor ?? Tensor(scalar: 0)
            for v in xs.dropFirst() {
                guard let t = try TensorConversion.operand(v)?.tensor else {
                    throw runtimeError("`\(name)` cannot compare \(v.typeName) with a Tensor", kind: "type")
                }
                acc = try acc.binary(isMax ? .maximum : .minimum, t)
            }
            return wrap(acc)
        }
    }

    /// The extreme of plain values, compared as the language compares them; a NaN is the answer
    /// (as NumPy), since every comparison with it is false.
    static func extremeOf(_ items: [Value], isMax: Bool, name: String) throws -> Value {
        guard var best = items.first else { throw runtimeError("`\(name)` of an empty list", kind: "value") }
        if let nan = items.first(where: { if case .float(let d) = $0 { return d.isNaN }; return false }) { return nan }
        for v in items.dropFirst() {
            guard case .bool(let better) = try Operators.compare(isMax ? .greater : .less, v, best) else { continue }
            if better { best = v }
        }
        return best
    }

    /// `all` / `any`: a Bool for a tensor (or a list of Bools).
    static func truth(_ name: String, _ op: ReductionOperator, _ summary: String) -> BuiltinSpec {
        spec(name, [.required("t", "Tensor or List")], summary, example: "\(name)(x > 0)") { a in
            if case .list(let l) = a["t"] {
                let bools = try l.items.map { v -> Bool in
                    guard case .bool(let b) = v else { throw a.valueError("t", "contains \(v.typeName), not Bool") }
                    return b
                }
                return .bool(op == .all ? bools.allSatisfy { $0 } : bools.contains(true))
            }
            let r = try a.tensorValue("t").reduce(op)
            return .bool(r.scalars.first.map { $0 != 0 } ?? (op == .all))
        }
    }
}
