// A JSON value and the one JSON writer: NaN and ±Infinity as Python's json writes them, ASCII mode.

import Foundation
import Runtime

/// A JSON document. Objects keep their keys in insertion order (as Python's dicts do), and
/// integers stay distinct from floats so `3` and `3.0` round-trip as written.
public enum JSONValue: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])
    /// A list (`isObject` false) or record met again inside itself, written `[...]` or `{...}` as
    /// the language prints it. Not JSON: only the `json` built-in asks for the marker; logs and
    /// checkpoints refuse cycles instead.
    case cycle(isObject: Bool)

    /// The value under `key` of an object (the last one when a key repeats); nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        // NaN equals NaN here, so a parsed document equals the value it was written from.
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.cycle(x), .cycle(y)): return x == y
        default: return false
        }
    }

    /// The compact one-line text, as `json.dumps` writes it with its default separators
    /// (`", "` and `": "`).
    public var description: String { encoded() }

    /// The JSON text; NaN, Infinity and -Infinity are written bare as Python's `json.dumps` does
    /// (not strict JSON, but what Python reads back).
    ///
    /// - Parameters:
    ///   - indent: nil writes one line with Python's default separators (`", "`, `": "`); a number
    ///     writes one member per line indented by that many spaces, as `json.dumps(x, indent=n)`.
    ///   - asciiOnly: escape every character outside printable ASCII as `\uXXXX` (a surrogate
    ///     pair above U+FFFF), as `json.dumps` does by default (`ensure_ascii=True`); false writes
    ///     other text as UTF-8 (logs, checkpoint metadata).
    public func encoded(indent: Int? = nil, asciiOnly: Bool = false) -> String {
        var out = ""
        write(to: &out, indent: indent.map { max(0, min($0, 16)) }, asciiOnly: asciiOnly, depth: 0, token: nil)
        return out
    }

    /// `encoded`, given up with `Interrupted` when `token` is cancelled part way through a long array.
    public func encoded(indent: Int? = nil, asciiOnly: Bool = false, checking token: CancellationToken,
                        during op: String) throws -> String {
        var out = ""
        write(to: &out, indent: indent.map { max(0, min($0, 16)) }, asciiOnly: asciiOnly, depth: 0, token: token)
        try token.check("during `\(op)`")
        return out
    }

    private func write(to out: inout String, indent: Int?, asciiOnly: Bool, depth: Int, token: CancellationToken?) {
        // Between items: ", " on one line, or a newline and the next level's indentation.
        func separator(_ first: Bool, _ level: Int) {
            if let step = indent {
                out += (first ? "" : ",") + "\n" + String(repeating: " ", count: step * level)
            } else if !first {
                out += ", "
            }
        }
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d): out += JSONValue.format(d)
        case let .string(s): JSONValue.writeString(s, asciiOnly: asciiOnly, to: &out)
        case let .cycle(isObject): out += isObject ? "{...}" : "[...]"
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                // The rest is dropped once cancelled; the caller throws, so the cut text is never used.
                if i & 0xFFFF == 0xFFFF, token?.isCancelled == true { break }
                separator(i == 0, depth + 1)
                item.write(to: &out, indent: indent, asciiOnly: asciiOnly, depth: depth + 1, token: token)
            }
            if !items.isEmpty, let step = indent { out += "\n" + String(repeating: " ", count: step * depth) }
            out += "]"
        case let .object(members):
            out += "{"
            for (i, member) in members.enumerated() {
                separator(i == 0, depth + 1)
                JSONValue.writeString(member.key, asciiOnly: asciiOnly, to: &out)
                out += ": "
                member.value.write(to: &out, indent: indent, asciiOnly: asciiOnly, depth: depth + 1, token: token)
            }
            if !members.isEmpty, let step = indent { out += "\n" + String(repeating: " ", count: step * depth) }
            out += "}"
        }
    }

    /// A double as Python's `repr` writes it: shortest round-trip digits, `1e-05` / `1e+16` style
    /// exponents outside [1e-4, 1e16), and always a point or exponent so it reads back as a float.
    public static func format(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the shortest round-trip digits; re-lay them out as Python does.
        let text = "\(d.magnitude)"
        var digits = "", exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            let mantissa = text[..<e]
            let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
            digits = parts.joined()
            exponent += parts[0].count - 1
        } else {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
            digits = whole + fraction
            exponent = whole.count - 1
        }
        // Normalise: strip leading zeros (adjusting the exponent) and trailing zeros.
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); exponent -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        if exponent < -4 || exponent >= 16 {
            let rest = digits.dropFirst()
            let mantissa = rest.isEmpty ? String(digits) : digits.prefix(1) + "." + rest
            let e = exponent < 0 ? "-" + (abs(exponent) < 10 ? "0" : "") + String(abs(exponent))
                                 : "+" + (exponent < 10 ? "0" : "") + String(exponent)
            return sign + mantissa + "e" + e
        }
        if exponent < 0 {
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
        if digits.count <= exponent + 1 {
            return sign + digits + String(repeating: "0", count: exponent + 1 - digits.count) + ".0"
        }
        let cut = digits.index(digits.startIndex, offsetBy: exponent + 1)
        return sign + digits[..<cut] + "." + digits[cut...]
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped; other text as
    /// UTF-8, or (when `asciiOnly`) everything outside printable ASCII as `\uXXXX`.
    static func writeString(_ s: String, asciiOnly: Bool = false, to out: inout String) {
        func hex(_ v: UInt32) {
            let digits = String(v, radix: 16)
            out += "\\u" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        hex(0xD800 + (v >> 10))
                        hex(0xDC00 + (v & 0x3FF))
                    } else {
                        hex(scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

// Literals, so Swift code can write `["epoch": 3, "loss": 0.25]` for a JSON object.
extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Keys keep the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements.map { ($0.0, $0.1) }) }
}
