// Tab completion: names in scope, fields and methods after `.`, named arguments, file paths.
import Foundation
import Interpreter
import Lang

extension Session {
    /// Candidates for the word before `cursor` (a character offset in `line`), and where it starts.
    /// Never runs a call: a field chain is only followed through variables and fields.
    public func completions(line: String, cursor: Int) -> (start: Int, candidates: [String]) {
        let chars = Array(line.prefix(max(0, min(cursor, line.count))))
        // `:load FILE` / `:save FILE`: a file path.
        let text = String(chars)
        for command in [":load ", ":save "] where text.hasPrefix(command) {
            let partial = String(text.dropFirst(command.count)).drop(while: { $0 == " " })
            return (chars.count - partial.count, pathCompletions(String(partial)))
        }
        // Inside a string: complete a file path.
        let quotes = chars.filter { $0 == "\"" }.count
        if quotes % 2 == 1, let open = chars.lastIndex(of: "\"") {
            let partial = String(chars[(open + 1)...])
            return (open + 1, pathCompletions(partial))
        }
        var start = chars.count
        while start > 0, chars[start - 1] == "_" || chars[start - 1].isLetter || chars[start - 1].isNumber { start -= 1 }
        let word = String(chars[start...])
        // After `.`: members of the value the chain before it names.
        if start > 0, chars[start - 1] == "." {
            var chainStart = start - 1
            // Names, fields and literal subscripts (`net.layers[0].`), never a call.
            while chainStart > 0, chars[chainStart - 1] == "_" || chars[chainStart - 1] == "." ||
                chars[chainStart - 1] == "[" || chars[chainStart - 1] == "]" || chars[chainStart - 1] == "\"" ||
                chars[chainStart - 1].isLetter || chars[chainStart - 1].isNumber { chainStart -= 1 }
            guard let chain = Session.chain(String(chars[chainStart..<(start - 1)])), let value = follow(chain)
            else { return (start, []) }
            return (start, members(of: value).filter { $0.hasPrefix(word) }.sorted())
        }
        let names = Set(interpreter.userGlobals.visibleNames.filter { $0.hasPrefix(word) })
            .union(TokenKind.keywords.keys.filter { $0.hasPrefix(word) && !word.isEmpty })
        // Inside a call's parentheses: the parameters not given yet come first (all there is after
        // `(` or `, `), then the other names.
        if let (callee, given) = enclosingCall(chars, before: start), let v = follow(callee) {
            let parameters = parameterNames(of: v)
            let open = parameters.dropFirst(given.positional).filter { !given.named.contains($0) }
            let offered = open.filter { $0.hasPrefix(word) }.map { $0 + ":" }
            if word.isEmpty && !offered.isEmpty { return (start, offered) }
            return (start, offered + names.sorted())
        }
        return (start, names.sorted())
    }

