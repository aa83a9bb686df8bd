// Pruned weights in a checkpoint as compressed sparse rows (`save(net, path, sparse: true)`): the file shrinks with sparsity and loads back bit-identical.
import Foundation

/// A Dense / Conv2D weight stored as CSR: the weight seen as rows × columns (its first axis by the
/// rest), the kept entries' values and column indices row by row, and where each row starts.
///
/// In the file: `<weight>.csr_values` (F32, one per kept entry), `<weight>.csr_columns` (I32, one per
/// kept entry), `<weight>.csr_rows` (I32, rows + 1 offsets), and the metadata key `sparse` mapping
/// each weight path to `{"shape": [...], "mask": "<layer>.mask" or null}`. When `mask` names the
/// weight's hard mask, the mask is the CSR pattern itself and is not stored again (the pattern then
/// keeps the mask's entries whose weight is 0, as explicit zeros).
struct SparseWeight {
    let path: String
    let shape: [Int]
    let values: [Float]
    let columns: [Int32]
    let rowStarts: [Int32]
    /// The hard-mask buffer the pattern stands for, if any.
    let maskPath: String?

    static let suffixes = (values: ".csr_values", columns: ".csr_columns", rows: ".csr_rows")

    /// The CSR form of `weight`, or nil when dense storage is no larger (or indices would not fit
    /// in 32 bits). The pattern is the hard mask's kept entries when the weight is zero wherever
    /// the mask removes (the mask is then not stored), else the weight's nonzeros.
    static func encode(_ weight: Param<Float>, mask: (path: String, values: Tensor<Float>)?) -> SparseWeight? {
        let shape = weight.value.shape
        guard shape.count >= 2, let rows = shape.first, rows > 0 else { return nil }
        let count = weight.value.count, columnCount = count / rows
        let w = weight.value.scalars
        var usesMask = false
        if let m = mask?.values.scalars, m.count == count {
            usesMask = !zip(w, m).contains { $0.0 != 0 && $0.1 == 0 }
        }
        let keep: (Int) -> Bool
        if usesMask, let m = mask?.values.scalars { keep = { m[$0] != 0 } } else { keep = { w[$0] != 0 } }
        var kept = 0
        for i in 0..<count where keep(i) { kept += 1 }
        // 8 bytes a kept entry and 4 a row, against 4 a weight (and 4 more for a dropped mask).
        let denseBytes = 4 * count * (usesMask ? 2 : 1)
        guard kept < Int(Int32.max), columnCount < Int(Int32.max), 8 * kept + 4 * (rows + 1) < denseBytes else { return nil }
        var values: [Float] = [], columns: [Int32] = [], rowStarts: [Int32] = [0]
        values.reserveCapacity(kept)
        columns.reserveCapacity(kept)
        rowStarts.reserveCapacity(rows + 1)
        for r in 0..<rows {
            for c in 0..<columnCount where keep(r * columnCount + c) {
                values.append(w[r * columnCount + c])
                columns.append(Int32(c))
            }
            rowStarts.append(Int32(values.count))
        }
        return SparseWeight(path: weight.path, shape: shape, values: values, columns: columns, rowStarts: rowStarts,
                            maskPath: usesMask ? mask?.path : nil)
    }

    var tensors: [(name: String, payload: SafetensorsPayload)] {
        [(path + Self.suffixes.values, .float32(Tensor(uncheckedShape: [values.count], scalars: values))),
         (path + Self.suffixes.columns, .int32(columns)), (path + Self.suffixes.rows, .int32(rowStarts))]
    }

    var metadata: (key: String, value: JSONValue) {
        (path, .object([("shape", .array(shape.map { .int($0) })), ("mask", maskPath.map { .string($0) } ?? .null)]))
    }
}

