// Pruned nets that run faster: a compressed-sparse-row matrix, an inference Dense layer on it, and `sparseCopy(net)` choosing per layer by measuring.
import Runtime

/// A matrix in compressed-sparse-row form: row r holds `values[rowPointers[r]..<rowPointers[r+1]]`
/// at the columns `columns[…]` (ascending). The form checkpoints store as three tensors.
public struct CSRMatrix<Scalar: TensorScalar>: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    public var values: [Scalar]
    public var columnIndices: [Int32]
    /// rows + 1 offsets into `values`, from 0 to nnz.
    public var rowPointers: [Int32]

    /// The non-zero entries of a [rows, columns] tensor, row by row.
    /// - Throws: `CoreError.badArgument` for a tensor that is not rank 2 or too large for 32-bit indices.
    public init(_ t: Tensor<Scalar>) throws {
        guard t.rank == 2 else { throw CoreError.badArgument(op: "sparse", message: "a CSR matrix needs a rank-2 tensor, got \(Tensor<Scalar>.describe(t.shape))") }
        guard t.count < Int(Int32.max) else { throw CoreError.badArgument(op: "sparse", message: "the tensor is too large for 32-bit indices") }
        rows = t.shape[0]
        columns = t.shape[1]
        values = []
        columnIndices = []
        rowPointers = [0]
        rowPointers.reserveCapacity(rows + 1)
        for r in 0..<rows {
            for c in 0..<columns where t.scalars[r * columns + c] != 0 {
                values.append(t.scalars[r * columns + c])
                columnIndices.append(Int32(c))
            }
            rowPointers.append(Int32(values.count))
        }
    }

    /// A matrix from its three arrays, checked so no later access can go out of bounds.
    /// - Throws: `CoreError.badArgument` naming what is inconsistent.
    public init(rows: Int, columns: Int, values: [Scalar], columnIndices: [Int32], rowPointers: [Int32]) throws {
        func bad(_ m: String) -> CoreError { CoreError.badArgument(op: "sparse", message: "not a valid CSR matrix: \(m)") }
        guard rows >= 0, columns >= 0 else { throw bad("negative shape") }
        guard rowPointers.count == rows + 1, rowPointers.first == 0, Int(rowPointers.last ?? -1) == values.count else {
            throw bad("row pointers must be \(rows + 1) offsets from 0 to \(values.count)")
        }
        guard columnIndices.count == values.count else { throw bad("\(values.count) values but \(columnIndices.count) column indices") }
        for r in 0..<rows where rowPointers[r] > rowPointers[r + 1] { throw bad("row pointers decrease at row \(r)") }
        for c in columnIndices where c < 0 || Int(c) >= columns { throw bad("column index \(c) outside 0..<\(columns)") }
        self.rows = rows
        self.columns = columns
        self.values = values
        self.columnIndices = columnIndices
        self.rowPointers = rowPointers
    }

    /// Stored entries.
    public var nonZeros: Int { values.count }

    /// The dense [rows, columns] tensor.
    public var dense: Tensor<Scalar> {
        var out = [Scalar](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for k in Int(rowPointers[r])..<Int(rowPointers[r + 1]) { out[r * columns + Int(columnIndices[k])] = values[k] }
        }
        return Tensor(uncheckedShape: [rows, columns], scalars: out)
    }
}

/// A Dense layer for inference whose weight is stored as CSR (the transposed weight, one row per
/// output): y = x · W + b computed from the kept weights only. It has no trainable parameters;
/// `sparse(net)` makes it from a pruned Dense.
public final class SparseDense<Scalar: TensorScalar>: Layer, ReLUFusable {
    /// Wᵀ in CSR form: [out, in].
    public let weightT: CSRMatrix<Scalar>
    public let bias: Tensor<Scalar>?   // [out]
    public var isTraining = false
    public var inputs: Int { weightT.columns }
    public var outputs: Int { weightT.rows }

    /// The CSR form of a Dense layer's weight as it is used (after its gates).
    /// - Throws: a gate's error.
    public init(_ dense: Dense<Scalar>) throws {
        let w = try Tape<Scalar>(recording: false).gatedVariable(for: dense.weight).value
        weightT = try CSRMatrix(w.transposed())
        bias = dense.bias?.value
    }

