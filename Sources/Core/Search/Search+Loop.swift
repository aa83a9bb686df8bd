// Many search steps on the loop runner: Ctrl-C between steps keeps the search, progress shows best f and regime.

extension Search {
    /// The record of one step for a Run (`run.records`).
    public func report(_ r: SearchStepRecord) -> Report {
        var entries: [(name: String, value: ReportValue)] = [("m", .int(r.m)), ("regime", .text(r.regime.rawValue))]
        if let feasible = r.feasible { entries.append(("feasible", .bool(feasible))) }
        if let f = r.f { entries.append(("f", .number(f))) }
        entries += [("improved", .bool(r.improved)), ("best", .number(r.best)), ("rejected", .int(r.rejected)),
                    ("distance", .number(r.distance)), ("ring_radius", .number(r.ringRadius))]
        return Report(entries)
    }

    /// Runs `steps` steps, appending each one's report to `run`.
    /// - Throws: `Interrupted` on Ctrl-C (the steps done stay done), or what f / feasibility throw.
    @discardableResult
    public func run(steps: Int, into run: Run) throws -> Int {
        guard steps >= 0 else { throw CoreError.badArgument(op: "search", message: "steps must be ≥ 0, got \(steps)") }
        let runner = LoopRunner(label: "hrco", run: run, guardMetric: nil)
        let done = try runner(count: steps, position: { "after \($0) steps (m = \(self.m))" }) { _ in
            let r = try step()
            run.append(report(r))
            return LoopStep(metrics: [("best f", fs)],
                            notes: [("regime", r.regime.rawValue), ("improvements", String(improvements.count))])
        }
        run.complete()
        return done
    }
}
