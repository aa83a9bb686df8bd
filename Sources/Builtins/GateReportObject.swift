// The result of `gates(net)`: a per-layer table of what the gates are doing, with its figures as fields.
import Core
import Foundation
import Interpreter

/// Prints as the table; `rows` gives one record per layer, `density` and `flop_density` the totals.
public final class GateReportObject: NativeObject {
    let report: GateReport
    init(_ report: GateReport) { self.report = report }

    public var typeName: String { "Gates" }
    public var memberTable: MemberTable? { GateReportMembers.table }

    public func render(width: Int) -> String {
        func percent(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "" }
        func number(_ x: Double?) -> String { x.map { Explanation.format($0) } ?? "" }
        let rows = report.rows.map { r in
            [r.path, r.kind, r.gates, r.mode, NetAccess.formatCount(r.weights), percent(r.hardDensity), percent(r.softDensity),
             percent(r.undecided), percent(r.saturated), number(r.meanGate), number(r.beta), number(r.gateSum)]
        }
        let total = ["total", "", "", "", NetAccess.formatCount(report.rows.reduce(0) { $0 + $1.weights }), percent(report.density)]
        let table = TextTable.render(header: ["path", "kind", "gates", "mode", "weights", "density", "soft", "undecided", "saturated",
                                              "mean gate", "beta", "Σ gate"],
                                     rows: rows, closing: [total], rightAlignedFrom: 4)
        let flops = report.hasFLOPs ? "FLOP-weighted density: \(percent(report.flopWeightedDensity))"
            : "FLOP-weighted density: give input: (one sample's shape) to weigh convolutions by their output size"
        return table + "\n" + flops
    }

    public var byteSize: Int { 64 + report.rows.count * 160 }
}

enum GateReportMembers {
    static func report(_ o: NativeObject) -> GateReport { (o as! GateReportObject).report }
    static func optional(_ x: Double?) -> Value { x.map(Value.float) ?? .null }
    static let table = MemberTable(
        typeName: "Gates",
        summary: "What the gates on a net's weights are doing, per layer (`gates(net)`).",
        fields: [
            FieldSpec("rows", "List", summary: "one record per layer: path, kind, gates, mode, weights, kept, density, soft_density, undecided, saturated, mean_gate, beta, gate_sum, flops_per_weight (CS figures nil without a CS gate)",
                      get: { .list(report($0).rows.map { r in
                          .record([("path", .string(r.path)), ("kind", .string(r.kind)), ("gates", .string(r.gates)),
                                   ("mode", .string(r.mode)), ("weights", .int(r.weights)), ("kept", .int(r.kept)),
                                   ("density", .float(r.hardDensity)), ("soft_density", optional(r.softDensity)),
                                   ("undecided", optional(r.undecided)), ("saturated", optional(r.saturated)),
                                   ("mean_gate", optional(r.meanGate)), ("beta", optional(r.beta)),
                                   ("gate_sum", optional(r.gateSum)), ("flops_per_weight", .int(r.flopsPerWeight))]) }) }),
            FieldSpec("density", "Float", summary: "kept / weights over every gated layer", get: { .float(report($0).density) }),
            FieldSpec("flop_density", "Float", summary: "the share of the dense net's multiply-adds still done (convolutions weighed by output size when `input:` was given)",
                      get: { .float(report($0).flopWeightedDensity) }),
        ])
}
