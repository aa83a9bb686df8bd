// Help: `help()`, `help(x)` and `?name` text, built from the registrations and doc comments.
import Interpreter
import Lang

/// The topics of `help()`, in BUILTINS.md order.
enum HelpBuiltins {
    static let topics = [
        "Core language helpers", "Tensors", "Differentiation", "Data", "Layers and networks",
        "Losses and metrics", "Optimizers and training", "Queries", "Output",
    ]

    static let table: [BuiltinSpec] = [
        BuiltinSpec("help", [.optional("x", "a name, value or topic", .null)], topic: "Core language helpers",
                    summary: "Lists the topics, the built-ins of a topic, or describes a function or value.",
                    details: "`help()` lists topics; `help(\"Tensors\")` lists a topic's built-ins; `help(f)` shows the signature, a paragraph and an example. At the prompt, `?name` does the same.",
                    example: "help(map)\nhelp(\"Core language helpers\")") { a in
            a.interpreter.output(text(for: a["x"], in: a.interpreter))
            return .null
        },
    ]

    /// The help text for a value given to `help(x)`.
    static func text(for v: Value, in interpreter: Interpreter) -> String {
        switch v {
        case .null: return topicList(interpreter)
        case .string(let s):
            if let t = topics.first(where: { $0.lowercased() == s.lowercased() }) { return topicText(t, interpreter) }
            return text(forName: s, in: interpreter) ?? "no help for `\(s)`\n"
        case .builtin(let b): return describe(b.spec, receiverType: b.receiver?.typeName, width: interpreter.width)
        case .closure(let c): return describe(c)
        case .native(let n):
            if let t = n.memberTable { return describe(t, width: interpreter.width) }
            return "\(n.typeName)\n"
        default: return "\(v.typeName): \(v.repr)\n"
        }
    }

    static func topicList(_ interpreter: Interpreter) -> String {
        var out = "Topics (help(\"topic\") lists its built-ins):\n"
        let used = Set(interpreter.builtinSpecs.values.map(\.topic))
        for t in topics where used.contains(t) { out += "  \(t)\n" }
        for t in used.subtracting(topics).sorted() { out += "  \(t)\n" }
        out += "Type ?name for a built-in, :help for prompt commands.\n"
        return out
    }

    static func topicText(_ topic: String, _ interpreter: Interpreter) -> String {
        let specs = interpreter.builtinSpecs.values.filter { $0.topic == topic }.sorted { $0.name < $1.name }
        if specs.isEmpty { return "\(topic): nothing registered yet\n" }
        let width = specs.map { $0.name.count }.max() ?? 0
        var out = "\(topic):\n"
        for s in specs { out += "  \(s.name)\(String(repeating: " ", count: width - s.name.count))  \(s.summary)\n" }
        return out
    }

    /// Help for `name`, `obj.member` or `Type.member`, resolved without running any call.
    static func text(forName name: String, in interpreter: Interpreter) -> String? {
        let parts = name.split(separator: ".").map(String.init)
        if parts.count == 2 {
            var table = interpreter.memberTables[parts[0]]
            if table == nil, case .native(let n)? = interpreter.userGlobals.lookup(parts[0]) { table = n.memberTable }
            guard let t = table else { return nil }
            if let m = t.method(parts[1]) { return describe(m, receiverType: t.typeName, width: interpreter.width) }
            if let f = t.field(parts[1]) {
                return "\(t.typeName).\(f.name)\(f.type.isEmpty ? "" : ": \(f.type)")\(f.isAssignable ? " (assignable)" : "")\n"
                    + wrap(f.summary, indent: 2, width: interpreter.width)
            }
            return nil
        }
        if let t = interpreter.memberTables[name], interpreter.userGlobals.lookup(name) == nil {
            return describe(t, width: interpreter.width)
        }
        guard let v = interpreter.userGlobals.lookup(name) else {
            if let t = topics.first(where: { $0.lowercased() == name.lowercased() }) { return topicText(t, interpreter) }
            return nil
        }
        return text(for: v, in: interpreter)
    }

    /// `text` broken at spaces into lines of at most `width` characters, each indented by `indent`
    /// (a word longer than a line gets a line of its own); ends with a newline.
    static func wrap(_ text: String, indent: Int, width: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        let limit = max(20, width - 1)
        var out = ""
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty && pad.count + line.count + 1 + word.count > limit {
                    out += pad + line + "\n"
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            out += (line.isEmpty ? "" : pad + line) + "\n"
        }
        return out
    }

    static func describe(_ spec: BuiltinSpec, receiverType: String? = nil, width: Int = 80) -> String {
        var out = (receiverType.map { "\($0)." } ?? "") + spec.signature + "\n" + wrap(spec.summary, indent: 2, width: width)
        if !spec.details.isEmpty { out += "\n" + wrap(spec.details, indent: 2, width: width) }
        if !spec.example.isEmpty {
            out += "\n  Example:\n" + spec.example.split(separator: "\n", omittingEmptySubsequences: false)
                .map { "    " + $0 }.joined(separator: "\n") + "\n"
        }
        return out
    }

    static func describe(_ c: Closure) -> String {
        var out = "fn \(c.function.signature)\n"
        if let doc = c.documentation {
            out += doc.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        out += "  defined at \(c.function.declaration.span.shortDescription)\n"
        return out
    }

    /// A type's fields and methods, each list in two aligned columns (name, summary).
    static func describe(_ t: MemberTable, width: Int = 80) -> String {
        var out = "\(t.typeName)\(t.summary.isEmpty ? "" : ": \(t.summary)")\n"
        func columns(_ heading: String, _ rows: [(String, String)]) {
            guard !rows.isEmpty else { return }
            out += "  \(heading):\n"
            // A name too long for the column (a method's signature) puts its summary on the next line.
            let nameWidth = min(rows.map(\.0.count).max() ?? 0, max(12, width / 3))
            for (name, summary) in rows {
                if name.count > nameWidth {
                    out += "    " + name + "\n" + wrap(summary, indent: 6 + nameWidth, width: width)
                    continue
                }
                let text = wrap(summary, indent: 6 + nameWidth, width: width)
                out += "    " + name + String(repeating: " ", count: nameWidth - name.count + 2)
                    + text.drop(while: { $0 == " " })
            }
        }
        columns("fields", t.fields.map { ($0.name + ($0.isAssignable ? " (assignable)" : ""), $0.summary) })
        columns("methods", t.methods.map { ($0.signature, $0.summary) })
        return out
    }
}
