// The status file of one point: running, done, failed or interrupted, with exit status, error and wall time.
import Core
import Foundation

/// What `status.json` in a point's folder says.
public struct PointStatus: Equatable, Sendable {
    public enum State: String, Sendable { case running, done, failed, interrupted }

    public var state: State
    /// The script's exit status, when it exited.
    public var exit: Int?
    /// Why a failed or interrupted point did not finish.
    public var error: String?
    /// Wall time of the run, in seconds.
    public var seconds: Double?
    /// The machine that ran it (a Slurm node, or this one).
    public var host: String?

    public init(state: State, exit: Int? = nil, error: String? = nil, seconds: Double? = nil, host: String? = nil) {
        self.state = state
        self.exit = exit
        self.error = error
        self.seconds = seconds
        self.host = host
    }

    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("state", .string(state.rawValue))]
        if let exit { members.append(("exit", .int(exit))) }
        if let error { members.append(("error", .string(error))) }
        if let seconds { members.append(("seconds", .double((seconds * 1000).rounded() / 1000))) }
        if let host { members.append(("host", .string(host))) }
        return .object(members)
    }

    /// Writes the status atomically: a reader sees the old status or the new, never half.
    func write(to path: String) throws { try Sweep.write(json.encoded() + "\n", to: path) }

    /// The status in `path`; nil when there is none (or it cannot be read, which a rerun repairs).
    static func read(_ path: String) -> PointStatus? {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? parseJSON(String(decoding: data, as: UTF8.self), source: path),
              case .string(let raw)? = json["state"], let state = State(rawValue: raw) else { return nil }
        var status = PointStatus(state: state)
        if case .int(let e)? = json["exit"] { status.exit = e }
        if case .string(let e)? = json["error"] { status.error = e }
        switch json["seconds"] {
        case .double(let s)?: status.seconds = s
        case .int(let s)?: status.seconds = Double(s)
        default: break
        }
        if case .string(let h)? = json["host"] { status.host = h }
        return status
    }
}

/// This machine's name, recorded with each point (on a cluster it says which node ran it).
var hostName: String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
    return String(cString: buffer)
}
