// Collecting a sweep folder: every point's settings, status and reported results, as a table, CSV or records.
import Core
import Foundation

/// One point as found on disk.
public struct CollectedPoint {
    public let point: SweepPoint
    /// nil: never started.
    public let status: PointStatus?
    /// The fields of every `report` line, merged in order (a later value for a key replaces an earlier one).
    public let results: [(key: String, value: JSONValue)]
    /// Why `result.jsonl` could not be read, when it could not.
    public let resultError: String?

    /// `done`, `FAILED`, `running`, `interrupted` or `pending`.
    public var stateLabel: String {
        switch status?.state {
        case nil: return "pending"
        case .failed?: return "FAILED"
        case let state?: return state.rawValue
        }
    }
}

/// Everything a sweep folder holds, in point order.
public struct SweepCollection {
    public let points: [CollectedPoint]
    /// Setting names and reported keys in order of first appearance (the table's columns).
    public let settingNames: [String]
    public let resultNames: [String]

    public init(_ folder: SweepFolder) {
        var points: [CollectedPoint] = []
        var settingNames: [String] = [], resultNames: [String] = []
        for p in folder.points {
            for s in p.settings where !settingNames.contains(s.name) { settingNames.append(s.name) }
            var merged: [(key: String, value: JSONValue)] = []
            var problem: String?
            let path = folder.resultPath(p.index)
            if FileManager.default.fileExists(atPath: path) {
                do {
                    for line in try readJSONLines(path) {
                        guard case .object(let members) = line else { continue }
                        for m in members {
                            if let i = merged.firstIndex(where: { $0.key == m.key }) { merged[i].value = m.value } else { merged.append(m) }
                        }
                    }
                } catch {
                    problem = "\(error)"
                }
            }
            // A result named like a setting is not a column of its own: the setting shows it.
            for m in merged where !resultNames.contains(m.key) && !settingNames.contains(m.key) { resultNames.append(m.key) }
            points.append(CollectedPoint(point: p, status: PointStatus.read(folder.statusPath(p.index)),
                                         results: merged, resultError: problem))
        }
        self.points = points
        self.settingNames = settingNames
        self.resultNames = resultNames
    }

    /// `6 points: 4 done, 1 failed, 1 running, 0 pending` (interrupted points count as pending).
    public var summary: String {
        var done = 0, failed = 0, running = 0, pending = 0
        for p in points {
            switch p.status?.state {
            case .done?: done += 1
            case .failed?: failed += 1
            case .running?: running += 1
            default: pending += 1
            }
        }
        return "\(points.count) point\(points.count == 1 ? "" : "s"): \(done) done, \(failed) failed, \(running) running, \(pending) pending"
    }

    // MARK: - Table

    /// The cells of a row: point, settings, results, status (`-` where a point has no value).
    private func cells(_ p: CollectedPoint) -> [String] {
        var row = [String(p.point.index)]
        for name in settingNames { row.append(p.point.settings.first { $0.name == name }?.value ?? "-") }
        for name in resultNames { row.append(p.results.first { $0.key == name }.map { Self.text($0.value) } ?? "-") }
        row.append(p.stateLabel)
        return row
    }

    private var header: [String] { ["point"] + settingNames + resultNames + ["status"] }

    /// An aligned text table, one row per point, then one line per failed point with its error.
    public func table() -> String {
        let rows = [header] + points.map(cells)
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            let padded = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            out += padded.joined(separator: "  ") + "\n"
        }
        for p in points where p.status?.state == .failed || p.resultError != nil {
            let why = [p.status?.error, p.resultError.map { "results: \($0)" }].compactMap { $0 }.joined(separator: "; ")
            out += "point \(p.point.index) (\(p.point.label)): \(why.isEmpty ? p.stateLabel : why)\n"
        }
        return out
    }

    /// Writes the table as CSV, with the error and the wall time of each point as extra columns.
    /// - Throws: `SweepError` when the file cannot be written.
    public func writeCSV(to path: String) throws {
        let rows = points.map { p in
            cells(p).map { $0 == "-" ? "" : $0 } + [p.status?.error ?? "", p.status?.seconds.map { JSONValue.format($0) } ?? ""]
        }
        do { try Core.writeCSV(path, header: header + ["error", "seconds"], rows: rows) } catch {
            throw SweepError("cannot write \(path): \(error)")
        }
    }

    /// A result as table text: strings bare, everything else as JSON.
    static func text(_ v: JSONValue) -> String {
        if case .string(let s) = v { return s }
        return v.encoded()
    }
}

/// The progress line of a local sweep: `sweep: 3/12 done, 2 running, 1 failed, ETA 0:42`.
public func progressLine(_ c: SweepCounts) -> String {
    var line = "sweep: \(c.done)/\(c.total) done, \(c.running) running, \(c.failed) failed"
    if let eta = c.eta, eta.isFinite {
        let s = Int(eta.rounded())
        line += s >= 3600 ? String(format: ", ETA %d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                          : String(format: ", ETA %d:%02d", s / 60, s % 60)
    }
    return line
}
