// Core helpers that reach outside the language: time, seed, settings, files, JSON, exit.
import Core
import Foundation
import Core
import Interpreter
import Lang

extension CoreBuiltins {
    static func refuseInSandbox(_ a: Arguments) throws {
        if a.interpreter.isSandboxed {
            throw RuntimeError("`\(a.spec.name)` is disabled in sandboxed mode", kind: "io")
        }
    }

    /// `path` relative to the directory of the file running now.
    static func resolve(_ path: String, _ a: Arguments) -> String {
        if path.hasPrefix("/") { return path }
        guard let current = a.interpreter.currentFile, current.contains("/") else { return path }
        // By hand: Foundation's `deletingLastPathComponent` traps on some one-character paths.
        guard let slash = current.lastIndex(of: "/") else { return path }
        return String(current[...slash]) + path
    }

    /// Runs `file` in the user's global scope from inside a built-in (`load`, a lesson run straight
    /// through); syntax errors are reported and raised as one error naming the file.
    /// - Returns: the value of the last statement, and whether that statement is an expression.
    static func runNested(_ file: SourceFile, _ a: Arguments) throws -> (value: Value, isExpression: Bool) {
        let (program, diagnostics) = Parser.parse(file)
        if !diagnostics.isEmpty {
            a.interpreter.session?.errorOutput(Diagnostic.render(diagnostics))
            throw RuntimeError("\(a.qualifiedName): \(diagnostics.count) syntax error\(diagnostics.count == 1 ? "" : "s") in \(file.path)",
                               kind: "syntax")
        }
        let globals = a.interpreter.userGlobals
        Resolver.resolve(program, globalExists: { globals.defines($0) })
        let saved = a.interpreter.currentFile
        a.interpreter.currentFile = file.path
        defer { a.interpreter.currentFile = saved }
        let value = try a.interpreter.run(program, in: a.interpreter.userGlobals, nested: true)
        guard let last = program.body.statements.last, case .expression = last.kind else { return (value, false) }
        return (value, true)
    }

    static let systemTable: [BuiltinSpec] = [
        spec("exit", [.optional("code", "Int", .int(0))], "Ends the script (or the prompt) with status `code`.",
             example: "exit(1)") { a in
            try refuseInSandbox(a)
            let code = try a.int("code")
            guard code >= 0 && code <= 255 else { throw a.valueError("code", "must be between 0 and 255") }
            throw ExitRequest(code: Int32(code))
        },
        spec("file_size", [.required("path", "String")], "The size of a file in bytes (like Python's os.path.getsize).",
             example: "save(net, \"pruned.safetensors\", sparse: true)\nfile_size(\"pruned.safetensors\")") { a in
            // Relative to the working directory, as `save` and `write` are (the files one checks).
            let path = try a.filePath("path")
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
                throw RuntimeError("cannot read the size of \(path): no such file or not readable", kind: "io")
            }
            return .int(size)
        },
        spec("json", [.required("x")], "`x` as JSON text (NaN and Infinity as Python's json writes them).",
             example: "json({lr: 0.1, sizes: [1, 2]})   # {\"lr\": 0.1, \"sizes\": [1, 2]}") { a in
            // Python's defaults: non-ASCII escaped; a value inside itself marked as `print` shows it.
            let token = a.interpreter.token
            return .string(try JSONBridge.json(a["x"], op: "json", cycles: .mark, token: token)
                .encoded(asciiOnly: true, checking: token, during: "json"))
        },
        spec("load", [.required("path", "String")],
             "Runs another Whittle file in the user's global scope (path relative to the calling file).",
             example: "load(\"common.wh\")") { a in
            let path = resolve(try a.filePath("path"), a)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RuntimeError("cannot read file \(path)", kind: "io")
            }
            return try runNested(SourceFile(path: path, text: text), a).value
        },
        spec("now", [], "Seconds since 1970 as a Float (for timing).", example: "t0 = now()") { _ in
            .float(Date().timeIntervalSince1970)
        },
        spec("parse_json", [.required("text", "String")], "The value of JSON text: objects become records, arrays lists.",
             example: "parse_json(\"{\\\"a\\\": [1, 2.5, NaN]}\")") { a in
            JSONBridge.value(try parseJSON(try a.string("text"), source: "parse_json"))
        },
        spec("read", [.required("path", "String")], "The text of a file.", example: "text = read(\"notes.txt\")") { a in
            let path = resolve(try a.filePath("path"), a)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RuntimeError("cannot read file \(path)", kind: "io")
            }
            return .string(text)
        },
        spec("seed", [.optional("n", "Int", .null)],
             "Sets the seed of every random draw (`seed(n)`), or returns it (`seed()`).",
             example: "seed(42)") { a in
            if a["n"].isNil { return .int(Int(truncatingIfNeeded: a.interpreter.seed)) }
            let n = try a.int("n")
            guard n >= 0 else { throw a.valueError("n", "must be >= 0") }
            a.interpreter.seed = UInt64(n)
            return .null
        },
        spec("setting", [.required("name", "String"), .required("default")],
             "The `--set name=value` given on the command line, or `default`.",
             example: "lr = setting(\"lr\", 0.1)") { a in
            a.interpreter.session?.setting(try a.string("name")) ?? a["default"]
        },
        spec("time", [.required("f", "Function")], "Calls `f()` and returns the seconds it took, as a Float.",
             example: "time(fn() fib(20))") { a in
            let f = try a.function("f")
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try a.call(f, [])
            return .float(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        },
        spec("write", [.required("path", "String"), .required("text", "String")], "Writes `text` to a file (replacing it).",
             example: "write(\"out.txt\", json(results))") { a in
            let path = resolve(try a.filePath("path"), a)
            let text = try a.string("text")
            try writeFileAtomically(path) { try $0.write(Array(text.utf8)) }
            return .null
        },
    ]
}
