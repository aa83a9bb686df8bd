// Mutated files through every loader (safetensors, IDX plain and gzip, CSV, JSON): each must load or throw, never crash.
// WHITTLE_LOADER_FILES sets the files per loader (`make fuzz` runs 10,000); WHITTLE_LOADER_SEED picks other mutations.

import Foundation
import XCTest
@testable import Core
import Runtime

final class LoaderMutationTests: XCTestCase {
    /// SplitMix64: the same mutations on every run.
    struct Mutator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(Swift.max(n, 1))) }

        /// Integers a size or offset field should be tried with.
        static let extremes: [UInt64] = [0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x1_0000_0000,
                                         UInt64(Int64.max), UInt64.max, 1 << 40]

        /// One to four edits of `bytes`: bit flips, random bytes, truncation, insertion,
        /// duplication, or an extreme integer written over a possible size field.
        mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
            var b = bytes
            for _ in 0..<(1 + below(4)) {
                switch below(8) {
                case 0 where !b.isEmpty: b[below(b.count)] ^= UInt8(1 << below(8))
                case 1 where !b.isEmpty: b[below(b.count)] = UInt8(truncatingIfNeeded: next())
                case 2: b = Array(b.prefix(below(b.count + 1)))
                case 3: b.insert(contentsOf: (0..<below(16)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: below(b.count + 1))
                case 4 where !b.isEmpty:
                    let start = below(b.count), end = Swift.min(b.count, start + below(64))
                    b.insert(contentsOf: b[start..<end], at: below(b.count + 1))
                case 5 where b.count >= 8:
                    let at = below(b.count - 7), v = Mutator.extremes[below(Mutator.extremes.count)]
                    let littleEndian = below(2) == 0
                    for k in 0..<8 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(littleEndian ? k : 7 - k))) }
                case 6 where !b.isEmpty:
                    // Characters the text formats treat specially.
                    let specials: [UInt8] = Array("\",\n\r{}[]:\\-.eE0123456789 \u{0}".utf8) + [0xFF, 0xC3]
                    b[below(b.count)] = specials[below(specials.count)]
                default:
                    if !b.isEmpty {
                        let start = below(b.count)
                        b.removeSubrange(start..<Swift.min(b.count, start + 1 + below(32)))
                    }
                }
            }
            return b
        }
    }

    /// The valid files each loader starts from.
    private func seeds(_ dir: String) throws -> [String: [[UInt8]]] {
        let st = dir + "/seed.safetensors"
        try writeSafetensors([("0.weight", try Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])),
                              ("0.bias", Tensor<Float>([0.5, -1]))], metadata: ["layout": "[in, out]"], to: st)
        let idx: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2] + (0..<12).map { UInt8($0 * 20) }
        let idxFloat: [UInt8] = [0, 0, 0x0D, 1, 0, 0, 0, 2, 0x3F, 0x80, 0, 0, 0xC0, 0, 0, 0]
        try Data(idx).write(to: URL(fileURLWithPath: dir + "/seed.idx"))
        var gz: [[UInt8]] = []
        if runTool("/bin/gzip", ["-k", dir + "/seed.idx"])?.status == 0 {
            gz.append(try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/seed.idx.gz"))))
        }
        let csv = "sepal,petal,width,species\n5.1,3.5,1.4,setosa\n4.9,3.0,1.4,\"versi,color\"\n6.2,2.9,4.3,virginica\n"
        let json = """
            {"epoch": 1, "loss": 0.25, "acc": [0.5, NaN, Infinity, -1e308], "name": "r\\u00e9sum\\u00e9 \\ud83d\\ude00", "ok": true, "x": null}
            {"nested": {"a": [[], {}, [1, [2, [3]]]]}, "big": 123456789012345678901234567890}
            """
        return ["safetensors": [try [UInt8](Data(contentsOf: URL(fileURLWithPath: st)))],
                "idx": [idx, idxFloat] + gz, "csv": [Array(csv.utf8)], "json": [Array(json.utf8)]]
    }

    /// Loads the file at `path` with `loader`; true when it loaded, false when it threw.
    private func load(_ loader: String, _ path: String) -> Bool {
        do {
            switch loader {
            case "safetensors": _ = try readSafetensors(path)
            case "idx": _ = try readIDX(path, scaleBytes: true)
            case "csv": _ = try readCSV(path)
            default:
                // Each line through the JSON parser.
                _ = try readJSONLines(path)
            }
            return true
        } catch {
            return false
        }
    }

    func testMutatedFilesLoadOrThrow() throws {
        let environment = ProcessInfo.processInfo.environment
        let perLoader = Int(environment["WHITTLE_LOADER_FILES"] ?? "") ?? 400
        var mutator = Mutator(state: UInt64(environment["WHITTLE_LOADER_SEED"] ?? "") ?? 3)
        let dir = try makeTemporaryDirectory(self)
        let saved = MemoryLimit.ceiling
        MemoryLimit.ceiling = 256 << 20
        defer { MemoryLimit.ceiling = saved }
        for (loader, seedFiles) in try seeds(dir).sorted(by: { $0.key < $1.key }) {
            let path = dir + "/mutant." + loader
            // The seeds themselves load (or the mutations would test nothing).
            for (i, seed) in seedFiles.enumerated() {
                try Data(seed).write(to: URL(fileURLWithPath: path))
                XCTAssertTrue(load(loader, path), "\(loader) seed \(i) does not load")
            }
            let start = Date()
            var loaded = 0
            for i in 0..<perLoader {
                let mutant = mutator.mutate(seedFiles[i % seedFiles.count])
                try Data(mutant).write(to: URL(fileURLWithPath: path))
                if load(loader, path) { loaded += 1 }
            }
            let seconds = Date().timeIntervalSince(start)
            print("loader mutation: \(loader): \(perLoader) files in \(String(format: "%.1f", seconds)) s, \(loaded) loaded, \(perLoader - loaded) refused")
        }
    }
}
