// What the prompt shows and keeps: tables, numbered results, clipped lists, :save, :timeit, ??, $ cd, help layout.
import Builtins
import Foundation
import XCTest

final class PromptOutputTests: XCTestCase {
    var out = ""
    var err = ""

    func session(width: Int = 80) -> Session {
        out = ""
        err = ""
        var options = Session.Options()
        options.width = width
        return Session(options: options, output: { [unowned self] in self.out += $0 }, errorOutput: { [unowned self] in self.err += $0 })
    }

    func testSummaryEchoesAsItsTable() {
        let s = session()
        XCTAssertEqual(s.runPromptInput("net = sequential(dense(4, 3), relu())"), .success)
        XCTAssertEqual(s.runPromptInput("summary(net, input: [4])"), .success)
        XCTAssertEqual(out, """
        path  layer                output shape  params
        ───────────────────────────────────────────────
        0     Dense(4 -> 3, bias)  [1, 3]            15
        1     ReLU()               [1, 3]             0
        ───────────────────────────────────────────────
        total parameters: 15  (trainable: 15)

        """)
        out = ""
        XCTAssertEqual(s.runPromptInput("len(summary(net) + \"!\") > 10"), .success)
        XCTAssertEqual(out, "true\n", err)
    }

    func testEchoedValuesAreNumberedAndErrorsNameTheirInput() {
        let s = session()
        XCTAssertEqual(s.runPromptInput("fn f(i) {\n  let xs = [1]\n  xs[i]\n}"), .success)
        XCTAssertEqual(s.runPromptInput("20 + 1"), .success)
        XCTAssertEqual(s.runPromptInput("_2 * 2"), .success)
        XCTAssertEqual(s.runPromptInput("[_2, _3, _]"), .success)
        XCTAssertEqual(out, "21\n42\n[21, 42, 42]\n")
        XCTAssertEqual(s.inputCount, 4)
        XCTAssertEqual(s.runPromptInput("f(3)"), .runtimeError)
        XCTAssertTrue(err.contains("--> <input 1>:3:3"), err)
        XCTAssertTrue(err.contains("called from <input 5>:1"), err)
    }

