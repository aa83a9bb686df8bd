// The core language helpers (BUILTINS.md, first section): printing, types, collections, functions.
import Foundation
import Interpreter
import Lang

/// Built-ins every script uses, independent of tensors.
enum CoreBuiltins {
    static let topic = "Core language helpers"

    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String = "", body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: topic, summary: summary, details: details, example: example, body: body)
    }

    /// Calls `f(x)` for each element, as a built-in frame in tracebacks.
    static func each(_ args: Arguments, _ items: [Value], _ f: Value, _ body: (Value, Value) throws -> Void) throws {
        for x in items { try body(x, try args.call(f, [x])) }
    }

    static func length(_ v: Value, _ args: Arguments) throws -> Int {
        switch v {
        case .list(let l): return l.items.count
        case .string(let s): return s.count
        case .record(let r): return r.count
        case .range(let r):
            guard let n = Int(exactly: r.length) else {
                throw runtimeError("range of \(r.length) elements is longer than the largest Int", kind: "limit")
            }
            return n
        case .native(let n):
            if let m = n.memberTable?.method("len") {
                if case .int(let k) = try args.interpreter.callBuiltin(m, CallArguments(), receiver: v) { return k }
            }
            return try args.interpreter.elements(of: v).count
        default: throw args.typeError("x", expected: "List, String, Record, Range or Tensor")
        }
    }

    static let table: [BuiltinSpec] = [
        spec("append", [.required("xs", "List"), .required("x")], "Appends `x` to the list `xs` (in place).",
             example: "xs = [1]\nappend(xs, 2)   # xs is [1, 2]") { a in
            try a.list("xs").items.append(a["x"])
            return .null
        },
        spec("assert", [.required("condition", "Bool"), .optional("message", "String", .string("assertion failed"))],
             "Raises an error with `message` when `condition` is false.",
             example: "assert(len(xs) > 0, \"xs is empty\")") { a in
            if try !a.bool("condition") { throw RuntimeError(try a.string("message"), kind: "assert") }
            return .null
        },
        spec("contains", [.required("xs", "List, String, Range or Record"), .required("x")],
             "True when `x` is an element of `xs` (a substring of a string, a key of a record).",
             example: "contains([1, 2, 3], 2)   # true") { a in
            switch a["xs"] {
            case .list(let l): return .bool(l.items.contains { Equality.equal($0, a["x"]) })
            case .string(let s): return .bool(s.contains(try a.string("x")))
            case .record(let r): return .bool(r[try a.string("x")] != nil)
            case .range(let r):
                guard case .int(let x) = a["x"] else { return .bool(false) }
                return .bool(r.contains(x))
            default: return .bool(try a.elements("xs").contains { Equality.equal($0, a["x"]) })
            }
        },
        spec("copy", [.required("x")], "A deep copy of `x` (lists, records and natives such as nets).",
             details: "Shared parts stay shared in the copy and a list that contains itself is copied as such.",
             example: "net2 = copy(net)") { a in
            try Equality.deepCopy(a["x"])
        },
        spec("enumerate", [.required("xs"), .named("start", "Int", .int(0))],
             "Pairs `[i, x]` of each element with its index.",
             example: "for i, x in enumerate([\"a\", \"b\"]) { print(i, x) }") { a in
            var i = try a.int("start")
            var out: [Value] = []
            let items = try a.elements("xs")
            for (k, x) in items.enumerated() {
                out.append(.list([.int(i), x]))
                // Only a following element needs the next index: `start: Int.max` numbers one.
                if k + 1 < items.count {
                    let (next, o) = i.addingReportingOverflow(1)
                    if o { throw a.valueError("start", "is too large: the indices would pass \(Int.max)") }
                    i = next
                }
            }
            return .list(out)
        },
        spec("error", [.required("message", "String or Error")],
             "Raises an error with `message`; `error(e)` re-raises a caught error.",
             example: "if lr <= 0 { error(\"lr must be positive\") }") { a in
            switch a["message"] {
            case .string(let s): throw RuntimeError(s, kind: "user")
            case .error(let e): throw e.error
            default:
                var e = RuntimeError(a["message"].repr, kind: "user")
                e.payload = a["message"]
                throw e
            }
        },
        spec("filter", [.required("xs"), .required("f", "Function")], "The elements `x` of `xs` for which `f(x)` is true.",
             example: "filter(0..<10, fn(x) x % 2 == 0)") { a in
            let f = try a.function("f")
            var out: [Value] = []
            try each(a, try a.elements("xs"), f) { x, keep in
                guard case .bool(let k) = keep else {
                    throw RuntimeError("`filter`: the function must return Bool, got \(keep.typeName)", kind: "type")
                }
                if k { out.append(x) }
            }
            return .list(out)
        },
        spec("fmt", [.required("x", "Int or Float"), .optional("digits", "Int", .int(2))],
             "`x` as text with `digits` digits after the point.",
             example: "fmt(3.14159, 2)   # \"3.14\"") { a in
            let x = try a.double("x"), d = try a.int("digits")
            guard d >= 0 && d <= 30 else { throw a.valueError("digits", "must be between 0 and 30") }
            if x.isNaN { return .string("nan") }
            if x.isInfinite { return .string(x < 0 ? "-inf" : "inf") }
            return .string(String(format: "%.\(d)f", x))
        },
        spec("get", [.required("record", "Record"), .required("key", "String"), .optional("default", "", .null)],
             "The value for `key`, or `default` when the record has no such key.",
             example: "get(cfg, \"lr\", 0.1)") { a in
            try a.record("record")[try a.string("key")] ?? a["default"]
        },
        spec("has", [.required("record", "Record"), .required("key", "String")], "True when the record has `key`.",
             example: "has({lr: 0.1}, \"lr\")   # true") { a in
            .bool(try a.record("record")[try a.string("key")] != nil)
        },
        spec("keys", [.required("record", "Record")], "The keys of a record, in order.",
             example: "keys({a: 1, b: 2})   # [\"a\", \"b\"]") { a in
            .list(try a.record("record").keys.map { .string($0) })
        },
        spec("len", [.required("x", "List, String, Record, Range or Tensor")],
             "The number of elements (characters of a string, keys of a record).",
             example: "len([1, 2, 3])   # 3") { a in
            .int(try length(a["x"], a))
        },
        spec("list", [.required("xs")], "A new list of the elements of any iterable.",
             example: "list(0..<3)   # [0, 1, 2]") { a in
            .list(try a.elements("xs"))
        },
        spec("map", [.required("xs"), .required("f", "Function")], "The list of `f(x)` for each element `x` of `xs`.",
             example: "map([1, 2, 3], fn(x) x * x)   # [1, 4, 9]") { a in
            let f = try a.function("f")
            var out: [Value] = []
            try each(a, try a.elements("xs"), f) { _, y in out.append(y) }
            return .list(out)
        },
        spec("print", [.variadic("values"), .named("sep", "String", .string(" ")), .named("end", "String", .string("\n"))],
             "Prints the values separated by `sep`, strings without quotes.",
             example: "print(\"loss\", 0.25)   # loss 0.25") { a in
            let sep = try a.string("sep"), end = try a.string("end")
            let width = a.interpreter.width, token = a.interpreter.token
            let texts = try a.variadic.map { try $0.printed(width: width, checking: token, during: "print") }
            a.interpreter.output(texts.joined(separator: sep) + end)
            return .null
        },
        spec("range", [.required("a", "Int"), .optional("b", "Int", .null), .named("step", "Int", .int(1))],
             "The integers from `a` up to (not including) `b` by `step`; `range(n)` is `0..<n`.",
             example: "range(0, 10, step: 3)   # 0, 3, 6, 9") { a in
            let step = try a.int("step")
            if step == 0 { throw a.valueError("step", "must not be 0") }
            if a["b"].isNil { return .range(RangeObject(start: 0, end: try a.int("a"), step: step)) }
            return .range(RangeObject(start: try a.int("a"), end: try a.int("b"), step: step))
        },
        spec("reduce", [.required("xs"), .required("f", "Function"), .optional("initial", "", .null)],
             "Folds `xs` with `f(accumulator, x)`, starting from `initial` (or the first element).",
             example: "reduce([1, 2, 3], fn(s, x) s + x, 0)   # 6") { a in
            var items = try a.elements("xs")
            let f = try a.function("f")
            var acc: Value
            if a.isGiven("initial") {
                acc = a["initial"]
            } else {
                guard !items.isEmpty else {
                    throw RuntimeError("`reduce`: empty list and no initial value", kind: "value")
                }
                acc = items.removeFirst()
            }
            for x in items { acc = try a.call(f, [acc, x]) }
            return acc
        },
        spec("sort", [.required("xs"), .named("key", "Function", .null)],
             "A sorted copy of `xs` (stable), ordered by `key(x)` when a key is given.",
             example: "sort([3, 1, 2])   # [1, 2, 3]\nsort(runs, key: fn(r) r.loss)") { a in
            if case .native(let n) = a["xs"], let m = n.memberTable?.method("sort") {
                return try a.interpreter.callBuiltin(m, CallArguments(), receiver: a["xs"])
            }
            let items = try a.elements("xs")
            let keys: [Value]
            if a["key"].isNil { keys = items } else {
                let f = try a.function("key")
                keys = try items.map { try a.call(f, [$0]) }
            }
            // Ctrl-C stops a long sort: the token is polled every 65,536 comparisons.
            let token = a.interpreter.token
            var comparisons = 0
            let order = try Array(items.indices).sorted { i, j in
                comparisons &+= 1
                if comparisons & 0xFFFF == 0 { try token.check("during `sort`") }
                guard case .bool(let less) = try Operators.compare(.less, keys[i], keys[j]) else { return false }
                return less
            }
            return .list(order.map { items[$0] })
        },
        spec("str", [.required("x")], "`x` as text, as `print` shows it.",
             example: "str(3.5) + \" s\"   # \"3.5 s\"") { a in
            .string(try a["x"].printed(width: 80, checking: a.interpreter.token, during: "str"))
        },
        spec("type", [.required("x")], "The name of the type of `x` (`Int`, `List`, `Tensor`, ...).",
             example: "type(1.5)   # \"Float\"") { a in
            .string(a["x"].typeName)
        },
        spec("values", [.required("record", "Record")], "The values of a record, in key order.",
             example: "values({a: 1, b: 2})   # [1, 2]") { a in
            .list(try a.record("record").values)
        },
        spec("zip", [.variadic("lists")], "Lists `[a, b, ...]` of corresponding elements, as long as the shortest.",
             example: "zip([1, 2], [\"a\", \"b\"])   # [[1, \"a\"], [2, \"b\"]]") { a in
            let columns = try a.variadic.map { try a.interpreter.elements(of: $0) }
            guard let n = columns.map(\.count).min() else { return .list([]) }
            return .list((0..<n).map { i in .list(columns.map { $0[i] }) })
        },
    ] + CoreBuiltins.systemTable
}
