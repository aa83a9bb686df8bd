// The script `:save` writes: the prompt inputs that ran, with `_` and `_N` turned into real assignments.
import Interpreter
import Lang

/// One prompt input that ran without error, as `:save` keeps it.
struct SavedInput {
    var text: String
    /// The N of `_N` when the input's value was echoed (and so bound to `_` and `_N`).
    var resultNumber: Int?
}

extension Session {
    /// The saved inputs as a script that runs on its own and computes the same values.
    ///
    /// A script never echoes, so `_` and `_N` would be unknown there. An echoed input whose result a
    /// later input reads gets its last expression assigned: `_3 = <expression>` then `_ = _3`.
    func savedScript() -> String {
        var lines: [String] = []
        for (i, input) in savedInputs.enumerated() {
            var text = input.text
            if let n = input.resultNumber {
                let later = savedInputs[(i + 1)...].map(\.text)
                let reads = later.reduce(into: Set<String>()) { $0.formUnion(Session.globalReads($1)) }
                if reads.contains("_") || reads.contains("_\(n)") {
                    text = Session.bindingLastExpression(text, to: "_\(n)")
                }
            }
            lines.append(text.hasSuffix("\n") ? text : text + "\n")
        }
        return lines.joined()
    }

    /// The global names `text` reads (empty when it does not parse).
    static func globalReads(_ text: String) -> Set<String> {
        let (program, diagnostics) = Parser.parse(SourceFile(path: "<saved>", text: text))
        guard diagnostics.isEmpty else { return [] }
        return Set(Resolver.resolve(program).globalReads.map(\.name))
    }

    /// `text` with its final expression statement assigned to `name`, then to `_`.
    static func bindingLastExpression(_ text: String, to name: String) -> String {
        let file = SourceFile(path: "<saved>", text: text)
        let (program, diagnostics) = Parser.parse(file)
        guard diagnostics.isEmpty, let last = program.body.statements.last, case .expression = last.kind else { return text }
        let before = file.text(from: 0, to: last.span.start)
        let expression = file.text(from: last.span.start, to: last.span.end)
        let after = file.text(from: last.span.end, to: file.characters.count)
        return before + "\(name) = \(expression)\n_ = \(name)" + after
    }
}
