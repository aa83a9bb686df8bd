// A lesson at the prompt: Enter runs the step shown and shows the next, `q` leaves, other input runs as usual.
import Foundation

extension Session {
    static let lessonHint = "[Enter] run this step · q leave the lesson (your variables stay)"

    /// Starts `lesson` at the prompt by showing its first step.
    func begin(_ lesson: Lesson) {
        lessonInProgress = (lesson, 0)
        output(lesson.show(0, hint: Session.lessonHint))
    }

    /// A line typed at the prompt while a lesson is in progress: Enter runs the step shown (its value
    /// echoed as at the prompt) and shows the next one; `q` leaves. A step that fails stays shown, so
    /// Enter runs it again once fixed.
    ///
    /// - Returns: the outcome of the step, or nil when no lesson is in progress or the line is other
    ///   input (the caller runs it as usual).
    public func lessonKey(_ line: String) -> Outcome? {
        guard let (lesson, index) = lessonInProgress else { return nil }
        let key = line.trimmingCharacters(in: .whitespaces)
        if key == "q" {
            lessonInProgress = nil
            output("left the lesson \"\(lesson.name)\" at step \(index + 1) of \(lesson.chunks.count); every variable is kept.\n")
            return .success
        }
        guard key.isEmpty else { return nil }
        let chunk = lesson.chunks[index]
        var outcome = Outcome.success
        if !chunk.code.isEmpty {
            outcome = execute(chunk.source(path: lesson.path), layer: interpreter.userGlobals, echo: .repr)
            if outcome == .success { savedInputs.append(SavedInput(text: chunk.code)) }
        }
        if outcome != .success {
            output("(this step stopped; fix it by hand and press Enter to run it again, or q to leave)\n")
        } else if index + 1 < lesson.chunks.count {
            lessonInProgress = (lesson, index + 1)
            output(lesson.show(index + 1, hint: Session.lessonHint))
        } else {
            lessonInProgress = nil
            output("end of the lesson \"\(lesson.name)\"; every variable is kept.\n")
        }
        return outcome
    }
}
