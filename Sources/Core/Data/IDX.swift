// The IDX file format (MNIST, Fashion-MNIST): a big-endian header giving element type and shape.
import Runtime

/// Reads an IDX file (plain or gzip) as a Float32 tensor.
///
/// The header is two zero bytes, a type byte (0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32,
/// 0x0D float32, 0x0E float64), a rank byte, then one big-endian UInt32 extent per axis; the data
/// follow in row-major order, big-endian.
///
/// - Parameters:
///   - path: the `.idx` or `.gz` file.
///   - scaleBytes: divide unsigned-byte data by 255 (for images, giving values in [0, 1]).
/// - Throws: `CoreError.badFile` naming the path for a missing, truncated or malformed file.
public func readIDX(_ path: String, scaleBytes: Bool = false, token: CancellationToken? = nil) throws -> Tensor<Float> {
    let bytes = try readFileBytes(path, token: token)
    return try decodeIDX(bytes, path: path, scaleBytes: scaleBytes)
}

/// Decodes IDX bytes already in memory (see `readIDX`); `path` is used in error messages.
public func decodeIDX(_ bytes: [UInt8], path: String, scaleBytes: Bool = false) throws -> Tensor<Float> {
    guard bytes.count >= 4 else {
        throw CoreError.badFile(path: path, message: "truncated IDX file: \(bytes.count) bytes, no header")
    }
    guard bytes[0] == 0, bytes[1] == 0 else {
        throw CoreError.badFile(path: path, message: "not an IDX file (bad magic number)")
    }
    let typeCode = bytes[2]
    let rank = Int(bytes[3])
    let elementSize: Int
    switch typeCode {
    case 0x08, 0x09: elementSize = 1
    case 0x0B: elementSize = 2
    case 0x0C, 0x0D: elementSize = 4
    case 0x0E: elementSize = 8
    default:
        throw CoreError.badFile(path: path, message: "not an IDX file (unknown element type 0x\(String(typeCode, radix: 16)))")
    }
    let headerSize = 4 + 4 * rank
    guard bytes.count >= headerSize else {
        throw CoreError.badFile(path: path, message: "truncated IDX header: rank \(rank) needs \(headerSize) bytes, file has \(bytes.count)")
    }
    var shape: [Int] = []
    for axis in 0..<rank {
        let at = 4 + 4 * axis
        shape.append(Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]))
    }
    let count: Int
    do {
        count = try Tensor<Float>.elementCount(of: shape, op: "idx")
    } catch {
        throw CoreError.badFile(path: path, message: "IDX shape \(Tensor<Float>.describe(shape)) is too large")
    }
    let needed = headerSize + count * elementSize
    guard bytes.count >= needed else {
        throw CoreError.badFile(path: path,
            message: "truncated IDX data: shape \(Tensor<Float>.describe(shape)) needs \(needed) bytes, file has \(bytes.count)")
    }
    guard bytes.count == needed else {
        throw CoreError.badFile(path: path,
            message: "IDX file has \(bytes.count - needed) bytes after the data of shape \(Tensor<Float>.describe(shape))")
    }
    let scalars = [Float](unsafeUninitializedCapacity: count) { out, initialized in
        bytes.withUnsafeBufferPointer { raw in
            let src = UnsafeBufferPointer(rebasing: raw[headerSize...])
            switch typeCode {
            case 0x08:
                // Divide rather than multiply by 1/255: exactly NumPy's x / 255, and it vectorizes.
                if scaleBytes {
                    for i in 0..<count { out[i] = Float(src[i]) / 255 }
                } else {
                    for i in 0..<count { out[i] = Float(src[i]) }
                }
            case 0x09:
                for i in 0..<count { out[i] = Float(Int8(bitPattern: src[i])) }
            case 0x0B:
                for i in 0..<count {
                    out[i] = Float(Int16(bitPattern: UInt16(src[2 * i]) << 8 | UInt16(src[2 * i + 1])))
                }
            case 0x0C, 0x0D:
                for i in 0..<count {
                    let b = 4 * i
                    let word = UInt32(src[b]) << 24 | UInt32(src[b + 1]) << 16 | UInt32(src[b + 2]) << 8 | UInt32(src[b + 3])
                    out[i] = typeCode == 0x0C ? Float(Int32(bitPattern: word)) : Float(bitPattern: word)
                }
            default:
                for i in 0..<count {
                    var word: UInt64 = 0
                    for k in 0..<8 { word = word << 8 | UInt64(src[8 * i + k]) }
                    out[i] = Float(Double(bitPattern: word))
                }
            }
        }
        initialized = count
    }
    return Tensor(uncheckedShape: shape, scalars: scalars)
}

/// A data set from an IDX image file and an IDX label file (plain or gzip).
///
/// Unsigned-byte images are scaled to [0, 1]; images of shape `[N, H, W]` become NCHW
/// `[N, 1, H, W]`. Labels must be rank 1 and are class indices; the class count is one more than
/// the largest label.
/// - Throws: `CoreError.badFile` for unreadable files, `CoreError.shapeMismatch` when the counts differ.
public func idxDataset(images: String, labels: String, token: CancellationToken? = nil) throws -> Dataset {
    var x = try readIDX(images, scaleBytes: true, token: token)
    let y = try readIDX(labels, token: token)
    if x.rank == 3 { x = Tensor(uncheckedShape: [x.shape[0], 1, x.shape[1], x.shape[2]], scalars: x.scalars) }
    guard y.rank == 1 else {
        throw CoreError.badFile(path: labels, message: "labels must be rank 1, got shape \(Tensor<Float>.describe(y.shape))")
    }
    guard x.rank >= 1, x.shape[0] == y.shape[0] else {
        throw CoreError.shapeMismatch(op: "idx", shapes: [x.shape, y.shape],
            message: "\(images) has \(x.shape.first ?? 0) images but \(labels) has \(y.shape[0]) labels")
    }
    let top = y.scalars.max() ?? 0
    guard top >= 0, top < 1_000_000 else {
        throw CoreError.badFile(path: labels, message: "labels must be class indices in 0..<1000000")
    }
    return try Dataset(x: x, y: y, classCount: Int(top) + 1)
}
