// Network checkpoints in safetensors: every parameter and buffer by path, architecture in metadata, Whittle's or PyTorch's layout.
import Runtime

/// How a checkpoint lays out its weights.
public enum CheckpointLayout: String, Sendable {
    /// Whittle's: Dense weights `[in, out]`, masks as `<layer>.mask` buffers.
    case whittle
    /// PyTorch's `state_dict`: Dense (`nn.Linear`) weights `[out, in]`, and no mask buffers (the
    /// masked entries are stored as zeros), so `load_state_dict(load_file(path))` accepts it for the
    /// equivalent `nn.Sequential`. Conv, BatchNorm and bias tensors are the same in both.
    case torch
}

/// The paths of the Dense weights of `net`: the tensors whose layout differs from PyTorch's.
func denseWeightPaths(_ net: any Layer<Float>) -> Set<String> {
    let listed = Set(net.namedParams.map { ObjectIdentifier($0.param) })  // also fixes each `path`
    return Set(net.namedLayers.compactMap { entry -> String? in
        guard let dense = entry.layer as? Dense<Float>, listed.contains(ObjectIdentifier(dense.weight)) else { return nil }
        return dense.weight.path
    })
}

/// Saves `net`'s parameters and buffers (masks, BatchNorm statistics) as tensors named by path,
/// with the architecture and weight layouts as JSON strings in `__metadata__`. Atomic: the old
/// file stays whole if the write fails.
/// With `sparse`, pruned Dense / Conv2D weights go in as compressed sparse rows where that is
/// smaller (see `SparseWeight`), their hard masks implied by the pattern.
/// - Throws: `CoreError.badFile` when the file cannot be written; `CoreError.badArgument` for a
///   sparse file in PyTorch's layout.
public func saveCheckpoint(_ net: any Layer<Float>, to path: String, metadata extra: [String: String] = [:],
                           layout: CheckpointLayout = .whittle, sparse: Bool = false) throws {
    if sparse && layout == .torch {
        throw CoreError.badArgument(op: "save", message: "sparse checkpoints are in Whittle's layout only (PyTorch's load_state_dict expects dense tensors)")
    }
    let dense = layout == .torch ? denseWeightPaths(net) : []
    let compressed = sparse ? sparseWeights(net) : []
    let compressedPaths = Set(compressed.map(\.path)), impliedMasks = Set(compressed.compactMap(\.maskPath))
    var params: [(name: String, payload: SafetensorsPayload)] = []
    for entry in net.namedParams {
        if compressedPaths.contains(entry.path) { continue }
        params.append((entry.path, .float32(dense.contains(entry.path) ? entry.param.value.transposed() : entry.param.value)))
    }
    params += compressed.flatMap(\.tensors)
    // PyTorch's load_state_dict refuses keys it does not know: masks are baked into the weights.
    let buffers = net.namedBuffers.filter { (layout == .whittle || !isMaskBuffer($0.path, in: net)) && !impliedMasks.contains($0.path) }
        .map { (name: $0.path, payload: SafetensorsPayload.float32($0.buffer.value)) }
    var metadata = extra
    if !compressed.isEmpty {
        metadata["sparse"] = JSONValue.object(compressed.map(\.metadata)).encoded()
    }
    metadata["format"] = layout == .whittle ? "whittle" : "whittle-torch"
    metadata["architecture"] = JSONValue.array(net.namedLayers.filter { !$0.path.isEmpty }.map {
        .object([("path", .string($0.path)), ("layer", .string($0.layer.description))])
    }).encoded()
    metadata["root"] = JSONValue.string(net.description).encoded()
    metadata["layouts"] = JSONValue.object([
        ("dense.weight", .string(layout == .whittle ? "[in, out]" : "[out, in]")), ("conv2d.weight", .string("[out, in, kh, kw]")),
        ("images", .string("NCHW")),
    ]).encoded()
    metadata["buffers"] = JSONValue.array(buffers.map { .string($0.name) }).encoded()
    try writeSafetensors(params + buffers, metadata: metadata, to: path)
}

