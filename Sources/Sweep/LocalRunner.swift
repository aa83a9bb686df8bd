// Runs sweep points as child processes on this machine: at most N at once, each in its own folder, with timeouts and Ctrl-C.
import Core
import Foundation

/// How the points of a local run are started.
public struct RunOptions: Sendable {
    /// The `whittle` executable the points run.
    public var whittle: String
    /// Points running at once.
    public var jobs: Int
    /// Seconds after which a point is stopped and recorded as failed; nil for no limit.
    public var timeout: Double?
    /// BLAS and Whittle threads per point (`OPENBLAS_NUM_THREADS`, `WHITTLE_THREADS`).
    public var threadsPerPoint = 1
    /// Seconds a point gets to stop after SIGINT or SIGTERM before it is killed.
    public var grace: Double = 5

    public init(whittle: String, jobs: Int, timeout: Double? = nil) {
        self.whittle = whittle
        self.jobs = jobs
        self.timeout = timeout
    }
}

/// How far a sweep is, for the progress line.
public struct SweepCounts: Equatable, Sendable {
    public var total = 0, done = 0, failed = 0, running = 0
    /// Points this run has still to start or finish.
    public var remaining = 0
    /// Seconds since this run started, and points it finished.
    public var elapsed = 0.0, finishedHere = 0

    /// Seconds left, estimated from this run's pace; nil before the first point finishes.
    public var eta: Double? {
        finishedHere == 0 ? nil : elapsed / Double(finishedHere) * Double(remaining)
    }
}

/// What happened, as it happens.
public enum RunEvent: Sendable {
    case started(SweepPoint)
    case finished(SweepPoint, PointStatus)
    /// Sent about twice a second, to redraw the progress line.
    case tick
}

/// The outcome of a run: how many of the points it was given finished, failed or were cut short.
public struct RunSummary: Equatable, Sendable {
    public var done = 0, failed = 0, notRun = 0
    public var wasInterrupted = false
}

/// Starts points as `whittle --set ... SCRIPT` children, each with its folder as working directory.
public final class LocalRunner {
    let folder: SweepFolder
    let options: RunOptions
    let isInterrupted: () -> Bool
    let onEvent: (RunEvent, SweepCounts) -> Void

    /// - Parameters:
    ///   - isInterrupted: polled between checks on the children; true stops the run (Ctrl-C).
    ///   - onEvent: called on the calling thread with each event and the counts after it.
    public init(folder: SweepFolder, options: RunOptions, isInterrupted: @escaping () -> Bool,
                onEvent: @escaping (RunEvent, SweepCounts) -> Void = { _, _ in }) {
        self.folder = folder
        self.options = options
        self.isInterrupted = isInterrupted
        self.onEvent = onEvent
    }

    /// A running point.
    private final class Child {
        let point: SweepPoint
        let process: Process
        let lock: FolderLock
        let start: Date
        /// When the next signal is due (the timeout, then the end of the grace period).
        var deadline: Date?
        var timedOut = false, interrupted = false, killed = false

        init(point: SweepPoint, process: Process, lock: FolderLock, start: Date, deadline: Date?) {
            self.point = point
            self.process = process
            self.lock = lock
            self.start = start
            self.deadline = deadline
        }
    }

    /// Runs `points` (in order, at most `jobs` at once) and returns when all have finished or,
    /// after an interrupt, when the running ones have stopped.
    public func run(_ points: [SweepPoint]) -> RunSummary {
        var queue = points[...]
        var running: [Child] = []
        var summary = RunSummary()
        var counts = SweepCounts()
        let recorded = folder.statuses()
        counts.total = folder.points.count
        let mine = Set(points.map(\.index))
        for (i, s) in recorded.enumerated() where !mine.contains(i) {
            if s?.state == .done { counts.done += 1 } else if s?.state == .failed { counts.failed += 1 }
        }
        counts.remaining = points.count
        let began = Date()
        var lastTick = Date.distantPast
        var stopping = false

        while !queue.isEmpty || !running.isEmpty {
            if !stopping && isInterrupted() {
                stopping = true
                summary.wasInterrupted = true
                for child in running { signal(child, SIGINT, interrupt: true) }
            }
            while !stopping, running.count < max(1, options.jobs), let point = queue.popFirst() {
                do {
                    if let child = try start(point) {
                        running.append(child)
                        counts.running = running.count
                        onEvent(.started(point), counts)
                    } else {
                        // Another process (a Slurm task, another driver) holds this point's folder.
                        summary.notRun += 1
                        counts.remaining -= 1
                    }
                } catch {
                    let status = PointStatus(state: .failed, error: "could not start: \(error)", host: hostName)
                    try? status.write(to: folder.statusPath(point.index))
                    summary.failed += 1
                    counts.failed += 1
                    counts.remaining -= 1
                    onEvent(.finished(point, status), counts)
                }
            }
            let now = Date()
            for child in running where !child.process.isRunning {
                let status = finish(child)
                running.removeAll { $0 === child }
                counts.running = running.count
                counts.remaining -= 1
                counts.finishedHere += 1
                switch status.state {
                case .done: summary.done += 1; counts.done += 1
                case .failed: summary.failed += 1; counts.failed += 1
                default: summary.notRun += 1
                }
                counts.elapsed = now.timeIntervalSince(began)
                onEvent(.finished(child.point, status), counts)
            }
            for child in running { enforceDeadline(child, now: now) }
            if now.timeIntervalSince(lastTick) >= 0.5 {
                lastTick = now
                counts.elapsed = now.timeIntervalSince(began)
                onEvent(.tick, counts)
            }
            if !queue.isEmpty && stopping {
                summary.notRun += queue.count
                queue.removeAll()
            }
            if !running.isEmpty { Thread.sleep(forTimeInterval: 0.02) }
        }
        return summary
    }