    init(weightT: CSRMatrix<Scalar>, bias: Tensor<Scalar>?) {
        self.weightT = weightT
        self.bias = bias
    }

    public var kind: String { "SparseDense" }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> { try forward(input, fusedReLU: false) }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>, fusedReLU: Bool) throws -> Variable<Scalar> {
        guard input.shape.count == 2, input.shape[1] == inputs else {
            throw layerShapeError(kind, expected: "[*, \(inputs)]", got: input.shape)
        }
        let n = input.shape[0]
        let y = weightT.multiply(input.value.scalars, count: n, bias: bias?.scalars, relu: fusedReLU)
        // Inference only: the result is a constant (no gradient flows into a sparse copy).
        return input.tape.constant(Tensor(uncheckedShape: [n, outputs], scalars: y))
    }

    public func copy() -> any Layer<Scalar> { SparseDense(weightT: weightT, bias: bias) }

    public var description: String {
        let total = inputs * outputs
        return "SparseDense(\(inputs) -> \(outputs)\(bias == nil ? "" : ", bias"), \(weightT.nonZeros) of \(total) weights, CSR)"
    }
}

// MARK: - Making a sparse copy

/// What `sparseCopy` decided for one Dense layer.
public struct SparseChoice: Equatable, Sendable {
    public var path: String
    /// Weights kept and all weights.
    public var kept: Int
    public var weights: Int
    /// Seconds per forward pass of the layer, dense and CSR (best of several runs).
    public var denseSeconds: Double
    public var sparseSeconds: Double
    /// True when the CSR layer was chosen.
    public var isSparse: Bool
}

/// An inference copy of `net` whose pruned Dense layers run on CSR kernels where that is faster
/// than the dense kernel on this machine: each candidate is timed side by side with the dense
/// layer on a batch of `batch` rows (best of `repeats`), and kept dense otherwise. Gates are
/// folded in (`bake`), so the copy computes the same function; Sequential trees are rebuilt,
/// other containers are copied as they are.
/// - Returns: the copy and the decision per Dense layer.
/// - Throws: `CoreError.badArgument` for a batch below 1, or a layer's error.
public func sparseCopy<S: TensorScalar>(_ net: any Layer<S>, batch: Int = 64, repeats: Int = 5) throws
    -> (net: any Layer<S>, choices: [SparseChoice]) {
    guard batch >= 1, batch <= 1 << 16 else { throw CoreError.badArgument(op: "sparse", message: "batch must be in 1...65536, got \(batch)") }
    let copy = net.copy()
    try bake(copy)
    copy.eval()
    var choices: [SparseChoice] = []
    let result = try sparsified(copy, path: "", batch: batch, repeats: Swift.max(1, repeats), choices: &choices)
    return (result, choices)
}

private func sparsified<S: TensorScalar>(_ layer: any Layer<S>, path: String, batch: Int, repeats: Int,
                                         choices: inout [SparseChoice]) throws -> any Layer<S> {
    if let seq = layer as? Sequential<S> {
        var layers: [any Layer<S>] = []
        for (i, child) in seq.layers.enumerated() {
            layers.append(try sparsified(child, path: path.isEmpty ? String(i) : path + "." + String(i), batch: batch,
                                         repeats: repeats, choices: &choices))
        }
        let out = Sequential<S>(layers)
        out.isTraining = false
        return out
    }
    guard let dense = layer as? Dense<S> else { return layer }
    let w = dense.weight.value
    let kept = w.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
    let candidate = try SparseDense(dense)
    var rng = RandomStream(seed: 7)
    let x = try Tensor<S>.uniform([batch, dense.inputs], using: &rng)
    func time(_ l: any Layer<S>) throws -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = clock.now
            _ = try l(x)
            best = Swift.min(best, seconds(clock.now - start))
        }
        return best
    }
    // Interleaved, so a change in the machine's load hits both alike.
    var denseTime = Double.infinity, sparseTime = Double.infinity
    for _ in 0..<2 {
        denseTime = Swift.min(denseTime, try time(dense))
        sparseTime = Swift.min(sparseTime, try time(candidate))
    }
    let useSparse = sparseTime < denseTime
    choices.append(SparseChoice(path: path, kept: kept, weights: w.count, denseSeconds: denseTime,
                                sparseSeconds: sparseTime, isSparse: useSparse))
    return useSparse ? candidate : dense
}
