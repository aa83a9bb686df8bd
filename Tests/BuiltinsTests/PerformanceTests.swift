// Interpreter speed against CPython (PERFORMANCE.md W2); runs only with WHITTLE_BENCH=1, in release.
import Builtins
import Foundation
import XCTest

final class PerformanceTests: XCTestCase {
    func seconds(_ code: String) -> Double {
        var out = "", err = ""
        let session = Session(output: { out += $0 }, errorOutput: { err += $0 })
        let start = Date()
        let outcome = session.runScript(source: code, path: "bench.wh")
        let t = Date().timeIntervalSince(start)
        XCTAssertEqual(outcome, .success, err)
        return t
    }

    func testInterpreterSpeed() throws {
        guard ProcessInfo.processInfo.environment["WHITTLE_BENCH"] == "1" else { throw XCTSkip("set WHITTLE_BENCH=1") }
        let fib = seconds("fn fib(n) = if n < 2 { n } else { fib(n - 1) + fib(n - 2) }\nfib(30)")
        print("BENCH fib30 \(fib) s")
        let loop = seconds("fn f() {\n  s = 0\n  for i in 0..<10_000_000 { s = s + i }\n  s\n}\nf()")
        print("BENCH loop10M \(loop) s")
    }
}
