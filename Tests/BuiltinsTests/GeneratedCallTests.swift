// Every registered built-in called with random arguments of every kind (huge, negative, NaN, empty, self-containing), inside try: the process must survive.
// WHITTLE_CALLS_SECONDS runs it longer (`make fuzz`); WHITTLE_CALLS_SEED picks other calls.
import Builtins
import Foundation
import Interpreter
import Runtime
import XCTest

final class GeneratedCallTests: XCTestCase {
    /// Values every call may use, defined once per session.
    static let fixtures = """
        sc = []
        append(sc, sc)
        rec = {}
        rec.me = rec
        deep = []
        for i in 0..<3000 { deep = [deep] }
        net = sequential(dense(4, 3), relu())
        t = randn(3, 4, seed: 1)
        ds = iris()
        opt = sgd(net, lr: 0.1)
        """

    /// Argument expressions: every type, at and past their limits.
    static let arguments = [
        "0", "1", "-1", "3", "9223372036854775807", "-9223372036854775807 - 1", "3037000500", "65536",
        "0.5", "-2.5", "1e308", "-1e308", "1e-320", "float(\"nan\")", "float(\"inf\")", "-float(\"inf\")",
        "\"\"", "\"x\"", "\"a,b\"", "\"é\\u{301}\"", "true", "false", "nil",
        "[]", "[1, 2, 3]", "[[1, 2], [3, 4]]", "[nil, \"s\", 1.5]", "sc", "deep",
        "{}", "{a: 1, b: [2]}", "rec",
        "0..<0", "0..<5", "(-9223372036854775807 - 1)..<9223372036854775807", "range(10, 0, step: -3)",
        "tensor([])", "zeros(0, 3)", "t", "tensor(float(\"nan\"))", "tensor([[1, float(\"nan\")], [float(\"inf\"), 0]])",
        "eye(3)", "arange(6)", "net", "ds", "opt", "relu()", "dense(2, 2)",
        "fn(x) x", "fn() 1", "fn(a, b) a", "len", "error",
    ]

    /// Built-ins a call must not make: they end the process or wait for a person.
    static let excluded: Set<String> = ["exit"]

    func testEveryBuiltinSurvivesRandomArguments() {
        let environment = ProcessInfo.processInfo.environment
        let seconds = Double(environment["WHITTLE_CALLS_SECONDS"] ?? "") ?? 8
        var rng = SplitMix(state: UInt64(environment["WHITTLE_CALLS_SEED"] ?? "") ?? 17)
        let savedCeiling = MemoryLimit.ceiling
        MemoryLimit.ceiling = 256 << 20
        defer { MemoryLimit.ceiling = savedCeiling }

        var session = makeSession()
        let specs = session.interpreter.builtinSpecs.values.filter { !Self.excluded.contains($0.name) }
            .sorted { $0.name < $1.name }
        XCTAssertGreaterThan(specs.count, 100)
        let watchdog = Watchdog(limit: 2)
        var calls = 0, sessions = 1
        var interrupted: [String] = []
        var outcomes: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(seconds)
        // Round-robin over the built-ins so each is called even in a short run.
        while Date() < deadline || calls < specs.count {
            let spec = specs[calls % specs.count]
            let call = Self.call(spec, &rng)
            let started = Date()
            let outcome = watchdog.run(token: session.interpreter.token) { session.runScript(source: "try { \(call) } catch e { e.message }", path: "call.wh") }
            // A built-in that ignores the watchdog shows here (it once took minutes: path_cnn(layers: 65536)).
            let took = Date().timeIntervalSince(started)
            XCTAssertLessThan(took, 10, "\(call.prefix(200)) took \(Int(took)) s")
            outcomes["\(outcome)", default: 0] += 1
            if outcome == .interrupted { interrupted.append(call) }
            calls += 1
            // A fresh session now and then: calls may grow the fixtures (append(sc, sc) …).
            if calls % 300 == 0 {
                session.close()
                session = makeSession()
                sessions += 1
            }
        }
        session.close()
        print("generated calls: \(calls) calls of \(specs.count) built-ins in \(sessions) sessions: \(outcomes.sorted { $0.key < $1.key })")
        if !interrupted.isEmpty { print("calls stopped by the watchdog:\n  " + interrupted.prefix(20).joined(separator: "\n  ")) }
        XCTAssertGreaterThan(outcomes["success", default: 0], calls / 2)
    }

    private func makeSession() -> Session {
        var options = Session.Options()
        options.sandboxed = true
        options.stepBudget = 200_000
        options.quiet = true
        let session = Session(options: options, output: { _ in }, errorOutput: { _ in })
        _ = session.runScript(source: Self.fixtures, path: "fixtures.wh")
        return session
    }

    /// One call of `spec` with up to one more argument than it takes, some passed by name.
    static func call(_ spec: BuiltinSpec, _ rng: inout SplitMix) -> String {
        let count = rng.below(spec.parameters.count + 2)
        var parts: [String] = []
        for i in 0..<count {
            let value = rng.pick(arguments)
            if i < spec.parameters.count, spec.parameters[i].kind == .named || rng.below(4) == 0 {
                parts.append("\(spec.parameters[i].name): \(value)")
            } else if spec.parameters.indices.contains(i), spec.parameters[i].kind == .named {
                continue
            } else {
                parts.append(value)
            }
        }
        // Named arguments after positional ones, as the grammar wants.
        let positional = parts.filter { !$0.contains(": ") || $0.hasPrefix("{") || $0.hasPrefix("\"") }
        let named = parts.filter { !positional.contains($0) }
        return "\(spec.name)(\((positional + named).joined(separator: ", ")))"
    }
}

/// Cancels the session's token when one call runs longer than `limit` seconds, as Ctrl-C would.
final class Watchdog: @unchecked Sendable {
    let limit: Double
    private let lock = NSLock()
    private var generation = 0

    init(limit: Double) { self.limit = limit }

    func run(token: CancellationToken, _ body: () -> Session.Outcome) -> Session.Outcome {
        lock.lock()
        generation += 1
        let mine = generation
        lock.unlock()
        DispatchQueue.global().asyncAfter(deadline: .now() + limit) { [self] in
            lock.lock()
            defer { lock.unlock() }
            if generation == mine { token.cancel() }
        }
        let outcome = body()
        lock.lock()
        generation += 1
        lock.unlock()
        token.reset()
        return outcome
    }
}
