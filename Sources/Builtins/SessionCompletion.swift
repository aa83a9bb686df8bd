// Tab completion: names in scope, fields and methods after `.`, named arguments, file paths.
import Foundation
import Interpreter
import Lang

extension Session {
    /// Candidates for the word before `cursor` (a character offset in `line`), and where it starts.
    /// Never runs a call: a field chain is only followed through variables and fields.
    public func completions(line: String, cursor: Int) -> (start: Int, candidates: [String]) {
        let chars = Array(line.prefix(max(0, min(cursor, line.count))))
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
            while chainStart > 0, chars[chainStart - 1] == "_" || chars[chainStart - 1] == "." ||
                chars[chainStart - 1].isLetter || chars[chainStart - 1].isNumber { chainStart -= 1 }
            let chain = String(chars[chainStart..<(start - 1)]).split(separator: ".").map(String.init)
            guard let value = follow(chain) else { return (start, []) }
            return (start, members(of: value).filter { $0.hasPrefix(word) }.sorted())
        }
        var candidates = Set(interpreter.userGlobals.visibleNames.filter { $0.hasPrefix(word) })
        // Inside a call's parentheses: named arguments of the callee.
        if let callee = enclosingCallee(chars, before: start), let v = follow(callee) {
            for p in parameterNames(of: v) where p.hasPrefix(word) { candidates.insert(p + ":") }
        }
        for k in TokenKind.keywords.keys where k.hasPrefix(word) && !word.isEmpty { candidates.insert(k) }
        return (start, candidates.sorted())
    }

    /// The value a chain of names and fields denotes, without calling anything.
    func follow(_ chain: [String]) -> Value? {
        guard let first = chain.first, var v = interpreter.userGlobals.lookup(first) else { return nil }
        for name in chain.dropFirst() {
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

    /// The name chain before the innermost unclosed `(` that encloses position `end`.
    func enclosingCallee(_ chars: [Character], before end: Int) -> [String]? {
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
                        return chain.isEmpty ? nil : chain
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
