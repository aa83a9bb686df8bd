// The command line: options, the `check` subcommand, and the translation of parser errors into exit status 2.
import ArgumentParser
import Builtins

/// What the user asked for, once the command line is parsed.
struct Invocation {
    enum Mode: Equatable {
        /// The prompt (or, when standard input is not a terminal, standard input run as a script).
        case prompt
        /// `whittle FILE.wh [ARGS...]`; with `-i`, the prompt follows.
        case script(path: String)
        /// `whittle -e CODE`.
        case code(String)
        /// `whittle check FILE.wh...`.
        case check(paths: [String])
    }

    var mode: Mode = .prompt
    var interactive = false
    var seed: UInt64 = 0
    var settings: [(name: String, value: String)] = []
    var args: [String] = []
    var quiet = false
}

/// `whittle [options] [FILE.wh [ARGS...]]`.
struct WhittleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whittle",
        abstract: "An interactive environment for neural-network optimization and sparsification experiments.",
        usage: """
            whittle                          open the prompt
            whittle [options] FILE.wh [ARGS...]
            whittle [options] -e CODE [ARGS...]
            whittle [options] -i FILE.wh [ARGS...]
            whittle check FILE.wh...
            whittle sweep SCRIPT --grid NAME=V1,V2,... --out DIR   (see whittle sweep --help)
            """,
        discussion: """
            Standard input that is not a terminal is run as a script, with no prompt. \
            Exit status: 0 success, 1 runtime error, 2 syntax or usage error, 130 interrupted, \
            n after exit(n). Colour only on a terminal, never when NO_COLOR is set.
            """,
        version: Session.version,
        subcommands: [CheckCommand.self, SweepCommand.self])

    // `.unconditional`: the code may start with '-' (`whittle --quiet -e '-1'`).
    @Option(name: .customShort("e"), parsing: .unconditional, help: ArgumentHelp("Run CODE and print the value of its last expression.",
                                                        valueName: "CODE"))
    var code: String?

    @Flag(name: .customShort("i"), help: "Open the prompt after running FILE.wh (also after an error).")
    var interactive = false

    @Option(help: ArgumentHelp("Seed every random draw.", valueName: "N"))
    var seed: UInt64 = 0

    @Option(name: .customLong("set"),
            help: ArgumentHelp("Bind the global NAME before the script runs (repeatable).", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Flag(help: "Show no progress bars.")
    var quiet = false

    /// The script and its arguments: split off before parsing (see `splitAtScript`), so ARGS may
    /// start with '-' without being taken for options.
    var fileAndArgs: [String] = []

    enum CodingKeys: String, CodingKey { case code, interactive, seed, settings, quiet }

    func validate() throws {
        for setting in settings where Self.splitSetting(setting) == nil {
            throw ValidationError("--set expects NAME=VALUE, got '\(setting)'")
        }
        if interactive && code != nil {
            throw ValidationError("-i and -e cannot be combined")
        }
    }

    /// `name=value` → (name, value); nil when there is no `=` or the name is empty.
    static func splitSetting(_ text: String) -> (name: String, value: String)? {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
        return (String(text[..<eq]), String(text[text.index(after: eq)...]))
    }

    var invocation: Invocation {
        var result = Invocation()
        result.interactive = interactive
        result.seed = seed
        result.settings = settings.compactMap(Self.splitSetting)
        result.quiet = quiet
        let rest = fileAndArgs
        if let code {
            result.mode = .code(code)
            result.args = rest
        } else if let file = rest.first {
            result.mode = .script(path: file)
            result.args = Array(rest.dropFirst())
        }
        return result
    }
}

/// `whittle check FILE.wh...`: parse and resolve only.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse and resolve scripts without running them; report every syntax error.")

    @Argument(help: ArgumentHelp("Scripts to check.", valueName: "FILE.wh"))
    var files: [String]
}

/// The outcome of reading the command line: something to run, or an exit with text to show.
enum ParsedCommandLine {
    case run(Invocation)
    case sweep(SweepRequest)
    case exit(status: Int32, stdout: String, stderr: String)
}

/// Parses `arguments` (without the program name). Help and `--version` exit 0 on standard output;
/// every usage error exits 2 on standard error (the parser's own code would be 64).
func parseCommandLine(_ arguments: [String]) -> ParsedCommandLine {
    let (options, fileAndArgs) = splitAtScript(arguments)
    // The everyday shapes skip the parser: its reflection costs about a quarter of the instructions
    // of `whittle -e 1` (callgrind), and start-up is meant to stay under 50 ms.
    if options.isEmpty {
        var invocation = Invocation()
        if let file = fileAndArgs.first {
            invocation.mode = .script(path: file)
            invocation.args = Array(fileAndArgs.dropFirst())
        }
        return .run(invocation)
    }
    if options.count == 2, options[0] == "-e" {
        var invocation = Invocation()
        invocation.mode = .code(options[1])
        invocation.args = fileAndArgs
        return .run(invocation)
    }
    // The sweep has a parser of its own: its `--set` is for the points, not for this process.
    if options.first == "sweep" { return parseSweepCommandLine(Array(options.dropFirst())) }
    do {
        let command = try WhittleCommand.parseAsRoot(options)
        if var root = command as? WhittleCommand {
            root.fileAndArgs = fileAndArgs
            return .run(root.invocation)
        }
        if let check = command as? CheckCommand {
            var invocation = Invocation()
            invocation.mode = .check(paths: check.files)
            return .run(invocation)
        }
        // `-h` / `--help` come back as the parser's own help command.
        let subject: ParsableCommand.Type = options.first == "check" ? CheckCommand.self : WhittleCommand.self
        return .exit(status: 0, stdout: WhittleCommand.helpMessage(for: subject) + "\n", stderr: "")
    } catch {
        let message = WhittleCommand.fullMessage(for: error)
        let code = WhittleCommand.exitCode(for: error)
        if code == .success {
            return .exit(status: 0, stdout: message + "\n", stderr: "")
        }
        return .exit(status: 2, stdout: "", stderr: message + "\n")
    }
}

/// Options that take a value in the next argument (`--seed 3`); `--seed=3` is one argument.
private let optionsWithValue: Set<String> = ["-e", "--seed", "--set"]

/// Splits the command line at the script: everything from the first argument that is neither an
/// option nor an option's value (or after `--`) belongs to the script. `check` or `sweep` as the
/// very first argument stays with the options, where the parser sees the subcommand.
func splitAtScript(_ arguments: [String]) -> (options: [String], fileAndArgs: [String]) {
    if arguments.first == "check" || arguments.first == "sweep" { return (arguments, []) }
    var i = 0
    while i < arguments.count {
        let argument = arguments[i]
        if argument == "--" { return (Array(arguments[..<i]), Array(arguments[(i + 1)...])) }
        if argument == "-" || !argument.hasPrefix("-") { break }
        i += optionsWithValue.contains(argument) ? 2 : 1
    }
    let cut = min(i, arguments.count)
    return (Array(arguments[..<cut]), Array(arguments[cut...]))
}
