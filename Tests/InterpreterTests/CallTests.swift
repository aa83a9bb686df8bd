// The fast path of global function calls: callees borrowed from global cells stay alive while a call
// of them is set up, replaced functions are released afterwards, other callees still work.
import Interpreter
import Lang
import XCTest

final class CallTests: XCTestCase {
    /// Redefining the callee while its arguments are evaluated calls the old function (the callee is
    /// read first, as in Python), and the new one afterwards.
    func testRedefiningACalleeWhileItsCallIsSetUp() {
        let h = Harness()
        XCTAssertEqual(h.repr("""
            fn k(n) = n + 1
            r = k({
              k = fn(x) { x * 100 }
              3
            })
            [r, k(3)]
            """), "[4, 300]")
    }

    /// A function replaced at top level is released at once; one replaced while a call borrowed it
    /// is released when the top-level command ends.
    func testReplacedFunctionsAreReleased() throws {
        let h = Harness()
        weak var first: Closure?
        weak var second: Closure?
        _ = try h.run("fn k(n) = n + 1\nk(1)")
        do {
            guard case .closure(let c)? = h.interpreter.userGlobals.lookup("k") else { return XCTFail("k is not a function") }
            first = c
        }
        XCTAssertNotNil(first)
        _ = try h.run("k = fn(x) { x * 2 }\nk(1)")
        XCTAssertNil(first)
        do {
            guard case .closure(let c)? = h.interpreter.userGlobals.lookup("k") else { return XCTFail("k is not a function") }
            second = c
        }
        XCTAssertEqual(try h.run("k({\n  k = nil\n  5\n})").repr, "10")
        XCTAssertNil(second)
        XCTAssertEqual(try h.run("k").repr, "nil")
    }

    /// Arity mismatches, built-ins, non-callables and undefined names through the same call shape.
    func testGlobalCallsOfOtherCallees() {
        let h = Harness()
        XCTAssertTrue(h.error("fn two(a, b) = a + b\ntwo(1)").contains("two"))
        XCTAssertTrue(h.error("x = 3\nx(1)").contains("not callable"))
        XCTAssertTrue(h.error("nothing_here(1)").contains("unknown name `nothing_here`"))
        XCTAssertEqual(h.repr("fn two(a, b) = a * b\ntwo(6, 7)"), "42")
    }

    /// Overflow inside a recursive call is an error with the trace through the calls.
    func testOverflowInRecursionIsAnError() {
        let h = Harness()
        let text = h.error("fn f(n) = if n > 4611686018427387903 { n + n } else { f(n * 2) }\nf(1)")
        XCTAssertTrue(text.contains("overflow"), text)
        XCTAssertTrue(text.contains("in fn f (test.wh:1)"), text)
    }

    /// A nested function reading its own name calls itself without keeping itself alive: the closure
    /// returned by `make` is freed when the last reference to it goes.
    func testANestedRecursiveFunctionIsFreedWithItsLastReference() throws {
        let h = Harness()
        weak var fact: Closure?
        _ = try h.run("""
            fn make() {
              fn fact(n) = if n <= 1 { 1 } else { n * fact(n - 1) }
              fact
            }
            f = make()
            """)
        do {
            guard case .closure(let c)? = h.interpreter.userGlobals.lookup("f") else { return XCTFail("f is not a function") }
            fact = c
        }
        XCTAssertEqual(try h.run("f(5)").repr, "120")
        XCTAssertNotNil(fact)
        _ = try h.run("f = nil")
        XCTAssertNil(fact, "the nested recursive function outlived every reference to it")
    }
}
