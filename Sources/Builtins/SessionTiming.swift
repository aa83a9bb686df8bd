// `:timeit EXPR` (repeated runs, mean ± standard deviation, like IPython's %timeit) and duration wording.
import Foundation
import Interpreter
import Lang

extension Session {
    /// Runs of `:timeit`, each of the same number of loops.
    static let timeitRuns = 7
    /// A run is made this long (in seconds) by raising its loop count tenfold at a time.
    static let timeitRunTarget = 0.02

    /// `:timeit EXPR`: compiles EXPR once, times it in runs of equal loop counts, prints
    /// `1.23 ms ± 4.5 µs per loop (mean ± std. dev. of 7 runs, 100 loops each)`.
    func timeit(_ code: String) -> Outcome {
        let file = SourceFile(path: "<timeit>", text: code)
        let (program, diagnostics) = interpreter.runOnLargeStack { Parser.parse(file) }
        if !diagnostics.isEmpty {
            errorOutput(Diagnostic.render(diagnostics, color: options.color))
            return .syntaxError
        }
        interpreter.runOnLargeStack { Resolver.resolve(program) }
        interpreter.token.reset()
        let layer = interpreter.userGlobals
        // Seconds for `loops` runs of the program, or how an error (already reported) ended them.
        func measure(_ loops: Int) -> Result<Double, Stop> {
            interpreter.runOnLargeStack {
                do {
                    let start = DispatchTime.now().uptimeNanoseconds
                    for _ in 0..<loops { _ = try self.interpreter.run(program, in: layer) }
                    return .success(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                } catch {
                    return .failure(Stop(outcome: self.report(error)))
                }
            }
        }
        var loops = 1
        var first: Double
        switch measure(1) {
        case .success(let t): first = t
        case .failure(let stop): return stop.outcome
        }
        while first < Session.timeitRunTarget, loops < 1_000_000 {
            loops *= 10
            switch measure(loops) {
            case .success(let t): first = t
            case .failure(let stop): return stop.outcome
            }
        }
        var perLoop = [first / Double(loops)]
        for _ in 1..<Session.timeitRuns {
            switch measure(loops) {
            case .success(let t): perLoop.append(t / Double(loops))
            case .failure(let stop): return stop.outcome
            }
        }
        let mean = perLoop.reduce(0, +) / Double(perLoop.count)
        let variance = perLoop.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(perLoop.count)
        let runs = perLoop.count
        output("\(Session.duration(mean)) ± \(Session.duration(variance.squareRoot())) per loop "
            + "(mean ± std. dev. of \(runs) runs, \(loops) loop\(loops == 1 ? "" : "s") each)\n")
        return .success
    }

    struct Stop: Error { let outcome: Outcome }

    /// A duration with 3 significant digits in a fitting unit: `812 ns`, `1.23 ms`, `4.50 s`, `2 min 5 s`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "\(seconds) s" }
        if seconds >= 60 {
            let whole = Int(seconds.rounded())
            return whole >= 3600 ? "\(whole / 3600) h \(whole % 3600 / 60) min" : "\(whole / 60) min \(whole % 60) s"
        }
        let (value, unit): (Double, String) = seconds >= 1 ? (seconds, "s") : seconds >= 1e-3 ? (seconds * 1e3, "ms")
            : seconds >= 1e-6 ? (seconds * 1e6, "µs") : (seconds * 1e9, "ns")
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
        return String(format: "%.\(decimals)f \(unit)", value)
    }
}
