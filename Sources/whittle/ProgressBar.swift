// Draws library progress (epochs, searches, data loads) on standard error: a live bar on a terminal, a summary line otherwise.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Runtime

/// A `ProgressSink` for the command line.
///
/// On a terminal it redraws one line at most `redrawInterval` times a second:
/// `epoch 1/3 [██████░░░░░░] 313/938  45.2 it/s  ETA 0:14  loss 0.4123`, and leaves the final
/// state on its own line when the work ends. Work that ends within `quietPeriod` draws nothing, so
/// quick operations do not flicker. Elsewhere (a log file, CI) it writes a plain line every
/// `summaryInterval` seconds and one when work that was reported ends.
final class ProgressBar: ProgressSink {
    enum Style { case terminal, summary }

    /// One begun, not yet ended unit of work; nested work stacks on top of its parent.
    private struct Task {
        var start: Double
        var latest: ProgressUpdate
        var reported = false
    }

    private let style: Style
    private let write: (String) -> Void
    private let now: () -> Double
    private let columns: () -> Int
    private var tasks: [Task] = []
    private var lastDraw = -Double.infinity
    /// A bar is on screen without its newline yet.
    private(set) var isLineOpen = false

    let redrawInterval = 0.1
    let quietPeriod = 0.25
    let summaryInterval = 10.0
    /// Nested work shorter than this gets no summary line (keeps logs of many quick evaluations short).
    let summaryThreshold = 2.0

    /// - Parameters:
    ///   - style: live bar or summary lines.
    ///   - write: where text goes (standard error in the executable, a buffer in tests).
    ///   - now: monotonic seconds.
    ///   - columns: the terminal's width, asked at each redraw so a resize is picked up.
    init(style: Style, write: @escaping (String) -> Void, now: @escaping () -> Double = monotonicSeconds,
         columns: @escaping () -> Int = { 80 }) {
        self.style = style
        self.write = write
        self.now = now
        self.columns = columns
    }

    func begin(_ update: ProgressUpdate) {
        tasks.append(Task(start: now(), latest: update))
    }

    func update(_ update: ProgressUpdate) {
        guard !tasks.isEmpty else { return begin(update) }
        tasks[tasks.count - 1].latest = update
        let t = now()
        let task = tasks[tasks.count - 1]
        switch style {
        case .terminal:
            guard t - task.start >= quietPeriod, t - lastDraw >= redrawInterval else { return }
            tasks[tasks.count - 1].reported = true
            draw(task, at: t)
        case .summary:
            guard t - max(task.start, lastDraw) >= summaryInterval else { return }
            lastDraw = t
            tasks[tasks.count - 1].reported = true
            write(Self.line(task.latest, elapsed: t - task.start, barWidth: 0) + "\n")
        }
    }

    func end(_ update: ProgressUpdate) {
        guard var task = tasks.popLast() else { return }
        task.latest = update
        let t = now()
        let elapsed = t - task.start
        switch style {
        case .terminal:
            guard task.reported || elapsed >= quietPeriod else { return }
            draw(task, at: t, finished: true)
            write("\n")
            isLineOpen = false
        case .summary:
            // Outermost work (an epoch) always gets its line, so a log of short epochs is not empty.
            guard task.reported || elapsed >= summaryThreshold || tasks.isEmpty else { return }
            write(Self.line(update, elapsed: elapsed, barWidth: 0, finished: true) + "\n")
        }
        // The parent's bar, if any, is redrawn on its next update.
        lastDraw = -Double.infinity
    }

    /// Erases a live bar before other output is written to the same terminal.
    func clearLine() {
        guard isLineOpen else { return }
        write("\r\u{1B}[K")
        isLineOpen = false
        lastDraw = -Double.infinity
    }

    private func draw(_ task: Task, at t: Double, finished: Bool = false) {
        lastDraw = t
        let width = max(columns(), 20)
        var text = Self.line(task.latest, elapsed: t - task.start, barWidth: min(30, max(10, width / 4)),
                             finished: finished)
        if text.count >= width { text = String(text.prefix(width - 1)) }
        write("\r" + text + "\u{1B}[K")
        isLineOpen = true
    }

    // MARK: - Formatting

    /// `label [bar] done/total  rate it/s  ETA m:ss  name value ...`; no bar when `barWidth` is 0.
    static func line(_ u: ProgressUpdate, elapsed: Double, barWidth: Int, finished: Bool = false) -> String {
        var parts: [String] = []
        var head = u.label
        if let total = u.total, total > 0 {
            let fraction = min(1, max(0, Double(u.done) / Double(total)))
            if barWidth > 0 {
                let filled = Int((fraction * Double(barWidth)).rounded(.down))
                head += " [" + String(repeating: "█", count: filled)
                    + String(repeating: "░", count: barWidth - filled) + "]"
            }
            head += " \(u.done)/\(total)"
            if barWidth == 0 && !finished { head += " (\(Int((fraction * 100).rounded(.down)))%)" }
        } else {
            head += " \(u.done)"
        }
        parts.append(head)
        let rate = elapsed > 0 ? Double(u.done) / elapsed : 0
        if rate > 0 { parts.append(formatRate(rate)) }
        if finished {
            parts.append("in " + formatDuration(elapsed))
        } else if let total = u.total, rate > 0, u.done < total {
            parts.append("ETA " + formatDuration((Double(total) - Double(u.done)) / rate))
        }
        for (name, value) in u.metrics { parts.append("\(name) \(value)") }
        return parts.joined(separator: "  ")
    }

    /// `45.2 it/s`, `1234 it/s`, or `2.5 s/it` when slower than one a second.
    static func formatRate(_ rate: Double) -> String {
        guard rate.isFinite, rate < 1e15 else { return "? it/s" }
        if rate >= 100 { return "\(Int(rate.rounded())) it/s" }
        if rate >= 1 { return "\(fixed(rate, digits: 1)) it/s" }
        return "\(fixed(1 / rate, digits: 1)) s/it"
    }

    /// `0:07`, `12:34`, `1:02:03`.
    static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let whole = seconds > Double(Int32.max) ? Int(Int32.max) : Int(seconds.rounded())
        let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60)
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h > 0 { return "\(h):\(m < 10 ? "0\(m)" : "\(m)"):\(ss)" }
        return "\(m):\(ss)"
    }

    /// `value` with exactly `digits` digits after the point (no Foundation formatter needed).
    static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        guard value.isFinite, abs(value * scale) < 9e15 else { return "\(value)" }
        let scaled = Int((value * scale).rounded())
        let sign = scaled < 0 ? "-" : ""
        let magnitude = abs(scaled)
        let whole = magnitude / Int(scale)
        guard digits > 0 else { return sign + "\(whole)" }
        var fraction = String(magnitude % Int(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return sign + "\(whole).\(fraction)"
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
