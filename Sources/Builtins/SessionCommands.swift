// The prompt's extras: `?name` help, `:` commands (`:vars`, `:reset`, `:save`, ...) and `$ shell`.
import Core
import Foundation
import Interpreter
import Lang

extension Session {
    static let commandHelp = """
    Commands:
      :help           this list
      :load FILE      run a file in the session's globals
      :time EXPR      run EXPR and report how long it took
      :timeit EXPR    run EXPR many times: mean ± standard deviation per run
      :vars           your variables with their types and sizes
      :reset          forget your variables (built-ins and the standard library stay)
      :history        the inputs of this session
      :save FILE      save the inputs that ran without error as a script
      :quit           leave (Ctrl-D too)
      ?name           help for a built-in, method, field or documented function
      ??name          the source of a function defined in this session
      $ CMD           run a shell command

    """

    /// `?name`: prints help for a name, `obj.member` or `Type.member`.
    func help(_ name: String) -> Outcome {
        if name.isEmpty {
            output(HelpBuiltins.topicList(interpreter))
            return .success
        }
        if let text = HelpBuiltins.text(forName: name, in: interpreter) {
            output(text)
            return .success
        }
        let candidates = interpreter.userGlobals.visibleNames + Array(interpreter.memberTables.keys)
        let hint = nearestName(to: name, among: candidates).map { "; did you mean `\($0)`?" } ?? ""
        errorOutput("error: no help for `\(name)`\(hint)\n")
        return .runtimeError
    }

    /// `??name`: the source of a function defined in this session (its doc comment included), else
    /// what `?name` says.
    func source(_ name: String) -> Outcome {
        guard case .closure(let c)? = interpreter.userGlobals.lookup(name) else { return help(name) }
        let declaration = c.function.declaration
        let file = declaration.span.file
        let docLines = declaration.documentation.map { $0.split(separator: "\n", omittingEmptySubsequences: false).count } ?? 0
        let firstLine = max(1, declaration.span.line - docLines)
        let text = file.text(from: file.lineStarts[firstLine - 1], to: declaration.span.end)
        output(text + "\n  defined at \(declaration.span.shortDescription)\n")
        return .success
    }

    /// `:command arguments`.
    func command(_ text: String) -> Outcome {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let name = String(trimmed.prefix { !$0.isWhitespace })
        let rest = trimmed.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        switch name {
        case "help", "h", "?":
            output(Session.commandHelp)
        case "quit", "q", "exit":
            isQuitRequested = true
        case "vars":
            output(variablesText())
        case "reset":
            interpreter.userGlobals.clear()
            interpreter.userGlobals.define("args", .list(options.args.map { .string($0) }))
            for (k, v) in settings { interpreter.userGlobals.define(k, v) }
            output("user variables cleared\n")
        case "history":
            for (i, h) in history.dropLast().enumerated() { output("\(i + 1)  \(h)\n") }
        case "save":
            guard !rest.isEmpty else { errorOutput("error: `:save` needs a file name\n"); return .runtimeError }
            if options.sandboxed { errorOutput("error: `:save` is disabled in sandboxed mode\n"); return .runtimeError }
            let text = savedScript()
            do { try writeFileAtomically(rest) { try $0.write(Array(text.utf8)) } } catch {
                errorOutput("error: \(error)\n")
                return .runtimeError
            }
            output("saved \(savedInputs.count) input\(savedInputs.count == 1 ? "" : "s") to \(rest)\n")
        case "load":
            guard !rest.isEmpty else { errorOutput("error: `:load` needs a file name\n"); return .runtimeError }
            if options.sandboxed { errorOutput("error: `:load` is disabled in sandboxed mode\n"); return .runtimeError }
            guard let source = try? String(contentsOfFile: rest, encoding: .utf8) else {
                errorOutput("error: cannot read file \(rest)\n")
                return .runtimeError
            }
            let outcome = runScript(source: source, path: rest)
            if outcome == .success { savedInputs.append(SavedInput(text: "load(\(Value.string(rest).repr))")) }
            return outcome
        case "time":
            guard !rest.isEmpty else { errorOutput("error: `:time` needs an expression\n"); return .runtimeError }
            let start = Date()
            let (outcome, _) = runEchoing(SourceFile(path: "<time>", text: rest), number: nil, echo: .repr)
            output("time: \(Session.duration(Date().timeIntervalSince(start)))\n")
            if outcome == .success { savedInputs.append(SavedInput(text: rest)) }
            return outcome
        case "timeit":
            guard !rest.isEmpty else { errorOutput("error: `:timeit` needs an expression\n"); return .runtimeError }
            return timeit(rest)
        default:
            let names = ["help", "quit", "vars", "reset", "history", "save", "load", "time", "timeit"]
            let hint = nearestName(to: name, among: names).map { "; did you mean `:\($0)`?" }
                ?? "; the commands are \(names.map { ":" + $0 }.joined(separator: ", ")) (`:help` explains them)"
            errorOutput("error: unknown command `:\(name)`\(hint)\n")
            return .runtimeError
        }
        return .success
    }

