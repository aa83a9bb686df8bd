// IHT and RVSM from the language: fields and reports, clear errors, fast versions of the reproduction scripts (the lessons run in TeachingTests).
import Builtins
import Foundation
import XCTest

final class ThresholdingTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `code` with `--set` settings and returns what it printed (failing the test on any error).
    func run(_ code: String, path: String = "thresholding.wh", settings: [(String, String)] = [],
             file: StaticString = #filePath, line: UInt = #line) -> String {
        var out = "", err = ""
        var options = Session.Options()
        options.quiet = true
        options.settings = settings.map { (name: $0.0, value: $0.1) }
        let session = Session(options: options, output: { out += $0 }, errorOutput: { err += $0 })
        XCTAssertEqual(session.runScript(source: code, path: path), .success, err, file: file, line: line)
        return out
    }

    func error(_ code: String) -> String {
        var err = ""
        let session = Session(output: { _ in }, errorOutput: { err += $0 })
        _ = session.runScript(source: code, path: "thresholding.wh")
        return err
    }

    func file(_ relative: String, settings: [(String, String)] = [], line: UInt = #line) throws -> String {
        let url = Self.root.appendingPathComponent(relative)
        return run(try String(contentsOf: url, encoding: .utf8), path: relative, settings: settings, line: line)
    }

    func testIHTFieldsReportsAndStability() {
        let out = run("""
            seed(0)
            train = standardize(split(iris(), 0.8, seed: 0).train)
            net = dense(4, 3)
            opt = iht(net, s: 5, lr: 0.5, support_seed: 84)
            print(opt.s, len(opt.support.names), count_nonzero(net.weight) + count_nonzero(net.bias))
            step(opt, train)
            r = opt.last_step.hooks.iht
            print(r.nonzeros, r.changes == len(r.entered), type(r.last_change))
            for i in 0..<500 { step(opt, train) }
            h = ht_stable(opt, train)
            print(h.s, h.nonzeros, h.lr, type(h.stable), h.residual >= 0)
            print(opt.support.indices == sort(opt.support.indices), opt.l2s)
            """)
        XCTAssertEqual(out, "5 5 5\n5 true Int\n5 5 0.5 Bool true\ntrue {}\n")
    }

    func testIHTErrors() {
        XCTAssertTrue(error("iht(dense(4, 3), s: 0, lr: 0.1)").contains("iht: s must be between 1 and the number of parameters (15), got 0"))
        XCTAssertTrue(error("iht(dense(4, 3), s: 16, lr: 0.1)").contains("got 16"))
        XCTAssertTrue(error("iht(dense(4, 3), s: 20, data: iris())").contains("`iht`: argument 2 (`s`) must be between 1 and the number of parameters (15), got 20"))
        XCTAssertTrue(error("iht(dense(4, 3), s: 3)").contains("\"auto\" needs `data:` (the training set) to estimate L₂ₛ; or give a number"))
        XCTAssertTrue(error("iht(dense(4, 3), s: 3, lr: \"fast\")").contains("must be a Float or \"auto\", got \"fast\""))
        XCTAssertTrue(error("ht_stable(dense(4, 3), iris(), 3)").contains("`lr` is needed") || error("ht_stable(dense(4, 3), iris(), 3)").contains("(`lr`) is needed"))
    }

    func testRVSMErrorsAndProx() {
        XCTAssertTrue(error("rvsm(dense(4, 3), penalty: \"tll\")").contains("penalty must be \"l1\", \"l0\" or \"tl1\", got \"tll\"; did you mean \"tl1\"?"))
        XCTAssertTrue(error("rvsm(dense(4, 3), lambda: -1)").contains("lambda must be a non-negative number, got -1.0"))
        XCTAssertTrue(error("rvsm(dense(4, 3), order: \"C\")").contains("must be \"B\" (the proofs') or \"A\" (the listing's), got \"C\""))
        XCTAssertTrue(error("prox_l1(tensor([1]), -0.5)").contains("must be a non-negative number, got -0.5"))
        let out = run("""
            print(to_list(prox_l1(tensor([0.1, -0.5, 2]), 0.2)), to_list(prox_l0(tensor([0.1, -0.5, 2]), 0.02)))
            opt = rvsm(dense(2, 2), penalty: "l0", lambda: 1, beta: 1)
            print(opt.tau, fmt(opt.cutoff, 4), opt.penalty, opt.order)
            """)
        XCTAssertEqual(out, "[0.0, -0.30000001192092896, 1.7999999523162842] [0.0, -0.5, 2.0]\n1.0 1.4142 l0 B\n")
    }

    func testReproductionScriptsFast() throws {
        let iris = try file("scripts/iht_iris.wh", settings: [("runs", "1"), ("steps", "20"), ("samples", "4"),
                                                             ("out", NSTemporaryDirectory() + "iht_iris_test")])
        XCTAssertTrue(iris.contains("showcase s = 7"), iris)
        XCTAssertTrue(iris.contains("HT-stable:"), iris)
        XCTAssertTrue(iris.contains("estimate below the Lipschitz bound: true"), iris)
        let teacher = try file("scripts/rvsm_teacher.wh", settings: [("iterations", "200"), ("samples", "256"), ("epochs", "1")])
        XCTAssertTrue(teacher.contains("population RVSM, 200 iterations"), teacher)
        XCTAssertTrue(teacher.contains("empirical RVSM"), teacher)
    }

    func testFashionMNISTScriptFast() throws {
        // About 6 s of CPU in a debug build (the data set's load and four LeNets), so opt-in.
        guard ProcessInfo.processInfo.environment["WHITTLE_SLOW_TESTS"] == "1" else { throw XCTSkip("set WHITTLE_SLOW_TESTS=1") }
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") else {
            throw XCTSkip("Fashion-MNIST is not installed")
        }
        let out = try file("scripts/rvsm_fmnist.wh", settings: [("epochs", "1"), ("train", "256"), ("test", "128")])
        XCTAssertTrue(out.contains("base "), out)
        XCTAssertTrue(out.contains("l0 "), out)
    }
}
