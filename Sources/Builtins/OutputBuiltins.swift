// The Output built-ins: terminal and SVG plots, heatmaps, histograms, checkpoints, JSON Lines, CSV.
import Core
import Foundation
import Interpreter
import Lang

enum OutputBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Output", summary: summary, details: details, example: example, body: body)
    }

    /// Writes `text` to `path` atomically (a temporary file, then rename).
    static func writeText(_ text: String, to path: String) throws {
        try writeFileAtomically(path) { try $0.write(Array(text.utf8)) }
    }

    // MARK: - Series

    /// The numbers of a list or tensor.
    static func numbers(_ v: Value, _ what: String) throws -> [Double]? {
        switch v {
        case .list(let l):
            return try l.items.map { item in
                guard let d = item.numberValue else { throw runtimeError("\(what): expected numbers, found \(item.typeName)", kind: "type") }
                return d
            }
        case .range(let r):
            guard r.count <= 10_000_000 else { throw runtimeError("\(what): range too long to plot", kind: "limit") }
            return (0..<r.count).map { Double(r.element($0)) }
        default:
            return try TensorConversion.operand(v).map { $0.tensor.scalars.map(Double.init) }
        }
    }

    /// The series `plot` draws from any of the forms it accepts.
    static func series(_ v: Value) throws -> [PlotSeries] {
        if case .native(let n as RunObject) = v {
            var out = [PlotSeries(name: "loss", values: n.run.loss)]
            if !n.run.testLoss.isEmpty { out.append(PlotSeries(name: "test loss", values: n.run.testLoss)) }
            return out.map { s in PlotSeries(name: s.name, points: s.points.map { ($0.x + 1, $0.y) }) }
        }
        if case .native(let h as SearchObject) = v { return SearchBuiltins.plotSeries(h.search) }
        if case .record(let r) = v { return [try oneSeries(r)] }
        if case .list(let l) = v, l.items.contains(where: { if case .list = $0 { return true }; if case .record = $0 { return true }; return $0.isNative && $0.numberValue == nil }) {
            return try l.items.enumerated().map { i, item in
                if case .record(let r) = item { return try oneSeries(r, index: i) }
                guard let ys = try numbers(item, "plot") else { throw runtimeError("plot: series \(i + 1) is \(item.typeName)", kind: "type") }
                return PlotSeries(name: "series \(i + 1)", values: ys)
            }
        }
        guard let ys = try numbers(v, "plot") else {
            throw runtimeError("plot expects numbers, a Tensor, {x, y}, a list of series or a Run, got \(v.typeName)", kind: "type")
        }
        return [PlotSeries(values: ys)]
    }

    static func oneSeries(_ r: RecordObject, index: Int = 0) throws -> PlotSeries {
        guard let yv = r["y"], let ys = try numbers(yv, "plot") else {
            throw runtimeError("plot: a series record needs a `y` list of numbers", kind: "type")
        }
        let name: String
        if case .string(let s)? = r["name"] { name = s } else { name = index == 0 && r["name"] == nil ? "" : "series \(index + 1)" }
        guard let xv = r["x"] else { return PlotSeries(name: name, values: ys) }
        guard let xs = try numbers(xv, "plot"), xs.count == ys.count else {
            throw runtimeError("plot: `x` and `y` need the same number of values", kind: "shape")
        }
        return PlotSeries(name: name, x: xs, y: ys)
    }

    /// The chart options from `title:`, `log_y:`, `x_label:` and `y_label:` (those the chart has).
    static func chartOptions(_ a: Arguments, labels: Bool) throws -> ChartOptions {
        ChartOptions(title: try a.optionalString("title") ?? "",
                     xLabel: labels ? try a.optionalString("x_label") ?? "" : "",
                     yLabel: labels ? try a.optionalString("y_label") ?? "" : "",
                     logY: try a.bool("log_y"),
                     width: max(40, min(a.interpreter.width, 120)))
    }

    /// At the prompt, says what a built-in wrote (`wrote loss.svg (12.3 KiB)`), so a file never
    /// appears silently; scripts stay quiet.
    static func noteWritten(_ path: String, _ a: Arguments) {
        guard a.interpreter.isInteractive, !a.interpreter.isQuiet else { return }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        a.interpreter.output("wrote \(path)\(size.map { " (\(Session.bytes($0)))" } ?? "")\n")
    }

    /// Writes the SVG when `file:` is given (returning nil), else returns the terminal drawing.
    static func draw(_ a: Arguments, svg: () throws -> String, terminal: () throws -> String) throws -> Value {
        if let path = try a.optionalFilePath("file") {
            try writeText(try svg(), to: path)
            noteWritten(path, a)
            return .null
        }
        a.interpreter.output(try terminal() + "\n")
        return .null
    }

    /// The `layout:` of `save` / `load_weights`; nil for "auto".
    static func layout(_ a: Arguments) throws -> CheckpointLayout? {
        let name = try a.string("layout")
        if name == "auto" { return nil }
        guard let layout = CheckpointLayout(rawValue: name) else {
            throw a.valueError("layout", "must be \"whittle\", \"torch\" or \"auto\", got \"\(name)\"")
        }
        return layout
    }

    static let table: [BuiltinSpec] = [
        spec("plot", [.required("data", "List, Tensor, Record, Run, Search"), .named("title", "String", .null),
                      .named("file", "String", .null), .named("log_y", "Bool", .bool(false)),
                      .named("x_label", "String", .null), .named("y_label", "String", .null)],
             "A line chart: in the terminal, or as an SVG file when `file:` is given.",
             details: "Takes a list of numbers, a tensor, a {x, y} record (with an optional `name`), a list of series, a Run (its loss per epoch, and the test loss when there is one), or a Search (its best f per step, with the GS and CS improvements as their own series).",
             example: "plot(run.loss, title: \"training loss\")\nplot([{name: \"train\", y: run.accuracy}, {name: \"test\", y: run.test_accuracy}], file: \"acc.svg\")") { a in
            let s = try series(a["data"])
            let options = try chartOptions(a, labels: true)
            return try draw(a, svg: { svgLineChart(s, options: options) }, terminal: { terminalLineChart(s, options: options) })
        },
        spec("heatmap", [.required("matrix", "Tensor"), .named("title", "String", .null), .named("file", "String", .null),
                         .named("labels", "List", .null)],
             "A matrix as shades (terminal) or colours with a scale bar (SVG when `file:` is given).",
             details: "This is how the layer similarity matrix is shown.",
             example: "heatmap(outer(linspace(0, 1, 8), linspace(0, 1, 8)))\nheatmap(m, file: \"lsm.svg\")") { a in
            let m = try a.tensorValue("matrix")
            var options = HeatmapOptions(title: try a.optionalString("title") ?? "", width: max(40, min(a.interpreter.width, 120)))
            if case .list(let l) = a["labels"] {
                let labels = l.items.map { v -> String in if case .string(let s) = v { return s }; return v.repr(width: 20) }
                options.rowLabels = labels
                options.columnLabels = labels
            }
            return try draw(a, svg: { try svgHeatmap(m, options: options) }, terminal: { try terminalHeatmap(m, options: options) })
        },
        spec("hist", [.required("t", "Tensor"), .named("bins", "Int", .null), .named("title", "String", .null),
                      .named("file", "String", .null), .named("log_y", "Bool", .bool(false))],
             "A histogram of a tensor's values (weights, mask logits), in the terminal or as SVG.",
             example: "hist(net[\"0.weight\"])\nhist(w, bins: 50, file: \"w.svg\")") { a in
            let t = try a.tensorValue("t")
            let bins = try a.optionalInt("bins")
            if let b = bins, b < 1 || b > 10_000 { throw a.valueError("bins", "must be between 1 and 10000") }
            let options = try chartOptions(a, labels: false)
            return try draw(a, svg: { try svgHistogram(t, bins: bins, options: options) },
                            terminal: { try terminalHistogram(t, bins: bins, options: options) })
        },
        spec("save", [.required("net", "Net"), .required("path", "String"), .named("layout", "String", .string("whittle")),
                      .named("sparse", "Bool", .bool(false))],
             "Saves the net's parameters and buffers as a safetensors file (atomically), named by path.",
             details: "Masks and BatchNorm statistics are stored as their own tensors; the architecture and weight layouts go into the header's metadata as JSON. The file opens with Python's safetensors and NumPy. `layout: \"torch\"` writes PyTorch's `state_dict` layout (Dense weights [out, in], masks baked into the weights), which `model.load_state_dict(load_file(path))` accepts for the equivalent `nn.Sequential`. `sparse: true` stores each pruned Dense / Conv2D weight as compressed sparse rows where that is smaller — `<weight>.csr_values` (F32), `.csr_columns` and `.csr_rows` (I32), the weight seen as its first axis by the rest, described under `sparse` in the metadata — and its hard mask as the CSR pattern, so the file shrinks with sparsity; `load_weights` reads it back bit-identical.",
             example: "save(net, \"cnn.safetensors\")\nsave(net, \"cnn.pt.safetensors\", layout: \"torch\")\nsave(net, \"pruned.safetensors\", sparse: true)") { a in
            let path = try a.filePath("path")
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            try saveCheckpoint(net, to: path, metadata: ["whittle_version": Session.version], layout: try layout(a) ?? .whittle,
                               sparse: try a.bool("sparse"))
            noteWritten(path, a)
            return .null
        },
        spec("load_weights", [.required("net", "Net"), .required("path", "String"), .named("layout", "String", .string("auto"))],
             "Loads a safetensors checkpoint into the net, checking every name, shape and dtype first.",
             details: "All mismatches are reported together and the net is left unchanged unless everything fits. PyTorch's `num_batches_tracked` counters are accepted. `layout:` is \"whittle\", \"torch\" (a PyTorch `state_dict` saved with `safetensors.torch.save_file`: Linear weights [out, in]) or \"auto\": a Whittle file says which; any other file is PyTorch's when its Dense weights fit only transposed or are all square.",
             example: "load_weights(net, \"cnn.safetensors\")") { a in
            let path = try a.filePath("path")
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            try loadCheckpoint(net, from: path, layout: try layout(a), token: a.interpreter.token)
            return a["net"]
        },
        spec("save_tensors", [.required("tensors", "Record"), .required("path", "String")],
             "Saves a record of tensors as a safetensors file (atomically), one tensor per field.",
             details: "The fields' names are the file's keys and every tensor is stored as F32, so `safetensors.numpy.load_file(path)` gives NumPy arrays (data for a peer, results for a notebook). `load_tensors` reads it back.",
             example: "save_tensors({x: data.x, y: data.y}, \"data.safetensors\")") { a in
            let path = try a.filePath("path")
            var tensors: [(name: String, tensor: Tensor<Float>)] = []
            for (name, value) in try a.record("tensors").pairs {
                guard let t = try TensorConversion.operand(value) else {
                    throw runtimeError("`save_tensors`: field `\(name)` must be a Tensor or a number, got \(value.typeName)", kind: "type")
                }
                tensors.append((name, t.tensor))
            }
            try writeSafetensors(tensors, to: path)
            noteWritten(path, a)
            return .null
        },
        spec("load_tensors", [.required("path", "String")],
             "Reads every tensor of a safetensors file into a record, by key (values as Float32).",
             details: "Any dtype the format has is read and converted to Float32; keys keep the file's order. A file written by NumPy or PyTorch works as well as one from `save_tensors` or `save`.",
             example: "d = load_tensors(\"data.safetensors\")\nd.x.shape") { a in
            let contents = try readSafetensors(try a.filePath("path"), token: a.interpreter.token)
            return .record(contents.tensors.map { ($0.name, .native(TensorObject($0.tensor))) })
        },
        spec("write_jsonl", [.required("path", "String"), .required("record", "Record")],
             "Appends one JSON line to a file (NaN and Infinity written as Python's json does).",
             example: "write_jsonl(\"runs.jsonl\", {lr: 0.1, accuracy: acc})") { a in
            try appendJSONLine(try a.filePath("path"), try JSONBridge.json(a["record"], op: "write_jsonl"))
            return .null
        },
        spec("to_csv", [.required("path", "String"), .required("rows", "List")],
             "Writes a list of records (columns from the first record's keys, as the header) or of lists (no header) as CSV.",
             example: "to_csv(\"results.csv\", [{t: 0.01, acc: 0.9}, {t: 0.05, acc: 0.88}])") { a in
            let path = try a.filePath("path")
            let rows = try a.list("rows").items
            var header: [String] = []
            var cells: [[String]] = []
            func cell(_ v: Value) -> String {
                switch v {
                case .string(let s): return s
                case .null: return ""
                default: return v.repr(width: 1_000)
                }
            }
            for (i, row) in rows.enumerated() {
                switch row {
                case .record(let r):
                    if header.isEmpty { header = r.keys }
                    cells.append(header.map { r[$0].map(cell) ?? "" })
                case .list(let l): cells.append(l.items.map(cell))
                default: throw a.valueError("rows", "row \(i + 1) is \(row.typeName), not a Record or List")
                }
            }
            try writeCSV(path, header: header, rows: cells)
            return .null
        },
        spec("mkdir", [.required("path", "String")], "Creates a directory (and its parents) if it does not exist.",
             example: "mkdir(\"out/run1\")") { a in
            let path = try a.filePath("path")
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw runtimeError("`mkdir`: cannot create \"\(path)\": \(error.localizedDescription)", kind: "io")
            }
            return .null
        },
    ]
}

private extension Value {
    var isNative: Bool { if case .native = self { return true }; return false }
}
