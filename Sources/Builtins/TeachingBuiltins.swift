// Teaching: `explain(obj)` (what it is, its formula, its live numbers) and `tutorial(name)` lessons.
import Core
import Interpreter
import Lang

/// The language's view of an `Explanation`: prints as its text; its parts can be read as fields.
public final class ExplanationObject: NativeObject {
    let explanation: Explanation

    init(_ explanation: Explanation) { self.explanation = explanation }

    public var typeName: String { "Explanation" }
    public var memberTable: MemberTable? { ExplanationMembers.table }
    public func render(width: Int) -> String { explanation.text }
}

enum ExplanationMembers {
    static func explanation(_ o: NativeObject) -> Explanation { (o as! ExplanationObject).explanation }

    static let table = MemberTable(
        typeName: "Explanation",
        summary: "What an object is, its formula and its current numbers (from `explain`).",
        fields: [
            FieldSpec("text", "String", summary: "the whole explanation as text", get: { .string(explanation($0).text) }),
            FieldSpec("title", "String", summary: "what is explained", get: { .string(explanation($0).title) }),
            FieldSpec("summary", "String", summary: "one sentence on what it is", get: { .string(explanation($0).summary) }),
            FieldSpec("formula", "List", summary: "the rule it applies, one or two lines",
                      get: { .list(explanation($0).formula.map { .string($0) }) }),
            FieldSpec("numbers", "Record", summary: "the live numbers, by name, as text",
                      get: { .record(explanation($0).numbers.map { ($0.name, .string($0.value)) }) }),
        ])
}

enum TeachingBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Optimizers and training", summary: summary, details: details,
                    example: example, body: body)
    }

    /// The Core object behind a value, when it can explain itself.
    static func explainable(_ v: Value) -> (any Explainable)? {
        guard case .native(let n) = v else { return nil }
        switch n {
        case let o as OptimizerObject: return o.optimizer as? any Explainable
        case let l as LayerObject: return l.layer as? any Explainable
        case let r as RunObject: return r.run
        case let d as DatasetObject: return d.data
        case let h as SearchObject: return h.search
        case let b as BankObject: return b.bank
        default: return nil
        }
    }

    /// Runs every chunk of `lesson` in the user's globals, showing each one's prose, code and value.
    static func runStraightThrough(_ lesson: Lesson, _ a: Arguments) throws {
        for (i, chunk) in lesson.chunks.enumerated() {
            a.interpreter.output(lesson.show(i, hint: nil))
            guard !chunk.code.isEmpty else { continue }
            let (value, isExpression) = try CoreBuiltins.runNested(chunk.source(path: lesson.path), a)
            if isExpression, !value.isNil { a.interpreter.output(value.pretty(width: a.interpreter.width) + "\n") }
        }
    }

    static let table: [BuiltinSpec] = [
        spec("explain", [.required("obj", "Optimizer, Layer, Net, Run, Dataset or Search")],
             "What an optimizer, layer (with its mask), net, run or data set is: its formula and its current numbers.",
             details: "The numbers are live: an optimizer's lr, steps taken and last step (Adam adds its moments' norms); a layer's weight norm and zero fraction, and its mask's kept count; a run's epochs and losses. It prints as text; `.text`, `.numbers` and `.formula` read it in a script.",
             example: "opt = adam(net, lr: 1e-3)\nexplain(opt)\nexplain(net.layers[0]).numbers") { a in
            guard let e = explainable(a["obj"]) else {
                if case .native = a["obj"] { throw a.valueError("obj", "is a \(a["obj"].typeName), which has no explanation yet") }
                throw a.typeError("obj")
            }
            return .native(ExplanationObject(e.explanation))
        },
        spec("tutorial", [.optional("name", "String", .null)],
             "The list of lessons, or walks through lesson `name` one step at a time.",
             details: "At the prompt each step shows its prose and code; Enter runs it and shows the result, `q` leaves, and every variable stays so you can carry on by hand (any other input runs as usual). In a script, or when input is not a terminal, the lesson runs straight through. Lessons are `stdlib/tutorials/NAME.wh`.",
             example: "tutorial()          # [\"masks\"]\ntutorial(\"masks\")") { a in
            guard let name = try a.optionalString("name") else { return .list(Lesson.names().map { .string($0) }) }
            guard let lesson = Lesson.named(name) else {
                let known = Lesson.names()
                let hint = nearestName(to: name, among: known).map { "; did you mean \"\($0)\"?" } ?? ""
                throw a.valueError("name", "names no lesson (lessons: \(known.joined(separator: ", ")))\(hint)")
            }
            if let session = a.interpreter.session, session.pausesLessons {
                session.begin(lesson)
            } else {
                try runStraightThrough(lesson, a)
            }
            return .null
        },
    ]
}
