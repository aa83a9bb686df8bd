// Running the scheduler's command-line tools (sbatch, squeue, sacct) and capturing what they print.
import Foundation

/// A command-line tool found on PATH.
enum Tool {
    struct Result { var status: Int32, output: String, error: String }

    /// Runs `name` and waits for it; nil when it is not on PATH.
    static func run(_ name: String, _ arguments: [String]) throws -> Result? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let executable = path.split(separator: ":").map({ "\($0)/\(name)" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        // Standard error goes to a file, so a tool that writes much of both streams never stalls on a full pipe.
        let errorPath = NSTemporaryDirectory() + "/whittle-\(name)-\(getpid())-\(UUID().uuidString).err"
        guard FileManager.default.createFile(atPath: errorPath, contents: nil),
              let errorFile = FileHandle(forWritingAtPath: errorPath) else {
            throw SweepError("cannot create \(errorPath)")
        }
        defer {
            try? errorFile.close()
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errorFile
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw SweepError("cannot run \(executable): \(error.localizedDescription)") }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let error = FileManager.default.contents(atPath: errorPath) ?? Data()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                      error: String(decoding: error, as: UTF8.self))
    }
}