    /// `:vars`: user variables, their types and approximate sizes.
    func variablesText() -> String {
        let names = interpreter.userGlobals.definedNames.filter { $0 != "_" && $0 != "args" }
        if names.isEmpty { return "no variables\n" }
        let rows: [(String, String, String)] = names.compactMap { n in
            guard let v = interpreter.userGlobals.lookup(n) else { return nil }
            return (n, v.typeName, Session.bytes(v.byteSize))
        }
        let w0 = rows.map { $0.0.count }.max() ?? 0, w1 = rows.map { $0.1.count }.max() ?? 0
        return rows.map { r in
            r.0 + String(repeating: " ", count: w0 - r.0.count + 2) + r.1 +
                String(repeating: " ", count: w1 - r.1.count + 2) + r.2 + "\n"
        }.joined()
    }

    static func bytes(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return String(format: "%.1f KiB", Double(n) / 1024) }
        if n < 1 << 30 { return String(format: "%.1f MiB", Double(n) / 1048576) }
        return String(format: "%.1f GiB", Double(n) / 1073741824)
    }

    /// `$ cmd`: runs a shell command, passing its output through.
    func shell(_ cmd: String) -> Outcome {
        if options.sandboxed {
            errorOutput("error: shell commands are disabled in sandboxed mode\n")
            return .runtimeError
        }
        // `cd` must change this process's folder, or the next `$ ls` and `:load` would not see it.
        if cd(cmd) { return changeDirectory(String(cmd.dropFirst(2)).trimmingCharacters(in: .whitespaces)) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", cmd]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            errorOutput("error: cannot run shell: \(error)\n")
            return .runtimeError
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        output(String(decoding: data, as: UTF8.self))
        if process.terminationReason == .uncaughtSignal {
            errorOutput("error: shell command killed by signal \(process.terminationStatus)\n")
            return .runtimeError
        }
        guard process.terminationStatus == 0 else {
            errorOutput("error: shell command exited with status \(process.terminationStatus)\n")
            return .runtimeError
        }
        return .success
    }

    /// Whether a shell command is a plain `cd` (no `&&`, `;` or pipe after it).
    private func cd(_ cmd: String) -> Bool {
        (cmd == "cd" || cmd.hasPrefix("cd ")) && !cmd.contains(where: { ";&|<>`$".contains($0) })
    }

    /// `$ cd DIR`: changes the session's working folder (`~` and no argument mean the home folder).
    private func changeDirectory(_ argument: String) -> Outcome {
        var path = argument
        if path.count >= 2, let q = path.first, q == "\"" || q == "'", path.last == q { path = String(path.dropFirst().dropLast()) }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/"
        if path.isEmpty || path == "~" { path = home } else if path.hasPrefix("~/") { path = home + path.dropFirst() }
        guard FileManager.default.changeCurrentDirectoryPath(path) else {
            errorOutput("error: cd: cannot change to \(path)\n")
            return .runtimeError
        }
        output(FileManager.default.currentDirectoryPath + "\n")
        return .success
    }
}
