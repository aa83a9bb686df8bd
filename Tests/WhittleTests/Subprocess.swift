// Test helpers: find the built `whittle` executable and run it as a child process with pipes.
import Foundation
import XCTest

/// The finished run of a child process.
struct Finished {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum Whittle {
    /// The `whittle` executable next to this test bundle (both live in the build products folder).
    static var executable: String {
        if let override = ProcessInfo.processInfo.environment["WHITTLE_BIN"] { return override }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("whittle").path
    }

    /// A private temporary folder, removed by the test's teardown block.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("whittle-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// The environment for a child: no colour, history and editrc in `home`.
    static func environment(home: URL? = nil, extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["TERM"] = "xterm"
        if let home {
            env["HOME"] = home.path
            env["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        }
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// Runs `whittle arguments...` with `input` on standard input (a pipe, so not a terminal).
    ///
    /// - Parameter interruptAfter: sends `signal` (SIGINT unless given) after this many seconds.
    static func run(_ arguments: [String], input: String = "", environment: [String: String]? = nil,
                    directory: URL? = nil, interruptAfter: Double? = nil, signal: Int32 = SIGINT,
                    timeout: Double = 60) throws -> Finished {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment ?? Self.environment()
        if let directory { process.currentDirectoryURL = directory }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()

        // Drain both pipes on their own threads so a chatty child never blocks on a full pipe.
        let out = Drain(stdout.fileHandleForReading), err = Drain(stderr.fileHandleForReading)
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()

        if let interruptAfter {
            Thread.sleep(forTimeInterval: interruptAfter)
            kill(process.processIdentifier, signal)
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            XCTFail("whittle \(arguments) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, stdout: out.text(), stderr: err.text())
    }
}

/// Reads a pipe to its end on a background thread.
final class Drain: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
