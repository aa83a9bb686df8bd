// Shared helpers for the data, file-format and plot tests: temporary directories and external tools.

import Foundation
import XCTest
@testable import Core

/// A fresh empty directory under the system temporary directory, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "whittle-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// The result of running an external program.
struct ToolResult {
    var status: Int32
    var output: String
    var error: String
}

/// Runs `executable` with `arguments`; nil when the program does not exist.
func runTool(_ executable: String, _ arguments: [String]) -> ToolResult? {
    guard FileManager.default.isExecutableFile(atPath: executable) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch { return nil }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolResult(status: process.terminationStatus,
                      output: String(decoding: outData, as: UTF8.self),
                      error: String(decoding: errData, as: UTF8.self))
}

/// Runs a Python snippet with the first python3 on PATH; nil (after printing why) when python3 or
/// a module is missing.
func runPython(_ code: String, needing modules: [String]) -> ToolResult? {
    guard let probe = runTool("/usr/bin/env", ["python3", "-c", modules.map { "import \($0)" }.joined(separator: "; ")]),
          probe.status == 0 else {
        print("skipping: python3 with \(modules.joined(separator: ", ")) is not available")
        return nil
    }
    return runTool("/usr/bin/env", ["python3", "-c", code])
}

/// A Dataset with `rows` examples of `width` features where x[i, j] = i * 10 + j and y[i] = i.
func countingDataset(rows: Int, width: Int) throws -> Dataset {
    let x = try Tensor<Float>(shape: [rows, width], scalars: (0..<rows * width).map { Float(($0 / width) * 10 + $0 % width) })
    let y = try Tensor<Float>(shape: [rows], scalars: (0..<rows).map(Float.init))
    return try Dataset(x: x, y: y)
}
