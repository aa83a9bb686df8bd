// The read–run loop of the prompt: gathers unfinished input under a continuation prompt, runs it, handles Ctrl-C and Ctrl-D.
import Builtins

/// Runs prompt input from `lines` in `session` until Ctrl-D, `:quit` or `exit(n)`.
///
/// A line is added to the buffered input; while the session calls the buffer `.incomplete` (an open
/// bracket, string or block, a trailing operator) more lines are read under the continuation prompt,
/// blank ones included, so a pasted function keeps its blank lines. Ctrl-C abandons the buffer;
/// Ctrl-D on an empty continuation line abandons it too, and on an empty first line ends the loop.
/// Comment lines wait for what follows while a paste goes on, so doc comments stay with their `fn`;
/// a blank line after them (or a lone typed comment) drops them. The history gets whole entries.
///
/// - Returns: the exit status: 0, or n after `exit(n)`.
func runPrompt(_ session: Session, lines: LineSource, afterEachInput: () -> Void = {}) -> Int32 {
    var buffer: [String] = []
    while !session.isQuitRequested {
        switch lines.readLine(continuation: !buffer.isEmpty) {
        case .end:
            if buffer.isEmpty { return 0 }
            buffer = []
        case .interrupted:
            buffer = []
            Signals.acknowledgeInterrupt()
        case .line(let line):
            // During a lesson, Enter runs the step shown and `q` leaves it.
            if buffer.isEmpty, let outcome = session.lessonKey(line) {
                Signals.acknowledgeInterrupt()
                afterEachInput()
                if case .exit(let status) = outcome { return status }
                continue
            }
            if buffer.isEmpty && line.allSatisfy(\.isWhitespace) { continue }
            if !buffer.isEmpty && buffer.allSatisfy(isComment) && line.allSatisfy(\.isWhitespace) {
                buffer = []
                continue
            }
            buffer.append(line)
            let input = buffer.joined(separator: "\n")
            if buffer.allSatisfy(isComment) {
                if lines.hasPendingInput { continue }
                buffer = []
                lines.remember(input)
                continue
            }
            if session.inputStatus(input) == .incomplete { continue }
            buffer = []
            lines.remember(input)
            Signals.acknowledgeInterrupt()
            let outcome = session.runPromptInput(input)
            // A Ctrl-C during the command was for the command; the next line starts clean.
            Signals.acknowledgeInterrupt()
            afterEachInput()
            if case .exit(let status) = outcome { return status }
        }
    }
    return 0
}

/// The line shown once when the prompt opens on a terminal.
let promptBanner = "Whittle \(Session.version) · ?name for help on a name, :help for commands, Ctrl-D to quit\n"

/// `whittle[3]> ` with the number of the next input (its result becomes `_3`), or the continuation
/// prompt of the same width; colour escapes sit between `\u{1}` markers so libedit does not count them.
func promptText(number: Int, continuation: Bool, colored: Bool) -> String {
    let primary = "whittle[\(number)]>"
    let text = continuation ? String(repeating: " ", count: max(0, primary.count - 4)) + "...:" : primary
    guard colored else { return text + " " }
    return "\u{1}\u{1B}[\(continuation ? "2" : "1;36")m\u{1}\(text)\u{1}\u{1B}[0m\u{1} "
}

/// A line holding only a comment (the doc comment of a `fn` that may follow).
private func isComment(_ line: String) -> Bool {
    line.drop(while: \.isWhitespace).hasPrefix("#")
}
