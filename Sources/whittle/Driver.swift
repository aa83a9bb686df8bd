// Runs what the command line asked for through one Session and turns its outcome into an exit status.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Builtins
import Runtime

/// The exit statuses of REPL-AND-CLI.md.
enum ExitStatus {
    static let success: Int32 = 0
    static let runtimeError: Int32 = 1
    static let usage: Int32 = 2
    static let interrupted: Int32 = 130

    /// 0 success, 1 runtime error, 2 syntax error, 130 interrupted, n after `exit(n)`.
    static func of(_ outcome: Session.Outcome) -> Int32 {
        switch outcome {
        case .success: return success
        case .runtimeError: return runtimeError
        case .syntaxError: return usage
        case .interrupted: return interrupted
        case .exit(let status): return status
        }
    }
}

/// One run of the executable, from a parsed command line to an exit status.
struct Driver {
    let invocation: Invocation
    let terminal: Terminal

    func run() -> Int32 {
        let progress = installProgress()
        let session = makeSession(progress: progress)
        switch invocation.mode {
        case .check(let paths):
            return check(paths, in: session)
        case .code(let code):
            return ExitStatus.of(session.runCode(code))
        case .script(let path):
            let source: String
            switch readSource(path) {
            case .success(let text): source = text
            case .failure(let status): return status
            }
            let outcome = session.runScript(source: source, path: path)
            guard invocation.interactive else { return ExitStatus.of(outcome) }
            if case .exit(let status) = outcome { return status }
            return prompt(session)
        case .prompt:
            if terminal.stdinIsTerminal || invocation.interactive { return prompt(session) }
            switch readStandardInput() {
            case .success(let source): return ExitStatus.of(session.runScript(source: source, path: "<stdin>"))
            case .failure(let status): return status
            }
        }
    }

    // MARK: - Set-up

    private func makeSession(progress: ProgressBar?) -> Session {
        var options = Session.Options()
        options.seed = invocation.seed
        options.settings = invocation.settings
        options.args = invocation.args
        options.quiet = invocation.quiet
        options.reportPath = getenv("WHITTLE_REPORT").map { String(cString: $0) }
        options.color = terminal.colorOnStdout && terminal.colorOnStderr
        options.width = Terminal.columns(of: 1) ?? 80
        options.token = Signals.token
        let clearsBar = terminal.stdoutIsTerminal && terminal.stderrIsTerminal
        return Session(options: options, output: { text in
            if clearsBar { progress?.clearLine() }
            StandardStream.output.write(text)
        }, errorOutput: { text in
            progress?.clearLine()
            // Keep the order of results and errors when both streams go to one place.
            StandardStream.output.flush()
            StandardStream.error.write(text)
        })
    }

    /// Progress bars on a terminal, summary lines elsewhere, nothing with `--quiet`.
    private func installProgress() -> ProgressBar? {
        guard !invocation.quiet else {
            Progress.sink = nil
            return nil
        }
        let bar = ProgressBar(style: terminal.stderrIsTerminal ? .terminal : .summary,
                              write: { text in
                                  StandardStream.output.flush()
                                  StandardStream.error.write(text)
                              },
                              columns: { Terminal.columns(of: 2) ?? 80 })
        Progress.sink = bar
        return bar
    }

    // MARK: - Modes

    private func prompt(_ session: Session) -> Int32 {
        let flush = { StandardStream.output.flush() }
        guard terminal.stdinIsTerminal else { return runPrompt(session, lines: PlainLines(), afterEachInput: flush) }
        // Draw where the results go when that is the terminal; otherwise keep the prompt out of the file.
        let screen: UnsafeMutablePointer<FILE>? = terminal.stdoutIsTerminal ? stdout : stderr
        let colored = terminal.stdoutIsTerminal ? terminal.colorOnStdout : terminal.colorOnStderr
        guard let screen, let editor = LineEditor(prompt: { promptText(number: session.inputCount + 1, continuation: $0, colored: colored) },
                                      historyFile: historyPath(), output: screen,
                                      completer: { line, cursor in session.completions(line: line, cursor: cursor) })
        else {
            return runPrompt(session, lines: PlainLines(), afterEachInput: flush)
        }
        session.pausesLessons = true
        fputs(promptBanner, screen)
        fflush(screen)
        return runPrompt(session, lines: editor, afterEachInput: flush)
    }

    private func check(_ paths: [String], in session: Session) -> Int32 {
        var status = ExitStatus.success
        for path in paths {
            switch readSource(path) {
            case .success(let source):
                let outcome = session.check(source: source, path: path)
                if outcome != .success { status = max(status, ExitStatus.of(outcome)) }
            case .failure(let failure):
                status = max(status, failure)
            }
        }
        return status
    }

    // MARK: - Files

    private enum Read { case success(String), failure(Int32) }

    private func readSource(_ path: String) -> Read {
        if path == "-" { return readStandardInput() }
        guard let file = fopen(path, "rb") else {
            report("cannot read '\(path)': \(String(cString: strerror(errno)))")
            return .failure(ExitStatus.usage)
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { bytes += chunk[0..<n] }
            if n < chunk.count {
                if ferror(file) != 0 {
                    report("cannot read '\(path)': \(String(cString: strerror(errno)))")
                    return .failure(ExitStatus.usage)
                }
                break
            }
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    private func readStandardInput() -> Read {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = Signals.interruptibleRead { chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) } }
            if n > 0 {
                bytes += chunk[0..<n]
            } else if n == 0 {
                break
            } else if errno == EINTR {
                if Signals.wasInterrupted { return .failure(ExitStatus.interrupted) }
            } else {
                report("cannot read standard input: \(String(cString: strerror(errno)))")
                return .failure(ExitStatus.usage)
            }
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    private func report(_ message: String) {
        StandardStream.output.flush()
        StandardStream.error.write("whittle: \(message)\n")
    }

    /// `$XDG_STATE_HOME/whittle/history`, else `~/.local/state/whittle/history`; nil when neither can be made.
    private func historyPath() -> String? {
        let base: String
        if let state = getenv("XDG_STATE_HOME").map({ String(cString: $0) }), state.hasPrefix("/") {
            base = state
        } else if let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty {
            base = home + "/.local/state"
        } else {
            return nil
        }
        let folder = base + "/whittle"
        guard makeDirectories(folder) else { return nil }
        return folder + "/history"
    }

    /// `mkdir -p` (the last level private to the user); true when the folder exists afterwards.
    private func makeDirectories(_ path: String) -> Bool {
        var partial = ""
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o700) != 0 && errno != EEXIST { return false }
        }
        return true
    }
}
