// How values print: Python-style float repr, quoted strings inside containers, cycle-safe.

extension Value {
    /// The text `print` shows: strings without quotes.
    public var printed: String { var p = Printer(width: 80); return p.render(self, quoted: false) }

    /// The text the prompt and containers show: strings quoted.
    public var repr: String { var p = Printer(width: 80); return p.render(self, quoted: true) }

    /// Print form at a terminal width (natives get it for their own layout).
    public func printed(width: Int) -> String { var p = Printer(width: width); return p.render(self, quoted: false) }

    /// Repr at a terminal width (natives get it for their own layout).
    public func repr(width: Int) -> String { var p = Printer(width: width); return p.render(self, quoted: true) }

    /// The print form, given up with `Interrupted` when `token` is cancelled part way: the text of
    /// a list of twenty million numbers takes seconds, and Ctrl-C must not wait for it.
    public func printed(width: Int, checking token: CancellationToken, during op: String) throws -> String {
        var p = Printer(width: width)
        p.token = token
        let text = p.render(self, quoted: false)
        try token.check("during `\(op)`")
        return text
    }
}

/// Renders values to text. Lists and records already being printed show as `[...]` / `{...}`.
struct Printer {
    let width: Int
    /// Lists longer than `clipAbove` show their first and last `edgeItems` around `…` (the prompt's
    /// echo, like NumPy's summarised arrays); `print` shows them whole.
    var clipsLists = false
    static let clipAbove = 1000
    static let edgeItems = 3
    private var active = Set<ObjectIdentifier>()
    private var depth = 0
    /// Polled every `pollEvery` elements; once it is cancelled the rest renders as nothing (the
    /// caller throws, so the cut text is never seen).
    var token: CancellationToken?
    private var rendered = 0
    private static let pollEvery = 1 << 16

    private mutating func shouldStop() -> Bool {
        rendered &+= 1
        return rendered & (Printer.pollEvery - 1) == 0 && token?.isCancelled == true
    }

    init(width: Int, clipsLists: Bool = false) {
        self.width = width
        self.clipsLists = clipsLists
    }

    mutating func render(_ v: Value, quoted: Bool) -> String {
        switch v {
        case .null: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return Printer.format(d)
        case .string(let s): return quoted ? Printer.quote(s) : s
        case .list(let l):
            let id = ObjectIdentifier(l)
            if active.contains(id) || depth > 500 { return "[...]" }
            active.insert(id)
            depth += 1
            defer { active.remove(id); depth -= 1 }
            var parts: [String] = []
            if clipsLists && l.items.count > Printer.clipAbove {
                for item in l.items.prefix(Printer.edgeItems) { parts.append(render(item, quoted: true)) }
                parts.append("…")
                for item in l.items.suffix(Printer.edgeItems) { parts.append(render(item, quoted: true)) }
            } else {
                parts.reserveCapacity(l.items.count)
                for item in l.items {
                    if shouldStop() { break }
                    parts.append(render(item, quoted: true))
                }
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case .record(let r):
            let id = ObjectIdentifier(r)
            if active.contains(id) || depth > 500 { return "{...}" }
            active.insert(id)
            depth += 1
            defer { active.remove(id); depth -= 1 }
            var parts: [String] = []
            for (k, x) in zip(r.keys, r.values) {
                if shouldStop() { break }
                parts.append("\(Printer.key(k)): \(render(x, quoted: true))")
            }
            return "{" + parts.joined(separator: ", ") + "}"
        case .range(let r):
            if r.step == 1 { return "\(r.start)..<\(r.end)" }
            return "range(\(r.start), \(r.end), step: \(r.step))"
        case .closure(let c): return "<fn \(c.name)>"
        case .builtin(let b):
            if let r = b.receiver { return "<method \(r.typeName).\(b.spec.name)>" }
            return "<built-in \(b.spec.name)>"
        case .error(let e): return "<error: \(e.error.message)>"
        case .native(let n): return n.render(width: width)
        }
    }

    /// Shortest repr that reads back to the same Double, always with a point or an exponent, like
    /// Python's `repr` (`21.0`, `1e-08`, `1e+16`, `nan`, `inf`).
    static func format(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var s = "\(d)"
        // Swift writes `1e-08` like Python but `5e-324` too; it only differs on exponent zero padding.
        if let e = s.firstIndex(of: "e") {
            let mantissa = s[..<e]
            var exponent = String(s[s.index(after: e)...])
            var sign = "+"
            if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() } else if exponent.hasPrefix("+") { exponent.removeFirst() }
            if exponent.count < 2 { exponent = "0" + exponent }
            var m = String(mantissa)
            if m.hasSuffix(".0") { m.removeLast(2) }
            s = "\(m)e\(sign)\(exponent)"
        }
        return s
    }

    /// A string literal that reads back: quotes and escapes.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\u{\(String(c.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// A record key: bare when it is a name, quoted otherwise.
    static func key(_ k: String) -> String {
        guard let first = k.first, first == "_" || first.isLetter,
              k.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }),
              TokenKeywords.isKeyword(k) == false else { return quote(k) }
        return k
    }
}

import Lang
import Runtime

enum TokenKeywords {
    static func isKeyword(_ s: String) -> Bool { TokenKind.keywords[s] != nil }
}

extension Value {
    /// The prompt's echo: like `repr`, but a record too long for one line becomes aligned
    /// `key: value` lines.
    ///
    /// With `clipped`, lists longer than 1000 items show their ends around `…`, and a clipped
    /// top-level list says its length (`print` still shows every item).
    public func pretty(width: Int, clipped: Bool = false) -> String {
        var printer = Printer(width: width, clipsLists: clipped)
        let line = printer.render(self, quoted: true)
        if clipped, case .list(let l) = self, l.items.count > Printer.clipAbove { return line + "  (\(l.items.count) items)" }
        guard case .record(let r) = self, line.count > width, r.count > 0 else { return line }
        let keyWidth = r.keys.map { Printer.key($0).count }.max() ?? 0
        var out: [String] = []
        for (k, v) in zip(r.keys, r.values) {
            let key = Printer.key(k)
            var fieldPrinter = Printer(width: width, clipsLists: clipped)
            out.append(key + ":" + String(repeating: " ", count: keyWidth - key.count + 1) + fieldPrinter.render(v, quoted: true))
        }
        return out.joined(separator: "\n")
    }

    /// Approximate bytes held (for `:vars`), counting shared lists and records once.
    public var byteSize: Int {
        var seen = Set<ObjectIdentifier>()
        return Value.byteSize(self, &seen, 0)
    }

    static func byteSize(_ v: Value, _ seen: inout Set<ObjectIdentifier>, _ depth: Int) -> Int {
        if depth > 500 { return 0 }
        switch v {
        case .null, .bool, .int, .float: return 8
        case .string(let s): return 16 + s.utf8.count
        case .list(let l):
            if !seen.insert(ObjectIdentifier(l)).inserted { return 0 }
            return l.items.reduce(32) { $0 + byteSize($1, &seen, depth + 1) }
        case .record(let r):
            if !seen.insert(ObjectIdentifier(r)).inserted { return 0 }
            return zip(r.keys, r.values).reduce(48) { $0 + 16 + $1.0.utf8.count + byteSize($1.1, &seen, depth + 1) }
        case .range: return 40
        case .closure(let c): return 48 + c.captures.count * 24
        case .builtin: return 32
        case .error: return 64
        case .native(let n):
            if !seen.insert(ObjectIdentifier(n)).inserted { return 0 }
            return n.byteSize
        }
    }
}
