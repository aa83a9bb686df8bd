// The Session: the one driver of lex → parse → resolve → evaluate for the prompt, scripts and tests.
import Foundation
import Interpreter
import Lang
import Runtime

/// Runs Whittle code for the executable and the tests. Built-ins and the standard library are
/// installed at creation; user globals persist across inputs until `:reset`.
public final class Session {
    public struct Options {
        public var seed: UInt64 = 0
        /// `--set name=value` (value parsed as a literal, else a String).
        public var settings: [(name: String, value: String)] = []
        /// The script's `args`.
        public var args: [String] = []
        /// No progress output.
        public var quiet = false
        /// ANSI colour in diagnostics and echo.
        public var color = false
        /// No file / process / exit built-ins (fuzzing).
        public var sandboxed = false
        /// Abort evaluation after about N steps (fuzzing).
        public var stepBudget: Int? = nil
        /// Terminal width for pretty printing.
        public var width = 80
        /// Where `report` appends its JSON lines (a sweep point's `result.jsonl`); nil prints them.
        public var reportPath: String? = nil
        /// Cancelled by Ctrl-C: the executable hands in the token its signal handler sets; a
        /// session made without one (tests, embedders) owns a fresh token nobody else sees.
        public var token = CancellationToken()
        public init() {}
    }

    public enum Outcome: Equatable { case success, syntaxError, runtimeError, interrupted, exit(Int32) }
    public enum InputStatus: Equatable { case complete, incomplete }

    /// The interpreter running this session's code (for tests and for built-ins).
    public let interpreter: Interpreter
    let options: Options
    let output: (String) -> Void
    let errorOutput: (String) -> Void
    /// Inputs of this session, and those that ran without error (for `:history` and `:save`).
    var history: [String] = []
    var savedInputs: [SavedInput] = []
    /// Code inputs run so far at the prompt; the next one is `<input \(inputCount + 1)>` and binds `_N`.
    public internal(set) var inputCount = 0
    /// Values given with `--set`.
    var settings: [String: Value] = [:]
    /// The setting names the running script asked for, given or not.
    var settingsRead = Set<String>()
    public internal(set) var isQuitRequested = false
    /// True at an interactive prompt: `tutorial(name)` then waits for Enter between steps instead
    /// of running the lesson straight through.
    public var pausesLessons = false
    /// The lesson being walked through at the prompt, and the step shown (run by the next Enter).
    var lessonInProgress: (lesson: Lesson, next: Int)?

    public static var version: String { "0.1.0" }

    public init(options: Options = Options(),
                output: @escaping (String) -> Void,
                errorOutput: @escaping (String) -> Void) {
        self.options = options
        self.output = output
        self.errorOutput = errorOutput
        interpreter = Interpreter(output: output, token: options.token)
        CancellationToken.running = options.token
        TensorRendering.precision = TensorRendering.defaultPrecision  // each session starts with the default
        interpreter.isSandboxed = options.sandboxed
        interpreter.stepBudget = options.stepBudget
        interpreter.width = options.width
        interpreter.isQuiet = options.quiet
        interpreter.extensions["session"] = WeakSession(self)
        interpreter.seed = options.seed
        for table in Session.builtinTables { interpreter.register(table) }
        for table in Session.memberTables { interpreter.register(table) }
        loadStandardLibrary()
        interpreter.userGlobals.define("args", .list(options.args.map { .string($0) }))
        for (name, text) in options.settings {
            let v = Session.literal(text) ?? .string(text)
            settings[name] = v
            interpreter.userGlobals.define(name, v)
        }
    }

    /// Frees everything this session's code made, cycles included (see `Interpreter.close`);
    /// the session must not be used afterwards.
    public func close() { interpreter.close() }

    // MARK: - Standard library

    /// Runs every `stdlib/*.wh` file, in name order, in the standard-library layer.
    func loadStandardLibrary() {
        guard let dir = Bundle.module.url(forResource: "stdlib", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return }
        for name in names.sorted() where name.hasSuffix(".wh") {
            let url = dir.appendingPathComponent(name)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            _ = execute(SourceFile(path: "stdlib/\(name)", text: text), layer: interpreter.stdlibGlobals, echo: .none)
        }
    }

    // MARK: - Entry points

    /// Whether the prompt should ask for more lines before running `text`.
    public func inputStatus(_ text: String) -> InputStatus {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.hasPrefix(":") || trimmed.hasPrefix("?") || trimmed.hasPrefix("$") {
            return .complete
        }
        if trimmed.hasSuffix(",") { return .incomplete }
        let (_, diagnostics) = interpreter.runOnLargeStack { Parser.parse(SourceFile(path: "<prompt>", text: text)) }
        return diagnostics.contains(where: \.isUnexpectedEnd) ? .incomplete : .complete
    }

