// The language's Bank and LSM values: a template bank with its queries, and a layer similarity matrix shown as a heatmap.
import Core
import Interpreter
import Lang

/// A template bank, shared by reference with the layers that mix it.
public final class BankObject: NativeObject {
    let bank: TemplateBank<Float>

    init(_ bank: TemplateBank<Float>) { self.bank = bank }

    public var typeName: String { "Bank" }
    public var memberTable: MemberTable? { BankMembers.table }

    public func isEqual(to other: Value) -> Bool {
        if case .native(let o as BankObject) = other { return o.bank === bank }
        return false
    }

    public func render(width: Int) -> String {
        "Bank(\(bank.k) templates of \(Tensor<Float>.describe(bank.shape)), \(bank.members.count) layers)"
    }

    public var byteSize: Int { bank.templates.count * 4 + 128 }
}

enum BankMembers {
    static func bank(_ o: NativeObject) -> TemplateBank<Float> { (o as! BankObject).bank }

    /// Rows of equal length `columns` as a Float matrix (empty rows give [0, columns]).
    static func matrix(_ rows: [[Double]], columns: Int) -> Value {
        let t = try? Tensor<Float>(shape: [rows.count, columns], scalars: rows.flatMap { $0.map { Float($0) } })
        return t.map { .tensor($0) } ?? .null
    }

    static func floats(_ xs: [Double]) -> Value { .list(xs.map { .float($0) }) }

    static let table = MemberTable(
        typeName: "Bank",
        summary: "A template bank: k templates mixed by every shared_conv / shared_dense made from it.",
        fields: [
            FieldSpec("k", "Int", summary: "the number of templates", get: { .int(bank($0).k) }),
            FieldSpec("shape", "List", summary: "the shape of one template (and of each member's weight)",
                      get: { .list(bank($0).shape.map { .int($0) }) }),
            FieldSpec("templates", "Param", summary: "the templates [k, ...shape], one parameter (role template)",
                      get: { .native(ParamObject(bank($0).templates)) }),
            FieldSpec("layers", "Int", summary: "the number of layers that use the bank",
                      get: { .int(bank($0).members.count) }),
            FieldSpec("coefficients", "Tensor", summary: "A, the layers' α's as rows [L, k], in the order the layers were made",
                      get: { let b = bank($0); return matrix(b.coefficients(), columns: b.k) }),
            FieldSpec("gram", "Tensor", summary: "Γ = T Tᵀ [k, k], the templates' inner products",
                      get: { let b = bank($0); return matrix(b.templateGram, columns: b.k) }),
            FieldSpec("norms", "List", summary: "‖Tᵢ‖ for each template", get: { floats(bank($0).templateNorms) }),
            FieldSpec("singular_values", "List", summary: "the singular values of A, largest first",
                      get: { floats(try bank($0).alphaSingularValues()) }),
            FieldSpec("effective_templates", "Int", summary: "the numerical rank of A: the fewest templates that reproduce every layer exactly",
                      get: { .int(try bank($0).effectiveTemplateCount()) }),
            FieldSpec("onehotness", "List", summary: "‖α‖∞ / ‖α‖₂ per layer (1 = a hard choice of one template)",
                      get: { floats(bank($0).members.map(\.onehotness)) }),
        ])
}

/// A layer similarity matrix: its numbers, labels and undefined rows; shown as a heatmap.
public final class LSMObject: NativeObject {
    let lsm: LayerSimilarity
    let title: String

    init(_ lsm: LayerSimilarity, title: String) {
        self.lsm = lsm
        self.title = title
    }

    public var typeName: String { "LSM" }
    public var memberTable: MemberTable? { LSMMembers.table }

    var options: HeatmapOptions {
        HeatmapOptions(title: title, rowLabels: lsm.labels, columnLabels: lsm.labels, range: (0, 1))
    }

    public func render(width: Int) -> String {
        var options = self.options
        options.width = max(40, min(width, 120))
        let map = (try? terminalHeatmap(lsm.tensor, options: options)) ?? ""
        let flagged = lsm.undefined.enumerated().filter(\.element).map { lsm.labels[$0.offset] }
        return map + (flagged.isEmpty ? "" : "\nundefined (α = 0): " + flagged.joined(separator: ", "))
    }

    public var byteSize: Int { lsm.count * lsm.count * 8 + 64 }
}

enum LSMMembers {
    static func lsm(_ o: NativeObject) -> LayerSimilarity { (o as! LSMObject).lsm }

    static let table = MemberTable(
        typeName: "LSM",
        summary: "A layer similarity matrix: |cos| between the α's (or weights) of the layers of one bank.",
        fields: [
            FieldSpec("matrix", "Tensor", summary: "S [L, L] (NaN in undefined rows)", get: { .tensor(lsm($0).tensor) }),
            FieldSpec("labels", "List", summary: "the layers, in forward order (paths in a net)",
                      get: { .list(lsm($0).labels.map { .string($0) }) }),
            FieldSpec("undefined", "List", summary: "true for a layer whose vector is zero",
                      get: { .list(lsm($0).undefined.map { .bool($0) }) }),
            FieldSpec("kind", "String", summary: "\"alpha\" or \"weight\"", get: { .string(lsm($0).kind.rawValue) }),
            FieldSpec("total", "Float", summary: "Σ S over all ordered pairs (what the recurrence regularizer rewards)",
                      get: { .float(lsm($0).total) }),
        ])
}