    // MARK: - One child

    /// Prepares the point's folder and starts it; nil when another process is running this point.
    private func start(_ point: SweepPoint) throws -> Child? {
        let dir = folder.pointPath(point.index)
        try makeDirectory(dir)
        guard let lock = try FolderLock(dir + "/.lock") else { return nil }
        // A rerun starts clean: nothing from an earlier, unfinished attempt is kept.
        for name in ["stdout.txt", "stderr.txt", "result.jsonl", "status.json"] {
            try? FileManager.default.removeItem(atPath: dir + "/" + name)
        }
        let settings: JSONValue = .object(point.settings.map { ($0.name, .string($0.value)) })
        try write(settings.encoded() + "\n", to: dir + "/settings.json")
        try PointStatus(state: .running, host: hostName).write(to: folder.statusPath(point.index))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: options.whittle)
        process.arguments = point.arguments(script: folder.script)
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        var environment = ProcessInfo.processInfo.environment
        environment["WHITTLE_REPORT"] = folder.resultPath(point.index)
        environment["OPENBLAS_NUM_THREADS"] = String(options.threadsPerPoint)
        environment["WHITTLE_THREADS"] = String(options.threadsPerPoint)
        environment["NO_COLOR"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try output(dir + "/stdout.txt")
        process.standardError = try output(dir + "/stderr.txt")
        do { try process.run() } catch {
            throw SweepError("cannot run \(options.whittle): \(error.localizedDescription)")
        }
        let start = Date()
        return Child(point: point, process: process, lock: lock, start: start,
                     deadline: options.timeout.map { start.addingTimeInterval($0) })
    }

    private func output(_ path: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw SweepError("cannot write \(path)")
        }
        return handle
    }

    /// SIGINT asks the child to stop at its next safe point; the grace period then runs.
    private func signal(_ child: Child, _ signal: Int32, interrupt: Bool) {
        if interrupt { child.interrupted = true }
        kill(child.process.processIdentifier, signal)
        child.deadline = Date().addingTimeInterval(options.grace)
    }

    /// At the timeout, SIGTERM; at the end of a grace period, SIGKILL to the child's whole group.
    private func enforceDeadline(_ child: Child, now: Date) {
        guard let deadline = child.deadline, now >= deadline, !child.killed else { return }
        if !child.timedOut && !child.interrupted {
            child.timedOut = true
            signal(child, SIGTERM, interrupt: false)
        } else {
            child.killed = true
            // Foundation starts each child in a process group of its own; this also ends its children.
            kill(-child.process.processIdentifier, SIGKILL)
            kill(child.process.processIdentifier, SIGKILL)
        }
    }

    /// Records how the child ended, and frees its folder.
    private func finish(_ child: Child) -> PointStatus {
        defer { child.lock.release() }
        let seconds = Date().timeIntervalSince(child.start)
        let process = child.process
        let code = Int(process.terminationStatus)
        let bySignal = process.terminationReason == .uncaughtSignal
        var status = PointStatus(state: .done, exit: bySignal ? nil : code, seconds: seconds, host: hostName)
        if child.timedOut {
            status.state = .failed
            status.error = "timed out after \(formatSeconds(options.timeout ?? seconds)) s"
        } else if bySignal || code != 0 {
            if child.interrupted {
                status.state = .interrupted
                status.error = "interrupted"
            } else {
                status.state = .failed
                status.error = bySignal ? "killed by signal \(code)" : "exited with status \(code)"
                if let line = errorMessage(in: folder.pointPath(child.point.index) + "/stderr.txt") {
                    status.error = (status.error ?? "") + ": " + line
                }
            }
        }
        do { try status.write(to: folder.statusPath(child.point.index)) } catch {
            status.error = (status.error.map { $0 + "; " } ?? "") + "\(error)"
        }
        return status
    }

    /// The script's error message: the last line of its standard error that starts with `error`
    /// (diagnostics continue with the source line and a caret), else the last non-blank line; at
    /// most 300 characters.
    private func errorMessage(in path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let lines = String(decoding: data.suffix(8192), as: UTF8.self).split(separator: "\n")
            .map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        guard let line = lines.last(where: { $0.hasPrefix("error") }) ?? lines.last else { return nil }
        return String(line.prefix(300))
    }
}

/// Seconds in messages: `2` when whole, `0.5` otherwise.
func formatSeconds(_ s: Double) -> String {
    s == s.rounded() && abs(s) < 1e15 ? String(Int(s)) : String(s)
}
