// Bounded fuzzing: random bytes and random well-formed programs must never crash the session.
// WHITTLE_FUZZ_SECONDS and WHITTLE_FUZZ_SEED run it longer or on other inputs.
import Builtins
import Foundation
import XCTest

/// SplitMix64, so every run fuzzes the same inputs.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}

/// Generates random programs from the grammar: expressions, statements, functions and loops.
struct ProgramGenerator {
    var rng: SplitMix
    let names = ["a", "b", "xs", "r", "f", "g", "n"]
    let binary = ["+", "-", "*", "/", "//", "%", "^", "==", "!=", "<", ">=", "and", "or", "..<", "...", "|>"]

    mutating func expression(_ depth: Int) -> String {
        if depth <= 0 { return atom() }
        switch rng.below(12) {
        case 0, 1: return "(\(expression(depth - 1)) \(rng.pick(binary)) \(expression(depth - 1)))"
        case 2: return "[\(expression(depth - 1)), \(expression(depth - 1))]"
        case 3: return "{k: \(expression(depth - 1)), m: \(atom())}"
        case 4: return "\(rng.pick(names))(\(expression(depth - 1)))"
        case 5: return "\(rng.pick(["len", "str", "type", "copy", "list", "json", "sort", "keys", "print"]))(\(expression(depth - 1)))"
        case 6: return "\(expression(depth - 1))[\(expression(depth - 1))]"
        case 7: return "\(expression(depth - 1))[\(atom()):\(atom())]"
        case 8: return "if \(expression(depth - 1)) { \(expression(depth - 1)) } else { \(atom()) }"
        case 9: return "fn(x) x \(rng.pick(binary)) \(expression(depth - 1))"
        case 10: return "\"s\\(\(expression(depth - 1)))\""
        default: return "-\(expression(depth - 1))"
        }
    }

    mutating func atom() -> String {
        switch rng.below(9) {
        case 0: return String(rng.below(10))
        case 1: return rng.pick(["0.5", "1e300", "-2.5", "9223372036854775807"])
        case 2: return "\"t\""
        case 3: return rng.pick(["true", "false", "nil"])
        case 4: return "[]"
        case 5: return "{}"
        default: return rng.pick(names)
        }
    }

    mutating func statement(_ depth: Int) -> String {
        switch rng.below(10) {
        case 0, 1, 2: return "\(rng.pick(names)) = \(expression(depth))"
        case 3: return "fn \(rng.pick(names))(x, y = \(atom())) = \(expression(depth))"
        case 4: return "for i in 0..<\(rng.below(5)) { \(statement(depth - 1)) }"
        case 5: return "while \(expression(1)) { \(statement(depth - 1)); break }"
        case 6: return "try { \(statement(depth - 1)) } catch e { e.message }"
        case 7: return "xs[\(atom())] = \(expression(depth - 1))"
        case 8: return "let \(rng.pick(names)) = \(expression(depth))"
        default: return expression(depth)
        }
    }

    mutating func program() -> String {
        (0..<(1 + rng.below(6))).map { _ in statement(3) }.joined(separator: "\n")
    }
}

final class FuzzTests: XCTestCase {
    func testRandomInputsNeverCrash() {
        var options = Session.Options()
        options.sandboxed = true
        options.stepBudget = 20_000
        let session = Session(options: options, output: { _ in }, errorOutput: { _ in })
        let environment = ProcessInfo.processInfo.environment
        let seed = UInt64(environment["WHITTLE_FUZZ_SEED"] ?? "") ?? 42
        let seconds = Double(environment["WHITTLE_FUZZ_SECONDS"] ?? "") ?? 3
        var rng = SplitMix(state: seed)
        var generator = ProgramGenerator(rng: SplitMix(state: seed &+ 7))
        let alphabet = Array("abfnrx0123456789 \n\t\"\\(){}[],.:;=+-*/%^<>|@#_λ".unicodeScalars)
        var ran = 0
        var outcomes: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text: String
            if ran % 2 == 0 {
                var s = String.UnicodeScalarView()
                for _ in 0..<rng.below(60) { s.append(rng.pick(alphabet)) }
                text = String(s)
            } else {
                text = generator.program()
            }
            let outcome = session.runScript(source: text, path: "fuzz.wh")
            outcomes["\(outcome)", default: 0] += 1
            _ = session.inputStatus(text)
            _ = session.completions(line: text, cursor: text.count)
            ran += 1
        }
        print("fuzz: ran \(ran) inputs: \(outcomes.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(ran, 50)
        XCTAssertGreaterThan(outcomes["success", default: 0], 0)
    }
}