/// Every weight of `net` worth storing as CSR, with the mask buffers they make redundant.
func sparseWeights(_ net: any Layer<Float>) -> [SparseWeight] {
    _ = net.namedParams  // sets every Param.path
    return gatedLayers(net).compactMap { path, layer in
        let mask = layer.weight.gate(HardMask<Float>.self).map { (path.isEmpty ? "mask" : path + ".mask", $0.mask.value) }
        return SparseWeight.encode(layer.weight, mask: mask)
    }
}

/// Replaces the CSR triples of a file read by `readSafetensors` by the dense tensors they stand
/// for (and the masks their patterns stand for), checking every index first.
/// - Throws: `CoreError.badFile` for a missing part, an index out of range or offsets that do not
///   describe the values.
func expandSparseWeights(_ contents: inout SafetensorsContents, path: String) throws {
    guard let text = contents.metadata["sparse"] else { return }
    func bad(_ message: String) -> CoreError { CoreError.badFile(path: path, message: "its sparse weights are corrupt: \(message)") }
    guard case .object(let members)? = try? parseJSON(text, source: "sparse") else { throw bad("the `sparse` metadata is not a JSON object") }
    var byName: [String: Int] = [:]
    for (i, e) in contents.tensors.enumerated() { byName[e.name] = i }
    var consumed = Set<String>()
    var added: [SafetensorsEntry] = []
    for (weight, description) in members {
        guard case .array(let extents)? = description["shape"] else { throw bad("no shape for \(weight)") }
        let shape = try extents.map { (e: JSONValue) -> Int in
            guard case .int(let n) = e, n >= 0 else { throw bad("a bad shape for \(weight)") }
            return n
        }
        let count: Int
        do { count = try Tensor<Float>.elementCount(of: shape, op: "load") } catch { throw bad("\(weight) is too large") }
        guard let rows = shape.first, rows > 0, shape.count >= 2 else { throw bad("\(weight) is not a matrix") }
        let columnCount = count / rows
        let names = [weight + SparseWeight.suffixes.values, weight + SparseWeight.suffixes.columns, weight + SparseWeight.suffixes.rows]
        guard let vi = byName[names[0]], let ci = byName[names[1]], let ri = byName[names[2]] else {
            throw bad("\(weight) lacks one of \(names.joined(separator: ", "))")
        }
        let values = contents.tensors[vi].tensor.scalars
        guard contents.tensors[vi].integers == nil, let columns = contents.tensors[ci].integers,
              let starts = contents.tensors[ri].integers else {
            throw bad("\(weight): values must be floating point, columns and rows integers")
        }
        guard columns.count == values.count, starts.count == rows + 1, starts.first == 0, starts.last == Int64(values.count) else {
            throw bad("\(weight): \(values.count) values, \(columns.count) columns and \(starts.count) row offsets do not describe a [\(rows), \(columnCount)] matrix")
        }
        var dense = [Float](repeating: 0, count: count)
        var pattern = [Float](repeating: 0, count: count)
        for r in 0..<rows {
            let (begin, end) = (starts[r], starts[r + 1])
            guard begin <= end else { throw bad("\(weight): row offsets decrease at row \(r)") }
            for k in Int(begin)..<Int(end) {
                let c = columns[k]
                guard c >= 0, c < Int64(columnCount) else { throw bad("\(weight): column \(c) outside 0..<\(columnCount)") }
                dense[r * columnCount + Int(c)] = values[k]
                pattern[r * columnCount + Int(c)] = 1
            }
        }
        consumed.formUnion(names)
        added.append(SafetensorsEntry(name: weight, dtype: .f32, shape: shape, tensor: Tensor(uncheckedShape: shape, scalars: dense)))
        if case .string(let mask)? = description["mask"] {
            added.append(SafetensorsEntry(name: mask, dtype: .f32, shape: shape, tensor: Tensor(uncheckedShape: shape, scalars: pattern)))
        }
    }
    contents.tensors = contents.tensors.filter { !consumed.contains($0.name) } + added
}
