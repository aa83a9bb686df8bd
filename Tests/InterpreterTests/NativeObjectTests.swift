// The NativeObject bridge: operators, subscripts, fields, methods, calls, iteration, value semantics.
import Interpreter
import Lang
import Runtime
import XCTest

final class NativeObjectTests: XCTestCase {
    func testValueSemanticsOfSubscriptAndFieldAssignment() throws {
        let h = Harness()
        XCTAssertEqual(h.repr("a = vec(1, 2)\nb = a\nb[0] = 9\n[a[0], b[0]]"), "[1.0, 9.0]")
        XCTAssertEqual(h.repr("a = vec(1, 2)\nb = a\nb.first = 5\n[a.first, b.first]"), "[1.0, 5.0]")
        XCTAssertEqual(h.repr("r = {v: vec(1, 2)}\ns = r.v\nr.v[0] = 7\n[r.v[0], s[0]]"), "[7.0, 1.0]")
        XCTAssertEqual(h.repr("xs = [vec(1)]\nxs[0][0] = 3\nxs[0]"), "vec(3.0)")
        XCTAssertEqual(h.repr("fn f() {\n  let v = vec(1, 2)\n  w = v\n  w[1] += 10\n  [v, w]\n}\nf()"),
                       "[vec(1.0, 2.0), vec(1.0, 12.0)]")
        XCTAssertEqual(h.repr("g = vec(4)\nfn k() { g[0] = 8 }\nk()\ng"), "vec(8.0)")
    }

    func testOperatorsDispatchWithReversedFlag() throws {
        let h = Harness()
        XCTAssertEqual(h.repr("vec(1, 2) + 1"), "vec(2.0, 3.0)")
        XCTAssertEqual(Vec.lastReversed, false)
        XCTAssertEqual(h.repr("2 * vec(1, 2)"), "vec(2.0, 4.0)")
        XCTAssertEqual(Vec.lastReversed, true)
        XCTAssertEqual(h.repr("10 - vec(1, 2)"), "vec(9.0, 8.0)")
        XCTAssertEqual(h.repr("-vec(1, -2)"), "vec(-1.0, 2.0)")
        XCTAssertEqual(h.repr("vec(1, 2) * vec(3, 4)"), "vec(3.0, 8.0)")
        XCTAssertTrue(h.error("vec(1, 2) @ vec(1, 2)").hasPrefix("error: unsupported operand types for `@`: Vec and Vec"))
        XCTAssertTrue(h.error("x = vec(1, 2) + vec(1)").hasPrefix("error: length mismatch: 2 vs 1\n --> test.wh:1:5"))
    }

    func testComparisonsAndScalars() throws {
        let h = Harness()
        XCTAssertEqual(h.repr("vec(1, 3) < 2"), "vec(1.0, 0.0)")
        XCTAssertEqual(h.repr("2 < vec(1, 3)"), "vec(0.0, 1.0)")
        XCTAssertEqual(h.repr("[vec(3) > 2, vec(3) == 3, 3 <= vec(3)]"), "[true, true, true]")
        XCTAssertEqual(h.repr("[vec(1, 2) == vec(1, 2), [vec(1)] == [vec(1)], vec(1) == vec(2)]"), "[true, true, false]")
        XCTAssertEqual(h.repr("[vec(2) + 1, [10, 20, 30][vec(1)], vec(0.5) * 4]"), "[vec(3.0), 20, vec(2.0)]")
        XCTAssertEqual(h.repr("zeros(vec(2), 3)"), "[2, 3]")
        XCTAssertEqual(h.repr("zeros([4, 5])"), "[4, 5]")
        XCTAssertEqual(h.error("zeros(\"a\")").split(separator: "\n")[0], "error: `zeros`: argument 1 (`shape`) expects Int or List, got String")
        XCTAssertEqual(h.error("if vec(1, 2) < 3 { 1 }").split(separator: "\n")[0], "error: condition must be Bool, got Vec")
    }

    func testSubscriptsFieldsMethodsCallsIteration() throws {
        let h = Harness()
        XCTAssertEqual(h.repr("v = vec(1, 2, 3)\n[v[-1], v[1:], v[::-1], v.size]"), "[3.0, vec(2.0, 3.0), vec(3.0, 2.0, 1.0), 3]")
        XCTAssertEqual(h.repr("v = vec(1, 2)\n[v.sum(), v.scale(by: 3), v(2)]"), "[3.0, vec(3.0, 6.0), vec(2.0, 4.0)]")
        XCTAssertEqual(h.repr("f = vec(1, 2).sum\nf()"), "3.0")
        XCTAssertEqual(h.repr("s = 0\nfor x in vec(1, 2, 3) { s += x }\ns"), "6.0")
        XCTAssertEqual(h.repr("c = vec(1)\nd = copy(c)\nd[0] = 5\n[c, d]"), "[vec(1.0), vec(5.0)]")
        XCTAssertEqual(h.error("vec(1).summ()").split(separator: "\n")[0], "error: Vec has no field `summ`; did you mean `sum`?")
        XCTAssertEqual(h.error("vec(1).scale(bye: 2)").split(separator: "\n")[0],
                       "error: `Vec.scale(by: 1.0)` has no parameter `bye`; did you mean `by`?")
        XCTAssertEqual(h.error("v = vec(1)\nv.size = 3").split(separator: "\n")[0], "error: field `size` of Vec cannot be assigned")
        XCTAssertEqual(h.error("vec(1)[0, 1]").split(separator: "\n")[0], "error: Vec takes one index, got 2")
        XCTAssertEqual(h.interpreter.memberTables["Vec"]?.names, ["first", "scale", "size", "sum"])
    }

    func testForeignErrorsAreLocatedAndInterruptsAreNotCaught() throws {
        let h = Harness()
        XCTAssertEqual(h.error("x = 1\ny = boom()"), """
            error: shape mismatch in `@`: [2, 3] @ [4, 5]
             --> test.wh:2:5
              |
            2 | y = boom()
              |     ^^^^^^

            """)
        XCTAssertEqual(h.repr("try { boom() } catch e { e.kind }"), "\"native\"")
        XCTAssertThrowsError(try h.run("try { stop() } catch e { 1 }")) { XCTAssertTrue($0 is Interrupted) }
        XCTAssertThrowsError(try h.run("fn f(x) = stop()\ntry { apply(f, 1) } catch e { 1 }")) {
            XCTAssertTrue($0 is Interrupted)
        }
    }

    func testBuiltinCallingBackAppearsInTrace() throws {
        let h = Harness()
        XCTAssertEqual(h.error("fn bad(x) = x + \"s\"\napply(bad, 1)"), """
            error: unsupported operand types for `+`: Int and String
             --> test.wh:1:13
              |
            1 | fn bad(x) = x + "s"
              |             ^^^^^^^
              in fn bad (test.wh:1)
              called from `apply`
              called from test.wh:2

            """)
    }
}
