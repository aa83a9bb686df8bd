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

    /// A PyTorch `state_dict` of nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)), written as
    /// `safetensors.torch.save_file` would (Linear weights [out, in], no metadata), loads and gives
    /// PyTorch's outputs; `save(..., layout: "torch")` writes what `load_state_dict` accepts.
    func testPyTorchLayoutLoadsAndSaves() throws {
        let dir = NSTemporaryDirectory() + "whittle-torch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let made = try python("""
            import numpy as np
            from safetensors.numpy import save_file
            rng = np.random.default_rng(0)
            t = {"0.weight": rng.standard_normal((4, 3)).astype(np.float32), "0.bias": rng.standard_normal(4).astype(np.float32),
                 "2.weight": rng.standard_normal((2, 4)).astype(np.float32), "2.bias": rng.standard_normal(2).astype(np.float32)}
            save_file(t, "\(dir)/torch.safetensors")
            x = np.array([[1, -2, 0.5], [0.25, 0, 3]], dtype=np.float32)
            h = np.maximum(x @ t["0.weight"].T + t["0.bias"], 0)
            print(" ".join("%.5f" % v for v in (h @ t["2.weight"].T + t["2.bias"]).ravel()))
            """) else { throw XCTSkip("python3 with numpy and safetensors is not installed") }
        var out = "", err = ""
        let session = Session(output: { out += $0 }, errorOutput: { err += $0 })
        run(session, """
            net = sequential(dense(3, 4), relu(), dense(4, 2))
            load_weights(net, "\(dir)/torch.safetensors")
            y = net(tensor([[1, -2, 0.5], [0.25, 0, 3]]))
            print(join(map(to_list(reshape(y, [4])), fn(v) fmt(v, 5)), " "))
            prune(net, amount: 0.5, only: [0])
            save(net, "\(dir)/back.safetensors", layout: "torch")
            print(join(map(to_list(reshape(net(tensor([[1, -2, 0.5], [0.25, 0, 3]])), [4])), fn(v) fmt(v, 5)), " "))
            """)
        XCTAssertTrue(err.isEmpty, err)
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, made.trimmingCharacters(in: .whitespacesAndNewlines), "PyTorch's outputs")
        guard let back = try python("""
            import numpy as np
            from safetensors.numpy import load_file
            t = load_file("\(dir)/back.safetensors")
            print(sorted(t.keys()), t["0.weight"].shape, int((t["0.weight"] == 0).sum()))
            x = np.array([[1, -2, 0.5], [0.25, 0, 3]], dtype=np.float32)
            h = np.maximum(x @ t["0.weight"].T + t["0.bias"], 0)
            print(" ".join("%.5f" % v for v in (h @ t["2.weight"].T + t["2.bias"]).ravel()))
            """) else { throw XCTSkip("python3 with numpy and safetensors is not installed") }
        let pyLines = back.split(separator: "\n").map(String.init)
        XCTAssertEqual(pyLines.first, "['0.bias', '0.weight', '2.bias', '2.weight'] (4, 3) 6", "keys load_state_dict accepts; the mask baked in")
        XCTAssertEqual(pyLines.dropFirst().first, lines.dropFirst().first, "the pruned net computes the same in NumPy")
        // An explicit layout that does not fit is reported, and the net is left as it was.
        XCTAssertEqual(session.runScript(source: "load_weights(net, \"\(dir)/torch.safetensors\", layout: \"whittle\")", path: "x.wh"),
                       .runtimeError)
        XCTAssertTrue(err.contains("the file has shape [4, 3], the net [3, 4]"), err)
    }
}
