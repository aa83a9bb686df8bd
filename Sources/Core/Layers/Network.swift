// Whole-network operations over any layer tree: paths, params, buffers, flat vectors, modes, summary.

/// One row of `summary(inputShape:)`, as Keras prints it.
public struct SummaryRow: Equatable, Sendable {
    /// The child's path ("0", "2.body"), or "" for a root that is not a container.
    public var path: String
    /// The layer's kind, e.g. "Dense".
    public var kind: String
    /// The layer's one-line description, e.g. "Dense(1568 -> 256, bias)".
    public var layer: String
    /// The output shape for the given input shape, batch axis included (batch 1).
    public var outputShape: [Int]
    /// Trainable scalars in this layer and its children.
    public var params: Int
}

extension Layer {
    // MARK: - Traversal

    /// Every layer of the tree with its path, depth first, the root first with path "".
    public var namedLayers: [(path: String, layer: any Layer<Scalar>)] {
        var out: [(String, any Layer<Scalar>)] = [("", self)]
        for (name, child) in children {
            for (path, layer) in child.namedLayers {
                out.append((path.isEmpty ? name : name + "." + path, layer))
            }
        }
        return out
    }

    /// This layer's own parameters followed by those of the gates on them, by local name: what
    /// the listings put under this layer's path (`weight`, `bias`, `mask_logit`).
    public var ownParams: [(name: String, param: Param<Scalar>)] {
        let local = localParams
        return local + local.flatMap { $0.param.gates.flatMap { $0.localParams } }
    }

    /// This layer's own buffers followed by those of the gates on its parameters (`mask`).
    public var ownBuffers: [(name: String, buffer: Buffer<Scalar>)] {
        localBuffers + localParams.flatMap { $0.param.gates.flatMap { $0.localBuffers } }
    }

    /// Every trainable parameter by path, in order (the `state_dict` order), each once: a
    /// parameter shared by several layers (a layer used twice, a template bank) is listed at its
    /// first path, which becomes its `Param.path`; its other paths are in `paramAliases`.
    public var namedParams: [(path: String, param: Param<Scalar>)] {
        var out: [(String, Param<Scalar>)] = []
        var seen = Set<ObjectIdentifier>()
        for (path, param) in allParamUses where seen.insert(ObjectIdentifier(param)).inserted {
            param.path = path
            out.append((path, param))
        }
        return out
    }

    /// The other paths of shared parameters: first path → the later paths it is also used under.
    public var paramAliases: [String: [String]] {
        var first: [ObjectIdentifier: String] = [:]
        var aliases: [String: [String]] = [:]
        for (path, param) in allParamUses {
            let key = ObjectIdentifier(param)
            if let f = first[key] { aliases[f, default: []].append(path) } else { first[key] = path }
        }
        return aliases
    }

    /// Every use of a parameter by path, repeats included.
    private var allParamUses: [(path: String, param: Param<Scalar>)] {
        var out: [(String, Param<Scalar>)] = []
        for (prefix, layer) in namedLayers {
            for (name, param) in layer.ownParams { out.append((prefix.isEmpty ? name : prefix + "." + name, param)) }
        }
        return out
    }

    /// The trainable parameters in order, each once.
    ///
    /// A closure, not `\.param`: a key path in unspecialised generic code is looked up at every
    /// call (8 % of a full-batch IRIS step).
    public var params: [Param<Scalar>] { namedParams.map { $0.param } }

    /// Every buffer by path (BatchNorm statistics, masks), each once, assigning `Buffer.path`.
    public var namedBuffers: [(path: String, buffer: Buffer<Scalar>)] {
        var out: [(String, Buffer<Scalar>)] = []
        var seen = Set<ObjectIdentifier>()
        for (prefix, layer) in namedLayers {
            for (name, buffer) in layer.ownBuffers where seen.insert(ObjectIdentifier(buffer)).inserted {
                let path = prefix.isEmpty ? name : prefix + "." + name
                buffer.path = path
                out.append((path, buffer))
            }
        }
        return out
    }

