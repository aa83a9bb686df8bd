// The Data built-ins: Fashion-MNIST, IDX, Iris, CSV, generators, and split / shuffle / batches.
import Core
import Foundation
import Interpreter
import Lang

enum DataBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Data", summary: summary, details: details, example: example, body: body)
    }

    static func wrap(_ d: Dataset) -> Value { .native(DatasetObject(d)) }

    static func dataset(_ a: Arguments, _ name: String) throws -> Dataset {
        try a.native(name, as: DatasetObject.self, expected: "Dataset").data
    }

    /// A seed argument, or a fresh one drawn from the global stream (so `seed(n)` fixes it).
    static func seed(_ a: Arguments, _ name: String) throws -> Int {
        if let s = try a.optionalInt(name) { return s }
        return try RandomState.draw(a.interpreter, seed: nil) { Int(truncatingIfNeeded: $0.nextUInt64() >> 1) }
    }

    static let table: [BuiltinSpec] = [
        spec("fashion_mnist", [.named("dir", "String", .string(fashionMNISTDirectory))],
             "Fashion-MNIST as {train, test}: 60,000 and 10,000 28×28 images in 10 classes.",
             details: "Read from the gzip IDX files of the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist). Images are [N, 1, 28, 28] Float32 in [0, 1]; labels are class indices.",
             example: "data = fashion_mnist()\ndata.train.count   # 60000") { a in
            let (train, test) = try fashionMNIST(directory: try a.string("dir"), token: a.interpreter.token)
            return .record([("train", wrap(train)), ("test", wrap(test))])
        },
        spec("idx", [.required("images", "String"), .required("labels", "String")],
             "A Dataset from a pair of IDX files (plain or .gz), as MNIST is distributed.",
             example: "d = idx(\"train-images-idx3-ubyte.gz\", \"train-labels-idx1-ubyte.gz\")") { a in
            wrap(try idxDataset(images: try a.string("images"), labels: try a.string("labels"), token: a.interpreter.token))
        },
        spec("iris", [], "The Iris table (bundled): 150 flowers, 4 features, 3 classes.",
             example: "d = iris()\nparts = split(d, 0.8, seed: 0)") { _ in wrap(Core.iris()) },
        spec("csv", [.required("path", "String"), .named("target", "String", .null)],
             "A Dataset from a CSV file with a header row; `target` names the label column (default: the last).",
             details: "Text labels become class indices (sorted); numeric targets stay numbers.",
             example: "d = csv(\"wine.csv\", target: \"quality\")") { a in
            wrap(try readCSV(try a.string("path"), target: try a.optionalString("target"), token: a.interpreter.token))
        },
        spec("make_regression", [.required("samples", "Int"), .required("features", "Int"),
                                 .named("informative", "Int", .int(RegressionDefaults.informative)),
                                 .named("noise", "Float", .float(RegressionDefaults.noise)),
                                 .named("bias", "Float", .float(RegressionDefaults.bias)), .named("seed", "Int", .null)],
             "A linear regression problem following scikit-learn's make_regression; returns {data, coef}.",
             example: "r = make_regression(1000, 50, informative: 10, noise: 1, seed: 42)\nr.data.x.shape") { a in
            let r = try makeRegression(samples: try a.int("samples"), features: try a.int("features"), informative: try a.int("informative"),
                                       noise: try a.double("noise"), bias: try a.double("bias"), seed: try seed(a, "seed"))
            return .record([("data", wrap(r.data)), ("coef", .tensor(r.coef))])
        },
        spec("blobs", [.required("samples", "Int"), .named("features", "Int", .int(BlobsDefaults.features)),
                       .named("centers", "Int", .int(BlobsDefaults.centers)), .named("std", "Float", .float(BlobsDefaults.std)),
                       .named("seed", "Int", .null)],
             "Gaussian clusters for classification (scikit-learn's make_blobs); returns a Dataset.",
             example: "d = blobs(300, centers: 3, seed: 0)") { a in
            wrap(try makeBlobs(samples: try a.int("samples"), features: try a.int("features"), centers: try a.int("centers"), std: try a.double("std"),
                               seed: try seed(a, "seed")).data)
        },
        spec("split", [.required("data", "Dataset or String"), .optional("fraction", "Float or String", .null), .named("seed", "Int", .null)],
             "Shuffles and splits a Dataset into {train, test} with `fraction` of the examples in train; splits a String at a separator.",
             details: "On a String, `split(s, sep)` gives the parts between the separators (`split(s)` splits at line ends).",
             example: "parts = split(iris(), 0.8, seed: 0)\nparts.train.count   # 120\nsplit(\"a,b\", \",\")   # [\"a\", \"b\"]") { a in
            if case .string(let text) = a["data"] {
                let separator = try a.optionalString("fraction") ?? "\n"
                guard !separator.isEmpty else { throw a.valueError("fraction", "must not be empty") }
                return .list(text.components(separatedBy: separator).map { .string($0) })
            }
            let f = try a.double("fraction")
            guard f > 0, f < 1 else { throw a.valueError("fraction", "must be between 0 and 1, got \(f)") }
            let (train, test) = try dataset(a, "data").split(f, seed: try seed(a, "seed"))
            return .record([("train", wrap(train)), ("test", wrap(test))])
        },
        spec("shuffle", [.required("data", "Dataset or List"), .named("seed", "Int", .null)],
             "A copy with the examples (or list items) in random order.",
             example: "d2 = shuffle(d, seed: 1)") { a in
            if case .list(let l) = a["data"] {
                let s = try seed(a, "seed")
                var rng = RandomStream(seed: UInt64(bitPattern: Int64(s)), stream: 3)
                return .list(rng.permutation(l.items.count).map { l.items[$0] })
            }
            return wrap(try dataset(a, "data").shuffled(seed: try seed(a, "seed")))
        },
        spec("batches", [.required("data", "Dataset"), .required("size", "Int")],
             "The data in consecutive batches of `size` (the last one may be smaller), each a Dataset.",
             details: "`for x, y in batches(d, 64)` unpacks each batch into its features and labels.",
             example: "for x, y in batches(d, 64) { print(x.shape) }") { a in
            let size = try a.int("size")
            guard size >= 1 else { throw a.valueError("size", "must be >= 1") }
            return .list(try dataset(a, "data").batches(size).map { wrap(try Dataset(x: $0.x, y: $0.y)) })
        },
        spec("take", [.required("data", "Dataset"), .required("n", "Int")], "The first n examples.",
             example: "small = take(data.train, 1000)") { a in
            let n = try a.int("n")
            guard n >= 0 else { throw a.valueError("n", "must be >= 0") }
            return wrap(try dataset(a, "data").take(n))
        },
        spec("standardize", [.required("data", "Dataset"), .named("like", "Dataset", .null)],
             "Scales every feature to mean 0 and standard deviation 1 (with the statistics of `like` when given).",
             example: "parts = split(iris(), 0.8, seed: 0)\ntrain = standardize(parts.train)\ntest = standardize(parts.test, like: parts.train)") { a in
            let d = try dataset(a, "data")
            if a["like"].isNil { return wrap(d.standardized().dataset) }
            return wrap(try d.standardized(using: try dataset(a, "like").featureStats()))
        },
        spec("dataset", [.required("x", "Tensor"), .required("y", "Tensor"), .named("classes", "Int", .null)],
             "A Dataset from a features tensor and a labels tensor (class indices when `classes` is given).",
             example: "d = dataset(randn(100, 3), zeros(100), classes: 2)") { a in
            wrap(try Dataset(x: try a.tensorValue("x"), y: try a.tensorValue("y"), classCount: try a.optionalInt("classes")))
        },
    ]
}
