// Helpers for interpreter tests: run source with a few test built-ins, capture output.
import Interpreter
import Lang
import Runtime
import XCTest

/// An interpreter with the test double `vec` and a few built-ins, capturing `out(...)`.
final class Harness {
    var output = ""
    let interpreter: Interpreter

    init(token: CancellationToken = CancellationToken()) {
        interpreter = Interpreter(output: { _ in }, token: token)
        interpreter.output = { [unowned self] in self.output += $0 }
        interpreter.register(TestBuiltins.table)
        interpreter.register(Vec.members)
    }

    /// Runs `source` as a file named test.wh; returns the last value or throws the error.
    func run(_ source: String) throws -> Value {
        let file = SourceFile(path: "test.wh", text: source)
        let interpreter = self.interpreter
        let result: Result<Value, Error> = interpreter.runOnLargeStack {
            let (program, diagnostics) = Parser.parse(file)
            if let d = diagnostics.first { return .failure(d) }
            Resolver.resolve(program)
            return Result { try interpreter.run(program, in: interpreter.userGlobals) }
        }
        return try result.get()
    }

    /// The rendered runtime error of `source` (fails the test if it succeeds).
    func error(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let v = try run(source)
            XCTFail("expected an error, got \(v.repr)", file: file, line: line)
            return ""
        } catch let e as RuntimeError {
            return e.diagnostic.render()
        } catch {
            return "\(type(of: error)): \(error)"
        }
    }

    func repr(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do { return try run(source).repr } catch {
            XCTFail("\(error)", file: file, line: line)
            return ""
        }
    }
}

struct ForeignError: Error, CustomStringConvertible {
    var description: String { "shape mismatch in `@`: [2, 3] @ [4, 5]" }
}

enum TestBuiltins {
    static let table: [BuiltinSpec] = [
        BuiltinSpec("vec", [.variadic("values", "Float")], topic: "Test", summary: "A test vector.") { a in
            .native(Vec(try a.variadic.indices.map { i in
                guard let d = a.variadic[i].numberValue else { throw a.typeError("values", expected: "Float", got: a.variadic[i]) }
                return d
            }))
        },
        BuiltinSpec("out", [.variadic("values")], topic: "Test", summary: "Prints values.") { a in
            a.interpreter.output(a.variadic.map(\.printed).joined(separator: " ") + "\n")
            return .null
        },
        BuiltinSpec("apply", [.required("f", "Function"), .required("x")], topic: "Test",
                    summary: "Calls f(x) from Swift.") { a in
            try a.call(try a.function("f"), [a["x"]])
        },
        BuiltinSpec("boom", [], topic: "Test", summary: "Throws a foreign error.") { _ in throw ForeignError() },
        BuiltinSpec("stop", [], topic: "Test", summary: "Throws an interrupt.") { _ in throw Interrupted() },
        BuiltinSpec("zeros", [.variadic("shape", "Int or List"), .named("scale", "Float", .float(1))], topic: "Test",
                    summary: "Shape reader.") { a in
            .list(try a.shape("shape").map { .int($0) })
        },
        BuiltinSpec("copy", [.required("x")], topic: "Test", summary: "Deep copy.") { a in try Equality.deepCopy(a["x"]) },
    ]
}
