// The HRCO paper's second application: maximise the pruned fraction of a net's dense part keeping accuracy above η.

/// The pruning problem of the HRCO paper (§5): the search vector c is the dense part of a trained
/// net (every Dense weight and bias after the last non-dense layer; the layers before are frozen),
/// T_t(c) = (1/K)·#{k : |c^k| ≤ t} the pruned fraction, P_t(c) the accuracy after setting those
/// components to 0; f = −T_t and S = {c : P_t(c) > η}.
///
/// The frozen features φ(x) of the evaluation images are computed once (in eval mode), so each P_t
/// is the dense layers only. Feasibility is decided exactly and early: the images are scored in
/// fixed chunks and counting stops as soon as the correct answers so far, or the ones still
/// possible, settle whether accuracy > η — the same decision as the full evaluation by construction.
///
/// The images are kept hardest first (by the start point's margin, the true class's logit less the
/// best other one): a draw's errors are mostly among them, so an infeasible draw runs out of
/// allowed errors after a fraction of the images. A count does not depend on the order, so neither
/// does any decision or accuracy.
public final class PruningProblem {
    /// The dense tail: (weight [in, out], bias [out]?) per Dense layer, ReLU after each but the last
    /// when the net has one there.
    struct Stage { var inputs: Int, outputs: Int, hasBias: Bool, relu: Bool }
    let stages: [Stage]
    /// The features [N, d] and labels, hardest image first.
    private(set) var features: [Float]
    private(set) var labels: [Int]
    let width: Int
    public let t: Double
    public let eta: Double
    public let layout: SearchLayout
    /// The paths of the searched parameters, in order (for per-layer figures).
    public let paths: [String]
    /// The dense part's values at the start.
    public let start: [Double]
    /// Images scored per chunk of the early decision.
    public let chunkRows: Int
    /// The pruned dense weights and biases of the point being scored, and each stage's
    /// activations for one chunk: allocated once, reused by every evaluation.
    private var weightBuffers: [UnsafeMutablePointer<Float>] = []
    private var biasBuffers: [UnsafeMutablePointer<Float>?] = []
    private var activationBuffers: [UnsafeMutablePointer<Float>] = []
    /// Images looked at by the feasibility tests so far, against N per test (how much the early decision saved).
    public private(set) var imagesScored = 0
    public private(set) var decisions = 0
    /// The images are sorted again by the margins under the latest feasible point after this many
    /// feasible decisions: the search moves (c follows every feasible draw), and the hard images
    /// move with it. A sort costs about one full evaluation.
    public var resortAfter = 8
    private var feasibleSinceSort = 0

    /// - Throws: `CoreError.badArgument` when the net is not a Sequential ending in Dense layers
    ///   (with ReLU / Dropout / Flatten between), the data has no class labels, or t, η are not finite.
    public init(net: any Layer<Float>, data: Dataset, t: Double, eta: Double, chunkRows: Int = 512) throws {
        let op = "prune_problem"
        self.chunkRows = Swift.max(1, chunkRows)
        guard let seq = net as? Sequential<Float> else {
            throw CoreError.badArgument(op: op, message: "needs a sequential net ending in dense layers, got \(net.kind)")
        }
        guard t.isFinite, t >= 0, eta.isFinite else {
            throw CoreError.badArgument(op: op, message: "t must be finite and ≥ 0 and eta finite, got \(t) and \(eta)")
        }
        guard data.isClassification, data.count > 0 else { throw CoreError.badArgument(op: op, message: "needs a data set with class labels") }
        _ = seq.params   // assigns the paths
        let layers = seq.layers
        func isTailKind(_ l: any Layer<Float>) -> Bool { l is Dense<Float> || l is ReLU<Float> || l is Dropout<Float> || l is Flatten<Float> }
        let tailStart = (layers.lastIndex { !isTailKind($0) } ?? -1) + 1
        guard let first = layers[tailStart...].firstIndex(where: { $0 is Dense<Float> }) else {
            throw CoreError.badArgument(op: op, message: "the net has no dense layer after its last other layer")
        }
        // Frozen features, in eval mode, in batches (conv activations of 10,000 images would not fit at once).
        let prefix = Array(layers[..<first])
        let modes = prefix.map(\.isTraining)
        prefix.forEach { $0.isTraining = false }
        defer { for (l, m) in zip(prefix, modes) { l.isTraining = m } }
        let n = data.count, per = data.x.count / n
        var rows: [Float] = []
        var width = 0
        var i = 0
        while i < n {
            let b = Swift.min(256, n - i)
            var h = try Tensor<Float>(shape: [b] + data.featureShape, scalars: Array(data.x.scalars[i * per..<(i + b) * per]))
            for l in prefix { h = try l(h) }
            width = h.count / b
            rows.append(contentsOf: h.scalars)
            i += b
        }
        let labels = data.y.scalars.map { Int($0) }
        var stages: [Stage] = []
        var shapes: [[Int]] = [], paths: [String] = [], start: [Double] = []
        let tail = Array(layers[first...])
        for (j, l) in tail.enumerated() {
            guard let d = l as? Dense<Float> else { continue }
            let relu = tail[(j + 1)...].prefix { !($0 is Dense<Float>) }.contains { $0 is ReLU<Float> }
            stages.append(Stage(inputs: d.inputs, outputs: d.outputs, hasBias: d.bias != nil, relu: relu))
            shapes.append(d.weight.value.shape); paths.append(d.weight.path); start += d.weight.value.scalars.map(Double.init)
            if let b = d.bias { shapes.append(b.value.shape); paths.append(b.path); start += b.value.scalars.map(Double.init) }
        }
        guard stages.first?.inputs == width else {
            throw CoreError.badArgument(op: op, message: "the first dense layer takes \(stages.first?.inputs ?? 0) inputs but the features have \(width)")
        }
        self.stages = stages
        self.t = t
        self.eta = eta
        self.layout = SearchLayout(shapes: shapes)
        self.paths = paths
        self.start = start
        self.width = width
        features = rows
        self.labels = labels
        weightBuffers = stages.map { .allocate(capacity: $0.inputs * $0.outputs) }
        biasBuffers = stages.map { $0.hasBias ? .allocate(capacity: $0.outputs) : nil }
        activationBuffers = stages.map { .allocate(capacity: chunkRows * $0.outputs) }
        try sortHardestFirst(under: start)
    }

