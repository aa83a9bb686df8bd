// Reading whole files into memory, plain or gzip-compressed (through zlib), with errors naming the path.

import CZlib
import Foundation

/// Reads a whole file, decompressing it when it is gzip (zlib reads plain files unchanged).
///
/// - Parameters:
///   - path: the file to read.
///   - decompress: false reads the bytes exactly as stored (binary formats such as safetensors).
/// - Returns: the (decompressed) bytes.
/// - Throws: `CoreError.badFile` naming the path when the file is missing, unreadable, or a
///   corrupt or truncated gzip stream.
public func readFileBytes(_ path: String, decompress: Bool = true) throws -> [UInt8] {
    var status = stat()
    guard stat(path, &status) == 0 else {
        throw CoreError.badFile(path: path, message: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
        throw CoreError.badFile(path: path, message: "not a regular file")
    }
    if !decompress { return try readPlainBytes(path, size: Int(status.st_size)) }
    guard let file = gzopen(path, "rb") else {
        throw CoreError.badFile(path: path, message: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { gzclose(file) }
    gzbuffer(file, 1 << 20)

    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(status.st_size))
    let chunkSize = 1 << 22
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    while true {
        let got = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(chunkSize)) }
        if got < 0 {
            throw CoreError.badFile(path: path, message: "corrupt or truncated gzip data (\(gzipError(file)))")
        }
        if got == 0 { break }
        chunk.withUnsafeBufferPointer { bytes.append(contentsOf: $0.prefix(Int(got))) }
    }
    // A stream cut short ends without a read error on some zlib versions; gzerror still knows.
    var code: Int32 = 0
    _ = gzerror(file, &code)
    if code != Z_OK && code != Z_STREAM_END {
        throw CoreError.badFile(path: path, message: "corrupt or truncated gzip data (\(gzipError(file)))")
    }
    return bytes
}

/// The bytes of a plain file of (about) `size` bytes, read with `read(2)`.
private func readPlainBytes(_ path: String, size: Int) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CoreError.badFile(path: path, message: "cannot open: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: size)
    var done = 0
    while done < size {
        let got = bytes.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress.map { $0 + done }, size - done) }
        if got < 0 {
            if errno == EINTR { continue }
            throw CoreError.badFile(path: path, message: "read failed: \(String(cString: strerror(errno)))")
        }
        if got == 0 { break }
        done += got
    }
    // A file that shrank while being read keeps only what was there.
    if done < size { bytes.removeLast(size - done) }
    return bytes
}

/// The message zlib keeps for the last error on `file`.
private func gzipError(_ file: gzFile) -> String {
    var code: Int32 = 0
    guard let text = gzerror(file, &code) else { return "unknown error" }
    return String(cString: text)
}

/// True when `path` names an existing file or directory.
public func fileExists(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0
}
