// step and fit: one update on a batch, or epochs of training with progress, returning a Run.
import Core
import Interpreter
import Lang

/// The language's Run: the history of one `fit`.
public final class RunObject: NativeObject {
    let run: Run

    init(_ run: Run) { self.run = run }

    public var typeName: String { "Run" }
    public var memberTable: MemberTable? { RunMembers.table }
    public func render(width: Int) -> String {
        var lines = [run.description]
        for r in run.history {
            var parts = ["epoch \(r.epoch)", "loss \(fmt(r.loss))"]
            if let a = r.accuracy { parts.append("accuracy \(fmt(a))") }
            if let t = r.testAccuracy { parts.append("test accuracy \(fmt(t))") }
            parts.append("\(Int(r.samplesPerSecond.rounded())) samples/s")
            lines.append("  " + parts.joined(separator: ", "))
        }
        if let reason = run.stopReason { lines.append("  stopped: \(reason)") }
        return lines.joined(separator: "\n")
    }

    /// Four significant digits, as in the description line and the progress bar.
    private func fmt(_ x: Double) -> String { formatted(x) }

    /// The settings as a record with their types (`epochs: 50`, `shuffle: true`, `test: nil`).
    static func settings(_ run: Run) -> Value {
        .record(run.settings.map { name, value in
            switch value {
            case .int(let i): return (name, .int(i))
            case .bool(let b): return (name, .bool(b))
            case .text(let s): return (name, .string(s))
            case .none: return (name, .null)
            }
        })
    }

    /// One epoch as a record (for `run.history`, `on_epoch` and the JSON Lines log).
    static func record(_ r: EpochRecord) -> Value {
        .record([("epoch", .int(r.epoch)), ("loss", .float(r.loss)),
                 ("accuracy", r.accuracy.map { .float($0) } ?? .null),
                 ("test_loss", r.testLoss.map { .float($0) } ?? .null),
                 ("test_accuracy", r.testAccuracy.map { .float($0) } ?? .null),
                 ("lr", .float(r.lr)), ("samples", .int(r.samples)),
                 // A measured duration: more digits would be noise.
                 ("seconds", .float(significant(r.seconds, 4))),
                 ("hooks", TrainingPlatform.hooks(r.hooks))])
    }
}

enum RunMembers {
    static func run(_ o: NativeObject) -> Run { (o as! RunObject).run }
    static func floats(_ xs: [Double]) -> Value { .list(xs.map { .float($0) }) }

    static let table = MemberTable(
        typeName: "Run",
        summary: "The record of one `fit`: per-epoch figures, history and settings.",
        fields: [
            FieldSpec("loss", "List", summary: "mean training loss per epoch", get: { floats(run($0).loss) }),
            FieldSpec("accuracy", "List", summary: "training accuracy per epoch", get: { floats(run($0).accuracy) }),
            FieldSpec("test_loss", "List", summary: "test loss per epoch (when `test:` was given)", get: { floats(run($0).testLoss) }),
            FieldSpec("test_accuracy", "List", summary: "test accuracy per epoch (when `test:` was given)",
                      get: { floats(run($0).testAccuracy) }),
            FieldSpec("history", "List", summary: "one record per epoch", get: { .list(run($0).history.map(RunObject.record)) }),
            FieldSpec("settings", "Record", summary: "the settings of the run",
                      get: { RunObject.settings(run($0)) }),
            FieldSpec("complete", "Bool", summary: "false when interrupted or stopped by an error",
                      get: { .bool(run($0).isComplete) }),
            FieldSpec("stop_reason", "String or nil", summary: "why the run stopped early",
                      get: { run($0).stopReason.map { .string($0) } ?? .null }),
        ])
}

/// The compiler Whittle was built with, for run logs.
let swiftVersion: String = {
    #if compiler(>=6.3)
    return "6.3 or later"
    #elseif compiler(>=6.0)
    return "6.x"
    #else
    return "5.x"
    #endif
}()

enum TrainingBuiltins {
    static func spec(_ name: String, _ parameters: [ParameterSpec], _ summary: String, details: String = "",
                     example: String, _ body: @escaping (Arguments) throws -> Value) -> BuiltinSpec {
        BuiltinSpec(name, parameters, topic: "Optimizers and training", summary: summary, details: details,
                    example: example, body: body)
    }

    /// A batch argument: a Dataset, {x, y} or [x, y].
    static func batch(_ a: Arguments, _ name: String) throws -> (x: Tensor<Float>, y: Tensor<Float>) {
        let d = try LossBuiltins.data(a, name)
        return (d.x, d.y)
    }

