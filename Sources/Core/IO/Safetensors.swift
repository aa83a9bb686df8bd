// The safetensors checkpoint format: write Float32 tensors atomically; read and validate any dtype.

import Foundation
import Runtime

/// One tensor read from a safetensors file.
public struct SafetensorsEntry {
    /// The tensor's key, e.g. `"3.weight"`.
    public var name: String
    /// The element type stored in the file (the tensor is converted to Float32).
    public var dtype: SafetensorsDType
    /// The stored shape.
    public var shape: [Int]
    /// The values as Float32, of shape `shape`.
    public var tensor: Tensor<Float>
    /// The exact values of an integer or boolean tensor (Float32 holds integers exactly only up
    /// to 2²⁴: indices of a sparse tensor need these); nil for floating-point dtypes.
    public var integers: [Int64]?
}

/// What one tensor of a file to write holds.
public enum SafetensorsPayload {
    /// Float32 values, written as F32.
    case float32(Tensor<Float>)
    /// A vector of Int32 values, written as I32 (indices).
    case int32([Int32])
}

/// The contents of a safetensors file.
public struct SafetensorsContents {
    /// The tensors in file (data offset) order.
    public var tensors: [SafetensorsEntry]
    /// The `__metadata__` string map (empty when absent).
    public var metadata: [String: String]

    /// The entry named `name`, if any.
    public subscript(name: String) -> SafetensorsEntry? { tensors.first { $0.name == name } }
}

/// Writes named Float32 tensors as a safetensors file, atomically.
///
/// Layout: an 8-byte little-endian header length, a JSON header
/// `{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`
/// padded with spaces to a multiple of 8 bytes, then the tensors' little-endian bytes in order.
/// The file is written to a temporary file in the same directory, synced and renamed, so a
/// failure mid-write leaves any old file at `path` intact.
/// - Throws: `CoreError.badArgument` for an empty, duplicate or reserved name;
///   `CoreError.badFile` when the file cannot be written.
public func writeSafetensors(_ tensors: [(name: String, tensor: Tensor<Float>)], metadata: [String: String] = [:],
                             to path: String) throws {
    try writeSafetensors(tensors.map { ($0.name, .float32($0.tensor)) }, metadata: metadata, to: path, failAfter: nil)
}

/// Writes named tensors of Float32 and Int32 values as a safetensors file, atomically.
public func writeSafetensors(_ tensors: [(name: String, payload: SafetensorsPayload)], metadata: [String: String] = [:],
                             to path: String) throws {
    try writeSafetensors(tensors, metadata: metadata, to: path, failAfter: nil)
}

/// `writeSafetensors` with a test hook that fails the write after `failAfter` bytes.
func writeSafetensors(_ tensors: [(name: String, tensor: Tensor<Float>)], metadata: [String: String],
                      to path: String, failAfter: Int?) throws {
    try writeSafetensors(tensors.map { ($0.name, .float32($0.tensor)) }, metadata: metadata, to: path, failAfter: failAfter)
}

func writeSafetensors(_ tensors: [(name: String, payload: SafetensorsPayload)], metadata: [String: String],
                      to path: String, failAfter: Int?) throws {
    var seen = Set<String>()
    var members: [(key: String, value: JSONValue)] = []
    if !metadata.isEmpty {
        members.append(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
    }
    var offset = 0
    for (name, payload) in tensors {
        guard !name.isEmpty, name != "__metadata__" else {
            throw CoreError.badArgument(op: "save", message: "invalid tensor name '\(name)'")
        }
        guard seen.insert(name).inserted else {
            throw CoreError.badArgument(op: "save", message: "duplicate tensor name '\(name)'")
        }
        let (dtype, shape): (String, [Int]) = switch payload {
        case .float32(let tensor): ("F32", tensor.shape)
        case .int32(let values): ("I32", [values.count])
        }
        let end = offset + 4 * shape.reduce(1, *)
        members.append((name, .object([("dtype", .string(dtype)),
                                       ("shape", .array(shape.map { .int($0) })),
                                       ("data_offsets", .array([.int(offset), .int(end)]))])))
        offset = end
    }
    var header = Array(JSONValue.object(members).encoded().utf8)
    // Pad with spaces so the data start 8-byte aligned, as the reference implementation does.
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    try writeFileAtomically(path, failAfter: failAfter) { sink in
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try sink.write($0) }
        try sink.write(header)
        for (_, payload) in tensors {
            switch payload {
            case .float32(let tensor):
                #if _endian(little)
                try tensor.scalars.withUnsafeBytes { try sink.write($0) }
                #else
                try tensor.scalars.map { $0.bitPattern.littleEndian }.withUnsafeBytes { try sink.write($0) }
                #endif
            case .int32(let values):
                try values.map { $0.littleEndian }.withUnsafeBytes { try sink.write($0) }
            }
        }
    }
}