    /// The number of trainable scalars (buffers excluded).
    public var countParams: Int { params.reduce(0) { $0 + $1.count } }

    /// The parameter at `path`, e.g. `net.param("3.weight")`.
    public func param(_ path: String) -> Param<Scalar>? {
        namedParams.first { $0.path == path }?.param
    }

    /// The buffer at `path`, e.g. `net.buffer("3.mask")`.
    public func buffer(_ path: String) -> Buffer<Scalar>? {
        namedBuffers.first { $0.path == path }?.buffer
    }

    /// The layer at `path` ("" is the root), e.g. `net.layer(at: "2.body")`.
    public func layer(at path: String) -> (any Layer<Scalar>)? {
        namedLayers.first { $0.path == path }?.layer
    }

    // MARK: - Flat vectors

    /// All trainable parameters concatenated in path order as one rank-1 tensor.
    public func flatParams() -> Tensor<Scalar> {
        var all: [Scalar] = []
        all.reserveCapacity(countParams)
        for p in params { all.append(contentsOf: p.value.scalars) }
        return Tensor(uncheckedShape: [all.count], scalars: all)
    }

    /// Writes a flat vector (as made by `flatParams`) back into the parameters; entries a gate
    /// removes stay zero.
    /// - Throws: `CoreError.shapeMismatch` when the length is not `countParams`.
    public func setParams(_ vector: Tensor<Scalar>) throws {
        let ps = params
        let total = ps.reduce(0) { $0 + $1.count }
        guard vector.count == total else {
            throw CoreError.shapeMismatch(op: "set_params", shapes: [vector.shape, [total]],
                message: "expected \(total) values (count_params), got \(vector.count)")
        }
        var offset = 0
        for p in ps {
            p.value.scalars.replaceSubrange(0..<p.count, with: vector.scalars[offset..<(offset + p.count)])
            p.enforceKeepMask()
            offset += p.count
        }
    }

    // MARK: - Modes

    /// Puts every layer of the tree in training mode.
    public func train() { for (_, l) in namedLayers { l.isTraining = true } }
    /// Puts every layer of the tree in evaluation mode.
    public func eval() { for (_, l) in namedLayers { l.isTraining = false } }

    /// Freezes every parameter of this layer and its children (they become constants).
    public func freeze() { for p in params { p.isFrozen = true; p.grad = nil } }
    /// Unfreezes every parameter of this layer and its children.
    public func unfreeze() { for p in params { p.isFrozen = false } }

    // MARK: - Summary

    /// One row per child (per layer for a root that is not a container) with the output shape for
    /// an input of `inputShape` (without the batch axis; a batch of 1 is run in eval mode, and the
    /// previous modes are restored).
    /// - Throws: the layer error of the first layer the shape does not fit.
    public func summary(inputShape: [Int]) throws -> [SummaryRow] {
        let modes = namedLayers.map { ($0.layer, $0.layer.isTraining) }
        eval()
        defer { for (l, m) in modes { l.isTraining = m } }
        let shape = [1] + inputShape
        let count = try Tensor<Scalar>.elementCount(of: shape, op: "summary")
        let tape = Tape<Scalar>(recording: false)
        var x = tape.constant(Tensor(uncheckedShape: shape, scalars: [Scalar](repeating: 0, count: count)))
        if let sequential = self as? Sequential<Scalar> {
            var rows: [SummaryRow] = []
            for (i, layer) in sequential.layers.enumerated() {
                do { x = try layer.forward(x) } catch {
                    throw LayerError.wrap(error, index: i, kind: layer.kind, container: kind)
                }
                rows.append(SummaryRow(path: String(i), kind: layer.kind, layer: layer.description, outputShape: x.shape,
                                       params: layer.countParams))
            }
            return rows
        }
        x = try forward(x)
        return [SummaryRow(path: "", kind: kind, layer: description, outputShape: x.shape, params: countParams)]
    }
}
