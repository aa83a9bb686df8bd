// The Session: prompt echo and `_`, `:` commands, `?name`, completion, check, settings, outcomes.
import Builtins
import Foundation
import Interpreter
import Runtime
import XCTest

final class SessionTests: XCTestCase {
    var out = ""
    var err = ""

    func session(_ configure: (inout Session.Options) -> Void = { _ in }) -> Session {
        out = ""
        err = ""
        var options = Session.Options()
        configure(&options)
        return Session(options: options, output: { [unowned self] in self.out += $0 }, errorOutput: { [unowned self] in self.err += $0 })
    }

    func testEveryBuiltinIsRegisteredOnceWithDocumentation() {
        let s = session()
        XCTAssertEqual(s.interpreter.duplicateRegistrations, [])
        for spec in s.interpreter.builtinSpecs.values {
            XCTAssertFalse(spec.summary.isEmpty, "\(spec.name) has no summary")
            XCTAssertFalse(spec.topic.isEmpty, "\(spec.name) has no topic")
        }
    }

    func testPromptEchoesExpressionValues() {
        let s = session()
        XCTAssertEqual(s.runPromptInput("1 + 2"), .success)
        XCTAssertEqual(s.runPromptInput("x = 5"), .success)
        XCTAssertEqual(s.runPromptInput("\"text\""), .success)
        XCTAssertEqual(s.runPromptInput("nil"), .success)
        XCTAssertEqual(s.runPromptInput("x * 2;"), .success)
        XCTAssertEqual(s.runPromptInput("_ + \"!\""), .success)
        XCTAssertEqual(s.runPromptInput("fn f(a) = a"), .success)
        XCTAssertEqual(out, "3\n\"text\"\n\"text!\"\n")
    }

    func testAssignmentInAFunctionUpdatesAGlobalFromAnEarlierInput() {
        let s = session()
        XCTAssertEqual(s.runPromptInput("count = 0"), .success)
        XCTAssertEqual(s.runPromptInput("fn inc() { count += 1 }"), .success)
        XCTAssertEqual(s.runPromptInput("inc()"), .success)
        XCTAssertEqual(s.runPromptInput("inc()"), .success)
        XCTAssertEqual(s.runPromptInput("fn local() { let count = 50; count }"), .success)
        XCTAssertEqual(s.runPromptInput("local()"), .success)
        XCTAssertEqual(s.runPromptInput("count"), .success)
        XCTAssertEqual(out, "50\n2\n")
    }

    func testRunCodePrintsLastValueUnquoted() {
        let s = session()
        XCTAssertEqual(s.runCode("x = 2\n\"v\(Character("="))\\(x)\""), .success)
        XCTAssertEqual(s.runCode("nil"), .success)
        XCTAssertEqual(out, "v=2\n")
    }

    func testOutcomes() {
        let s = session()
        XCTAssertEqual(s.runScript(source: "x = )", path: "a.wh"), .syntaxError)
        XCTAssertEqual(s.runScript(source: "x = [1][3]", path: "a.wh"), .runtimeError)
        XCTAssertEqual(s.runScript(source: "exit(3)", path: "a.wh"), .exit(3))
        XCTAssertEqual(s.runScript(source: "try { exit(4) } catch e { }", path: "a.wh"), .exit(4))
        XCTAssertTrue(err.contains("error: index 3 out of range for List of length 1\n --> a.wh:1:5\n"), err)
    }

    func testInputStatus() {
        let s = session()
        for text in ["fn f() {", "x = [1,", "x = 1 +", "\"abc", "f(1,\n2", "x = \"\\(1 + \"", "if a { 1 }\nelse {", "xs = [1, 2],"] {
            XCTAssertEqual(s.inputStatus(text), .incomplete, text)
        }
        for text in ["x = 1", "x = )", ":vars", "?len", "fn f() { 1 }", ""] {
            XCTAssertEqual(s.inputStatus(text), .complete, text)
        }
    }

