// The read–run loop of the prompt: gathers unfinished input under a continuation prompt, runs it, handles Ctrl-C and Ctrl-D.
import Builtins

/// Runs prompt input from `lines` in `session` until Ctrl-D, `:quit` or `exit(n)`.
///
/// A line is added to the buffered input; while the session calls the buffer `.incomplete` (an open
/// bracket, string or block, a trailing operator) more lines are read under the continuation prompt,
/// blank ones included, so a pasted function keeps its blank lines. Ctrl-C abandons the buffer;
/// Ctrl-D on an empty continuation line abandons it too, and on an empty first line ends the loop.
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
            lines.remember(line)
            buffer.append(line)
            let input = buffer.joined(separator: "\n")
            if session.inputStatus(input) == .incomplete { continue }
            buffer = []
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
