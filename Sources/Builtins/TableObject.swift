// A text table a built-in made (`summary`): the prompt shows it as the table, not as a quoted string.
import Interpreter
import Lang

/// Rendered rows, like a pandas DataFrame at IPython's prompt: echoing shows the table, `print` and
/// `str` give its text, `+` joins it with a String, and `==` compares its text.
public final class TableObject: NativeObject {
    let text: String

    init(_ text: String) { self.text = text }

    public var typeName: String { "Table" }
    public var memberTable: MemberTable? { TableMembers.table }
    public func render(width: Int) -> String { text }
    public var byteSize: Int { 32 + text.utf8.count }

    public func binary(_ op: Lang.BinaryOperator, _ other: Value, reversed: Bool) throws -> Value? {
        guard op == .add, case .string(let s) = other else { return nil }
        return .string(reversed ? s + text : text + s)
    }

    public func isEqual(to other: Value) -> Bool {
        switch other {
        case .string(let s): return s == text
        case .native(let n): return (n as? TableObject)?.text == text
        default: return false
        }
    }
}

enum TableMembers {
    static func text(_ o: NativeObject) -> String { (o as? TableObject)?.text ?? "" }
    static let table = MemberTable(
        typeName: "Table",
        summary: "A table a built-in made (as `summary` does); prints as its rows.",
        fields: [
            FieldSpec("text", "String", summary: "the table as one String", get: { .string(text($0)) }),
            FieldSpec("lines", "List", summary: "the table's lines, as Strings",
                      get: { .list(text($0).split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) }) }),
        ])
}
