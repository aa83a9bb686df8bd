// The geometry of a 2-d convolution or pooling window: padding rules, output size, validation.

/// How a convolution pads its input.
public enum Padding: Equatable, Sendable, CustomStringConvertible {
    /// Output extent `ceil(in / stride)`; the padding is split with the extra row/column at the
    /// bottom/right (TensorFlow's rule, also PyTorch's for stride 1).
    case same
    /// No padding: output extent `floor((in - kernel) / stride) + 1`.
    case valid
    /// `n` zeros on every side.
    case explicit(Int)

    public var description: String {
        switch self {
        case .same: return "\"same\""
        case .valid: return "\"valid\""
        case .explicit(let n): return "\(n)"
        }
    }
}

/// Every size of one NCHW convolution (or pooling window), validated once.
public struct ConvolutionGeometry: Equatable, Sendable {
    public let batch: Int, inChannels: Int, height: Int, width: Int
    public let outChannels: Int, kernelHeight: Int, kernelWidth: Int
    public let strideHeight: Int, strideWidth: Int
    /// Zeros added before the first row / column (the extra ones of "same" go after the last).
    public let padTop: Int, padLeft: Int
    public let outHeight: Int, outWidth: Int

    /// The shape of the output, `[batch, outChannels, outHeight, outWidth]`.
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    /// The inner size of the convolution, `inChannels · kernelHeight · kernelWidth`.
    public var patchSize: Int { inChannels &* kernelHeight &* kernelWidth }
    /// Output pixels per channel.
    public var outPlane: Int { outHeight &* outWidth }
    /// Input pixels per channel.
    public var inPlane: Int { height &* width }

    /// Geometry of convolving `input` [N, C, H, W] with `weight` [O, C, kh, kw] (plus a `bias` [O]
    /// when there is one: every convolution path checks it here, with one wording).
    /// - Throws: `CoreError.shapeMismatch` (op `op`) when ranks, channel counts or the bias shape
    ///   disagree or the kernel does not fit; `badArgument` for a stride below 1 or negative padding.
    public init(input: [Int], weight: [Int], bias: [Int]? = nil, stride: Int, padding: Padding,
                op: String = "conv2d") throws {
        guard input.count == 4, weight.count == 4, input[1] == weight[1] else {
            throw CoreError.shapeMismatch(op: op, shapes: [input, weight],
                message: "needs input [N, C, H, W] and weight [out, C, kh, kw], got \(Tensor<Float>.describe(input)) and \(Tensor<Float>.describe(weight))")
        }
        _ = try Tensor<Float>.elementCount(of: input, op: op)
        _ = try Tensor<Float>.elementCount(of: weight, op: op)
        try self.init(batch: input[0], channels: input[1], height: input[2], width: input[3],
                      outChannels: weight[0], kernelHeight: weight[2], kernelWidth: weight[3],
                      stride: stride, padding: padding, op: op, shapes: [input, weight])
        if let bias, bias != [weight[0]] {
            throw CoreError.shapeMismatch(op: op, shapes: [weight, bias],
                message: "bias must have shape [\(weight[0])] for weight \(Tensor<Float>.describe(weight)), got \(Tensor<Float>.describe(bias))")
        }
    }

    /// Geometry of a pooling window of `kernel × kernel` over `input` [N, C, H, W] (channels kept).
    public init(poolInput input: [Int], kernel: Int, stride: Int, op: String) throws {
        guard input.count == 4 else {
            throw CoreError.shapeMismatch(op: op, shapes: [input],
                message: "needs input [N, C, H, W], got \(Tensor<Float>.describe(input))")
        }
        _ = try Tensor<Float>.elementCount(of: input, op: op)
        try self.init(batch: input[0], channels: input[1], height: input[2], width: input[3],
                      outChannels: input[1], kernelHeight: kernel, kernelWidth: kernel,
                      stride: stride, padding: .valid, op: op, shapes: [input])
    }

    init(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int,
         kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Padding, op: String, shapes: [[Int]]) throws {
        guard kernelHeight >= 1, kernelWidth >= 1 else {
            throw CoreError.badArgument(op: op, message: "kernel must be at least 1×1, got \(kernelHeight)×\(kernelWidth)")
        }
        guard stride >= 1, stride <= 1 << 20 else {
            throw CoreError.badArgument(op: op, message: "stride must be between 1 and 2^20, got \(stride)")
        }
        for extent in [batch, channels, height, width, outChannels] where extent < 0 {
            throw CoreError.badArgument(op: op, message: "negative extent in shape \(Tensor<Float>.describe(shapes[0]))")
        }
        func extent(_ size: Int, _ k: Int) throws -> (out: Int, before: Int) {
            switch padding {
            case .same:
                let out = (size + stride - 1) / stride
                let total = Swift.max((out - 1) * stride + k - size, 0)
                return (out, total / 2)
            case .valid:
                guard size >= k else {
                    throw CoreError.shapeMismatch(op: op, shapes: shapes,
                        message: "kernel \(kernelHeight)×\(kernelWidth) is larger than the input \(height)×\(width)")
                }
                return ((size - k) / stride + 1, 0)
            case .explicit(let p):
                guard p >= 0, p <= 1 << 20 else {
                    throw CoreError.badArgument(op: op, message: "padding must be between 0 and 2^20, got \(p)")
                }
                guard size + 2 * p >= k else {
                    throw CoreError.shapeMismatch(op: op, shapes: shapes,
                        message: "kernel \(kernelHeight)×\(kernelWidth) is larger than the padded input \(height + 2 * p)×\(width + 2 * p)")
                }
                return ((size + 2 * p - k) / stride + 1, p)
            }
        }
        let (oh, pt) = try extent(height, kernelHeight)
        let (ow, pl) = try extent(width, kernelWidth)
        self.batch = batch; self.inChannels = channels; self.height = height; self.width = width
        self.outChannels = outChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = stride; self.strideWidth = stride
        self.padTop = pt; self.padLeft = pl
        self.outHeight = oh; self.outWidth = ow
        _ = try Tensor<Float>.elementCount(of: outputShape, op: op)
        _ = try Tensor<Float>.elementCount(of: [patchSize, oh, ow], op: op)
    }

    /// The output columns `x` whose input column `x·stride + kx - padLeft` lies inside the image.
    @inline(__always)
    func validColumns(_ kx: Int) -> Range<Int> {
        let lo = Swift.max(0, (padLeft - kx + strideWidth - 1) / strideWidth)
        let hi = Swift.min(outWidth, Swift.max(0, (width + padLeft - kx + strideWidth - 1) / strideWidth))
        return lo..<Swift.max(lo, hi)
    }

    /// The output rows `y` whose input row `y·stride + ky - padTop` lies inside the image.
    @inline(__always)
    func validRows(_ ky: Int) -> Range<Int> {
        let lo = Swift.max(0, (padTop - ky + strideHeight - 1) / strideHeight)
        let hi = Swift.min(outHeight, Swift.max(0, (height + padTop - ky + strideHeight - 1) / strideHeight))
        return lo..<Swift.max(lo, hi)
    }
}
