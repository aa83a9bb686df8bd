// bake(net): folding every gate into its weight and removing the gates, as PyTorch's prune.remove.

/// Replaces each gated weight by what its layer uses (the weight after its gates in force) and
/// removes the gates, so the net computes the same function with plain weights: a hard mask or a
/// CS gate in hard mode leaves exact zeros, a CS gate in soft mode folds c·σ(βs) in, a gate that is
/// off is dropped without effect.
/// - Returns: the number of gates removed.
/// - Throws: a gate's error when it cannot be applied.
@discardableResult
public func bake<S: TensorScalar>(_ net: any Layer<S>) throws -> Int {
    var removed = 0
    for (_, layer) in gatedLayers(net) where !layer.weight.gates.isEmpty {
        let tape = Tape<S>(recording: false)
        let folded = try tape.gatedVariable(for: layer.weight).value
        removed += layer.weight.removeGates()
        layer.weight.value = folded
    }
    return removed
}
