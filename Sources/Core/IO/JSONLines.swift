// JSON Lines run logs: append one JSON document per line; read a whole log back.

import Foundation

/// Appends `value` as one line of JSON (plus a newline) to the file at `path`, creating it.
///
/// The line is written with a single `write` on a descriptor opened with `O_APPEND`, so lines from
/// an interrupted run are whole and concurrent appenders do not interleave within a line.
/// - Throws: `CoreError.badFile` naming the path when it cannot be opened or written.
public func appendJSONLine(_ path: String, _ value: JSONValue) throws {
    let bytes = Array((value.encoded() + "\n").utf8)
    _ = try writableFileMode(path)
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o644)
    guard fd >= 0 else { throw CoreError.badFile(path: path, message: "cannot open for appending: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    try writeAll(fd, bytes, path: path)
}

/// Reads a JSON Lines file: one document per non-blank line.
/// - Throws: `CoreError.badFile` for a missing file; `CoreError.badArgument` naming the path and
///   line for a line that is not valid JSON.
public func readJSONLines(_ path: String) throws -> [JSONValue] {
    let bytes = try readFileBytes(path)
    var values: [JSONValue] = []
    for (number, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if line.allSatisfy({ $0.isWhitespace }) { continue }
        values.append(try parseJSON(String(line), source: "\(path) line \(number + 1)"))
    }
    return values
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
    var done = 0
    while done < bytes.count {
        let wrote = bytes.withUnsafeBytes { raw in
            write(fd, raw.baseAddress.map { $0 + done }, bytes.count - done)
        }
        if wrote < 0 {
            if errno == EINTR { continue }
            throw CoreError.badFile(path: path, message: "write failed: \(String(cString: strerror(errno)))")
        }
        done += wrote
    }
}
