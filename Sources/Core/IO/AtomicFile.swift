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
    let (directory, base) = try splitFilePath(path)
    let existingMode = try writableFileMode(path)
    let prefix = (directory.isEmpty ? "" : directory + "/") + ".\(base).tmp-"
    removeAbandonedTemporaries(directory: directory, base: base)
    var fd: Int32 = -1
    var temporary = ""
    for attempt in 0..<100 {
        temporary = prefix + "\(getpid())-\(attempt)"
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
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
    // The new file keeps the permissions of the one it replaces.
    if let existingMode { fchmod(fd, existingMode) }
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

/// The directory part (empty for a bare name) and the file name of `path`.
///
/// Done by hand: Foundation's `deletingLastPathComponent` traps on some one-character paths.
/// - Throws: `CoreError.badFile` when `path` names no file (`""`, `"x/"`, `"."`, `".."`).
func splitFilePath(_ path: String) throws -> (directory: String, base: String) {
    let directory: String, base: String
    if let slash = path.lastIndex(of: "/") {
        base = String(path[path.index(after: slash)...])
        let head = String(path[..<slash])
        directory = head.isEmpty ? "/" : head
    } else {
        directory = ""
        base = path
    }
    guard !base.isEmpty, base != ".", base != ".." else {
        throw CoreError.badFile(path: path, message: "not a file name")
    }
    return (directory, base)
}

/// The permission bits of the regular file at `path`, or nil when nothing is there yet (also used
/// before appending, where a FIFO would block and a device would take the data).
///
/// Only a regular file is replaced: renaming over a symbolic link, a FIFO, a device or a directory
/// would silently turn it into a plain file, and a read-only file stays read-only.
/// - Throws: `CoreError.badFile` naming what is at `path` when it is not a writable regular file.
func writableFileMode(_ path: String) throws -> mode_t? {
    var status = stat()
    guard lstat(path, &status) == 0 else {
        if errno == ENOENT { return nil }
        throw CoreError.badFile(path: path, message: String(cString: strerror(errno)))
    }
    let kind: String
    switch status.st_mode & S_IFMT {
    case S_IFREG:
        guard status.st_mode & 0o222 != 0 else {
            throw CoreError.badFile(path: path, message: "the file is read-only")
        }
        return status.st_mode & 0o7777
    case S_IFLNK: kind = "a symbolic link"
    case S_IFDIR: kind = "a directory"
    case S_IFIFO: kind = "a FIFO"
    case S_IFCHR, S_IFBLK: kind = "a device"
    case S_IFSOCK: kind = "a socket"
    default: kind = "not a regular file"
    }
    throw CoreError.badFile(path: path, message: "refusing to write to \(kind): only regular files are written")
}

/// Deletes the `.<base>.tmp-PID-N` files that writes killed mid-way left behind: those of
/// processes that no longer exist. A live process's temporary is its write in progress.
func removeAbandonedTemporaries(directory: String, base: String) {
    let prefix = ".\(base).tmp-"
    guard let dir = opendir(directory.isEmpty ? "." : directory) else { return }
    defer { closedir(dir) }
    var abandoned: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard name.hasPrefix(prefix) else { continue }
        let parts = name.dropFirst(prefix.count).split(separator: "-")
        guard parts.count == 2, let pid = Int32(parts[0]), Int(parts[1]) != nil else { continue }
        if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH { abandoned.append(name) }
    }
    for name in abandoned { unlink((directory.isEmpty ? "" : directory + "/") + name) }
}