    func testSavedSessionRunsAsAScriptWithTheSameResults() throws {
        let s = session()
        for line in ["x = 4", "x * 10", "_ + 2", "y = _2 + _3", "print(y)"] { XCTAssertEqual(s.runPromptInput(line), .success, err) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-saved-\(getpid()).wh").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(s.runPromptInput(":save \(path)"), .success)
        out = ""
        let script = try String(contentsOfFile: path, encoding: .utf8)
        let fresh = session()
        XCTAssertEqual(fresh.runScript(source: script, path: path), .success, err)
        XCTAssertEqual(out, "82\n")
        XCTAssertEqual(err, "")
    }

    func testLongListsAreClippedAtThePromptButPrintedInFull() {
        let s = session()
        XCTAssertEqual(s.runPromptInput("list(0..<100000)"), .success)
        XCTAssertEqual(out, "[0, 1, 2, …, 99997, 99998, 99999]  (100000 items)\n")
        out = ""
        XCTAssertEqual(s.runPromptInput("{xs: list(0..<2000)}"), .success)
        XCTAssertEqual(out, "{xs: [0, 1, 2, …, 1997, 1998, 1999]}\n")
        out = ""
        XCTAssertEqual(s.runPromptInput("print(list(0..<2000))"), .success)
        XCTAssertTrue(out.contains("997, 998, 999, 1000, 1001"), out)
        out = ""
        XCTAssertEqual(s.runPromptInput("list(0..<5)"), .success)
        XCTAssertEqual(out, "[0, 1, 2, 3, 4]\n")
    }

    func testTimeitReportsMeanAndDeviation() {
        let s = session()
        XCTAssertEqual(s.runPromptInput(":timeit 1 + 2"), .success, err)
        let pattern = #"^[0-9.]+ (ns|µs|ms|s) ± [0-9.]+ (ns|µs|ms|s) per loop \(mean ± std\. dev\. of 7 runs, [0-9]+ loops? each\)\n$"#
        XCTAssertNotNil(out.range(of: pattern, options: .regularExpression), out)
        XCTAssertEqual(s.runPromptInput(":timeit [1][4]"), .runtimeError)
        XCTAssertTrue(err.contains("index 4 out of range"), err)
    }

    func testDoubleQuestionMarkShowsAFunctionsSource() {
        let s = session()
        XCTAssertEqual(s.runPromptInput("# Adds one.\nfn inc(x) {\n  x + 1\n}"), .success)
        XCTAssertEqual(s.runPromptInput("??inc"), .success)
        XCTAssertEqual(out, "# Adds one.\nfn inc(x) {\n  x + 1\n}\n  defined at <input 1>:2\n")
    }

    func testUnknownCommandListsTheCommands() {
        let s = session()
        XCTAssertEqual(s.runPromptInput(":foo"), .runtimeError)
        XCTAssertEqual(err, "error: unknown command `:foo`; the commands are :help, :quit, :vars, :reset, :history, :save, :load, :time, :timeit (`:help` explains them)\n")
        err = ""
        XCTAssertEqual(s.runPromptInput(":timit 1"), .runtimeError)
        XCTAssertEqual(err, "error: unknown command `:timit`; did you mean `:timeit`?\n")
    }

    func testShellCdPersistsAndAFailingCommandReportsItsStatus() throws {
        let s = session()
        let before = FileManager.default.currentDirectoryPath
        defer { FileManager.default.changeCurrentDirectoryPath(before) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-cd-\(getpid())")
            .resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(s.runPromptInput("$ cd \(dir)"), .success, err)
        out = ""
        XCTAssertEqual(s.runPromptInput("$ pwd"), .success)
        XCTAssertEqual(out, dir + "\n")
        XCTAssertEqual(s.runPromptInput("$ echo hi; exit 3"), .runtimeError)
        XCTAssertEqual(err, "error: shell command exited with status 3\n")
    }

    func testHelpWrapsAtWordsAndAlignsFieldColumns() {
        let s = session(width: 60)
        XCTAssertEqual(s.runPromptInput("?fit"), .success)
        for line in out.split(separator: "\n") where !line.hasPrefix("fit(") && !line.hasPrefix("    ") {
            XCTAssertLessThan(line.count, 60, String(line))
        }
        XCTAssertTrue(out.contains("\n  Trains for some epochs of shuffled minibatches with a\n  progress bar; returns a Run.\n"), out)
        out = ""
        XCTAssertEqual(s.runPromptInput("?Net"), .success)
        XCTAssertTrue(out.contains("""
              layers       the child layers, in order
              kind         the layer kind: Dense, Conv2D, Sequential,
                           ...
              training     true in training mode (dropout active,
                           batch statistics)
              param_count  the number of trainable values
          """), out)
    }

    func testCompletionOffersTheMissingParametersOfACall() {
        let s = session()
        XCTAssertEqual(s.runPromptInput("net = sequential(dense(4, 3))"), .success)
        let line = "adam(net, "
        let (start, candidates) = s.completions(line: line, cursor: line.count)
        XCTAssertEqual(start, line.count)
        // Exactly the parameters after `net`, in their order (`adam(` offers them all, `net:` first).
        XCTAssertEqual(candidates, Array(s.completions(line: "adam(", cursor: 5).candidates.dropFirst()))
        XCTAssertFalse(candidates.contains("net:"))
        XCTAssertTrue(candidates.contains("lr:"), "\(candidates)")
        XCTAssertLessThan(candidates.count, 10)
        let named = "adam(net, lr: 0.1, "
        XCTAssertFalse(s.completions(line: named, cursor: named.count).candidates.contains("lr:"))
        // With a prefix: matching parameters first, then other names.
        let typed = "adam(net, ne"
        XCTAssertEqual(s.completions(line: typed, cursor: typed.count).candidates.first, "net")
        let first = "adam("
        XCTAssertEqual(s.completions(line: first, cursor: first.count).candidates.first, "net:")
    }

    func testCompletionFollowsSubscriptsAndLoadPaths() throws {
        let s = session()
        XCTAssertEqual(s.runPromptInput("net = sequential(dense(4, 3), relu())"), .success)
        let line = "net.layers[0]."
        XCTAssertTrue(s.completions(line: line, cursor: line.count).candidates.contains("weight"),
                      "\(s.completions(line: line, cursor: line.count))")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-complete-\(getpid())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        FileManager.default.createFile(atPath: dir.appendingPathComponent("data/lines.wh").path, contents: Data())
        let before = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(dir.path)
        defer { FileManager.default.changeCurrentDirectoryPath(before) }
        let load = ":load data/li"
        let (start, candidates) = s.completions(line: load, cursor: load.count)
        XCTAssertEqual(start, 6)
        XCTAssertEqual(candidates, ["data/lines.wh"])
    }

    func testFilesWrittenAtThePromptAreReported() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-wrote-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = session()
        XCTAssertEqual(s.runPromptInput("net = sequential(dense(4, 3))"), .success)
        XCTAssertEqual(s.runPromptInput("save(net, \"\(dir)/net.safetensors\")"), .success, err)
        XCTAssertEqual(s.runPromptInput("plot([1, 2, 3], file: \"\(dir)/p.svg\")"), .success, err)
        let lines = out.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, out)
        XCTAssertNotNil(lines[0].range(of: #"^wrote .*/net\.safetensors \([0-9]+ B\)$"#, options: .regularExpression), out)
        XCTAssertNotNil(lines[1].range(of: #"^wrote .*/p\.svg \([0-9.]+ (B|KiB)\)$"#, options: .regularExpression), out)
        // A script keeps quiet about it.
        out = ""
        XCTAssertEqual(s.runScript(source: "save(net, \"\(dir)/again.safetensors\")", path: "s.wh"), .success)
        XCTAssertEqual(out, "")
    }

    func testLoadingAPrunedFileIntoAFreshNetSaysToMaskItFirst() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-pruned-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = session()
        XCTAssertEqual(s.runScript(source: """
            net = sequential(dense(4, 3))
            masked(net)
            save(net, "\(path)")
            fresh = sequential(dense(4, 3))
            """, path: "a.wh"), .success, err)
        XCTAssertEqual(s.runScript(source: "load_weights(fresh, \"\(path)\")", path: "b.wh"), .runtimeError)
        XCTAssertTrue(err.contains("unexpected tensor \"0.mask\" [4, 3]\nthe file has masks (\"0.mask\"): call `masked(net)` first to give the net masks, then load the file"), err)
        err = ""
        XCTAssertEqual(s.runScript(source: "masked(fresh)\nload_weights(fresh, \"\(path)\")", path: "c.wh"), .success, err)
    }
}
