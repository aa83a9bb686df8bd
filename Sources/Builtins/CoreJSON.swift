// JSON for `json` and `parse_json`, compatible with Python's json module (NaN, Infinity).
import Interpreter
import Lang

enum JSON {
    static let maxDepth = 1_000

    /// JSON text for a value; a list or record inside itself is written `[...]` / `{...}`.
    static func write(_ v: Value, _ active: inout Set<ObjectIdentifier>, _ depth: Int) throws -> String {
        if depth > maxDepth { throw RuntimeError("`json`: value nested too deeply", kind: "limit") }
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return number(d)
        case .string(let s): return quote(s)
        case .list(let l):
            let id = ObjectIdentifier(l)
            if active.contains(id) { return "[...]" }
            active.insert(id)
            defer { active.remove(id) }
            return "[" + (try l.items.map { try write($0, &active, depth + 1) }).joined(separator: ", ") + "]"
        case .record(let r):
            let id = ObjectIdentifier(r)
            if active.contains(id) { return "{...}" }
            active.insert(id)
            defer { active.remove(id) }
            return "{" + (try zip(r.keys, r.values).map { "\(quote($0)): \(try write($1, &active, depth + 1))" })
                .joined(separator: ", ") + "}"
        case .range(let r): return "[" + (0..<min(r.count, 10_000_000)).map { String(r.element($0)) }.joined(separator: ", ") + "]"
        case .native(let n):
            if let d = n.scalarValue { return number(d) }
            throw RuntimeError("`json`: cannot convert \(n.typeName) to JSON", kind: "type")
        default:
            throw RuntimeError("`json`: cannot convert \(v.typeName) to JSON", kind: "type")
        }
    }

    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return Value.float(d).repr
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value > 0x7E {
                    if c.value > 0xFFFF {
                        let v = c.value - 0x10000
                        out += hex(0xD800 + (v >> 10)) + hex(0xDC00 + (v & 0x3FF))
                    } else {
                        out += hex(c.value)
                    }
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    static func hex(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - h.count)) + h
    }

    /// A recursive-descent JSON reader.
    struct Reader {
        let chars: [Unicode.Scalar]
        var pos = 0
        var depth = 0

        init(_ chars: [Unicode.Scalar]) { self.chars = chars }

        func fail(_ what: String) -> RuntimeError {
            var line = 1, column = 1
            for c in chars[0..<min(pos, chars.count)] { if c == "\n" { line += 1; column = 1 } else { column += 1 } }
            return RuntimeError("`parse_json`: \(what) at line \(line), column \(column)", kind: "value")
        }

        mutating func skip() { while pos < chars.count, [" ", "\n", "\t", "\r"].contains(chars[pos]) { pos += 1 } }

        mutating func document() throws -> Value {
            let v = try value()
            skip()
            if pos < chars.count { throw fail("unexpected text after the value") }
            return v
        }

        mutating func literal(_ word: String) -> Bool {
            let w = Array(word.unicodeScalars)
            guard pos + w.count <= chars.count, Array(chars[pos..<(pos + w.count)]) == w else { return false }
            pos += w.count
            return true
        }

        mutating func value() throws -> Value {
            skip()
            guard pos < chars.count else { throw fail("unexpected end of text") }
            depth += 1
            defer { depth -= 1 }
            if depth > JSON.maxDepth { throw fail("nesting too deep") }
            switch chars[pos] {
            case "{":
                pos += 1
                let r = RecordObject()
                skip()
                if pos < chars.count, chars[pos] == "}" { pos += 1; return .record(r) }
                while true {
                    skip()
                    guard pos < chars.count, chars[pos] == "\"" else { throw fail("expected a string key") }
                    let k = try string()
                    skip()
                    guard pos < chars.count, chars[pos] == ":" else { throw fail("expected `:`") }
                    pos += 1
                    r[k] = try value()
                    skip()
                    guard pos < chars.count else { throw fail("unexpected end of text") }
                    if chars[pos] == "," { pos += 1; continue }
                    if chars[pos] == "}" { pos += 1; return .record(r) }
                    throw fail("expected `,` or `}`")
                }
            case "[":
                pos += 1
                var items: [Value] = []
                skip()
                if pos < chars.count, chars[pos] == "]" { pos += 1; return .list(items) }
                while true {
                    items.append(try value())
                    skip()
                    guard pos < chars.count else { throw fail("unexpected end of text") }
                    if chars[pos] == "," { pos += 1; continue }
                    if chars[pos] == "]" { pos += 1; return .list(items) }
                    throw fail("expected `,` or `]`")
                }
            case "\"": return .string(try string())
            default:
                if literal("true") { return .bool(true) }
                if literal("false") { return .bool(false) }
                if literal("null") { return .null }
                if literal("NaN") { return .float(.nan) }
                if literal("Infinity") { return .float(.infinity) }
                if literal("-Infinity") { return .float(-.infinity) }
                return try number()
            }
        }

        mutating func string() throws -> String {
            pos += 1
            var out = String.UnicodeScalarView()
            while pos < chars.count {
                let c = chars[pos]
                pos += 1
                if c == "\"" { return String(out) }
                if c != "\\" { out.append(c); continue }
                guard pos < chars.count else { break }
                let e = chars[pos]
                pos += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{8}")
                case "f": out.append("\u{C}")
                case "/", "\\", "\"": out.append(e)
                case "u":
                    var code = try hex4()
                    if code >= 0xD800 && code < 0xDC00, pos + 1 < chars.count, chars[pos] == "\\", chars[pos + 1] == "u" {
                        pos += 2
                        let low = try hex4()
                        code = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                    }
                    out.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default: throw fail("invalid escape")
                }
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard pos + 4 <= chars.count, let v = UInt32(String(String.UnicodeScalarView(chars[pos..<(pos + 4)])), radix: 16)
            else { throw fail("invalid \\u escape") }
            pos += 4
            return v
        }

        mutating func number() throws -> Value {
            let start = pos
            var isFloat = false
            while pos < chars.count, "+-0123456789.eE".unicodeScalars.contains(chars[pos]) {
                if ".eE".unicodeScalars.contains(chars[pos]) { isFloat = true }
                pos += 1
            }
            let text = String(String.UnicodeScalarView(chars[start..<pos]))
            if !isFloat, let i = Int(text) { return .int(i) }
            if let d = Double(text), !text.isEmpty { return .float(d) }
            pos = start
            throw fail("unexpected character")
        }
    }
}
