// The element types of the safetensors format and their conversion to Float32.

/// A safetensors element type (`"F32"`, `"BF16"`, …), its size, and its conversion to Float.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// The exact values of an integer or boolean tensor; nil for floating-point dtypes. (u64
    /// values above Int64.max wrap: nothing Whittle writes or reads as an index is that large.)
    func decodeIntegers(_ src: UnsafeRawBufferPointer, count: Int) -> [Int64]? {
        switch self {
        case .f64, .f32, .f16, .bf16: return nil
        case .i64: return (0..<count).map { Int64(bitPattern: src.loadLE(UInt64.self, at: 8 * $0)) }
        case .i32: return (0..<count).map { Int64(Int32(bitPattern: src.loadLE(UInt32.self, at: 4 * $0))) }
        case .i16: return (0..<count).map { Int64(Int16(bitPattern: src.loadLE(UInt16.self, at: 2 * $0))) }
        case .i8: return (0..<count).map { Int64(Int8(bitPattern: src[$0])) }
        case .u64: return (0..<count).map { Int64(bitPattern: src.loadLE(UInt64.self, at: 8 * $0)) }
        case .u32: return (0..<count).map { Int64(src.loadLE(UInt32.self, at: 4 * $0)) }
        case .u16: return (0..<count).map { Int64(src.loadLE(UInt16.self, at: 2 * $0)) }
        case .u8: return (0..<count).map { Int64(src[$0]) }
        case .bool: return (0..<count).map { src[$0] != 0 ? 1 : 0 }
        }
    }

    /// Converts `count` little-endian elements starting at `src` to Float (integers and booleans
    /// exactly where Float can hold them, doubles rounded).
    func decode(_ src: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .f32:
            for i in 0..<count { out[i] = Float(bitPattern: src.loadLE(UInt32.self, at: 4 * i)) }
        case .f64:
            for i in 0..<count { out[i] = Float(Double(bitPattern: src.loadLE(UInt64.self, at: 8 * i))) }
        case .f16:
            for i in 0..<count { out[i] = floatFromHalf(src.loadLE(UInt16.self, at: 2 * i)) }
        case .bf16:
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(src.loadLE(UInt16.self, at: 2 * i)) << 16) }
        case .i64:
            for i in 0..<count { out[i] = Float(Int64(bitPattern: src.loadLE(UInt64.self, at: 8 * i))) }
        case .i32:
            for i in 0..<count { out[i] = Float(Int32(bitPattern: src.loadLE(UInt32.self, at: 4 * i))) }
        case .i16:
            for i in 0..<count { out[i] = Float(Int16(bitPattern: src.loadLE(UInt16.self, at: 2 * i))) }
        case .i8:
            for i in 0..<count { out[i] = Float(Int8(bitPattern: src[i])) }
        case .u64:
            for i in 0..<count { out[i] = Float(src.loadLE(UInt64.self, at: 8 * i)) }
        case .u32:
            for i in 0..<count { out[i] = Float(src.loadLE(UInt32.self, at: 4 * i)) }
        case .u16:
            for i in 0..<count { out[i] = Float(src.loadLE(UInt16.self, at: 2 * i)) }
        case .u8:
            for i in 0..<count { out[i] = Float(src[i]) }
        case .bool:
            for i in 0..<count { out[i] = src[i] != 0 ? 1 : 0 }
        }
    }
}

/// IEEE 754 half precision bits to Float (subnormals, infinities and NaN included).
func floatFromHalf(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa · 2^-24.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign != 0 ? -magnitude : magnitude
    case 0x1F:
        return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    default:
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
    }
}

extension UnsafeRawBufferPointer {
    /// A little-endian integer at a byte offset that may be unaligned.
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
