// Σ|x|ᵖ for p = 1 or 2 as one node: the weight penalties of a training hook, one pass each way.

extension Variable {
    /// Σ|x| (p = 1) or Σx² (p = 2) over every element, as one node (a penalty on a whole weight
    /// tensor, at every step, should not build and reread three temporaries of its size). The sum
    /// runs in Double. Backward: sgn(x)·g (sgn 0 = 0) or 2x·g.
    /// - Throws: `CoreError.badArgument` for another p.
    @_specialize(where Scalar == Float)
    public func powerSum(_ p: Int) throws -> Variable {
        guard p == 1 || p == 2 else {
            throw CoreError.badArgument(op: "power_sum", message: "p must be 1 or 2, got \(p)")
        }
        let x = value
        var total = 0.0
        x.scalars.withUnsafeBufferPointer { px in
            // Blocks of Float sums added in Double: exact enough, and the loop vectorises.
            var start = 0
            while start < px.count {
                let end = Swift.min(px.count, start &+ 4096)
                var block: Scalar = 0
                if p == 1 { for i in start..<end { block += Swift.abs(px[i]) } } else { for i in start..<end { block += px[i] * px[i] } }
                total += block.doubleValue
                start = end
            }
        }
        let i = id
        return tape.record(Tensor(scalar: Scalar(total)), inputs: [self]) {
            { g in
                let gs = g.scalars[0]
                var out = [Scalar](repeating: 0, count: x.count)
                x.scalars.withUnsafeBufferPointer { px in
                    out.withUnsafeMutableBufferPointer { po in
                        if p == 1 {
                            for j in 0..<po.count { po[j] = px[j] > 0 ? gs : (px[j] < 0 ? -gs : 0) }
                        } else {
                            let twice = 2 * gs
                            for j in 0..<po.count { po[j] = twice * px[j] }
                        }
                    }
                }
                return [(i, Tensor(uncheckedShape: x.shape, scalars: out))]
            }
        }
    }
}
