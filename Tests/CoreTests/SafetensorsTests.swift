// Tests of safetensors: round trip, validation of corrupt files, atomic writes, and Python interop.

import Foundation
import XCTest
@testable import Core

final class SafetensorsTests: XCTestCase {
    private func sample() throws -> [(name: String, tensor: Tensor<Float>)] {
        [("0.weight", try Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, .infinity, -1e-7])),
         ("0.bias", try Tensor(shape: [3], scalars: [0.25, 0.5, 0.75])),
         ("scalar", Tensor(scalar: 42)),
         ("empty", try Tensor(shape: [0, 4], scalars: []))]
    }

    func testRoundTrip() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir + "/m.safetensors"
        try writeSafetensors(try sample(), metadata: ["layout": "dense [in, out]", "format": "pt"], to: path)
        let read = try readSafetensors(path)
        XCTAssertEqual(read.metadata, ["layout": "dense [in, out]", "format": "pt"])
        XCTAssertEqual(read.tensors.map { $0.name }, ["0.weight", "0.bias", "scalar", "empty"])
        XCTAssertEqual(read.tensors.map { $0.shape }, [[2, 3], [3], [], [0, 4]])
        XCTAssertEqual(read["0.weight"]?.tensor.scalars, [1, -2, 3.5, 0, .infinity, -1e-7])
        XCTAssertEqual(read["scalar"]?.tensor.scalars, [42])
        XCTAssertEqual(read["0.bias"]?.dtype, .f32)
        // The header is padded so the data start 8-byte aligned.
        let bytes = try readFileBytes(path, decompress: false)
        XCTAssertEqual((8 + Int(bytes[0]) + Int(bytes[1]) << 8) % 8, 0)
        XCTAssertThrowsError(try writeSafetensors([("a", Tensor(scalar: 1)), ("a", Tensor(scalar: 2))], to: path)) { error in
            XCTAssertEqual("\(error)", "save: duplicate tensor name 'a'")
        }
    }

    func testFailedWriteLeavesTheOldFileWhole() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir + "/m.safetensors"
        try writeSafetensors(try sample(), metadata: ["v": "1"], to: path)
        let before = try readFileBytes(path, decompress: false)
        let big = try Tensor<Float>(shape: [1000], repeating: 7)
        XCTAssertThrowsError(try writeSafetensors([("w", big)], metadata: ["v": "2"], to: path, failAfter: 2000)) { error in
            XCTAssertEqual("\(error)", "\(path): write failed: simulated I/O error after 2000 bytes")
        }
        XCTAssertEqual(try readFileBytes(path, decompress: false), before)
        XCTAssertEqual(try readSafetensors(path).metadata, ["v": "1"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["m.safetensors"])  // no temporary left
        XCTAssertThrowsError(try writeSafetensors([("w", big)], to: dir + "/missing/m.safetensors")) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(dir)/missing/m.safetensors: cannot create a file there"), "\(error)")
        }
    }

    /// Writes `header` (JSON) and `data` as a safetensors file.
    private func writeRaw(_ path: String, header: String, data: [UInt8]) throws {
        var length = UInt64(header.utf8.count).littleEndian
        let bytes = withUnsafeBytes(of: &length) { Array($0) } + Array(header.utf8) + data
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func testCorruptFilesAreRejectedWithReasons() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir + "/bad.safetensors"
        func expect(_ header: String, _ data: [UInt8], _ message: String, line: UInt = #line) throws {
            try writeRaw(path, header: header, data: data)
            XCTAssertThrowsError(try readSafetensors(path), line: line) { error in
                XCTAssertEqual("\(error)", "\(path): not a valid safetensors file: \(message)", line: line)
            }
        }
        let four = [UInt8](repeating: 0, count: 4)
        try expect(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, four,
                   "tensor 'a' has data_offsets [0, 8] outside the 4 data bytes (truncated?)")
        try expect(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#, four,
                   "tensor 'a' of shape [2] and dtype F32 needs 8 bytes, its data_offsets span 4")
        try expect(#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "I8", "shape": [2], "data_offsets": [2, 4]}}"#,
                   four, "tensors 'a' and 'b' overlap")
        try expect(#"{"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 4]}}"#, four, "tensor 'a' has unsupported dtype C64")
        try expect(#"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, four, "tensor 'a' has an invalid shape")
        try expect(#"{"__metadata__": {"k": 1}}"#, [], "__metadata__ value for 'k' is not a string")
        try expect(#"[1, 2]"#, [], "header is not a JSON object")
        try expect(#"{"a": {"dtype": "F32""#, [], "header is not valid JSON (header: invalid JSON at line 1, column 22: unexpected end of input in an object)")
        // A header length beyond the file.
        try Data([200, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try readSafetensors(path)) { error in
            XCTAssertEqual("\(error)", "\(path): not a valid safetensors file: header length 200 exceeds the file size 10 (truncated?)")
        }
        // A real file cut short.
        try writeSafetensors(try sample(), to: path)
        let whole = try readFileBytes(path, decompress: false)
        try Data(whole.dropLast(3)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try readSafetensors(path)) { error in
            XCTAssertTrue("\(error)".contains("outside the"), "\(error)")
        }
        XCTAssertThrowsError(try readSafetensors(dir + "/none.safetensors")) { error in
            XCTAssertEqual("\(error)", "\(dir)/none.safetensors: no such file")
        }
    }

    func testHalfAndBrainFloatConversion() {
        XCTAssertEqual(floatFromHalf(0x3C00), 1)
        XCTAssertEqual(floatFromHalf(0xC000), -2)
        XCTAssertEqual(floatFromHalf(0x0001), 0x1p-24)  // smallest subnormal
        XCTAssertEqual(floatFromHalf(0x7BFF), 65504)
        XCTAssertEqual(floatFromHalf(0x7C00), .infinity)
        XCTAssertTrue(floatFromHalf(0x7E00).isNaN)
    }

    func testPythonReadsWhatWhittleWrites() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir + "/w.safetensors"
        try writeSafetensors(try sample(), metadata: ["format": "pt"], to: path)
        let code = """
        from safetensors import safe_open
        with safe_open('\(path)', framework='np') as f:
            print(f.metadata())
            for k in sorted(f.keys()):
                t = f.get_tensor(k)
                print(k, t.dtype, list(t.shape), t.ravel().tolist())
        """
        guard let result = runPython(code, needing: ["safetensors", "numpy"]) else { return }
        XCTAssertEqual(result.error, "")
        XCTAssertEqual(result.output, """
        {'format': 'pt'}
        0.bias float32 [3] [0.25, 0.5, 0.75]
        0.weight float32 [2, 3] [1.0, -2.0, 3.5, 0.0, inf, -1.0000000116860974e-07]
        empty float32 [0, 4] []
        scalar float32 [] [42.0]

        """)
    }

    func testWhittleReadsWhatPythonWrites() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir + "/p.safetensors"
        // BF16 is written by hand (NumPy has no bfloat16): the top halves of float32 1.5 and -3.0.
        let code = """
        import numpy as np, struct, json
        from safetensors.numpy import save_file, load_file
        save_file({
            'f64': np.array([[0.1, -2.0], [1e300, 3.0]], dtype=np.float64),
            'f16': np.array([0.5, -65504, 1e-7], dtype=np.float16),
            'i64': np.array(7, dtype=np.int64),
            'i32': np.array([-5, 2**24], dtype=np.int32),
            'i8': np.array([-128, 127], dtype=np.int8),
            'u8': np.array([0, 255], dtype=np.uint8),
            'mask': np.array([True, False, True]),
            'f32': np.arange(6, dtype=np.float32).reshape(1, 2, 3) / 4,
        }, '\(path)', metadata={'source': 'python'})
        d = load_file('\(path)')
        print(float(np.float32(d['f16'][2])))
        """
        guard let result = runPython(code, needing: ["safetensors", "numpy"]) else { return }
        XCTAssertEqual(result.status, 0, result.error)
        let read = try readSafetensors(path)
        XCTAssertEqual(read.metadata, ["source": "python"])
        XCTAssertEqual(read["f64"]?.dtype, .f64)
        XCTAssertEqual(read["f64"]?.tensor.scalars, [0.1, -2, .infinity, 3])  // 1e300 overflows Float32
        XCTAssertEqual(read["f16"]?.tensor.scalars[0...1], [0.5, -65504])
        XCTAssertEqual(read["f16"]?.tensor.scalars[2], Float(result.output.trimmingCharacters(in: .newlines)))
        XCTAssertEqual(read["i64"]?.shape, [])
        XCTAssertEqual(read["i64"]?.tensor.scalars, [7])
        XCTAssertEqual(read["i32"]?.tensor.scalars, [-5, 16_777_216])
        XCTAssertEqual(read["i8"]?.tensor.scalars, [-128, 127])
        XCTAssertEqual(read["u8"]?.tensor.scalars, [0, 255])
        XCTAssertEqual(read["mask"]?.dtype, .bool)
        XCTAssertEqual(read["mask"]?.tensor.scalars, [1, 0, 1])
        XCTAssertEqual(read["f32"]?.shape, [1, 2, 3])
        XCTAssertEqual(read["f32"]?.tensor.scalars, [0, 0.25, 0.5, 0.75, 1, 1.25])

        let bf16 = dir + "/bf16.safetensors"
        try writeRaw(bf16, header: #"{"b": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}"#, data: [0xC0, 0x3F, 0x40, 0xC0])
        XCTAssertEqual(try readSafetensors(bf16)["b"]?.tensor.scalars, [1.5, -3])
        if let check = runPython("from safetensors import safe_open\nwith safe_open('\(bf16)', framework='np') as f: print(f.keys())", needing: ["safetensors"]) {
            XCTAssertEqual(check.output, "['b']\n")  // Python accepts the hand-made file as well
        }
    }
}
