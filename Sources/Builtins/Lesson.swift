// Lessons: stdlib/tutorials/NAME.wh split into chunks of prose (comment blocks) and the code after each.
import Foundation
import Lang

/// One lesson file. A chunk starts at a block of `#` lines at the start of a line that opens the
/// file or follows a blank line; its prose is that block (the `#` and one space removed), its code
/// the lines after it up to the next chunk. A `#` line right under code, with no blank line
/// between, is a comment of that code. The first prose line is the lesson's summary.
struct Lesson {
    struct Chunk {
        var prose: [String]
        var code: String
        /// The file line the code starts on (1-based), so errors point into the lesson file.
        var line: Int

        /// The code as a source file whose line numbers are the lesson file's.
        func source(path: String) -> SourceFile {
            SourceFile(path: path, text: String(repeating: "\n", count: max(0, line - 1)) + code)
        }
    }

    let name: String
    let chunks: [Chunk]

    var summary: String { chunks.first?.prose.first ?? name }
    var path: String { "stdlib/tutorials/\(name).wh" }

    init(name: String, text: String) {
        self.name = name
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var chunks: [Chunk] = []
        var i = 0
        while i < lines.count {
            var prose: [String] = []
            while i < lines.count, lines[i].hasPrefix("#") {
                var l = lines[i].dropFirst()
                if l.hasPrefix(" ") { l = l.dropFirst() }
                prose.append(String(l))
                i += 1
            }
            let start = i
            var code: [String] = []
            while i < lines.count, !(lines[i].hasPrefix("#") && (i == 0 || lines[i - 1].allSatisfy(\.isWhitespace))) {
                code.append(lines[i])
                i += 1
            }
            while let last = code.last, last.allSatisfy(\.isWhitespace) { code.removeLast() }
            let leading = code.prefix { $0.allSatisfy(\.isWhitespace) }.count
            if !prose.isEmpty || code.count > leading {
                chunks.append(Chunk(prose: prose, code: code.dropFirst(leading).joined(separator: "\n"), line: start + leading + 1))
            }
        }
        self.chunks = chunks
    }

    // MARK: - The bundled lessons

    /// The folder of bundled lessons.
    static var directory: URL? { Bundle.module.url(forResource: "stdlib", withExtension: nil)?.appendingPathComponent("tutorials") }

    /// The names of the bundled lessons, sorted.
    static func names() -> [String] {
        guard let dir = directory, let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return files.filter { $0.hasSuffix(".wh") }.map { String($0.dropLast(3)) }.sorted()
    }

    /// The bundled lesson `name`; nil when there is none.
    static func named(_ name: String) -> Lesson? {
        guard names().contains(name), let url = directory?.appendingPathComponent(name + ".wh"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return Lesson(name: name, text: text)
    }

    // MARK: - Showing a chunk

    /// The prose and the code of chunk `index`, with a heading "masks 2/7".
    func show(_ index: Int, hint: String?) -> String {
        let chunk = chunks[index]
        var out = ["── \(name) \(index + 1)/\(chunks.count) " + String(repeating: "─", count: 40)]
        out += chunk.prose
        if !chunk.code.isEmpty {
            out.append("")
            out += chunk.code.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
        }
        if let hint { out.append(hint) }
        return out.joined(separator: "\n") + "\n"
    }
}
