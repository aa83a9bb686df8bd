// The Slurm backend: the sbatch script of a job array whose task i runs point i, its submission, and the queue's view of it.
import Foundation

/// `--backend slurm` options. DIR and the whittle binary must be on a filesystem the nodes share.
public struct SlurmOptions: Equatable, Sendable {
    public var partition: String?
    /// Slurm's time limit per task, as sbatch reads it (`30`, `2:00:00`, `1-0`).
    public var time: String?
    public var cpusPerTask = 1
    /// Array tasks running at once (`%M`); nil lets Slurm decide.
    public var maxRunning: Int?
    /// The per-point `--timeout`, passed on to each task.
    public var timeout: Double?

    public init() {}
}

public enum Slurm {
    /// Sorted indices as sbatch's `--array` list: runs become ranges (`0-5`, `1-3,7`), `%M` last.
    public static func arraySpec(_ indices: [Int], maxRunning: Int?) -> String {
        var parts: [String] = []
        var sorted = Array(Set(indices)).sorted()[...]
        while let first = sorted.popFirst() {
            var last = first
            while sorted.first == last + 1 { last = sorted.removeFirst() }
            parts.append(first == last ? "\(first)" : "\(first)-\(last)")
        }
        return parts.joined(separator: ",") + (maxRunning.map { "%\($0)" } ?? "")
    }

    /// The batch script for `points` of `folder`: task `$SLURM_ARRAY_TASK_ID` runs that point
    /// through `whittle sweep point`, so its folder looks exactly as after a local run.
    public static func batchScript(folder: SweepFolder, points: [SweepPoint], whittle: String,
                                   options: SlurmOptions) -> String {
        var lines = [
            "#!/bin/bash",
            "# A Whittle sweep of \(folder.script): array task i runs point i of \(folder.manifestPath).",
            "#SBATCH --job-name=whittle-sweep",
            "#SBATCH --array=\(arraySpec(points.map(\.index), maxRunning: options.maxRunning))",
            "#SBATCH --output=\(folder.slurmPath)/%A_%a.out",
            "#SBATCH --cpus-per-task=\(options.cpusPerTask)",
        ]
        if let p = options.partition { lines.append("#SBATCH --partition=\(p)") }
        if let t = options.time { lines.append("#SBATCH --time=\(t)") }
        var command = [quoted(whittle), "sweep", "point", quoted(folder.path), "\"$SLURM_ARRAY_TASK_ID\""]
        if let t = options.timeout { command += ["--timeout", formatSeconds(t)] }
        lines += [
            "export OPENBLAS_NUM_THREADS=\(options.cpusPerTask)",
            "export WHITTLE_THREADS=\(options.cpusPerTask)",
            "exec " + command.joined(separator: " "),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the batch script into `slurm/`, submits it and records the job id in `slurm/jobs.txt`.
    /// - Returns: the job id sbatch printed.
    /// - Throws: `SweepError` when sbatch is missing or refuses the job (with its message).
    public static func submit(folder: SweepFolder, points: [SweepPoint], whittle: String,
                              options: SlurmOptions) throws -> String {
        try makeDirectory(folder.slurmPath)
        let jobs = submittedJobs(folder)
        let scriptPath = folder.slurmPath + "/sweep-\(jobs.count + 1).sbatch"
        try write(batchScript(folder: folder, points: points, whittle: whittle, options: options), to: scriptPath)
        guard let result = try Tool.run("sbatch", ["--parsable", scriptPath]) else {
            throw SweepError("sbatch not found: --backend slurm needs the Slurm client commands on PATH")
        }
        guard result.status == 0 else {
            throw SweepError("sbatch refused \(scriptPath): \(result.error.trimmingSpaces)")
        }
        // `--parsable` prints `jobid` or `jobid;cluster`.
        guard let id = result.output.trimmingSpaces.split(separator: ";").first.map(String.init), !id.isEmpty else {
            throw SweepError("sbatch printed no job id: '\(result.output.trimmingSpaces)'")
        }
        let record = jobs + [id]
        try write(record.joined(separator: "\n") + "\n", to: folder.slurmPath + "/jobs.txt")
        return id
    }

    /// The ids of the job arrays submitted for this folder, oldest first.
    public static func submittedJobs(_ folder: SweepFolder) -> [String] {
        guard let data = FileManager.default.contents(atPath: folder.slurmPath + "/jobs.txt") else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    }

    /// The states (`PENDING`, `RUNNING`, ...) of the jobs' array tasks still in the queue, counted;
    /// nil when squeue is not available.
    public static func queued(_ jobs: [String]) -> [String: Int]? {
        guard !jobs.isEmpty else { return [:] }
        guard let result = try? Tool.run("squeue", ["-h", "-r", "-j", jobs.joined(separator: ","), "-o", "%T"]) else {
            return nil
        }
        // squeue fails for ids it has already forgotten: then nothing of them is queued.
        guard result.status == 0 else { return result.error.contains("Invalid job id") ? [:] : nil }
        return counted(result.output)
    }

    /// The final states sacct knows for the jobs' tasks; nil when accounting is not available.
    public static func accounted(_ jobs: [String]) -> [String: Int]? {
        guard !jobs.isEmpty,
              let result = try? Tool.run("sacct", ["-n", "-X", "-P", "-j", jobs.joined(separator: ","), "-o", "State"]),
              result.status == 0 else { return nil }
        return counted(result.output)
    }

    private static func counted(_ text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            // sacct writes `CANCELLED by 0`; the first word is the state.
            guard let state = line.split(separator: " ").first else { continue }
            counts[String(state), default: 0] += 1
        }
        return counts
    }

    /// Single quotes for the shell.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
