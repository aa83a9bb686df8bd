// The sweep built-ins: `report` records a run's results for `whittle sweep`; `sweep_results` reads a sweep folder back.
import Core
import Foundation
import Interpreter
import Sweep

enum SweepBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Output", summary: summary, details: details, example: example, body: body)
    }

    static let table: [BuiltinSpec] = [
        spec("report", [.required("results", "Record")],
             "Records this run's results: one JSON line in the sweep point's folder (printed when not in a sweep).",
             details: "Under `whittle sweep` each point's `report` lines go to `result.jsonl` in its folder (the file named by the environment variable WHITTLE_REPORT), and `whittle sweep collect` and `sweep_results` read them back, so nothing depends on parsing printed text. Several calls add fields; a later value for a key replaces an earlier one. Outside a sweep the record is printed as `report: {...}`.",
             example: "report({lr: lr, accuracy: acc, sparsity: sparsity(net)})") { a in
            try OutputBuiltins.refuseInSandbox(a)
            let json = try JSONBridge.json(.record(try a.record("results")), op: "report")
            if let path = a.interpreter.session?.options.reportPath {
                try appendJSONLine(path, json)
            } else {
                a.interpreter.output("report: \(json.encoded())\n")
            }
            return .null
        },
        spec("sweep_results", [.required("dir", "String")],
             "Every point of a sweep folder as a record: its settings, its reported results, status, error and seconds.",
             details: "Every record has the same fields in the same order (nil where a point has no value), so the list goes straight to `to_csv`, and its columns to `plot` or, reshaped into a tensor, `heatmap`. Settings read as they did in the script (`0.1` is a Float). A failed point has status \"failed\" and its error; a point not yet run has status \"pending\".",
             example: "rs = sweep_results(\"runs/lr\")\nto_csv(\"lr.csv\", rs)\nplot(map(filter(rs, fn(r) r.status == \"done\"), fn(r) r.accuracy))") { a in
            try OutputBuiltins.refuseInSandbox(a)
            let collection: SweepCollection
            do { collection = SweepCollection(try SweepFolder.open(try a.string("dir"))) } catch let e as SweepError {
                throw runtimeError("`sweep_results`: \(e.message)", kind: "io")
            }
            return .list(collection.points.map { record($0, collection) })
        },
    ]

    /// One point as a record with the collection's columns.
    static func record(_ p: CollectedPoint, _ c: SweepCollection) -> Value {
        var pairs: [(String, Value)] = [("point", .int(p.point.index))]
        for name in c.settingNames {
            let text = p.point.settings.first { $0.name == name }?.value
            pairs.append((name, text.map { Session.literal($0) ?? .string($0) } ?? .null))
        }
        for name in c.resultNames {
            pairs.append((name, p.results.first { $0.key == name }.map { JSONBridge.value($0.value) } ?? .null))
        }
        let state = p.status.map { $0.state.rawValue } ?? "pending"
        pairs += [("status", .string(state)), ("error", p.status?.error.map { .string($0) } ?? .null),
                  ("seconds", p.status?.seconds.map { .float($0) } ?? .null)]
        return .record(pairs)
    }
}
