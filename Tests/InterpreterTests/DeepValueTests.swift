// Issue 17.2, 17.7 and 17.10: values nested a million deep or containing themselves, freed, ordered and compared.
@testable import Interpreter
import XCTest

final class DeepValueTests: XCTestCase {
    /// `[[[…[]…]]]` nested `depth` deep, with `leaf` innermost.
    private func nested(_ depth: Int, leaf: Value = .list([])) -> Value {
        var v = leaf
        for _ in 0..<depth { v = .list([v]) }
        return v
    }

    // These run on the test thread's ordinary stack: recursion a million deep would overflow it.

    func testFreeingAMillionDeepListDoesNotRecurse() {
        var v: Value? = nested(1_000_000)
        XCTAssertNotNil(v)
        v = nil
        var r = Value.record([])
        for _ in 0..<1_000_000 { r = .record([("inner", r), ("n", .int(1))]) }
        r = .null
        XCTAssertTrue(r.isNil)
    }

    func testSharedPartsSurviveTheirContainer() {
        let shared = ListObject([.int(7)])
        var outer: Value? = .list([.list(shared), .list([.list(shared)])])
        XCTAssertNotNil(outer)
        outer = nil
        XCTAssertEqual(shared.items.count, 1)
    }

    func testDeepEqualityAnswersCorrectly() {
        XCTAssertTrue(Equality.equal(nested(1_000_000), nested(1_000_000)))
        XCTAssertFalse(Equality.equal(nested(1_000_000), nested(1_000_000, leaf: .int(1))))
        XCTAssertFalse(Equality.equal(nested(2_001), nested(2_002)))
        XCTAssertTrue(Equality.equal(nested(2_500, leaf: .int(3)), nested(2_500, leaf: .float(3))))
    }

    func testDeepOrderingAnswersCorrectly() throws {
        let a = nested(1_000_000, leaf: .list([.int(1)]))
        let b = nested(1_000_000, leaf: .list([.int(2)]))
        XCTAssertEqual(try Operators.order(a, b, .less), .less)
        XCTAssertEqual(try Operators.order(b, a, .less), .greater)
        XCTAssertEqual(try Operators.order(a, a, .less), .equal)
    }

    func testSelfContainingValuesOrderAsEqual() throws {
        let a = ListObject(), b = ListObject()
        a.items = [.list(a)]
        b.items = [.list(b), .int(1)]
        XCTAssertEqual(try Operators.order(.list(a), .list(a), .less), .equal)
        XCTAssertEqual(try Operators.order(.list(a), .list(b), .less), .less)
        XCTAssertEqual(try Operators.compare(.less, .list(a), .list(a)).repr, "false")
        XCTAssertThrowsError(try Operators.order(.list([.int(1)]), .list([.string("x")]), .less))
        a.items = []
        b.items = []
    }

    func testRangesPastIntMaxKeepTheirLength() {
        let r = RangeObject(start: .min, end: .max)
        XCTAssertEqual(r.length, UInt.max)
        XCTAssertEqual(r.element(index: -1), Int.max - 1)
        XCTAssertEqual(r.element(index: Int.max), -1)
        XCTAssertTrue(r.contains(Int.max - 1))
        XCTAssertFalse(r.contains(Int.max))
        XCTAssertTrue(RangeObject(start: -5, end: .max).contains(Int.max - 1))
        XCTAssertEqual(RangeObject(start: .max, end: .min, step: .min).length, 2)
        XCTAssertNil(RangeObject(start: 0, end: 3).element(index: -4))
    }
}
