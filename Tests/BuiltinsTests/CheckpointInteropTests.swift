// Checkpoints opened by Python's safetensors + NumPy, and files written by them loaded by Whittle.
import Builtins
import Foundation
import XCTest

final class CheckpointInteropTests: XCTestCase {
    /// Runs python3 with `code`; nil when python3 or its packages are missing (the test then skips).
    func python(_ code: String) throws -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", code]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if errText.contains("ModuleNotFoundError") { return nil }
        XCTAssertEqual(p.terminationStatus, 0, errText)
        return String(decoding: data, as: UTF8.self)
    }

    func run(_ session: Session, _ code: String) {
        XCTAssertEqual(session.runScript(source: code, path: "interop.wh"), .success)
    }

    func testWhittleCheckpointOpensInPythonAndBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-interop-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var out = "", err = ""
        let session = Session(output: { out += $0 }, errorOutput: { err += $0 })
        run(session, """
            seed(0)
            net = sequential(conv2d(1, 2, 3), batchnorm(2), relu(), flatten(), dense(32, 3))
            masked(net, only: [4])
            prune(net, amount: 0.5, only: [4])
            save(net, "\(dir)/w.safetensors")
            print(item(sum(net["0.weight"])), item(sum(net["4.mask"])), item(sum(net["1.running_var"])))
            """)
        XCTAssertTrue(err.isEmpty, err)
        let sums = out.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard let py = try python("""
            import json, numpy as np
            from safetensors.numpy import load_file
            from safetensors import safe_open
            t = load_file("\(dir)/w.safetensors")
            print(sorted(t.keys()))
            print(t["0.weight"].dtype, t["0.weight"].shape, t["4.weight"].shape)
            print(float(t["0.weight"].sum()), float(t["4.mask"].sum()), float(t["1.running_var"].sum()))
            with safe_open("\(dir)/w.safetensors", "np") as f:
                m = f.metadata()
            print(json.loads(m["layouts"])["dense.weight"], len(json.loads(m["architecture"])))
            # A PyTorch-style file back: new values, BatchNorm's int64 counter, float64 running mean.
            t["4.weight"] = np.full((32, 3), 0.25, dtype=np.float32)
            t["1.running_mean"] = np.array([1.5, -2.0], dtype=np.float64)
            t["1.num_batches_tracked"] = np.array(7, dtype=np.int64)
            from safetensors.numpy import save_file
            save_file(t, "\(dir)/torch.safetensors")
            """) else { throw XCTSkip("python3 with numpy and safetensors is not installed") }
        let lines = py.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "['0.bias', '0.weight', '1.bias', '1.running_mean', '1.running_var', '1.weight', '4.bias', '4.mask', '4.weight']")
        XCTAssertEqual(lines[1], "float32 (2, 1, 3, 3) (32, 3)")
        let pySums = lines[2].split(separator: " ").compactMap { Double($0) }
        XCTAssertEqual(pySums.count, 3)
        for (a, b) in zip(sums, pySums) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(lines[3], "[in, out] 5")
        out = ""
        run(session, """
            load_weights(net, "\(dir)/torch.safetensors")
            print(item(sum(net["4.weight"])), net["1.running_mean"][0], net["1.running_mean"][1])
            """)
        // The file's 0.25 everywhere, but the 48 entries the mask removed stay zero: 48 · 0.25.
        XCTAssertEqual(out, "12.0 1.5 -2.0\n", err)
    }
}