    /// `a.b[0]["k"].c` as steps: names, Int indices (`#0`) and String keys; nil for anything else.
    static func chain(_ text: String) -> [String]? {
        var steps: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.hasPrefix(".") { rest = rest.dropFirst(); continue }
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let i = Int(inside) {
                    steps.append("#\(i)")
                } else if inside.count >= 2, inside.hasPrefix("\""), inside.hasSuffix("\"") {
                    steps.append(String(inside.dropFirst().dropLast()))
                } else {
                    return nil
                }
                rest = rest[rest.index(after: close)...]
                continue
            }
            let name = rest.prefix { $0 == "_" || $0.isLetter || $0.isNumber }
            guard !name.isEmpty else { return nil }
            steps.append(String(name))
            rest = rest.dropFirst(name.count)
        }
        return steps.isEmpty ? nil : steps
    }

    /// The value a chain of names and fields denotes, without calling anything.
    func follow(_ chain: [String]) -> Value? {
        guard let first = chain.first, var v = interpreter.userGlobals.lookup(first) else { return nil }
        for name in chain.dropFirst() {
            if name.hasPrefix("#"), let i = Int(name.dropFirst()) {
                guard case .list(let l) = v, i >= -l.items.count, i < l.items.count else { return nil }
                v = l.items[i < 0 ? l.items.count + i : i]
                continue
            }
            switch v {
            case .record(let r): guard let x = r[name] else { return nil }; v = x
            case .native(let n):
                if let f = n.memberTable?.field(name), let x = try? f.getter(n) { v = x } else { return nil }
            default: return nil
            }
        }
        return v
    }

    func members(of v: Value) -> [String] {
        switch v {
        case .record(let r): return r.keys
        case .native(let n): return n.memberNames
        case .error: return ["column", "file", "kind", "line", "message", "trace", "value"]
        default: return []
        }
    }

    func parameterNames(of v: Value) -> [String] {
        switch v {
        case .builtin(let b): return b.spec.parameters.filter { $0.kind != .variadic }.map(\.name)
        case .closure(let c): return c.function.declaration.parameters.map(\.name)
        default: return []
        }
    }

    /// Arguments already written in a call: how many positional ones, and the names of named ones.
    struct GivenArguments { var positional = 0; var named: Set<String> = [] }

    /// The callee of the innermost unclosed `(` before position `end`, and the arguments before `end`.
    func enclosingCall(_ chars: [Character], before end: Int) -> (callee: [String], given: GivenArguments)? {
        guard let (callee, open) = enclosingCallee(chars, before: end) else { return nil }
        var given = GivenArguments()
        var depth = 0, inString = false
        var argument = ""
        func finish() {
            let text = argument.trimmingCharacters(in: .whitespaces)
            argument = ""
            guard !text.isEmpty else { return }
            if let colon = text.firstIndex(of: ":"), Session.chain(String(text[..<colon])).map({ $0.count == 1 }) == true {
                given.named.insert(String(text[..<colon]).trimmingCharacters(in: .whitespaces))
            } else {
                given.positional += 1
            }
        }
        for c in chars[(open + 1)..<end] {
            if c == "\"" { inString.toggle() }
            if !inString {
                if "([{".contains(c) { depth += 1 }
                if ")]}".contains(c) { depth -= 1 }
                if c == "," && depth == 0 { finish(); continue }
            }
            argument.append(c)
        }
        return (callee, given)
    }

    /// The name chain before the innermost unclosed `(` that encloses position `end`, and where that `(` is.
    func enclosingCallee(_ chars: [Character], before end: Int) -> ([String], Int)? {
        var depth = 0, i = end - 1
        var inString = false
        while i >= 0 {
            let c = chars[i]
            if c == "\"" { inString.toggle() }
            if !inString {
                if c == ")" || c == "]" { depth += 1 }
                if c == "(" || c == "[" {
                    if depth == 0 {
                        if c == "[" { return nil }
                        var s = i
                        while s > 0, chars[s - 1] == "_" || chars[s - 1] == "." || chars[s - 1].isLetter || chars[s - 1].isNumber {
                            s -= 1
                        }
                        let chain = String(chars[s..<i]).split(separator: ".").map(String.init)
                        return chain.isEmpty ? nil : (chain, i)
                    }
                    depth -= 1
                }
            }
            i -= 1
        }
        return nil
    }

    func pathCompletions(_ partial: String) -> [String] {
        // A sandboxed session does not look at the file system, not even to list a directory.
        if options.sandboxed { return [] }
        let dir: String, prefix: String
        if let slash = partial.lastIndex(of: "/") {
            dir = String(partial[...slash])
            prefix = String(partial[partial.index(after: slash)...])
        } else {
            dir = ""
            prefix = partial
        }
        let path = dir.isEmpty ? "." : dir
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.filter { $0.hasPrefix(prefix) && (!$0.hasPrefix(".") || prefix.hasPrefix(".")) }.sorted().map { name in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(name), isDirectory: &isDir)
            return dir + name + (isDir.boolValue ? "/" : "")
        }
    }
}
