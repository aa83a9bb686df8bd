// Issue 17's reproducers that live below the language: file writes, memory limits, decompression bounds, sizes.

import Foundation
import XCTest
@testable import Core
import Runtime

final class CrashRegressionTests: XCTestCase {
    /// Runs `body` with the current directory set to a fresh temporary one.
    private func inTemporaryDirectory(_ body: (String) throws -> Void) throws {
        let dir = try makeTemporaryDirectory(self)
        let saved = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(dir)
        defer { FileManager.default.changeCurrentDirectoryPath(saved) }
        try body(dir)
    }

    private func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    // MARK: - 17.3 one-character and odd paths

    func testOneCharacterRelativePathsAreWritten() throws {
        try inTemporaryDirectory { dir in
            for name in ["a", "é", "b"] {
                try writeFileAtomically(name) { try $0.write(Array("hi \(name)".utf8)) }
                XCTAssertEqual(try text(dir + "/" + name), "hi \(name)")
            }
            try writeSafetensors([("w", Tensor<Float>([1, 2]))], to: "c")
            XCTAssertEqual(try readSafetensors("c").tensors.first?.tensor.scalars, [1, 2])
        }
    }

    func testPathsNamingNoFileAreRefused() throws {
        try inTemporaryDirectory { _ in
            for path in [".", "x/", "..", ""] {
                XCTAssertThrowsError(try writeFileAtomically(path) { try $0.write([1]) }) { error in
                    XCTAssertEqual("\(error)", "\(path): not a file name")
                }
            }
        }
        XCTAssertEqual(try splitFilePath("/a").directory, "/")
        XCTAssertEqual(try splitFilePath("d/e/f.txt").directory, "d/e")
        XCTAssertEqual(try splitFilePath("d/e/f.txt").base, "f.txt")
    }

    // MARK: - 17.14 only regular files are replaced