    /// Runs one prompt input: code (echoing its value), `?name`, `:command` or `$ shell command`.
    public func runPromptInput(_ text: String) -> Outcome {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .success }
        history.append(text)
        if trimmed.hasPrefix("??") {
            return source(String(trimmed.dropFirst(2)).trimmingCharacters(in: .whitespaces))
        }
        if trimmed.hasPrefix("?") {
            return help(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces))
        }
        if trimmed.hasPrefix(":") { return command(String(trimmed.dropFirst())) }
        if trimmed.hasPrefix("$") { return shell(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces)) }
        inputCount += 1
        let number = inputCount
        let start = Date()
        // Each input is its own file, so errors in functions it defines say which input (`<input 3>:4:3`).
        let (outcome, echoed) = runEchoing(SourceFile(path: "<input \(number)>", text: text), number: number,
                                           echo: trimmed.hasSuffix(";") ? .none : .repr)
        let elapsed = Date().timeIntervalSince(start)
        if elapsed > 1 { output("time: \(Session.duration(elapsed))\n") }
        if outcome == .success { savedInputs.append(SavedInput(text: text, resultNumber: echoed ? number : nil)) }
        return outcome
    }

    /// Runs a whole script file; then warns about `--set` settings the script never read (a
    /// misspelt `--set lrr=0.01` would otherwise be silently ignored).
    public func runScript(source: String, path: String) -> Outcome {
        let file = SourceFile(path: path, text: source)
        let outcome = execute(file, layer: interpreter.userGlobals, echo: .none)
        if outcome == .success {
            // A setting is read through `setting(name, …)` or as the global `--set` binds.
            let names = Set(Lexer(file: file).tokenize().filter { $0.kind == .name }.map(\.text))
            warnAboutUnreadSettings(mentioned: names)
        }
        return outcome
    }

    /// One warning line per `--set` name the script neither asked for nor mentions.
    func warnAboutUnreadSettings(mentioned: Set<String>) {
        let read = settingsRead.union(options.settings.map(\.name).filter(mentioned.contains)).sorted()
        for (name, _) in options.settings where !read.contains(name) {
            let hint = nearestName(to: name, among: read).map { " (did you mean `\($0)`?)" } ?? ""
            let known = read.isEmpty ? "it reads no settings" : "it reads \(read.joined(separator: ", "))"
            errorOutput("warning: the script never read the setting `\(name)` given with --set\(hint); \(known)\n")
        }
    }

    /// Runs `-e` code and prints the last expression's value (strings unquoted, nil nothing).
    public func runCode(_ text: String) -> Outcome {
        execute(SourceFile(path: "<string>", text: text), layer: interpreter.userGlobals, echo: .printed)
    }

    /// Parses and resolves only: reports every syntax error, and unresolved names as warnings.
    public func check(source: String, path: String) -> Outcome {
        let file = SourceFile(path: path, text: source)
        return interpreter.runOnLargeStack {
            let (program, diagnostics) = Parser.parse(file)
            self.errorOutput(Diagnostic.render(diagnostics, color: self.options.color))
            if !diagnostics.isEmpty { return .syntaxError }
            let resolver = Resolver.resolve(program, globalExists: { self.interpreter.userGlobals.defines($0) })
            let known = Set(self.interpreter.userGlobals.visibleNames).union(resolver.globalWrites).union(["_"])
            for ref in resolver.globalReads where !known.contains(ref.name) {
                let hint = nearestName(to: ref.name, among: Array(known)).map { "; did you mean `\($0)`?" } ?? ""
                let d = Diagnostic(.warning, "unknown name `\(ref.name)`\(hint)", at: ref.span)
                self.errorOutput(d.render(color: self.options.color))
            }
            return .success
        }
    }

    // MARK: - The pipeline

    enum Echo { case none, repr, printed }

    /// Parses, resolves and runs `file` with its globals in `layer`; reports errors; echoes the
    /// value of a final expression statement as asked.
    func execute(_ file: SourceFile, layer: GlobalLayer, echo: Echo, resultNumber: Int? = nil) -> Outcome {
        executeEchoing(file, layer: layer, echo: echo, resultNumber: resultNumber).outcome
    }

    /// A prompt input: runs with prompt-only behaviour (clipped lists, "wrote FILE" notes) and binds
    /// `_` and `_N`; `echoed` says whether a value was shown (and so bound).
    func runEchoing(_ file: SourceFile, number: Int?, echo: Echo) -> (outcome: Outcome, echoed: Bool) {
        let wasInteractive = interpreter.isInteractive
        interpreter.isInteractive = true
        defer { interpreter.isInteractive = wasInteractive }
        return executeEchoing(file, layer: interpreter.userGlobals, echo: echo, resultNumber: number)
    }

    private func executeEchoing(_ file: SourceFile, layer: GlobalLayer, echo: Echo,
                                resultNumber: Int?) -> (outcome: Outcome, echoed: Bool) {
        interpreter.token.reset()
        var echoed = false
        let outcome = interpreter.runOnLargeStack { () -> Outcome in
            let (program, diagnostics) = Parser.parse(file)
            if !diagnostics.isEmpty {
                self.errorOutput(Diagnostic.render(diagnostics, color: self.options.color))
                return .syntaxError
            }
            Resolver.resolve(program, globalExists: { layer.defines($0) })
            let savedFile = self.interpreter.currentFile
            self.interpreter.currentFile = file.path
            defer { self.interpreter.currentFile = savedFile }
            do {
                let value = try self.interpreter.run(program, in: layer)
                // An interrupt that came during the last built-in, with no check after it, is
                // still an interrupt (a script exits 130), never a success.
                try self.interpreter.token.check()
                guard echo != .none, let last = program.body.statements.last, case .expression = last.kind else {
                    return .success
                }
                if value.isNil { return .success }
                if echo == .repr {
                    self.interpreter.userGlobals.define("_", value)
                    if let n = resultNumber { self.interpreter.userGlobals.define("_\(n)", value) }
                    echoed = true
                    self.output(value.pretty(width: self.options.width, clipped: true) + "\n")
                } else {
                    self.output(value.printed + "\n")
                }
                return .success
            } catch {
                return self.report(error)
            }
        }
        return (outcome, echoed)
    }

    /// Reports an error from running code the way `execute` does, and gives its outcome.
    func report(_ error: Error) -> Outcome {
        switch error {
        case let e as RuntimeError:
            errorOutput(e.diagnostic.render(color: options.color))
            return .runtimeError
        case let e as Interrupted:
            errorOutput("\(e.description)\n")
            return .interrupted
        case let e as ExitRequest:
            return .exit(e.code)
        default:
            errorOutput("error: \(error)\n")
            return .runtimeError
        }
    }

    /// Reads `--set` text as a Whittle literal (number, string, bool, nil, list or record of
    /// literals, negative numbers); nil when it is not one.
    static func literal(_ text: String) -> Value? {
        let (program, diagnostics) = Parser.parse(SourceFile(path: "<setting>", text: text), maxDepth: 100)
        guard diagnostics.isEmpty, program.body.statements.count == 1,
              case .expression(let e) = program.body.statements[0].kind else { return nil }
        return literal(e)
    }

    private static func literal(_ e: Expr) -> Value? {
        switch e.kind {
        case .nilLiteral: return .null
        case .boolLiteral(let b): return .bool(b)
        case .intLiteral(let i): return .int(i)
        case .floatLiteral(let d): return .float(d)
        case .string(let parts):
            guard parts.count == 1, case .text(let s) = parts[0] else { return nil }
            return .string(s)
        case .unary(_, let x):
            switch literal(x) {
            case .int(let i)?: return i == .min ? nil : .int(-i)
            case .float(let d)?: return .float(-d)
            default: return nil
            }
        case .list(let items):
            var out: [Value] = []
            for i in items { guard let v = literal(i) else { return nil }; out.append(v) }
            return .list(out)
        case .record(let fields):
            var pairs: [(String, Value)] = []
            for f in fields { guard let v = literal(f.value) else { return nil }; pairs.append((f.key, v)) }
            return .record(pairs)
        default: return nil
        }
    }

    /// The `--set` value for `name`, if one was given; remembers that the script asked for it.
    func setting(_ name: String) -> Value? {
        settingsRead.insert(name)
        return settings[name]
    }
}

/// Lets built-ins reach their session without a reference cycle.
final class WeakSession {
    weak var session: Session?
    init(_ session: Session) { self.session = session }
}

extension Interpreter {
    /// The session running this interpreter, when there is one.
    var session: Session? { (extensions["session"] as? WeakSession)?.session }

    /// True while a prompt input runs: built-ins then note side effects (`wrote FILE (12 KB)`) that a
    /// script would keep quiet about.
    var isInteractive: Bool {
        get { extensions["interactive"] as? Bool ?? false }
        set { extensions["interactive"] = newValue }
    }
}
