// The prompt's line editor on libedit: emacs keys, persistent whole-entry history, Ctrl-R search, Tab completion, Ctrl-Z / fg.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CEditLine

/// What one read at the prompt produced.
enum LineRead: Equatable {
    /// A line the user entered, without its newline.
    case line(String)
    /// Ctrl-C: the line was abandoned.
    case interrupted
    /// Ctrl-D on an empty line, or the end of input.
    case end
}

/// A source of prompt lines: the libedit editor on a terminal, plain standard input otherwise.
protocol LineSource: AnyObject {
    /// Reads one line; `continuation` selects the continuation prompt for unfinished input.
    func readLine(continuation: Bool) -> LineRead
    /// Remembers a whole entry (all its lines) in the history (a no-op without one).
    func remember(_ entry: String)
    /// More typed or pasted input is already waiting (a paste in progress).
    var hasPendingInput: Bool { get }
}

/// libedit behind `LineSource`.
///
/// Completion asks `completer(line, cursor)` (cursor and result start counted in characters) for
/// candidates: a unique one replaces the word, several insert their common prefix and, when there is
/// nothing more to insert, are listed in columns under the line.
final class LineEditor: LineSource {
    typealias Completer = (_ line: String, _ cursor: Int) -> (start: Int, candidates: [String])
    /// The prompt text for the first line (false) or a continuation line (true) of an entry.
    typealias PromptText = (_ continuation: Bool) -> String

    private let editor: OpaquePointer
    private let history: OpaquePointer
    private let historyFile: String?
    private let completer: Completer
    private let output: UnsafeMutablePointer<FILE>
    private let promptFor: PromptText
    /// The current prompt as C text; libedit reads it through `promptFunction` while editing.
    private var promptText: UnsafeMutablePointer<CChar>

    /// Most entries kept in the history file.
    static let historySize: Int32 = 5000
    /// Most candidates listed under the line after Tab; the rest are counted.
    static let listedCandidates = 200

    /// Opens the editor on the terminal at standard input, drawing on `output`.
    ///
    /// - Parameters:
    ///   - prompt: the prompt for the first and the following lines of an entry (it may change, as
    ///     `whittle[3]>` does); may contain colour escapes wrapped in `\u{1}` markers.
    ///   - historyFile: where history is loaded from and saved to; nil keeps it in memory only.
    init?(prompt: @escaping PromptText, historyFile: String?, output: UnsafeMutablePointer<FILE>,
          completer: @escaping Completer) {
        // Multibyte input (β, λ) needs the user's character set.
        setlocale(LC_CTYPE, "")
        guard let editor = el_init("whittle", stdin, output, stderr) else { return nil }
        guard let history = history_init() else {
            el_end(editor)
            return nil
        }
        self.editor = editor
        self.history = history
        self.historyFile = historyFile
        self.completer = completer
        self.output = output
        self.promptFor = prompt
        self.promptText = strdup(prompt(false)) ?? strdup("")

        wh_history_setsize(history, Self.historySize)
        wh_history_setunique(history, 1)
        if let historyFile { wh_history_load(history, historyFile) }

        wh_el_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
        wh_el_set_editor(editor, "emacs")
        // Our own SIGINT handler stays in charge (libedit's would re-send the signal to the group).
        wh_el_set_signal(editor, 0)
        wh_el_set_history(editor, history)
        wh_el_set_prompt(editor, promptFunction, 1)
        // ~/.editrc may customise keys; the bindings below still apply on top of it.
        el_source(editor, nil)
        wh_el_add_function(editor, "whittle-complete", "Complete the name before the cursor", completeFunction)
        wh_el_bind(editor, "^I", "whittle-complete")
        wh_el_bind(editor, "^R", "em-inc-search-prev")
        // Ctrl-C stays a signal while editing; our reader gives up on EINTR so el_gets returns and
        // the line is abandoned (libedit's own reader would retry the read).
        wh_el_settty_edit(editor, "+isig")
        wh_el_set_getc(editor, readCharacter)
    }

    deinit {
        saveHistory()
        history_end(history)
        el_end(editor)
        free(promptText)
    }

