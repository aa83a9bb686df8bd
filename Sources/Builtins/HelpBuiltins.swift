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
        case .builtin(let b): return describe(b.spec, receiverType: b.receiver?.typeName)
        case .closure(let c): return describe(c)
        case .native(let n):
            if let t = n.memberTable { return describe(t) }
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
            if let m = t.method(parts[1]) { return describe(m, receiverType: t.typeName) }
            if let f = t.field(parts[1]) {
                return "\(t.typeName).\(f.name)\(f.type.isEmpty ? "" : ": \(f.type)")\(f.isAssignable ? " (assignable)" : "")\n  \(f.summary)\n"
            }
            return nil
        }
        if let t = interpreter.memberTables[name], interpreter.userGlobals.lookup(name) == nil { return describe(t) }
        guard let v = interpreter.userGlobals.lookup(name) else {
            if let t = topics.first(where: { $0.lowercased() == name.lowercased() }) { return topicText(t, interpreter) }
            return nil
        }
        return text(for: v, in: interpreter)
    }

    static func describe(_ spec: BuiltinSpec, receiverType: String? = nil) -> String {
        var out = (receiverType.map { "\($0)." } ?? "") + spec.signature + "\n  " + spec.summary + "\n"
        if !spec.details.isEmpty { out += "\n  " + spec.details + "\n" }
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

    static func describe(_ t: MemberTable) -> String {
        var out = "\(t.typeName)\(t.summary.isEmpty ? "" : ": \(t.summary)")\n"
        if !t.fields.isEmpty {
            out += "  fields:\n"
            for f in t.fields { out += "    \(f.name)\(f.isAssignable ? " (assignable)" : "")  \(f.summary)\n" }
        }
        if !t.methods.isEmpty {
            out += "  methods:\n"
            for m in t.methods { out += "    \(m.signature)  \(m.summary)\n" }
        }
        return out
    }
}
