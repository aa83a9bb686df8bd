// ShrinkNets in the language: the fast versions of scripts/shrink_*.wh, the lesson's outcome, and the built-ins' errors.
@testable import Builtins
import Foundation
import XCTest

final class ShrinkScriptTests: XCTestCase {
    func run(_ name: String, _ settings: [(String, String)]) throws -> String {
        try ReproductionScript.run(name, settings, needsFashionMNIST: name != "shrink_regression.wh")
    }

    func testRegressionFastVersion() throws {
        let out = try run("shrink_regression.wh", [("n", "200"), ("shrink_steps", "20"), ("steps", "40"), ("lambdas", "[0.01, 1.0]")])
        XCTAssertEqual(out.components(separatedBy: "ShrinkNet sparsity").count, 3, out)
        XCTAssertTrue(out.contains("group lasso λ_g 0.063: sparsity"), out)
    }

    func testFashionMNISTFastVersion() throws {
        let out = try run("shrink_fmnist.wh", [("train", "128"), ("test", "100"), ("epochs", "2"), ("width", "64"), ("lambdas", "[0.05]"),
                                               ("cnn_epochs", "1"), ("cnn_train", "32")])
        for line in ["full width 64-64: test", "λ 0.05: widths [", "static ", "W1 CNN λ 0.003: widths ["] {
            XCTAssertTrue(out.contains(line), "missing \"\(line)\" in:\n\(out)")
        }
    }

    func session() -> (Session, () -> String, () -> String) {
        var out = "", err = ""
        let s = Session(output: { out += $0 }, errorOutput: { err += $0 })
        return (s, { defer { out = "" }; return out }, { defer { err = "" }; return err })
    }

    func testTheLessonShrinksTheNetAndKeepsItAccurate() {
        let (s, out, err) = session()
        XCTAssertEqual(s.runScript(source: "tutorial(\"shrinknets\")", path: "lesson.wh"), .success, err())
        _ = out()
        XCTAssertEqual(s.runCode("""
            [opt.widths[0] < 32, opt.widths[0] == switches(net).layers[0].units, accuracy(net, test) > 0.85,
             item(max(abs(small(test.x) - net(test.x)))) < 1e-5, len(opt.kills) == 32 - opt.widths[0]]
            """), .success, err())
        XCTAssertEqual(out(), "[true, true, true, true, true]\n")
    }

    func testCollectAndQueriesThroughTheLanguage() {
        let (s, out, err) = session()
        XCTAssertEqual(s.runCode("""
            seed(0)
            net = sequential(dense(3, 6), switch(6, init: "ones"), relu(), dense(6, 2))
            opt = shrink(adam(net), collect_every: 0)
            step(opt, [randn(4, 3), randn(4, 2)])
            r = collect(net, opt)
            [r.params_before, r.params_after, opt.last_step.hooks.shrink.alive, type(explain(opt).text)]
            """), .success, err())
        XCTAssertEqual(out(), "[44, 44, 6, \"String\"]\n")
        XCTAssertEqual(s.runCode("switches(net, input: [3]).flops"), .success, err())
        XCTAssertEqual(out(), "60\n")
    }

    func testBadArgumentsAreClearErrors() {
        let (s, _, err) = session()
        XCTAssertEqual(s.runCode("switch(4, gate: \"sigmoid\")"), .runtimeError)
        XCTAssertTrue(err().contains("`switch`: argument 3 (`gate`) must be \"linear\" or \"relu\", got \"sigmoid\""))
        XCTAssertEqual(s.runCode("net = sequential(dense(3, 4), switch(4), relu(), dense(4, 2))\nshrink(adam(net), kill: \"never\")"), .runtimeError)
        XCTAssertTrue(err().contains("must be \"sign_variance\" or \"sign_change\" or \"threshold\" or \"prox\", got \"never\""))
        XCTAssertEqual(s.runCode("shrink(adam(net), lambda: -1)"), .runtimeError)
        XCTAssertTrue(err().contains("shrink: lambda must be a finite number >= 0, got -1.0"))
        XCTAssertEqual(s.runCode("switches(adam(net))"), .runtimeError)
        XCTAssertTrue(err().contains("is not a shrink optimizer (it is adam)"))
        XCTAssertEqual(s.runCode("net(zeros(2, 5))"), .runtimeError)
        XCTAssertTrue(err().contains("expected [*, 3]"))
    }
}
