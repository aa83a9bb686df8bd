// Reading whole files into memory, plain or gzip-compressed (through zlib), with errors naming the path.

import CZlib
import Foundation
import Runtime

/// Reads a whole file, decompressing it when it is gzip (zlib reads plain files unchanged).
///
/// - Parameters:
///   - path: the file to read.
///   - decompress: false reads the bytes exactly as stored (binary formats such as safetensors).
///   - token: checked between 8 MiB pieces so Ctrl-C stops a long read (the session's token).
/// - Returns: the (decompressed) bytes.
/// - Throws: `CoreError.badFile` naming the path when the file is missing, unreadable, or a
///   corrupt or truncated gzip stream; `Interrupted` when `token` is cancelled.
public func readFileBytes(_ path: String, decompress: Bool = true, token: CancellationToken? = nil) throws -> [UInt8] {
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

    // Inflate straight into the result, sized from the gzip trailer's length (mod 2^32) when
    // there is one, growing if the guess was short.
    var bytes = [UInt8](repeating: 0, count: max(Int(status.st_size), gzipSizeHint(path) ?? 0) + 1)
    var filled = 0
    while true {
        // Ctrl-C stops a long read between 8 MiB pieces.
        try token?.check("while reading \(path)")
        if filled == bytes.count { bytes += [UInt8](repeating: 0, count: bytes.count) }
        let room = UInt32(min(bytes.count - filled, 1 << 23))
        let got = bytes.withUnsafeMutableBytes { gzread(file, $0.baseAddress.map { $0 + filled }, room) }
        if got < 0 {
            throw CoreError.badFile(path: path, message: "corrupt or truncated gzip data (\(gzipError(file)))")
        }
        if got == 0 { break }
        filled += Int(got)
    }
    bytes.removeLast(bytes.count - filled)
    // A stream cut short ends without a read error on some zlib versions; gzerror still knows.
    var code: Int32 = 0
    _ = gzerror(file, &code)
    if code != Z_OK && code != Z_STREAM_END {
        throw CoreError.badFile(path: path, message: "corrupt or truncated gzip data (\(gzipError(file)))")
    }
    return bytes
}

/// The uncompressed size a gzip file records in its last four bytes; nil for other files.
private func gzipSizeHint(_ path: String) -> Int? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var magic = [UInt8](repeating: 0, count: 2)
    guard fread(&magic, 1, 2, file) == 2, magic == [0x1F, 0x8B], fseek(file, -4, SEEK_END) == 0 else { return nil }
    var trailer = [UInt8](repeating: 0, count: 4)
    guard fread(&trailer, 1, 4, file) == 4 else { return nil }
    let size = Int(trailer[0]) | Int(trailer[1]) << 8 | Int(trailer[2]) << 16 | Int(trailer[3]) << 24
    // Only a hint: a corrupt trailer must not make us allocate gigabytes.
    return size <= 1 << 30 ? size : nil
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
