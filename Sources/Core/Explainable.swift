// Teaching hooks: what an object is, its formula, and its current numbers, for `explain(obj)`.
import Foundation

/// One live figure of an explanation, as text ("lr", "0.001").
public struct ExplainedValue: Equatable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: Int) { self.init(name, String(value)) }
    public init(_ name: String, _ value: Bool) { self.init(name, String(value)) }
    public init(_ name: String, _ value: Double) { self.init(name, Explanation.format(value)) }
}

/// What an optimizer, gate, layer, run or data set is, in words and with its current numbers.
///
/// `summary` is one sentence (with the paper it comes from); `formula` one or two lines of the rule
/// it applies; `numbers` the live state (lr, steps taken, moments' norms, the support kept, ...);
/// `parts` the explanations of what it holds (the gate on a layer), shown indented.
public struct Explanation: Equatable, Sendable {
    public var title: String
    public var summary: String
    public var formula: [String]
    public var numbers: [ExplainedValue]
    public var parts: [Explanation]

    public init(_ title: String, summary: String, formula: [String] = [], numbers: [ExplainedValue] = [],
                parts: [Explanation] = []) {
        self.title = title
        self.summary = summary
        self.formula = formula
        self.numbers = numbers
        self.parts = parts
    }

    /// The explanation as lines of text: title and summary, the formula indented, then the
    /// numbers in aligned columns, then each part indented by two more spaces.
    public var text: String { lines.joined(separator: "\n") }

    var lines: [String] {
        var out = ["\(title): \(summary)"]
        out += formula.map { "    \($0)" }
        let width = numbers.map(\.name.count).max() ?? 0
        out += numbers.map { "  \($0.name)\(String(repeating: " ", count: width - $0.name.count))  \($0.value)" }
        for part in parts { out += part.lines.map { "  \($0)" } }
        return out
    }

    /// A number as a student reads it: integers without a point, others with 4 significant digits.
    public static func format(_ x: Double) -> String {
        if !x.isFinite { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        let magnitude = abs(x)
        if magnitude >= 1e-3 && magnitude < 1e6 {
            var s = String(format: "%.4g", x)
            if s.contains("e") { s = String(format: "%.4f", x) }
            return s
        }
        return String(format: "%.3e", x)
    }

    /// The L2 norm of a tensor, as a Double (0 for an empty one).
    public static func norm<S: TensorScalar>(_ t: Tensor<S>) -> Double {
        ((try? t.norm(2).item()).map { Double($0) }) ?? 0
    }

    /// The fraction of exact zeros in a tensor (0 for an empty one).
    public static func zeroFraction<S: TensorScalar>(_ t: Tensor<S>) -> Double {
        guard t.count > 0 else { return 0 }
        let nonzeros = ((try? t.norm(0).item()).map { Double($0) }) ?? 0
        return 1 - nonzeros / Double(t.count)
    }
}

/// Anything `explain(obj)` can describe. Each optimizer, gate, layer, run (and, with their issues,
/// search and method controller) conforms in its own file.
public protocol Explainable {
    var explanation: Explanation { get }
}
