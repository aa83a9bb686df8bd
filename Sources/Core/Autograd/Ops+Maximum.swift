// Differentiable element-wise maximum and minimum of two operands, with broadcasting.

extension Variable {
    /// The larger of `self` and `other` at each broadcast position; the gradient goes to the
    /// larger operand (to `self` on ties); NaN propagates as in the tensor kernel).
    @_specialize(where Scalar == Float)
    public func maximum(_ other: Variable) throws -> Variable { try extreme(other, larger: true) }

    /// The smaller of `self` and `other` at each broadcast position (the gradient as `maximum`).
    @_specialize(where Scalar == Float)
    public func minimum(_ other: Variable) throws -> Variable { try extreme(other, larger: false) }

    private func extreme(_ other: Variable, larger: Bool) throws -> Variable {
        try Variable.sameTape(self, other, op: larger ? "maximum" : "minimum")
        let a = value, b = other.value
        let y = try a.binary(larger ? .maximum : .minimum, b)
        // 1 where self wins, at every broadcast position. Masks rather than `select`'s products,
        // so an infinite loser does not turn the result into NaN.
        let wins = try a.binary(larger ? .greaterEqual : .lessEqual, b)
        let (ia, ib) = (id, other.id), (na, nb) = (requiresGrad, other.requiresGrad)
        return tape.record(y, inputs: [self, other]) {
            { g in
                var out: [(Int, Tensor<Scalar>)] = []
                if na { out.append((ia, try g.binary(.multiply, wins).reduceToShape(a.shape))) }
                if nb { out.append((ib, try g.binary(.multiply, wins.map { 1 - $0 }).reduceToShape(b.shape))) }
                return out
            }
        }
    }
}
