// The `whittle sweep` command line: run a grid of settings, `status`, `collect`, and the hidden `point` that a Slurm task runs.
import ArgumentParser

/// What a `whittle sweep ...` command line asks for.
enum SweepRequest: Equatable {
    struct Run: Equatable {
        var script = ""
        var grids: [String] = []
        var from: String?
        var settings: [String] = []
        var out = ""
        var jobs: Int?
        var timeout: Double?
        var retry = false
        var slurm: Bool = false
        var partition: String?
        var time: String?
        var cpusPerTask = 1
        var maxRunning: Int?
    }

    case run(Run)
    case status(folder: String)
    case collect(folder: String, csv: String?)
    /// One point of a folder, as a Slurm array task runs it.
    case point(folder: String, index: Int, timeout: Double?)
}

/// `whittle sweep`: the parent of the sweep subcommands; running a grid is the default.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a script over a grid of settings, locally or as a Slurm job array; show and collect the results.",
        discussion: """
            Each point runs as `whittle --set name=value ... SCRIPT` in its own folder under DIR \
            (its working directory), with standard output and error, settings, exit status and wall \
            time kept there. A script records results with report({...}). Running the same command \
            again runs only the points not yet finished. With --backend slurm, DIR and the whittle \
            binary must be on a filesystem the nodes share.
            """,
        subcommands: [SweepRunCommand.self, SweepStatusCommand.self, SweepCollectCommand.self, SweepPointCommand.self],
        defaultSubcommand: SweepRunCommand.self)
}

/// `whittle sweep [run] SCRIPT --grid ... --out DIR`.
struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run SCRIPT once per point of the grid (the default subcommand).",
        usage: """
            whittle sweep SCRIPT --grid NAME=V1,V2,... [--grid seed=0..4] [--from POINTS.jsonl] \
            [--set NAME=VALUE] --out DIR [--jobs N] [--timeout S] [--retry] \
            [--backend slurm [--partition P] [--time T] [--cpus-per-task C] [--max-running M]]
            """)

    @Argument(help: ArgumentHelp("The script every point runs.", valueName: "SCRIPT"))
    var script: String

    @Option(name: .customLong("grid"), help: ArgumentHelp(
        "An axis of the grid (repeatable; the points are the Cartesian product). a..b is every integer from a to b.",
        valueName: "NAME=V1,V2,..."))
    var grids: [String] = []

    @Option(help: ArgumentHelp("Explicit points: one JSON object of settings per line.", valueName: "POINTS.jsonl"))
    var from: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("A setting every point gets (repeatable).", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(help: ArgumentHelp("The sweep's folder (created; reused to resume).", valueName: "DIR"))
    var out: String

    @Option(help: ArgumentHelp("Points running at once (default: one per core, each with one BLAS thread).", valueName: "N"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Stop a point after S seconds and record it as failed.", valueName: "S"))
    var timeout: Double?

    @Flag(help: "Run failed points again too.")
    var retry = false

    @Option(help: ArgumentHelp("local (default) or slurm.", valueName: "BACKEND"))
    var backend = "local"

    @Option(help: ArgumentHelp("Slurm partition.", valueName: "P"))
    var partition: String?

    @Option(help: ArgumentHelp("Slurm time limit per point (sbatch's format).", valueName: "T"))
    var time: String?

    @Option(name: .customLong("cpus-per-task"), help: ArgumentHelp("Slurm CPUs (and BLAS threads) per point.", valueName: "C"))
    var cpusPerTask = 1

    @Option(name: .customLong("max-running"), help: ArgumentHelp("Slurm array tasks running at once.", valueName: "M"))
    var maxRunning: Int?

    func validate() throws {
        guard backend == "local" || backend == "slurm" else {
            throw ValidationError("--backend must be local or slurm, got '\(backend)'")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let timeout, !(timeout > 0 && timeout.isFinite) { throw ValidationError("--timeout must be a positive number of seconds") }
        if cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1") }
        if let maxRunning, maxRunning < 1 { throw ValidationError("--max-running must be at least 1") }
        if backend == "local" && (partition != nil || time != nil || maxRunning != nil || cpusPerTask != 1) {
            throw ValidationError("--partition, --time, --cpus-per-task and --max-running need --backend slurm")
        }
        if backend == "slurm" && jobs != nil { throw ValidationError("--jobs is for the local backend; use --max-running") }
        if grids.isEmpty && from == nil { throw ValidationError("give the points with --grid NAME=V1,V2,... or --from POINTS.jsonl") }
    }

    var request: SweepRequest {
        .run(SweepRequest.Run(script: script, grids: grids, from: from, settings: settings, out: out, jobs: jobs,
                              timeout: timeout, retry: retry, slurm: backend == "slurm", partition: partition,
                              time: time, cpusPerTask: cpusPerTask, maxRunning: maxRunning))
    }
}

/// `whittle sweep status DIR`.
struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Count a sweep's pending, running, done and failed points (and its Slurm jobs).")

    @Argument(help: ArgumentHelp("The sweep's folder.", valueName: "DIR"))
    var folder: String
}

/// `whittle sweep collect DIR [--csv FILE]`.
struct SweepCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect", abstract: "Print every point's settings and reported results as a table.")

    @Argument(help: ArgumentHelp("The sweep's folder.", valueName: "DIR"))
    var folder: String

    @Option(help: ArgumentHelp("Also write the table (with errors and wall times) as CSV.", valueName: "FILE"))
    var csv: String?
}

/// `whittle sweep point DIR I`: what array task I of a Slurm sweep runs.
struct SweepPointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "point", abstract: "Run point I of a sweep folder (what a Slurm array task does).",
        shouldDisplay: false)

    @Argument(help: ArgumentHelp("The sweep's folder.", valueName: "DIR"))
    var folder: String

    @Argument(help: ArgumentHelp("The point's index.", valueName: "I"))
    var index: Int

    @Option(help: ArgumentHelp("Stop the point after S seconds.", valueName: "S"))
    var timeout: Double?
}

/// Parses the arguments after `whittle sweep`, with the same exits as the main command line
/// (help on standard output with status 0, usage errors on standard error with status 2).
func parseSweepCommandLine(_ arguments: [String]) -> ParsedCommandLine {
    do {
        switch try SweepCommand.parseAsRoot(arguments) {
        case let run as SweepRunCommand: return .sweep(run.request)
        case let status as SweepStatusCommand: return .sweep(.status(folder: status.folder))
        case let collect as SweepCollectCommand: return .sweep(.collect(folder: collect.folder, csv: collect.csv))
        case let point as SweepPointCommand:
            return .sweep(.point(folder: point.folder, index: point.index, timeout: point.timeout))
        default:
            // `-h` / `--help` come back as the parser's own help command.
            let subcommands: [ParsableCommand.Type] = [SweepRunCommand.self, SweepStatusCommand.self,
                                                       SweepCollectCommand.self, SweepPointCommand.self]
            let subject = subcommands.first { $0.configuration.commandName == arguments.first } ?? SweepCommand.self
            return .exit(status: 0, stdout: SweepCommand.helpMessage(for: subject) + "\n", stderr: "")
        }
    } catch {
        let message = SweepCommand.fullMessage(for: error)
        if SweepCommand.exitCode(for: error) == .success { return .exit(status: 0, stdout: message + "\n", stderr: "") }
        return .exit(status: 2, stdout: "", stderr: message + "\n")
    }
}
