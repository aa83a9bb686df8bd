// Several parameters seen as one vector θ ∈ Rⁿ (IHT, its L₂ₛ estimate, the HT-stability check), with readable entry names.

/// The chosen parameters of a network laid end to end: entry `offset + i` of the vector is scalar
/// `i` of `entries[k].param` (in path order). IHT projects this vector; `l2s` and `ht_stable`
/// take gradients over it.
public struct FlatVector<Scalar: TensorScalar> {
    /// Each parameter with its path and where its scalars start in the vector.
    public var entries: [(path: String, param: Param<Scalar>, offset: Int)]
    /// n, the length of the vector.
    public var count: Int

    /// The parameters given, frozen ones left out (they are constants, not coordinates).
    public init(_ params: [(path: String, param: Param<Scalar>)]) {
        var out: [(path: String, param: Param<Scalar>, offset: Int)] = []
        var offset = 0
        for (path, p) in params where !p.isFrozen {
            out.append((path, p, offset))
            offset += p.count
        }
        entries = out
        count = offset
    }

    /// θ as one array.
    public var values: [Scalar] {
        var out = [Scalar](repeating: 0, count: count)
        for e in entries { out.replaceSubrange(e.offset..<(e.offset + e.param.count), with: e.param.value.scalars) }
        return out
    }

    /// Writes θ back (entries a gate removes stay zero).
    public func setValues(_ theta: [Scalar]) {
        for e in entries {
            e.param.value.scalars.replaceSubrange(0..<e.param.count, with: theta[e.offset..<(e.offset + e.param.count)])
            e.param.enforceKeepMask()
        }
    }

    /// ∇f as one array, from the parameters' `grad` (a parameter without one contributes zeros).
    public var gradients: [Scalar] {
        var out = [Scalar](repeating: 0, count: count)
        for e in entries {
            guard let g = e.param.grad, g.count == e.param.count else { continue }
            out.replaceSubrange(e.offset..<(e.offset + e.param.count), with: g.scalars)
        }
        return out
    }

    /// 0 where some gate removes the entry, 1 elsewhere (nil when no gate removes anything).
    public var keep: [Bool]? {
        var out: [Bool]?
        for e in entries {
            guard let mask = e.param.keepMask, mask.count == e.param.count else { continue }
            if out == nil { out = [Bool](repeating: true, count: count) }
            for i in 0..<mask.count where mask.scalars[i] == 0 { out?[e.offset + i] = false }
        }
        return out
    }

    /// The readable name of entry `index`: `w23` (row 2, column 3 of a rank-2 weight, from 1, as in
    /// the IHT paper), `b2` (bias entry 2), `w1,12` when an index passes 9, prefixed with the layer
    /// path when several layers take part (`2.w13`); other tensors as `path[i]`.
    public func name(of index: Int) -> String { names(of: [index])[0] }

    /// The names of several entries (see `name(of:)`).
    public func names(of indices: [Int]) -> [String] {
        let several = Set(entries.map { layerPath($0.path) }).count > 1
        return indices.map { name(of: $0, prefixed: several) }
    }

    private func name(of index: Int, prefixed: Bool) -> String {
        guard let e = entries.last(where: { $0.offset <= index }), index < e.offset + e.param.count else {
            return "#\(index)"
        }
        let local = index - e.offset
        let prefix = prefixed ? layerPath(e.path).map { $0 + "." } ?? "" : ""
        let shape = e.param.value.shape
        func join(_ parts: [Int]) -> String {
            parts.allSatisfy { $0 <= 9 } ? parts.map(String.init).joined() : parts.map(String.init).joined(separator: ",")
        }
        if e.param.role == .weight, shape.count == 2 {
            return prefix + "w" + join([local / shape[1] + 1, local % shape[1] + 1])
        }
        if e.param.role == .bias, shape.count == 1 { return prefix + "b" + String(local + 1) }
        return "\(e.path)[\(local)]"
    }

    /// "0" for "0.weight"; nil for a root parameter ("weight").
    private func layerPath(_ path: String) -> String? {
        guard let dot = path.lastIndex(of: ".") else { return nil }
        return String(path[..<dot])
    }
}

/// The full-batch loss f(θ) and its gradient over a `FlatVector`, evaluated on a private copy of
/// the network so the user's net is never touched (the L₂ₛ estimate, HT-stability).
public final class FlatObjective<Scalar: TensorScalar> {
    let net: any Layer<Scalar>
    /// The vector of the copy, laid out as the original's.
    public let vector: FlatVector<Scalar>
    let x: Tensor<Scalar>, y: Tensor<Scalar>
    let loss: Loss<Scalar>?

    /// - Parameters:
    ///   - net: the network (copied).
    ///   - paths: the parameters making up θ, by path (nil: every trainable parameter).
    /// - Throws: `CoreError.badArgument` for an empty data set or a path the net does not have.
    public init(net: any Layer<Scalar>, paths: [String]?, x: Tensor<Scalar>, y: Tensor<Scalar>,
                loss: Loss<Scalar>?, op: String) throws {
        guard x.rank >= 1, x.shape[0] > 0 else { throw CoreError.badArgument(op: op, message: "the data set is empty") }
        let copy = net.copy()
        let all = copy.namedParams
        if let paths {
            var chosen: [(path: String, param: Param<Scalar>)] = []
            for path in paths {
                guard let p = all.first(where: { $0.path == path }) else {
                    throw CoreError.badArgument(op: op, message: "the net has no parameter \(path)")
                }
                chosen.append(p)
            }
            vector = FlatVector(chosen)
        } else {
            vector = FlatVector(all)
        }
        self.net = copy
        self.x = x
        self.y = y
        self.loss = loss
    }

    /// n.
    public var count: Int { vector.count }

    /// f(θ) and ∇f(θ) (in Double) at `theta`.
    /// - Throws: a layer or loss error.
    public func valueAndGradient(at theta: [Scalar]) throws -> (value: Double, gradient: [Double]) {
        vector.setValues(theta)
        let tape = Tape<Scalar>()
        for p in net.params { _ = tape.variable(for: p) }
        let out = try net.forward(tape.constant(x))
        let value = try resolvedLoss(loss, output: out.shape, target: y).apply(out, y)
        try tape.backward(from: value)
        return (Double(value.value.scalars.first ?? .nan), vector.gradients.map { $0.doubleValue })
    }
}
