// Explicit sweep points from a JSON Lines file (`--from points.jsonl`), each object's values turned into setting text.
import Core

/// Reads one JSON object per non-blank line as a point's settings, in the order of its keys.
/// - Throws: `SweepError` (usage) naming the line for text that is not JSON, a line that is not an
///   object, or a key that is not a name.
public func explicitPoints(jsonLines text: String, source: String) throws -> [[Setting]] {
    var points: [[Setting]] = []
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if line.allSatisfy(\.isWhitespace) { continue }
        let place = "\(source) line \(number + 1)"
        let value: JSONValue
        do { value = try parseJSON(String(line), source: place) } catch {
            throw SweepError("\(place) is not JSON: \(error)", usage: true)
        }
        guard case .object(let members) = value else {
            throw SweepError("\(place): expected an object such as {\"lr\": 0.1}", usage: true)
        }
        var settings: [Setting] = []
        for m in members {
            try checkName(m.key, in: place)
            guard !settings.contains(where: { $0.name == m.key }) else {
                throw SweepError("\(place): `\(m.key)` is given twice", usage: true)
            }
            settings.append(Setting(m.key, try settingText(m.value, at: place)))
        }
        points.append(settings)
    }
    guard !points.isEmpty else { throw SweepError("\(source) holds no points", usage: true) }
    return points
}

/// A JSON value as the Whittle literal that `--set` reads back to the same value. Plain words stay
/// bare (`relu`, read as the String "relu"); other strings are quoted.
func settingText(_ value: JSONValue, at place: String) throws -> String {
    switch value {
    case .null: return "nil"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d): return JSONValue.format(d)
    case .string(let s):
        let isWord = (try? checkName(s, in: "")) != nil && !["true", "false", "nil"].contains(s)
        if isWord { return s }
        var out = "\""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(c)
            }
        }
        return out + "\""
    case .array(let items):
        return "[" + (try items.map { try settingText($0, at: place) }).joined(separator: ", ") + "]"
    case .object(let members):
        return "{" + (try members.map { m in
            try checkName(m.key, in: place)
            return "\(m.key): \(try settingText(m.value, at: place))"
        }).joined(separator: ", ") + "}"
    case .cycle: return "nil"  // only `json` writes the marker; the reader never produces it
    }
}
