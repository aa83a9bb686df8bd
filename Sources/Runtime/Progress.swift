// Progress reporting for long work (epochs, searches, data loads); libraries report, the driver draws.

/// One unit of long-running work as the library sees it.
public struct ProgressUpdate: Sendable {
    /// What is running, e.g. "epoch 2/5".
    public var label: String
    /// Steps done so far and the total, when known.
    public var done: Int
    public var total: Int?
    /// Extra figures to show, e.g. [("loss", "0.4123")].
    public var metrics: [(String, String)]

    public init(label: String, done: Int, total: Int?, metrics: [(String, String)] = []) {
        self.label = label
        self.done = done
        self.total = total
        self.metrics = metrics
    }
}

/// Receives progress from library code. The executable installs one that draws a bar on a terminal
/// (or a one-line summary now and then otherwise); tests and `--quiet` install none.
public protocol ProgressSink: AnyObject {
    func begin(_ update: ProgressUpdate)
    func update(_ update: ProgressUpdate)
    func end(_ update: ProgressUpdate)
}

/// Where library code sends progress. Library targets never print; they call these.
public enum Progress {
    nonisolated(unsafe) public static var sink: ProgressSink?

    public static func begin(_ update: ProgressUpdate) { sink?.begin(update) }
    public static func update(_ update: ProgressUpdate) { sink?.update(update) }
    public static func end(_ update: ProgressUpdate) { sink?.end(update) }
}