/// Loads a checkpoint into `net` in place, by path.
///
/// Every name, shape and dtype is checked first and all mismatches are reported together; the
/// net changes only when everything fits. PyTorch's BatchNorm `num_batches_tracked` counters (and
/// any other `*.num_batches_tracked`) are accepted and ignored.
///
/// `layout` nil detects it: a file Whittle wrote says which in its metadata; any other file is
/// taken as PyTorch's when its Dense weights fit only transposed, or when every Dense weight is
/// square (then nothing in the file tells, and files without Whittle's metadata come from PyTorch).
/// - Returns: the number of tensors loaded.
/// - Throws: `CoreError.badFile` for an unreadable or corrupt file or any mismatch.
@discardableResult
public func loadCheckpoint(_ net: any Layer<Float>, from path: String, layout: CheckpointLayout? = nil,
                           token: CancellationToken? = nil) throws -> Int {
    var contents = try readSafetensors(path, token: token)
    try expandSparseWeights(&contents, path: path)
    let dense = denseWeightPaths(net)
    let chosen = layout ?? detectedLayout(contents, dense: dense, net: net)
    if chosen == .torch {
        for i in contents.tensors.indices where dense.contains(contents.tensors[i].name) && contents.tensors[i].shape.count == 2 {
            contents.tensors[i].tensor = contents.tensors[i].tensor.transposed()
            contents.tensors[i].shape = contents.tensors[i].tensor.shape
        }
    }
    // Parameters must be floating point; buffers (masks) may come as integers or booleans.
    var targets: [String: (shape: [Int], isParam: Bool, set: (Tensor<Float>) -> Void)] = [:]
    for (p, param) in net.namedParams { targets[p] = (param.value.shape, true, { param.value = $0 }) }
    for (p, buffer) in net.namedBuffers { targets[p] = (buffer.value.shape, false, { buffer.value = $0 }) }
    let floating: Set<SafetensorsDType> = [.f64, .f32, .f16, .bf16]
    var problems: [String] = []
    var found = Set<String>()
    for entry in contents.tensors {
        if entry.name.hasSuffix("num_batches_tracked") { continue }
        guard let target = targets[entry.name] else {
            problems.append("unexpected tensor \"\(entry.name)\" \(Tensor<Float>.describe(entry.shape))")
            continue
        }
        found.insert(entry.name)
        if entry.shape != target.shape {
            problems.append("\"\(entry.name)\": the file has shape \(Tensor<Float>.describe(entry.shape)), the net \(Tensor<Float>.describe(target.shape))")
        }
        if target.isParam, !floating.contains(entry.dtype) {
            problems.append("\"\(entry.name)\": dtype \(entry.dtype.rawValue) is not a floating-point type")
        }
    }
    for name in targets.keys.sorted() where !found.contains(name) {
        // A missing mask is fine when the file predates pruning; everything else must be there.
        if name.hasSuffix(".mask") { continue }
        problems.append("missing tensor \"\(name)\" \(Tensor<Float>.describe(targets[name]?.shape ?? []))")
    }
    guard problems.isEmpty else {
        // A pruned, sparsified or quantized net's file has gate tensors a fresh net lacks: say
        // how to give the net those gates before loading.
        let unexpected = contents.tensors.map(\.name).filter { targets[$0] == nil }
        let hints = gateTensorHints.compactMap { suffix, what, call -> String? in
            let names = unexpected.filter { $0.hasSuffix(suffix) }
            guard !names.isEmpty else { return nil }
            return "\nthe file has \(what) (\(names.map { "\"\($0)\"" }.joined(separator: ", "))): call \(call) first to give the net \(what), then load the file"
        }
        throw CoreError.badFile(path: path, message: "does not fit the net (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n  "
            + problems.joined(separator: "\n  ") + hints.joined())
    }
    for entry in contents.tensors where found.contains(entry.name) { targets[entry.name]?.set(entry.tensor) }
    // The masks just loaded bind the weights just loaded: a weight the file holds non-zero under
    // a zero mask entry must not come back to life.
    enforceKeepMasks(net)
    return found.count
}

/// The tensors a gate adds to a weight, by name suffix: what they are, and the call that gives a
/// fresh net those gates so its file loads.
private let gateTensorHints: [(suffix: String, what: String, call: String)] = [
    (".mask", "masks", "`masked(net)`"),
    (".mask_logit", "continuous-sparsification logits", "`masked(net, gate: \"cs\")`"),
    (".precision", "SMOL precision logits", "`quantized(net)`"),
    (".bits", "frozen bit maps", "`quantized(net)` and `freeze_precision(net)`"),
]

/// Whether the buffer at `path` is a gate's (a mask), as opposed to a layer's own (BatchNorm's).
private func isMaskBuffer(_ path: String, in net: any Layer<Float>) -> Bool {
    for (prefix, layer) in net.namedLayers {
        for (name, buffer) in layer.ownBuffers where !layer.localBuffers.contains(where: { $0.buffer === buffer }) {
            if (prefix.isEmpty ? name : prefix + "." + name) == path { return true }
        }
    }
    return false
}

/// The layout of a file read for `loadCheckpoint` when the caller does not say.
private func detectedLayout(_ contents: SafetensorsContents, dense: Set<String>, net: any Layer<Float>) -> CheckpointLayout {
    switch contents.metadata["format"] {
    case "whittle": return .whittle
    case "whittle-torch": return .torch
    default: break
    }
    var fitsAsIs = true, fitsTransposed = true, anyRectangular = false
    for entry in contents.tensors where dense.contains(entry.name) {
        guard let shape = net.param(entry.name)?.value.shape, shape.count == 2 else { continue }
        if shape[0] != shape[1] { anyRectangular = true }
        if entry.shape != shape { fitsAsIs = false }
        if entry.shape != [shape[1], shape[0]] { fitsTransposed = false }
    }
    if anyRectangular { return fitsTransposed && !fitsAsIs ? .torch : .whittle }
    return dense.isEmpty ? .whittle : .torch
}
