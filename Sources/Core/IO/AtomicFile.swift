// Writing a file atomically: a temporary file in the same directory, fsync, then rename over the target.

import Foundation

/// Receives the bytes of a file being written by `writeFileAtomically`.
public final class AtomicFileSink {
    let fd: Int32
    let path: String
    /// Bytes written so far.
    public private(set) var written = 0
    /// Test hook: fail with an I/O error once this many bytes have been written (simulates a full
    /// disk or a crash mid-write).
    var failAfter: Int?

    init(fd: Int32, path: String, failAfter: Int?) {
        self.fd = fd
        self.path = path
        self.failAfter = failAfter
    }

    /// Appends raw bytes.
    /// - Throws: `CoreError.badFile` naming the target path when the write fails.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            var chunk = min(bytes.count - done, 1 << 24)
            if let limit = failAfter {
                guard written < limit else {
                    throw CoreError.badFile(path: path, message: "write failed: simulated I/O error after \(limit) bytes")
                }
                chunk = min(chunk, limit - written)
            }
            let wrote = Foundation.write(fd, bytes.baseAddress.map { $0 + done }, chunk)
            if wrote < 0 {
                if errno == EINTR { continue }
                throw CoreError.badFile(path: path, message: "write failed: \(String(cString: strerror(errno)))")
            }
            done += wrote
            written += wrote
        }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// Writes the file at `path` so that it is either entirely the new content or untouched.
///
/// `body` writes into a new temporary file in the same directory; it is flushed to disk
/// (`fsync`) and renamed over `path`, and the directory is synced. If `body` or any step throws,
/// the temporary file is removed and the old file at `path` is left whole.
/// - Throws: `CoreError.badFile` naming `path`, or whatever `body` throws.
public func writeFileAtomically(_ path: String, _ body: (AtomicFileSink) throws -> Void) throws {
    try writeFileAtomically(path, failAfter: nil, body)
}

/// `writeFileAtomically` with a test hook that makes writes fail after `failAfter` bytes.
func writeFileAtomically(_ path: String, failAfter: Int?, _ body: (AtomicFileSink) throws -> Void) throws {
    let directory = (path as NSString).deletingLastPathComponent
    let base = (path as NSString).lastPathComponent
    guard !base.isEmpty else { throw CoreError.badFile(path: path, message: "not a file name") }
    var fd: Int32 = -1
    var temporary = ""
    for attempt in 0..<100 {
        temporary = (directory.isEmpty ? "" : directory + "/") + ".\(base).tmp-\(getpid())-\(attempt)"
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else {
        throw CoreError.badFile(path: path, message: "cannot create a file there: \(String(cString: strerror(errno)))")
    }
    var renamed = false
    defer {
        if fd >= 0 { close(fd) }
        if !renamed { unlink(temporary) }
    }
    try body(AtomicFileSink(fd: fd, path: path, failAfter: failAfter))
    guard fsync(fd) == 0 else { throw CoreError.badFile(path: path, message: "fsync failed: \(String(cString: strerror(errno)))") }
    close(fd)
    fd = -1
    guard rename(temporary, path) == 0 else {
        throw CoreError.badFile(path: path, message: "cannot replace the file: \(String(cString: strerror(errno)))")
    }
    renamed = true
    // Sync the directory so the rename itself survives a crash.
    let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
    if dirFD >= 0 {
        fsync(dirFD)
        close(dirFD)
    }
}