/// Reads a safetensors file, converting every tensor to Float32.
///
/// Checks everything before trusting it: the header length against the file size, the header as
/// a JSON object, each entry's dtype, shape and offsets (in range, not overlapping, and exactly
/// shape × dtype size bytes), and the metadata as a string map.
/// - Throws: `CoreError.badFile` naming the path and the problem for a missing, truncated or
///   corrupt file.
public func readSafetensors(_ path: String, token: CancellationToken? = nil) throws -> SafetensorsContents {
    let bytes = try readFileBytes(path, decompress: false, token: token)
    func bad(_ message: String) -> CoreError { CoreError.badFile(path: path, message: "not a valid safetensors file: \(message)") }
    guard bytes.count >= 8 else { throw bad("\(bytes.count) bytes, too short for the header length") }
    let headerLength = bytes.withUnsafeBytes { $0.loadLE(UInt64.self, at: 0) }
    guard headerLength <= UInt64(bytes.count - 8) else {
        throw bad("header length \(headerLength) exceeds the file size \(bytes.count) (truncated?)")
    }
    let dataStart = 8 + Int(headerLength)
    let dataSize = bytes.count - dataStart
    guard let headerText = String(validating: bytes[8..<dataStart], as: UTF8.self) else { throw bad("header is not UTF-8") }
    let header: JSONValue
    do { header = try parseJSON(headerText, source: "header") } catch { throw bad("header is not valid JSON (\(error))") }
    guard case let .object(members) = header else { throw bad("header is not a JSON object") }

    var metadata: [String: String] = [:]
    var entries: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)] = []
    var names = Set<String>()
    for (name, value) in members {
        guard names.insert(name).inserted else { throw bad("the header names '\(name)' twice") }
        if name == "__metadata__" {
            guard case let .object(pairs) = value else { throw bad("__metadata__ is not an object") }
            for (key, item) in pairs {
                guard case let .string(text) = item else { throw bad("__metadata__ value for '\(key)' is not a string") }
                metadata[key] = text
            }
            continue
        }
        guard case .string(let dtypeName)? = value["dtype"] else { throw bad("tensor '\(name)' has no dtype") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else { throw bad("tensor '\(name)' has unsupported dtype \(dtypeName)") }
        guard case .array(let shapeItems)? = value["shape"] else { throw bad("tensor '\(name)' has no shape") }
        var shape: [Int] = []
        for item in shapeItems {
            guard case let .int(extent) = item, extent >= 0 else { throw bad("tensor '\(name)' has an invalid shape") }
            shape.append(extent)
        }
        guard case .array(let offsets)? = value["data_offsets"], offsets.count == 2,
              case let .int(begin) = offsets[0], case let .int(end) = offsets[1] else {
            throw bad("tensor '\(name)' has no valid data_offsets")
        }
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw bad("tensor '\(name)' has data_offsets [\(begin), \(end)] outside the \(dataSize) data bytes (truncated?)")
        }
        let count: Int
        do { count = try Tensor<Float>.elementCount(of: shape, op: "load") } catch { throw bad("tensor '\(name)' is too large") }
        guard count * dtype.size == end - begin else {
            throw bad("tensor '\(name)' of shape \(Tensor<Float>.describe(shape)) and dtype \(dtype.rawValue) needs "
                + "\(count * dtype.size) bytes, its data_offsets span \(end - begin)")
        }
        entries.append((name, dtype, shape, begin, end))
    }
    entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
    for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.end {
        throw bad("tensors '\(previous.name)' and '\(next.name)' overlap")
    }

    var tensors: [SafetensorsEntry] = []
    tensors.reserveCapacity(entries.count)
    try bytes.withUnsafeBytes { raw in
        for entry in entries {
            try token?.check("while reading \(path)")
            let count = entry.end - entry.begin == 0 ? 0 : (entry.end - entry.begin) / entry.dtype.size
            let source = UnsafeRawBufferPointer(rebasing: raw[(dataStart + entry.begin)..<(dataStart + entry.end)])
            let scalars = [Float](unsafeUninitializedCapacity: count) { out, initialized in
                entry.dtype.decode(source, count: count, into: out)
                initialized = count
            }
            tensors.append(SafetensorsEntry(name: entry.name, dtype: entry.dtype, shape: entry.shape,
                                            tensor: Tensor(uncheckedShape: entry.shape, scalars: scalars),
                                            integers: entry.dtype.decodeIntegers(source, count: count)))
        }
    }
    return SafetensorsContents(tensors: tensors, metadata: metadata)
}
