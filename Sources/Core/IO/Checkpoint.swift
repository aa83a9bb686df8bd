// Network checkpoints in safetensors: every parameter and buffer by path, architecture in metadata.

/// Saves `net`'s parameters and buffers (masks, BatchNorm statistics) as tensors named by path,
/// with the architecture and weight layouts as JSON strings in `__metadata__`. Atomic: the old
/// file stays whole if the write fails.
/// - Throws: `CoreError.badFile` when the file cannot be written.
public func saveCheckpoint(_ net: any Layer<Float>, to path: String, metadata extra: [String: String] = [:]) throws {
    let params = net.namedParams.map { (name: $0.path, tensor: $0.param.value) }
    let buffers = net.namedBuffers.map { (name: $0.path, tensor: $0.buffer.value) }
    var metadata = extra
    metadata["format"] = "whittle"
    metadata["architecture"] = JSONValue.array(net.namedLayers.filter { !$0.path.isEmpty }.map {
        .object([("path", .string($0.path)), ("layer", .string($0.layer.description))])
    }).encoded()
    metadata["root"] = JSONValue.string(net.description).encoded()
    metadata["layouts"] = JSONValue.object([
        ("dense.weight", .string("[in, out]")), ("conv2d.weight", .string("[out, in, kh, kw]")),
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
/// - Returns: the number of tensors loaded.
/// - Throws: `CoreError.badFile` for an unreadable or corrupt file or any mismatch.
@discardableResult
public func loadCheckpoint(_ net: any Layer<Float>, from path: String) throws -> Int {
    let contents = try readSafetensors(path)
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
        // A pruned net's file has masks a fresh net lacks: say how to load it.
        let masks = contents.tensors.filter { $0.name.hasSuffix(".mask") && targets[$0.name] == nil }.map(\.name)
        let hint = masks.isEmpty ? "" : "\nthe file has masks (\(masks.map { "\"\($0)\"" }.joined(separator: ", "))): "
            + "call `masked(net)` first to give the net masks, then load the file"
        throw CoreError.badFile(path: path, message: "does not fit the net (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n  "
            + problems.joined(separator: "\n  ") + hint)
    }
    for entry in contents.tensors where found.contains(entry.name) { targets[entry.name]?.set(entry.tensor) }
    // The masks just loaded bind the weights just loaded: a weight the file holds non-zero under
    // a zero mask entry must not come back to life.
    enforceKeepMasks(net)
    return found.count
}
