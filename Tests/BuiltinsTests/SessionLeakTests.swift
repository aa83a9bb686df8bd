// Issue 17.21: a closed session frees what its code made, cycles included, so fuzzing can run a million of them.
import Builtins
import Foundation
import XCTest

final class SessionLeakTests: XCTestCase {
    /// Resident memory of this process, in bytes (from /proc/self/statm).
    private func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private func runSessions(_ count: Int, _ source: String) {
        for _ in 0..<count {
            var options = Session.Options()
            options.sandboxed = true
            options.stepBudget = 20_000
            let session = Session(options: options, output: { _ in }, errorOutput: { _ in })
            _ = session.runScript(source: source, path: "leak.wh")
            session.close()
        }
    }

    func testClosedSessionsDoNotGrowMemory() throws {
        let source = """
            a = []
            append(a, a)
            r = {}
            r.me = r
            fn f(n) = if n <= 0 { 0 } else { f(n - 1) }
            g = fn(x) g
            f(10)
            """
        runSessions(20, source)
        let before = residentBytes()
        runSessions(200, source)
        let grown = residentBytes() - before
        // 200 sessions leaking 110 KB each would be 22 MB; allocator noise stays well under 5 MB.
        XCTAssertLessThan(grown, 5 << 20, "200 sessions grew resident memory by \(grown) bytes")
    }

    /// A function nested in another that calls itself (the fuzzer's largest leak: 238 KB a session,
    /// its cell and closure holding each other past the call).
    func testNestedRecursiveFunctionsAreFreed() throws {
        let source = """
            fn outer() {
              fn inner(n) = if n == 0 { 0 } else { inner(n - 1) + 2 }
              inner(30)
            }
            fn make() {
              fn fact(n) = if n <= 1 { 1 } else { n * fact(n - 1) }
              fact
            }
            for i in 0..<20 { outer(); make()(5) }
            """
        runSessions(20, source)
        let before = residentBytes()
        runSessions(200, source)
        let grown = residentBytes() - before
        XCTAssertLessThan(grown, 5 << 20, "200 sessions grew resident memory by \(grown) bytes")
    }
}