    /// `fit`'s defaults come from Core's settings.
    static let fitDefaults = FitSettings<Float>()

    static let table: [BuiltinSpec] = [
        spec("step", [.required("opt", "Optimizer"), .optional("batch", "Dataset or {x, y}", .null), .named("loss", "Function", .null),
                      .named("net", "Net", .null)],
             "One update: on a batch (forward, backward, update; returns the loss), or from the gradients already in `.grad`.",
             details: "`loss:` defaults to cross_entropy for class-index labels and mse otherwise. The training hooks of the net's layers and gates and of the optimizer take part: their penalties are added to the loss (the returned loss is the data loss alone) and their after-update steps run, also after a step from `.grad`. `opt.last_step` records what the step did, with each hook's report under `hooks`. `net:` lets an optimizer made from a list of parameters step on a batch.",
             example: "for x, y in batches(data.train, 64) { step(opt, [x, y]) }\ngrad(fn(n) mse(n(x), y), net); step(opt)") { a in
            let o = try a.native("opt", as: OptimizerObject.self, expected: "Optimizer").optimizer
            let net = try a.optionalNative("net", as: LayerObject.self, expected: "Net")?.layer
            if a["batch"].isNil {
                try optimizerStep(o, net: net)
                return .null
            }
            let (x, y) = try batch(a, "batch")
            return .float(try trainStep(o, x: x, y: y, loss: try LossBuiltins.loss(a, "loss"), net: net))
        },
        spec("fit", [.required("net", "Net"), .required("data", "Dataset"), .required("opt", "Optimizer"),
                     .named("epochs", "Int", .int(fitDefaults.epochs)), .named("batch", "Int", .int(fitDefaults.batchSize)), .named("loss", "Function", .null),
                     .named("test", "Dataset", .null), .named("on_epoch", "Function", .null), .named("log", "String", .null),
                     .named("shuffle", "Bool", .bool(fitDefaults.shuffle)), .named("seed", "Int", .null)],
             "Trains for some epochs of shuffled minibatches with a progress bar; returns a Run.",
             details: "Each epoch reshuffles, trains in training mode, evaluates `test` (in eval mode) and calls `on_epoch(record)`. `log:` appends a JSON Lines header and one line per epoch to a file. Ctrl-C stops between minibatches with the model intact and the partial run in `last_run`; a NaN loss raises an error (catchable; the run is in `last_run`).",
             example: "run = fit(net, data.train, adam(net), epochs: 5, batch: 64, test: data.test)\nplot(run)") { a in
            let net = try a.native("net", as: LayerObject.self, expected: "Net").layer
            let data = try LossBuiltins.data(a, "data")
            let opt = try a.native("opt", as: OptimizerObject.self, expected: "Optimizer").optimizer
            let epochs = try a.int("epochs"), batchSize = try a.int("batch")
            let test = a["test"].isNil ? nil : try LossBuiltins.data(a, "test")
            let seed = try DataBuiltins.seed(a, "seed")
            let settings = FitSettings<Float>(epochs: epochs, batchSize: batchSize, shuffle: try a.bool("shuffle"),
                                              seed: UInt64(bitPattern: Int64(seed)), loss: try LossBuiltins.loss(a, "loss"),
                                              token: a.interpreter.token)
            let onEpoch = a["on_epoch"].isNil ? nil : try a.function("on_epoch")
            let logPath = try a.optionalString("log")
            let run = Run()
            let runValue = Value.native(RunObject(run))
            a.interpreter.userGlobals.cell("last_run").value = runValue
            var logStarted = false
            func log(_ record: Value) throws {
                guard let path = logPath else { return }
                if !logStarted {
                    logStarted = true
                    try appendJSONLine(path, try JSONBridge.json(.record([
                        ("event", .string("start")), ("whittle", .string(Session.version)),
                        ("blas", .string(blasVersion)), ("swift", .string(swiftVersion)),
                        ("seed", .int(seed)), ("settings", RunObject.settings(run)),
                    ]), op: "fit"))
                }
                try appendJSONLine(path, try JSONBridge.json(record, op: "fit"))
            }
            do {
                try fit(net, data: data, optimizer: opt, settings: settings, test: test, into: run) { record in
                    let value = RunObject.record(record)
                    try log(value)
                    if let f = onEpoch { _ = try a.call(f, [value]) }
                }
            } catch let error as TrainingError {
                // A caught NaN error carries the run, as `e.run`.
                var failure = RuntimeError(String(describing: error), kind: error.errorKind)
                failure.fields = [("run", runValue)]
                throw failure
            }
            if logPath != nil, !logStarted { try log(.record([("event", .string("end"))])) }
            return runValue
        },
    ]
}
