// Evaluator semantics that scripts cannot show: trace rendering, limits, interrupts, budgets.
import Interpreter
import Lang
import Runtime
import XCTest

final class EvaluatorTests: XCTestCase {
    func testTracebackThroughUserFunctions() {
        let h = Harness()
        XCTAssertEqual(h.error("""
            fn inner(x) {
              x[5]
            }
            fn outer(x) = inner(x)
            outer([1])
            """), """
            error: index 5 out of range for List of length 1
             --> test.wh:2:3
              |
            2 |   x[5]
              |   ^^^^
              in fn inner (test.wh:1)
              called from fn outer (test.wh:4)
              called from test.wh:5

            """)
    }

    func testRecursionCollapsesInTrace() {
        let h = Harness()
        let text = h.error("fn f(n) = f(n + 1)\nf(0)")
        XCTAssertTrue(text.hasPrefix("error: stack overflow in fn f\n --> test.wh:1:11\n"), text)
        XCTAssertTrue(text.contains("  in fn f (test.wh:1)\n  called from fn f (test.wh:1)\n  ... 9,998 more calls of fn f\n  called from test.wh:2\n"), text)
    }

    func testInterruptStopsLoopsAndKeepsState() throws {
        let token = CancellationToken()
        let h = Harness(token: token)
        token.cancel()
        XCTAssertThrowsError(try h.run("x = 1\nwhile true { x += 1 }")) { XCTAssertTrue($0 is Interrupted) }
        token.reset()
        XCTAssertEqual(h.repr("x > 1 and x <= 17"), "true")
    }

    func testStepBudget() {
        let h = Harness()
        h.interpreter.stepBudget = 1000
        XCTAssertTrue(h.error("while true { try { 1 } catch e { } }").hasPrefix("error: step budget of 1000 exhausted"))
    }

    func testCyclesPrintCompareAndCopy() throws {
        let h = Harness()
        XCTAssertEqual(h.repr("r = {a: 1}\nr.self = r\nr"), "{a: 1, self: {...}}")
        XCTAssertEqual(h.repr("r = {a: 1}\nr.self = r\nc = copy(r)\n[c.self.a, c.self == c, c == r]"), "[1, true, true]")
    }

    func testFloatPrintingMatchesPythonRepr() {
        let cases: [(Double, String)] = [
            (21, "21.0"), (0.1, "0.1"), (1e-8, "1e-08"), (1e16, "1e+16"), (1e15, "1000000000000000.0"),
            (123456789012345680, "1.2345678901234568e+17"), (-0.0, "-0.0"), (.nan, "nan"), (-.infinity, "-inf"),
            (2.5e-5, "2.5e-05"), (0.0001, "0.0001"), (1.5e300, "1.5e+300"),
        ]
        for (d, s) in cases { XCTAssertEqual(Value.float(d).repr, s) }
    }
}
