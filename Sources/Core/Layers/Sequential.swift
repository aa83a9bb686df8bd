// Sequential: a chain of layers, the usual root of a network; children are numbered 0, 1, 2, ….

/// Layers applied one after another: y = fₙ(… f₁(f₀(x))).
///
/// Children are named by position among all children, parameter-free ones included, so paths
/// match PyTorch's `state_dict` (`3.weight`). An error inside a child is reported with its
/// position and kind: "in layer 3 (Dense) of Sequential: expected [*, 1568], got [64, 1500]".
public final class Sequential<Scalar: TensorScalar>: Layer {
    /// The layers in order.
    public private(set) var layers: [any Layer<Scalar>] { didSet { StructureRevision.advance() } }
    public var isTraining = true

    /// A chain of `layers`.
    public init(_ layers: [any Layer<Scalar>]) {
        self.layers = layers
    }

    /// Appends a layer at the end (its path is its new index).
    public func append(_ layer: any Layer<Scalar>) { layers.append(layer) }

    public var kind: String { "Sequential" }

    @_specialize(where Scalar == Float)
    public func forward(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        var x = input
        var i = 0
        while i < layers.count {
            let layer = layers[i]
            // Conv2D, ReLU, MaxPool run as one node, and a Dense/Conv2D followed by a ReLU as one
            // node: the same result without storing (and rereading) the activations in between.
            let reluNext = i + 1 < layers.count && layers[i + 1] is ReLU<Scalar>
            let pool = reluNext && i + 2 < layers.count ? layers[i + 2] as? MaxPool<Scalar> : nil
            let fused = reluNext ? layer as? any ReLUFusable<Scalar> : nil
            var consumed = 1
            do {
                if let conv = layer as? Conv2D<Scalar>, let pool, let y = try conv.forward(x, reluMaxPool: pool.size) {
                    x = y
                    consumed = 3
                } else if let fused {
                    x = try fused.forward(x, fusedReLU: true)
                    consumed = 2
                } else {
                    x = try layer.forward(x)
                }
            } catch {
                throw LayerError.wrap(error, index: i, kind: layer.kind, container: kind)
            }
            i += consumed
        }
        return x
    }

    public var children: [(name: String, layer: any Layer<Scalar>)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// A deep copy in which a layer used several times is copied once and used as often, and the
    /// layers that mixed one template bank mix one copy of it, so the copy shares what the
    /// original shares.
    public func copy() -> any Layer<Scalar> {
        var copies: [ObjectIdentifier: any Layer<Scalar>] = [:]
        let c = Sequential(layers.map { layer in
            let key = ObjectIdentifier(layer)
            if let done = copies[key] { return done }
            let made = layer.copy()
            copies[key] = made
            return made
        })
        c.isTraining = isTraining
        keepBanksShared(original: self, copy: c)
        return c
    }

    /// The kind and each child indented with its index, one per line.
    public var description: String {
        var lines = ["Sequential("]
        for (i, layer) in layers.enumerated() {
            let inner = layer.description.split(separator: "\n", omittingEmptySubsequences: false)
            lines.append("  (\(i)) " + (inner.first.map(String.init) ?? ""))
            for more in inner.dropFirst() { lines.append("  " + more) }
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }
}

extension Sequential: Explainable {
    public var explanation: Explanation {
        Explanation("Sequential", summary: "applies its \(layers.count) layers in order.",
                    formula: ["y = f_\(max(layers.count - 1, 0))(… f_1(f_0(x)))"],
                    numbers: [ExplainedValue("layers", layers.count), explainedParams, explainedMode] + explainedChildren)
    }
}
