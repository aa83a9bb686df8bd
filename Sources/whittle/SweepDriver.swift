// Runs a `whittle sweep` request: builds the points, drives the local runner or submits to Slurm, and prints progress and tables.
import Foundation
import Sweep

/// One `whittle sweep ...` command, from its request to an exit status (0 all done, 1 failed
/// points or a failure, 2 usage, 130 interrupted).
struct SweepDriver {
    let request: SweepRequest
    let terminal: Terminal

    func run() -> Int32 {
        do {
            switch request {
            case .run(let run): return try sweep(run)
            case .status(let folder): return try status(SweepFolder.open(folder))
            case .collect(let folder, let csv): return try collect(SweepFolder.open(folder), csv: csv)
            case .point(let folder, let index, let timeout): return try point(SweepFolder.open(folder), index, timeout)
            }
        } catch let e as SweepError {
            report(e.message)
            return e.isUsage ? ExitStatus.usage : ExitStatus.runtimeError
        } catch {
            report("\(error)")
            return ExitStatus.runtimeError
        }
    }

    // MARK: - Run

    private func sweep(_ run: SweepRequest.Run) throws -> Int32 {
        guard FileManager.default.isReadableFile(atPath: run.script) else {
            throw SweepError("cannot read '\(run.script)'", usage: true)
        }
        var fixed: [Setting] = []
        for text in run.settings {
            guard let (name, value) = WhittleCommand.splitSetting(text) else {
                throw SweepError("--set expects NAME=VALUE, got '\(text)'", usage: true)
            }
            fixed.append(Setting(name, value))
        }
        var explicit: [[Setting]]?
        if let from = run.from {
            guard let data = FileManager.default.contents(atPath: from) else { throw SweepError("cannot read '\(from)'", usage: true) }
            explicit = try explicitPoints(jsonLines: String(decoding: data, as: UTF8.self), source: from)
        }
        let points = try sweepPoints(fixed: fixed, explicit: explicit, axes: run.grids.map(GridAxis.parse))
        let folder = try SweepFolder.create(at: run.out, script: run.script, points: points)
        // The lock is held until the process ends: two drivers never run the same folder.
        guard let lock = try FolderLock(folder.path + "/.lock") else {
            throw SweepError("\(folder.path) is in use by another sweep; wait for it to finish")
        }
        defer { lock.release() }
        let queued = Slurm.queued(Slurm.submittedJobs(folder)) ?? [:]
        let active = queued.values.reduce(0, +)
        guard active == 0 else {
            throw SweepError("""
                \(folder.path) still has \(active) Slurm task\(active == 1 ? "" : "s") queued or running \
                (jobs \(Slurm.submittedJobs(folder).joined(separator: ", "))); wait for them or scancel them
                """)
        }
        let todo = folder.unfinished(retry: run.retry)
        let failedBefore = folder.statuses().filter { $0?.state == .failed }.count
        guard !todo.isEmpty else {
            let hint = failedBefore > 0 ? " (\(failedBefore) failed; --retry runs them again)" : ""
            say("sweep: all \(points.count) points of \(folder.path) are finished\(hint)")
            return failedBefore > 0 ? ExitStatus.runtimeError : ExitStatus.success
        }
        if run.slurm {
            var options = SlurmOptions()
            options.partition = run.partition
            options.time = run.time
            options.cpusPerTask = run.cpusPerTask
            options.maxRunning = run.maxRunning
            options.timeout = run.timeout
            let id = try Slurm.submit(folder: folder, points: todo, whittle: whittlePath, options: options)
            print("submitted job \(id): \(todo.count) of \(points.count) points as an array; " +
                  "`whittle sweep status \(folder.path)` shows their progress")
            return ExitStatus.success
        }
        return runLocally(folder, todo, run)
    }

