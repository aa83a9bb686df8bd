// The process's standard streams: terminal detection, width, colour policy, and writes that end quietly on a closed pipe.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the standard streams and the environment, read once at start.
struct Terminal {
    var stdinIsTerminal: Bool
    var stdoutIsTerminal: Bool
    var stderrIsTerminal: Bool
    /// `NO_COLOR` is set (to anything, even empty): never colour (https://no-color.org).
    var noColorRequested: Bool

    static func current() -> Terminal {
        Terminal(stdinIsTerminal: isatty(0) == 1,
                 stdoutIsTerminal: isatty(1) == 1,
                 stderrIsTerminal: isatty(2) == 1,
                 noColorRequested: getenv("NO_COLOR") != nil)
    }

    /// Colour on standard output only when it is a terminal and the user did not opt out.
    var colorOnStdout: Bool { stdoutIsTerminal && !noColorRequested }
    /// Colour on standard error only when it is a terminal and the user did not opt out.
    var colorOnStderr: Bool { stderrIsTerminal && !noColorRequested }

    /// Columns of the terminal behind `fd`, or nil when it is not a terminal or does not say.
    static func columns(of fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// Writes text to a file descriptor through C stdio; a closed reader (EPIPE) ends the program.
///
/// SIGPIPE is ignored (see `Signals`), so a write to a closed pipe fails with EPIPE instead of
/// killing the process; we then exit with status 0 without a message, like `head` expects.
struct StandardStream {
    let file: UnsafeMutablePointer<FILE>

    static let output = StandardStream(file: stdout)
    static let error = StandardStream(file: stderr)

    func write(_ text: String) {
        var text = text
        let written = text.withUTF8 { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            return fwrite(base, 1, bytes.count, file)
        }
        if written < text.utf8.count { endIfPipeClosed() }
    }

    func flush() {
        if fflush(file) != 0 { endIfPipeClosed() }
    }

    private func endIfPipeClosed() {
        if errno == EPIPE { _exit(0) }
    }
}