    func testSpecialFilesAreNeverReplaced() throws {
        let dir = try makeTemporaryDirectory(self)
        let target = dir + "/target.txt"
        try writeFileAtomically(target) { try $0.write(Array("old".utf8)) }
        XCTAssertEqual(symlink(target, dir + "/link"), 0)
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o644), 0)
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        var cases = [("link", "a symbolic link"), ("fifo", "a FIFO"), ("sub", "a directory")]
        // A copy of /dev/null made here (only root may), so the real device is never at risk.
        if mknod(dir + "/null", S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0 { cases.append(("null", "a device")) }
        for (name, kind) in cases {
            let path = dir + "/" + name
            XCTAssertThrowsError(try writeFileAtomically(path) { try $0.write([1]) }) { error in
                XCTAssertEqual("\(error)", "\(path): refusing to write to \(kind): only regular files are written")
            }
            var status = stat()
            XCTAssertEqual(lstat(path, &status), 0)
            XCTAssertNotEqual(status.st_mode & S_IFMT, S_IFREG, "\(name) was replaced by a regular file")
            XCTAssertThrowsError(try appendJSONLine(path, .int(1)))
        }
        XCTAssertEqual(try text(target), "old")
    }

    func testReadOnlyFilesStayReadOnlyAndModesAreKept() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir + "/ro.txt"
        try writeFileAtomically(path) { try $0.write(Array("old".utf8)) }
        XCTAssertEqual(chmod(path, 0o444), 0)
        XCTAssertThrowsError(try writeFileAtomically(path) { try $0.write([1]) }) { error in
            XCTAssertEqual("\(error)", "\(path): the file is read-only")
        }
        XCTAssertEqual(try text(path), "old")
        XCTAssertEqual(chmod(path, 0o640), 0)
        try writeFileAtomically(path) { try $0.write(Array("new".utf8)) }
        var status = stat()
        XCTAssertEqual(stat(path, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o640)
        XCTAssertEqual(try text(path), "new")
    }

    func testTemporariesOfDeadWritersAreRemoved() throws {
        let dir = try makeTemporaryDirectory(self)
        // PID 4194303 is the largest Linux allows and is never running in a test.
        let dead = dir + "/.out.txt.tmp-4194303-0"
        let foreign = dir + "/.out.txt.tmp-notapid"
        let other = dir + "/.other.txt.tmp-4194303-0"
        for path in [dead, foreign, other] { XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data([1]))) }
        try writeFileAtomically(dir + "/out.txt") { try $0.write(Array("x".utf8)) }
        XCTAssertFalse(fileExists(dead))
        XCTAssertTrue(fileExists(foreign))
        XCTAssertTrue(fileExists(other))
        // A failed write leaves nothing behind either.
        XCTAssertThrowsError(try writeFileAtomically(dir + "/out.txt", failAfter: 0) { try $0.write([1, 2]) })
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".out.txt.tmp-") }
        XCTAssertEqual(left, [".out.txt.tmp-notapid"])
    }

    // MARK: - 17.8 allocations the machine cannot hold

    /// Runs `body` with a ceiling on any one allocation, restored afterwards.
    private func withCeiling(_ bytes: Int, _ body: () throws -> Void) rethrows {
        let saved = MemoryLimit.ceiling
        MemoryLimit.ceiling = bytes
        defer { MemoryLimit.ceiling = saved }
        try body()
    }

    func testAllocationsPastTheCeilingAreRefusedWithTheirSize() throws {
        guard let free = MemoryLimit.availableBytes(), free > 4 << 30 else { throw XCTSkip("less than 4 GiB free") }
        try withCeiling(1 << 30) {
            XCTAssertThrowsError(try Tensor<Float>.zeros([60000, 60000])) { error in
                XCTAssertEqual("\(error)", "zeros: shape [60000, 60000] needs 14.4 GB, more than the 1.1 GB that can be allocated now")
            }
            XCTAssertThrowsError(try Tensor<Float>.zeros([3037000500]))
            // Below the unchecked size nothing is read at all, and it still works.
            XCTAssertEqual(try Tensor<Float>.zeros([1000, 1000]).count, 1_000_000)
        }
        XCTAssertEqual(MemoryLimit.describe(999), "999 bytes")
        XCTAssertEqual(MemoryLimit.describe(12_148_002_000), "12.1 GB")
    }

    func testMemoryTheMachineLacksIsRefusedWithoutACeiling() throws {
        guard let free = MemoryLimit.availableBytes() else { throw XCTSkip("no /proc/meminfo") }
        // Twice what is free can never be granted.
        let elements = Swift.min(free / 2, Tensor<Float>.maxElements)
        guard elements * 4 > free / 2 else { throw XCTSkip("more memory than the largest tensor") }
        XCTAssertThrowsError(try Tensor<Float>.zeros([elements])) { error in
            XCTAssertTrue("\(error)".contains("that can be allocated now"), "\(error)")
        }
    }

    func testAGzipIDXClaimingAHugeShapeIsRefusedBeforeInflating() throws {
        let dir = try makeTemporaryDirectory(self)
        var bytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0]
        bytes += [UInt8](repeating: 0, count: 1 << 20)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/bomb"))
        guard runTool("/bin/gzip", [dir + "/bomb"])?.status == 0 else { throw XCTSkip("gzip is not available") }
        try withCeiling(1 << 30) {
            XCTAssertThrowsError(try readIDX(dir + "/bomb.gz")) { error in
                XCTAssertEqual("\(error)", "\(dir)/bomb.gz: IDX shape [1, 65536, 65536] needs 17.2 GB, more than the 1.1 GB that can be allocated now")
            }
        }
    }

    func testAGzipStreamCannotInflatePastItsHeader() throws {
        let dir = try makeTemporaryDirectory(self)
        // The header claims 16 bytes of data; a megabyte follows.
        let bytes: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 16] + [UInt8](repeating: 7, count: 1 << 20)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/long"))
        guard runTool("/bin/gzip", [dir + "/long"])?.status == 0 else { throw XCTSkip("gzip is not available") }
        XCTAssertThrowsError(try readIDX(dir + "/long.gz")) { error in
            XCTAssertEqual("\(error)", "\(dir)/long.gz: IDX file has 1048560 bytes after the data of shape [16]")
        }
    }

    // MARK: - 17.4-17.6 size arithmetic

    func testSizesThatOverflowedAreErrorsOrEmpty() throws {
        XCTAssertEqual(try Tensor<Float>.arange(1e308, 0).shape, [0])
        XCTAssertEqual(try Tensor<Float>.arange(9.223372036854775807e18, -9.223372036854775808e18).shape, [0])
        var rng = RandomStream(seed: 0)
        XCTAssertThrowsError(try Conv2D<Float>(1, 1, kernel: 3_037_000_500, using: &rng))
        XCTAssertThrowsError(try Conv2D<Float>(1, 1, kernel: Int.max, using: &rng))
        let h = try Histogram(Tensor<Float>([1e16]), bins: 3)
        XCTAssertEqual(h.counts, [0, 1, 0])
    }
}
