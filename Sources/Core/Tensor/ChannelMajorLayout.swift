// The channel-major layout of a convolution GEMM's output, and its conversions to and from NCHW.

/// Where a GEMM-based convolution keeps its output: row o (one per channel) holds every sample's
/// plane back to back, `plane` scalars per sample and `rowStride` per image row, so
/// Y[o][n·plane + y·rowStride + x] is pixel (y, x) of sample n. im2col writes the planes densely
/// (rowStride = width); the tap-by-tap GEMMs write them on the padded grid.
struct ChannelMajorLayout: Sendable {
    let batch: Int, channels: Int, height: Int, width: Int
    let rowStride: Int, plane: Int
    /// The length of one channel's row: batch · plane.
    var columns: Int { batch &* plane }

    /// out[n, o, y, x] = Y[o][…] + bias[o], then ReLU when asked; parallel over the batch.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func toNCHW<S: TensorScalar>(_ y: UnsafePointer<S>, bias: UnsafePointer<S>?, relu: Bool,
                                 into out: UnsafeMutablePointer<S>) {
        let (h, w) = (height, width)
        Tensor<S>.concurrentRows(batch) { n in
            for o in 0..<channels {
                let b = bias?[o] ?? 0
                let source: Int = o &* columns &+ n &* plane, target: Int = (n &* channels &+ o) &* h &* w
                for row in 0..<h {
                    let s = y + (source &+ row &* rowStride), d = out + (target &+ row &* w)
                    if relu {
                        // `< 0` so NaN passes through, as in PyTorch.
                        for i in 0..<w { let v = s[i] + b; d[i] = v < 0 ? 0 : v }
                    } else {
                        for i in 0..<w { d[i] = s[i] + b }
                    }
                }
            }
        }
    }

    /// Y[o][…] from an NCHW tensor, zero at the positions outside the image (padding).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    func fromNCHW<S: TensorScalar>(_ x: UnsafePointer<S>, into y: UnsafeMutablePointer<S>) {
        let (h, w) = (height, width)
        let dense = rowStride == w && plane == h &* w
        Tensor<S>.concurrentRows(batch) { n in
            for o in 0..<channels {
                let target: Int = o &* columns &+ n &* plane, source: Int = (n &* channels &+ o) &* h &* w
                if dense { (y + target).update(from: x + source, count: plane); continue }
                (y + target).update(repeating: 0, count: plane)
                for row in 0..<h { (y + (target &+ row &* rowStride)).update(from: x + (source &+ row &* w), count: w) }
            }
        }
    }
}