    func testVarsResetAndSave() throws {
        let s = session { $0.args = ["a1"] }
        _ = s.runPromptInput("x = 1")
        _ = s.runPromptInput("name = \"ab\"")
        _ = s.runPromptInput("bad = [1][5]")
        _ = s.runPromptInput("xs = [1, 2]")
        out = ""
        _ = s.runPromptInput(":vars")
        XCTAssertEqual(out, "name  String  18 B\nx     Int     8 B\nxs    List    48 B\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-save-\(getpid()).wh").path
        out = ""
        _ = s.runPromptInput(":save \(path)")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "x = 1\nname = \"ab\"\nxs = [1, 2]\n")
        XCTAssertEqual(out, "saved 3 inputs to \(path)\n")
        try? FileManager.default.removeItem(atPath: path)
        _ = s.runPromptInput(":reset")
        out = ""
        err = ""
        XCTAssertEqual(s.runPromptInput("x"), .runtimeError)
        XCTAssertTrue(err.hasPrefix("error: unknown name `x`"), err)
        XCTAssertEqual(s.runPromptInput("[len(args), args[0], join([1, 2])]"), .success)
        XCTAssertEqual(out, "[1, \"a1\", \"1, 2\"]\n")
        _ = s.runPromptInput(":quit")
        XCTAssertTrue(s.isQuitRequested)
    }

    func testHelpForBuiltinsAndDocumentedFunctions() {
        let s = session()
        XCTAssertEqual(s.runPromptInput("?len"), .success)
        XCTAssertEqual(out, """
            len(x)
              The number of elements (characters of a string, keys of a record).

              Example:
                len([1, 2, 3])   # 3

            """)
        out = ""
        _ = s.runScript(source: "# Scales a value.\n# Returns x times k.\nfn scale(x, k = 2) = x * k\n", path: "doc.wh")
        XCTAssertEqual(s.runPromptInput("?scale"), .success)
        XCTAssertEqual(out, "fn scale(x, k = 2)\n  Scales a value.\n  Returns x times k.\n  defined at doc.wh:3\n")
        out = ""
        XCTAssertEqual(s.runPromptInput("?lenn"), .runtimeError)
        XCTAssertEqual(err, "error: no help for `lenn`; did you mean `len`?\n")
        XCTAssertEqual(s.runPromptInput("help()"), .success)
        XCTAssertTrue(out.hasPrefix("Topics (help(\"topic\") lists its built-ins):\n  Core language helpers\n"), out)
    }

    func testCompletion() {
        let s = session()
        _ = s.runPromptInput("record = {lr: 1, lambda: 2, epochs: 3}")
        XCTAssertEqual(s.completions(line: "reco", cursor: 4).candidates, ["record"])
        let fields = s.completions(line: "x = record.l", cursor: 12)
        XCTAssertEqual(fields.start, 11)
        XCTAssertEqual(fields.candidates, ["lambda", "lr"])
        let inCall = s.completions(line: "range(1, 5, st", cursor: 14).candidates
        XCTAssertTrue(inCall.contains("step:") && inCall.contains("str"), "\(inCall)")
        XCTAssertFalse(inCall.contains("seed:"))
        XCTAssertTrue(s.completions(line: "le", cursor: 2).candidates.contains("len"))
        XCTAssertTrue(s.completions(line: "le", cursor: 2).candidates.contains("let"))
        XCTAssertEqual(s.completions(line: "load(\"/usr/shar", cursor: 15).candidates, ["/usr/share/"])
    }

    func testCheckReportsAllSyntaxErrorsAndWarnsOnUnknownNames() {
        let s = session()
        XCTAssertEqual(s.check(source: "x = )\ny = (\n", path: "c.wh"), .syntaxError)
        XCTAssertEqual(err.components(separatedBy: "error: ").count - 1, 2)
        err = ""
        XCTAssertEqual(s.check(source: "fn f() = g()\nfn g() = lenn([1])\nprint(f())\n", path: "c.wh"), .success)
        XCTAssertTrue(err.hasPrefix("warning: unknown name `lenn`; did you mean `len`?\n --> c.wh:2:10\n"), err)
    }

    func testSettingsAndArgs() {
        let s = session { $0.settings = [("lr", "0.5"), ("name", "abc"), ("sizes", "[1, 2]")]; $0.args = ["-v", "x"] }
        XCTAssertEqual(s.runScript(source: "print(lr, name, sizes, setting(\"lr\", 0.1), setting(\"other\", 7), args)", path: "s.wh"), .success)
        XCTAssertEqual(out, "0.5 abc [1, 2] 0.5 7 [\"-v\", \"x\"]\n")
    }

    func testUserGlobalShadowsBuiltinWithoutBreakingStdlib() {
        let s = session()
        XCTAssertEqual(s.runScript(source: "str = 5\nlen = 0\nprint(join([1, 2], \"-\"), average([1, 2]), str)", path: "s.wh"), .success)
        XCTAssertEqual(out, "1-2 1.5 5\n")
    }

    func testInterruptUnwindsWithStateIntact() {
        let s = session()
        let token = s.interpreter.token  // Sendable, unlike the session
        let stopper = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            token.cancel()
        }
        stopper.start()
        XCTAssertEqual(s.runPromptInput("x = 0\nwhile true { x += 1 }"), .interrupted)
        XCTAssertEqual(err, "interrupted\n")
        out = ""
        XCTAssertEqual(s.runPromptInput("x > 0"), .success)
        XCTAssertEqual(out, "true\n")
        XCTAssertEqual(s.runScript(source: "1", path: "i.wh"), .success)
    }

    func testEachSessionOwnsItsCancellationToken() {
        // The executable hands its token down; nothing process-wide links two sessions.
        let token = CancellationToken()
        var options = Session.Options()
        options.token = token
        let handed = Session(options: options, output: { _ in }, errorOutput: { _ in })
        let own = session()
        XCTAssertTrue(handed.interpreter.token === token)
        XCTAssertFalse(own.interpreter.token === token)
        token.cancel()
        XCTAssertTrue(handed.interpreter.token.isCancelled)
        XCTAssertFalse(own.interpreter.token.isCancelled)
    }

    func testSandboxRefusesFilesAndShell() {
        let s = session { $0.sandboxed = true }
        XCTAssertEqual(s.runScript(source: "read(\"/etc/hostname\")", path: "s.wh"), .runtimeError)
        XCTAssertTrue(err.hasPrefix("error: `read` cannot use files in sandboxed mode"), err)
        XCTAssertEqual(s.runPromptInput("$ ls"), .runtimeError)
        XCTAssertEqual(s.runScript(source: "exit(1)", path: "s.wh"), .runtimeError)
    }

    /// Issue 17.20: every built-in that takes a path is refused in the sandbox, before the file is
    /// touched (a file that exists, so success would show), and no error echoes a file's contents.
    func testSandboxShutsEveryFileBuiltin() throws {
        let dir = NSTemporaryDirectory() + "whittle-sandbox-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let secret = dir + "/secret.csv"
        try "a,b\nSECRET,2\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let s = session { $0.sandboxed = true }
        let calls: [(String, String)] = [
            ("read", "read(\"\(secret)\")"), ("write", "write(\"\(dir)/w\", \"x\")"), ("load", "load(\"\(secret)\")"),
            ("csv", "csv(\"\(secret)\")"), ("idx", "idx(\"\(secret)\", \"\(secret)\")"),
            ("fashion_mnist", "fashion_mnist(dir: \"\(dir)\")"), ("save", "save(sequential(dense(1, 1)), \"\(dir)/n\")"),
            ("load_weights", "load_weights(sequential(dense(1, 1)), \"\(secret)\")"),
            ("write_jsonl", "write_jsonl(\"\(dir)/j\", {a: 1})"), ("to_csv", "to_csv(\"\(dir)/c\", [{a: 1}])"),
            ("mkdir", "mkdir(\"\(dir)/m\")"), ("plot", "plot([1, 2], file: \"\(dir)/p.svg\")"),
            ("heatmap", "heatmap(eye(2), file: \"\(dir)/h.svg\")"), ("hist", "hist(tensor([1, 2]), file: \"\(dir)/h2.svg\")"),
            ("fit", "net = sequential(dense(4, 3)); fit(net, split(iris(), 0.8, seed: 0).train, adam(net), epochs: 1, log: \"\(dir)/l\")"),
        ]
        for (name, source) in calls {
            err = ""
            XCTAssertEqual(s.runScript(source: source, path: "s.wh"), .runtimeError, name)
            XCTAssertTrue(err.contains("`\(name)` cannot use files in sandboxed mode"), "\(name): \(err)")
            XCTAssertFalse(err.contains("SECRET"), name)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["secret.csv"])
        XCTAssertEqual(s.completions(line: "read(\"\(dir)/", cursor: dir.count + 7).candidates.count, 0)
    }

    func testLoadRunsFilesRelativeToTheCaller() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-load-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "shared = 41\nfn bump(x) = x + 1\n".write(to: dir.appendingPathComponent("common.wh"), atomically: true, encoding: .utf8)
        let main = dir.appendingPathComponent("main.wh")
        let s = session()
        XCTAssertEqual(s.runScript(source: "load(\"common.wh\")\nprint(bump(shared))", path: main.path), .success)
        XCTAssertEqual(out, "42\n")
        try "load(\"self.wh\")\n".write(to: dir.appendingPathComponent("self.wh"), atomically: true, encoding: .utf8)
        XCTAssertEqual(s.runScript(source: "load(\"self.wh\")", path: main.path), .runtimeError)
        XCTAssertTrue(err.hasPrefix("error: stack overflow in `load`\n"), err)
    }

    func testShapeErrorsReadTheSameInsideAndOutsideGrad() {
        // The same bad op at the prompt and inside `grad` (on the tape) must give the same text.
        for (op, outside, inside) in [
            ("+", "tensor([1, 2]) + tensor([1, 2, 3])", "x + tensor([1, 2, 3])"),
            ("*", "tensor([1, 2]) * tensor([1, 2, 3])", "x * tensor([1, 2, 3])"),
            ("where", "where(tensor([1, 0]), tensor([1, 2]), tensor([1, 2, 3]))",
             "where(tensor([1, 0]), x, tensor([1, 2, 3]))"),
        ] {
            let s = session()
            XCTAssertEqual(s.runCode("""
                try { \(outside) } catch e { print(e.message) }
                try { grad(fn(x) sum(\(inside)), tensor([1, 2])) } catch e { print(e.message) }
                """), .success)
            let lines = out.split(separator: "\n").map(String.init)
            XCTAssertEqual(lines.count, 2, out)
            XCTAssertEqual(lines.first, lines.last, op)
        }
        let s = session()
        _ = s.runCode("try { grad(fn(x) sum(x + tensor([1, 2, 3])), tensor([1, 2])) } catch e { print(e.message) }")
        XCTAssertEqual(out, "shape mismatch in `+`: cannot broadcast [2] with [3]\n")
    }
}

final class FileHelperTests: XCTestCase {
    func testReadWriteAndJSONRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-io-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var out = "", err = ""
        let s = Session(output: { out += $0 }, errorOutput: { err += $0 })
        let path = dir.appendingPathComponent("r.json").path
        XCTAssertEqual(s.runScript(source: """
            write("\(path)", json({lr: 0.1, xs: [1, 2]}))
            back = parse_json(read("\(path)"))
            print(back.lr, back.xs)
            read("\(path)/missing")
            """, path: dir.appendingPathComponent("io.wh").path), .runtimeError)
        XCTAssertEqual(out, "0.1 [1, 2]\n")
        XCTAssertTrue(err.hasPrefix("error: cannot read file \(path)/missing\n"), err)
    }
}