    private func runLocally(_ folder: SweepFolder, _ todo: [SweepPoint], _ run: SweepRequest.Run) -> Int32 {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var options = RunOptions(whittle: whittlePath, jobs: run.jobs ?? cores, timeout: run.timeout)
        options.threadsPerPoint = 1
        let live = terminal.stderrIsTerminal
        let start = Date()
        let runner = LocalRunner(folder: folder, options: options, isInterrupted: { Signals.wasInterrupted }) { event, counts in
            switch event {
            case .started: if live { draw(counts) }
            case .tick: if live { draw(counts) }
            case .finished(let point, let status):
                if live {
                    if status.state == .failed { line("point \(point.index) (\(point.label)) failed: \(status.error ?? "")") }
                    draw(counts)
                } else {
                    let time = status.seconds.map { String(format: " in %.2f s", $0) } ?? ""
                    let what = status.state == .failed ? "failed: \(status.error ?? "")" : "\(status.state.rawValue)\(time)"
                    line("[\(counts.done + counts.failed)/\(counts.total)] point \(point.index) (\(point.label)) \(what)")
                }
            }
        }
        let summary = runner.run(todo)
        if live { StandardStream.error.write("\r\u{1B}[K") }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
        let failed = folder.statuses().filter { $0?.state == .failed }.count
        if summary.wasInterrupted {
            say("sweep: interrupted after \(seconds) s; \(summary.done) points finished, \(summary.notRun) not run; " +
                "run the same command again to finish")
            return ExitStatus.interrupted
        }
        say("sweep: \(summary.done) done, \(summary.failed) failed of \(todo.count) points in \(seconds) s" +
            (failed > 0 ? "; `whittle sweep collect \(folder.path)` shows the errors" : ""))
        return failed > 0 ? ExitStatus.runtimeError : ExitStatus.success
    }

    /// Runs one point as a Slurm array task does; its output goes to Slurm's log.
    private func point(_ folder: SweepFolder, _ index: Int, _ timeout: Double?) throws -> Int32 {
        guard folder.points.indices.contains(index) else {
            throw SweepError("\(folder.path) has points 0 to \(folder.points.count - 1), not \(index)", usage: true)
        }
        var options = RunOptions(whittle: whittlePath, jobs: 1, timeout: timeout)
        options.threadsPerPoint = ProcessInfo.processInfo.environment["WHITTLE_THREADS"].flatMap { Int($0) }.map { max(1, $0) } ?? 1
        let point = folder.points[index]
        let summary = LocalRunner(folder: folder, options: options, isInterrupted: { Signals.wasInterrupted }).run([point])
        let status = folder.statuses()[index]
        print("point \(index) (\(point.label)): \(status?.state.rawValue ?? "not run")" + (status?.error.map { ": \($0)" } ?? ""))
        if summary.wasInterrupted { return ExitStatus.interrupted }
        return summary.done == 1 ? ExitStatus.success : ExitStatus.runtimeError
    }

    // MARK: - Status and collection

    private func status(_ folder: SweepFolder) throws -> Int32 {
        print("\(folder.path): " + SweepCollection(folder).summary)
        let jobs = Slurm.submittedJobs(folder)
        if !jobs.isEmpty {
            let list = "job\(jobs.count == 1 ? "" : "s") \(jobs.joined(separator: ", "))"
            if let queued = Slurm.queued(jobs) {
                print("slurm \(list): " + (queued.isEmpty ? "nothing queued" : states(queued)) + " (squeue)")
            } else {
                print("slurm \(list): squeue is not available here")
            }
            if let accounted = Slurm.accounted(jobs), !accounted.isEmpty { print("slurm accounting: " + states(accounted) + " (sacct)") }
        }
        return ExitStatus.success
    }

    private func states(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.lowercased())" }.joined(separator: ", ")
    }

    private func collect(_ folder: SweepFolder, csv: String?) throws -> Int32 {
        let collection = SweepCollection(folder)
        print(collection.table(), terminator: "")
        if let csv { try collection.writeCSV(to: csv) }
        return ExitStatus.success
    }

    // MARK: - Output

    /// The executable running now: the points run the same build.
    private var whittlePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    private func print(_ text: String, terminator: String = "\n") {
        StandardStream.output.write(text + terminator)
    }

    /// Progress and summaries go to standard error, so standard output holds only results.
    private func say(_ text: String) {
        StandardStream.output.flush()
        StandardStream.error.write(text + "\n")
    }

    private func line(_ text: String) {
        if terminal.stderrIsTerminal { StandardStream.error.write("\r\u{1B}[K") }
        say(text)
    }

    private func draw(_ counts: SweepCounts) {
        StandardStream.error.write("\r\u{1B}[K" + progressLine(counts))
    }

    private func report(_ message: String) {
        StandardStream.output.flush()
        StandardStream.error.write("whittle: \(message)\n")
    }
}
