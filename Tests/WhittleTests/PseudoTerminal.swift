// Test helper: runs `whittle` on a pseudo-terminal, types into it and waits for expected text.
import Foundation
import XCTest

/// A child process whose standard streams are the slave side of a new pseudo-terminal, which is also
/// its controlling terminal (so Ctrl-C typed on it sends SIGINT, as in a real terminal).
final class PseudoTerminal {
    let pid: pid_t
    private let master: Int32
    /// Everything the child wrote so far, escape sequences included.
    private(set) var raw = ""

    /// Starts `whittle arguments...` on a fresh 80×24 terminal with `environment`.
    init(arguments: [String] = [], environment: [String: String]) throws {
        // posix_openpt/unlockpt/ptsname are hidden from Swift's Glibc; use the Linux ioctls directly.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0, number: UInt32 = 0
        let TIOCSPTLCK: UInt = 0x4004_5431, TIOCGPTN: UInt = 0x8004_5430
        guard master >= 0, ioctl(master, TIOCSPTLCK, &unlock) == 0, ioctl(master, TIOCGPTN, &number) == 0
        else { throw POSIXError(.ENXIO) }
        let slaveName = "/dev/pts/\(number)"
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        var size = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // After setsid (below), opening the slave without O_NOCTTY makes it the controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slaveName, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        let setsid: Int16 = 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26), not exported to Swift
        posix_spawnattr_setflags(&attributes, setsid)

        let argv = [Whittle.executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var child: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnvp in
                posix_spawn(&child, Whittle.executable, &actions, &attributes, cArgv, cEnvp)
            }
        }
        guard status == 0 else {
            close(master)
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL)
        }
        pid = child
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(master)
    }

    /// Types `text` (use "\r" for Enter, "\u{3}" for Ctrl-C, "\u{4}" for Ctrl-D, "\t" for Tab).
    ///
    /// libedit prints the prompt a moment before it puts the terminal in raw mode; a control key
    /// typed in between meets the cooked terminal (Ctrl-D there is lost), so let the editor settle.
    func type(_ text: String) {
        Thread.sleep(forTimeInterval: 0.1)
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeMutableBytes { write(master, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
        bytes.removeAll()
    }

    /// Puts the terminal in the canonical, echoing mode a shell leaves it in.
    func setCookedMode() {
        var mode = termios()
        tcgetattr(master, &mode)
        mode.c_lflag |= tcflag_t(ICANON | ECHO | ECHOE | ISIG | IEXTEN)
        mode.c_iflag |= tcflag_t(ICRNL)
        mode.c_oflag |= tcflag_t(OPOST | ONLCR)
        tcsetattr(master, TCSANOW, &mode)
    }

    /// Screen text so far without escape sequences, carriage returns or bells.
    var text: String { Self.plain(raw) }

    /// Reads until `predicate(text)` holds or `timeout` seconds pass; returns whether it held.
    @discardableResult
    func wait(timeout: Double = 20, until predicate: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if predicate(text) { return true }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, Int32(min(left, 0.2) * 1000)) > 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                if n <= 0 { return predicate(text) }  // the child closed the terminal
                raw += String(decoding: buffer[0..<n], as: UTF8.self)
            }
        }
    }

    /// Waits until the text after position `from` contains `needle`.
    @discardableResult
    func wait(for needle: String, after from: Int = 0, timeout: Double = 20) -> Bool {
        wait(timeout: timeout) { String($0.dropFirst(from)).contains(needle) }
    }

    /// Waits for the child to exit and returns its status, or nil after `timeout`.
    func exitStatus(timeout: Double = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            wait(timeout: 0.05) { _ in false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            }
        }
        return nil
    }

    /// Removes CSI / OSC / two-byte escape sequences, carriage returns and bells.
    static func plain(_ s: String) -> String {
        var out = ""
        var it = s.unicodeScalars.makeIterator()
        while let c = it.next() {
            switch c {
            case "\u{1B}":
                guard let next = it.next() else { break }
                if next == "[" {
                    while let p = it.next(), !(0x40...0x7E).contains(p.value) {}
                } else if next == "]" {
                    while let p = it.next(), p != "\u{7}" {}
                }
            case "\r", "\u{7}", "\u{1}":
                continue
            default:
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

// MARK: - Driving the prompt

extension PseudoTerminal {
    /// How every prompt ends (`whittle[3]> `).
    static let promptEnd = "]> "

    /// Starts the prompt and waits for its first `whittle[1]> `.
    static func prompt(arguments: [String] = [], environment: [String: String]) throws -> PseudoTerminal {
        let terminal = try PseudoTerminal(arguments: arguments, environment: environment)
        XCTAssertTrue(terminal.wait(for: "whittle[1]> "), "no prompt; saw: \(terminal.text)")
        return terminal
    }

    /// Types a line and waits for `expect` in its output and then the next prompt.
    func enter(_ line: String, expect: String, file: StaticString = #filePath, line number: UInt = #line) {
        let mark = text.count
        type(line + "\r")
        XCTAssertTrue(wait(timeout: 20) { text in
            let after = String(text.dropFirst(mark))
            if expect.isEmpty { return after.contains("\nwhittle[") && after.hasSuffix(Self.promptEnd) }
            guard let found = after.range(of: expect) else { return false }
            return expect.hasSuffix(Self.promptEnd) || after[found.upperBound...].contains(Self.promptEnd)
        }, "expected \(expect.debugDescription) after \(line.debugDescription); saw: \(text)", file: file, line: number)
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