    func readLine(continuation: Bool) -> LineRead {
        if let text = strdup(promptFor(continuation)) {
            free(promptText)
            promptText = text
        }
        // A stop and resume while a command ran needs nothing: el_gets sets its mode up afresh.
        _ = Signals.takeContinued()
        // The width may have changed since the last line (no SIGWINCH handler while a command runs).
        el_resize(editor)
        var count: Int32 = 0
        errno = 0
        guard let raw = Signals.interruptibleRead({ el_gets(editor, &count) }), count > 0 else {
            let failure = errno
            if count < 0 && (failure == EINTR || Signals.wasInterrupted) {
                el_reset(editor)
                fputs("\n", output)
                fflush(output)
                return .interrupted
            }
            // Leave the shell's prompt on a fresh line.
            fputs("\n", output)
            fflush(output)
            return .end
        }
        var line = String(cString: raw)
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    func remember(_ entry: String) {
        guard !entry.allSatisfy(\.isWhitespace) else { return }
        // One entry, newlines included: Up and Ctrl-R bring back a whole function, not its first line.
        wh_history_enter(history, entry)
        saveHistory()
    }

    var hasPendingInput: Bool {
        var poller = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0
    }

    /// After Ctrl-Z and `fg`: the shell left the terminal in its own (cooked) mode, so put the
    /// editor's raw mode back (cooked first, so libedit reads the terminal's current settings) and
    /// redraw the prompt and the line.
    fileprivate func resumeAfterStop() {
        wh_el_prep_term(editor, 0)
        wh_el_prep_term(editor, 1)
        wh_el_refresh(editor)
    }

    private func saveHistory() {
        guard let historyFile else { return }
        wh_history_save(history, historyFile)
    }

    fileprivate var currentPrompt: UnsafeMutablePointer<CChar> { promptText }

    // MARK: - Completion

    fileprivate func complete() -> UInt8 {
        guard let info = el_line(editor)?.pointee else { return UInt8(CC_ERROR) }
        let lineBytes = UnsafeBufferPointer(start: UnsafeRawPointer(info.buffer).assumingMemoryBound(to: UInt8.self),
                                            count: info.lastchar - info.buffer)
        let cursorBytes = info.cursor - info.buffer
        let line = String(decoding: lineBytes, as: UTF8.self)
        let cursor = String(decoding: lineBytes.prefix(cursorBytes), as: UTF8.self).count
        let (start, candidates) = completer(line, cursor)
        guard !candidates.isEmpty, start >= 0, start <= cursor else { return UInt8(CC_ERROR) }
        let typed = String(Array(line)[start..<cursor])
        let prefix = Self.commonPrefix(candidates)
        if prefix.count > typed.count || (candidates.count == 1 && prefix != typed) {
            el_deletestr(editor, Int32(clamping: cursor - start))
            el_insertstr(editor, prefix)
            return UInt8(CC_REFRESH)
        }
        if candidates.count == 1 { return UInt8(CC_NORM) }
        list(candidates)
        return UInt8(CC_REDISPLAY)
    }

    /// Prints candidates in columns below the line being edited.
    private func list(_ candidates: [String]) {
        let shown = Array(candidates.prefix(Self.listedCandidates))
        let width = Terminal.columns(of: fileno(output)) ?? 80
        let cell = (shown.map(\.count).max() ?? 0) + 2
        let perRow = max(1, width / max(cell, 1))
        var text = "\n"
        for (i, name) in shown.enumerated() {
            let last = i % perRow == perRow - 1 || i == shown.count - 1
            text += last ? name + "\n" : name + String(repeating: " ", count: cell - name.count)
        }
        if candidates.count > shown.count { text += "(\(candidates.count - shown.count) more)\n" }
        fputs(text, output)
        fflush(output)
    }

    /// The longest common prefix, by characters.
    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first.map(Array.init) else { return "" }
        for word in words.dropFirst() {
            let chars = Array(word)
            var n = 0
            while n < prefix.count, n < chars.count, prefix[n] == chars[n] { n += 1 }
            prefix.removeSubrange(n...)
        }
        return String(prefix)
    }
}

// MARK: - C callbacks (they find the editor through libedit's client data)

private func editorObject(_ editor: OpaquePointer?) -> LineEditor? {
    guard let editor, let data = wh_el_get_clientdata(editor) else { return nil }
    return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
}

private let promptFunction: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = { editor in
    editorObject(editor)?.currentPrompt
}

/// Reads one UTF-8 character from standard input: 1 when read, 0 at end of input, -1 on error or Ctrl-C.
private let readCharacter: @convention(c) (OpaquePointer?, UnsafeMutablePointer<wchar_t>?) -> Int32 = { editor, out in
    // A Ctrl-C that came just before the read (while the terminal was still cooked) counts too.
    guard let out, !Signals.wasInterrupted else { return -1 }
    func byte() -> Int32 {
        var b: UInt8 = 0
        while true {
            // The flags first: a signal that came before the wait has left a byte in the wake
            // pipe, so the wait below returns at once rather than missing it.
            if Signals.wasInterrupted { return -1 }
            if Signals.takeContinued() { editorObject(editor)?.resumeAfterStop() }
            switch Signals.waitForInput(on: 0) {
            case .signalled: continue
            case .failed: return -1
            case .readable: break
            }
            let n = read(0, &b, 1)
            if n == 1 { return Int32(b) }
            if n == 0 { return -2 }
            if errno != EINTR && errno != EAGAIN { return -1 }
        }
    }
    let first = byte()
    if first < 0 { return first == -2 ? 0 : -1 }
    let (extra, initial): (Int, Int32) = switch first {
    case 0..<0x80: (0, first)
    case 0xC0..<0xE0: (1, first & 0x1F)
    case 0xE0..<0xF0: (2, first & 0x0F)
    case 0xF0..<0xF8: (3, first & 0x07)
    default: (0, 0xFFFD)
    }
    var scalar = initial
    for _ in 0..<extra {
        let next = byte()
        if next < 0 { return next == -2 ? 0 : -1 }
        scalar = (scalar << 6) | (next & 0x3F)
    }
    out.pointee = wchar_t(scalar)
    return 1
}

private let completeFunction: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { editor, _ in
    editorObject(editor)?.complete() ?? UInt8(CC_ERROR)
}

/// Plain standard input for `-i` or the prompt when standard input is not a terminal: no prompt, no history.
final class PlainLines: LineSource {
    func readLine(continuation: Bool) -> LineRead {
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while true {
            if Signals.wasInterrupted { return .interrupted }
            errno = 0
            let n = Signals.interruptibleRead { getline(&buffer, &capacity, stdin) }
            if n >= 0, let buffer {
                var line = String(cString: buffer)
                if line.hasSuffix("\n") { line.removeLast() }
                return .line(line)
            }
            let failure = errno
            clearerr(stdin)
            if failure == EINTR && Signals.wasInterrupted { return .interrupted }
            if failure != EINTR { return .end }
        }
    }

    func remember(_ entry: String) {}

    /// Piped input is all there from the start, as a paste is.
    var hasPendingInput: Bool { true }
}
