// 2-d convolution of plain tensors (NCHW): the differentiable op on a tape that records nothing.

extension Tensor {
    /// Convolves `input` [N, C, H, W] with `weight` [O, C, kh, kw], adds `bias` [O] and optionally
    /// applies ReLU in the same pass: `Variable.conv2d` (the one implementation, with its direct,
    /// tap-by-tap and im2col paths) outside any differentiation.
    /// - Throws: `CoreError.shapeMismatch` naming input and weight shapes (or the bias shape);
    ///   `badArgument` for a bad stride or padding.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                              padding: Padding = .same, relu: Bool = false) throws -> Tensor {
        let tape = Tape<Scalar>(recording: false)
        return try tape.constant(input).conv2d(weight: tape.constant(weight), bias: bias.map { tape.constant($0) },
                                               stride: stride, padding: padding, relu: relu).value
    }
}
