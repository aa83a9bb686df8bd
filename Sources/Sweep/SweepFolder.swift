// A sweep's folder on disk: the manifest (script and points), one folder per point, and the lock that keeps two drivers apart.
import Core
import Foundation

/// The folder `--out DIR` of one sweep.
///
/// Layout: `manifest.json` (the script and every point's settings), `points/0003/` per point
/// (`settings.json`, `stdout.txt`, `stderr.txt`, `status.json`, `result.jsonl` from `report`),
/// and `slurm/` (batch scripts, job ids, Slurm's own logs).
public struct SweepFolder: Sendable {
    /// Absolute path of the folder.
    public let path: String
    /// The script every point runs (absolute).
    public let script: String
    public let points: [SweepPoint]

    static let format = 1

    /// Creates the folder and its manifest, or opens the one already there when it describes the
    /// same sweep (same script, same points in the same order).
    /// - Throws: `SweepError` when the folder holds another sweep or cannot be written.
    public static func create(at path: String, script: String, points: [SweepPoint]) throws -> SweepFolder {
        let folder = SweepFolder(path: absolute(path), script: absolute(script), points: points)
        if FileManager.default.fileExists(atPath: folder.manifestPath) {
            let existing = try open(folder.path)
            guard existing.script == folder.script, existing.points == folder.points else {
                throw SweepError("""
                    \(folder.path) holds another sweep (\(existing.points.count) points of \(existing.script)); \
                    choose another --out, or run the same command as before to resume it
                    """)
            }
            return existing
        }
        try makeDirectory(folder.path)
        var entries: [JSONValue] = []
        for p in points { entries.append(.object(p.settings.map { ($0.name, .string($0.value)) })) }
        let manifest: JSONValue = .object([("whittle_sweep", .int(format)), ("script", .string(folder.script)),
                                          ("points", .array(entries))])
        try write(manifest.encoded(indent: 1) + "\n", to: folder.manifestPath)
        return folder
    }

    /// Reads the manifest of an existing sweep folder.
    /// - Throws: `SweepError` when there is none or it is damaged.
    public static func open(_ path: String) throws -> SweepFolder {
        let dir = absolute(path)
        let manifestPath = dir + "/manifest.json"
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw SweepError("\(dir) is not a sweep folder (no manifest.json)")
        }
        let json: JSONValue
        do { json = try parseJSON(String(decoding: data, as: UTF8.self), source: manifestPath) } catch {
            throw SweepError("\(manifestPath) is damaged: \(error)")
        }
        guard case .int(let version)? = json["whittle_sweep"], version == format,
              case .string(let script)? = json["script"], case .array(let entries)? = json["points"] else {
            throw SweepError("\(manifestPath) is not a manifest this whittle can read")
        }
        var settings: [[Setting]] = []
        for entry in entries {
            guard case .object(let members) = entry else { throw SweepError("\(manifestPath): a point is not an object") }
            settings.append(try members.map { m in
                guard case .string(let v) = m.value else { throw SweepError("\(manifestPath): setting \(m.key) is not text") }
                return Setting(m.key, v)
            })
        }
        return SweepFolder(path: dir, script: script, points: numbered(settings))
    }

    // MARK: - Paths

    public var manifestPath: String { path + "/manifest.json" }
    public var slurmPath: String { path + "/slurm" }

    /// `points/0003`: four digits at least, more when the sweep is larger, so names sort in order.
    public func pointPath(_ index: Int) -> String {
        let width = max(4, String(max(0, points.count - 1)).count)
        let digits = String(index)
        return path + "/points/" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    public func statusPath(_ index: Int) -> String { pointPath(index) + "/status.json" }
    public func resultPath(_ index: Int) -> String { pointPath(index) + "/result.jsonl" }

    /// The recorded status of every point (nil: never started).
    public func statuses() -> [PointStatus?] { points.map { PointStatus.read(statusPath($0.index)) } }

    /// The points still to run: never started, interrupted or left running by a driver that is
    /// gone; failed ones too when `retry` is set.
    public func unfinished(retry: Bool) -> [SweepPoint] {
        let recorded = statuses()
        return points.filter { p in
            switch recorded[p.index]?.state {
            case .done?: return false
            case .failed?: return retry
            default: return true
            }
        }
    }
}

// MARK: - Files

func absolute(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return URL(fileURLWithPath: full).standardizedFileURL.path
}

func makeDirectory(_ path: String) throws {
    do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
        throw SweepError("cannot create \(path): \(error.localizedDescription)")
    }
}

/// Writes a whole file atomically, so a reader never sees half of it.
func write(_ text: String, to path: String) throws {
    do { try writeFileAtomically(path) { try $0.write(Array(text.utf8)) } } catch {
        throw SweepError("cannot write \(path): \(error)")
    }
}

/// An exclusive `flock` on a file, held until `release` (or the process ends).
public final class FolderLock {
    private var fd: Int32

    /// Takes the lock on `path` without waiting; nil when another process holds it.
    /// - Throws: `SweepError` when the lock file cannot be opened.
    public init?(_ path: String) throws {
        fd = Foundation.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SweepError("cannot open \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    public func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}