    /// Reorders the stored images by their margins under `c`, lowest first (ties by position, so
    /// the order is reproducible).
    private func sortHardestFirst(under c: [Double]) throws {
        let margins = try self.margins(c)
        let order = (0..<count).sorted { margins[$0] != margins[$1] ? margins[$0] < margins[$1] : $0 < $1 }
        var sorted = [Float](repeating: 0, count: features.count)
        let width = self.width
        features.withUnsafeBufferPointer { from in
            sorted.withUnsafeMutableBufferPointer { to in
                for (i, j) in order.enumerated() {
                    (to.baseAddress! + i * width).update(from: from.baseAddress! + j * width, count: width)
                }
            }
        }
        features = sorted
        labels = order.map { labels[$0] }
        feasibleSinceSort = 0
    }

    deinit {
        weightBuffers.forEach { $0.deallocate() }
        biasBuffers.forEach { $0?.deallocate() }
        activationBuffers.forEach { $0.deallocate() }
    }

    public var K: Int { layout.count }
    public var count: Int { labels.count }

    /// T_t(c): the fraction of components with |c^k| ≤ t.
    public func prunedFraction(_ c: [Double]) -> Double {
        Double(c.reduce(0) { $0 + (Swift.abs($1) <= t ? 1 : 0) }) / Double(c.count)
    }

    /// Puts the pruned point `c` (components with |c^k| ≤ t set to 0) into the weight buffers, in
    /// Float as the net holds them.
    private func load(_ c: [Double]) throws {
        guard c.count == K else {
            throw CoreError.shapeMismatch(op: "prune_problem", shapes: [[c.count], [K]], message: "the point must have K components")
        }
        let t = self.t
        c.withUnsafeBufferPointer { c in
            var offset = 0
            func fill(_ out: UnsafeMutablePointer<Float>, _ count: Int) {
                let from = c.baseAddress! + offset
                for k in 0..<count {
                    let v = from[k]
                    out[k] = Swift.abs(v) <= t ? 0 : Float(v)
                }
                offset += count
            }
            for (j, s) in stages.enumerated() {
                fill(weightBuffers[j], s.inputs * s.outputs)
                if let b = biasBuffers[j] { fill(b, s.outputs) }
            }
        }
    }

    /// The logits of images `start ..< start + rows` (rows ≤ chunkRows) under the loaded point.
    private func logits(_ phi: UnsafePointer<Float>, start: Int, rows: Int) -> UnsafeMutablePointer<Float> {
        var input = phi + start * width, inputWidth = width
        for (j, s) in stages.enumerated() {
            let out = activationBuffers[j]
            Float.gemm(transposeA: false, transposeB: false, m: rows, n: s.outputs, k: inputWidth, alpha: 1,
                       a: input, lda: inputWidth, b: weightBuffers[j], ldb: s.outputs, beta: 0, c: out, ldc: s.outputs)
            if let b = biasBuffers[j] {
                for r in 0..<rows {
                    let row = out + r * s.outputs
                    if s.relu {
                        for o in 0..<s.outputs { row[o] = Swift.max(row[o] + b[o], 0) }
                    } else {
                        for o in 0..<s.outputs { row[o] += b[o] }
                    }
                }
            } else if s.relu {
                for i in 0..<rows * s.outputs { out[i] = Swift.max(out[i], 0) }
            }
            input = UnsafePointer(out)
            inputWidth = s.outputs
        }
        return activationBuffers[stages.count - 1]
    }

    /// The margin of every image (in stored order) under `c`: its true class's logit less the best other one.
    func margins(_ c: [Double]) throws -> [Float] {
        try load(c)
        let classes = stages[stages.count - 1].outputs
        var out = [Float](repeating: 0, count: count)
        features.withUnsafeBufferPointer { phi in
            var start = 0
            while start < count {
                let rows = Swift.min(chunkRows, count - start)
                let z = logits(phi.baseAddress!, start: start, rows: rows)
                for r in 0..<rows {
                    let row = z + r * classes, y = labels[start + r]
                    var other = -Float.infinity
                    for k in 0..<classes where k != y { other = Swift.max(other, row[k]) }
                    out[start + r] = row[y] - other
                }
                start += rows
            }
        }
        return out
    }

    /// The number of correct answers among the first images, chunk by chunk, stopping when `settled`
    /// says the count so far (and the images left) decides the question.
    func correct(_ c: [Double], settled: (_ correct: Int, _ left: Int) -> Bool) throws -> Int {
        try load(c)
        let n = count, classes = stages[stages.count - 1].outputs
        var right = 0, start = 0
        features.withUnsafeBufferPointer { phi in
            while start < n, !settled(right, n - start) {
                let rows = Swift.min(chunkRows, n - start)
                let z = logits(phi.baseAddress!, start: start, rows: rows)
                for r in 0..<rows {
                    // The first largest logit, as argmax.
                    let row = z + r * classes
                    var best = 0
                    for k in 1..<classes where row[k] > row[best] { best = k }
                    if best == labels[start + r] { right += 1 }
                }
                imagesScored += rows
                start += rows
            }
        }
        return right
    }

    /// P_t(c) on every image.
    public func accuracy(_ c: [Double]) throws -> Double {
        Double(try correct(c) { _, _ in false }) / Double(count)
    }

    /// Whether P_t(c) > η, stopping as soon as the answer is certain.
    public func isFeasible(_ c: [Double]) throws -> Bool {
        decisions += 1
        let need = neededCorrect
        // Monotone in the count: reaching `need` (or missing it with every image left) is the full answer.
        let feasible = try correct(c) { right, left in right >= need || right + left < need } >= need
        if feasible {
            feasibleSinceSort += 1
            if resortAfter > 0, feasibleSinceSort >= resortAfter { try sortHardestFirst(under: c) }
        }
        return feasible
    }

    /// The smallest number of correct answers whose accuracy (as a Double) exceeds η.
    var neededCorrect: Int {
        let n = Double(count)
        var c = Swift.max(0, Swift.min(count, Int((eta * n).rounded(.down)) - 1))
        while c <= count, !(Double(c) / n > eta) { c += 1 }
        return c
    }

    /// The problem for a search: f = −T_t, score = P_t (strictly above η), with the early decision.
    public var problem: SearchProblem {
        SearchProblem(name: "−T_t (t = \(formatted(t))) subject to accuracy P_t > \(formatted(eta))",
                      f: { [self] in -prunedFraction($0) }, score: { [self] in try accuracy($0) },
                      threshold: eta, strict: true, decide: { [self] in (try isFeasible($0), nil) })
    }

    /// The pruned fraction of each searched tensor, by path.
    public func prunedByTensor(_ c: [Double]) -> [(path: String, fraction: Double)] {
        var out: [(String, Double)] = []
        var offset = 0
        for (path, shape) in zip(paths, layout.shapes) {
            let n = shape.reduce(1, *)
            let pruned = c[offset..<offset + n].reduce(0) { $0 + (Swift.abs($1) <= t ? 1 : 0) }
            out.append((path, Double(pruned) / Double(n)))
            offset += n
        }
        return out
    }

    /// Components within ±1 % of t in magnitude: the ones a small move can prune next.
    public func nearThreshold(_ c: [Double]) -> Int {
        c.reduce(0) { $0 + (Swift.abs(Swift.abs($1) - t) <= 0.01 * t ? 1 : 0) }
    }
}
