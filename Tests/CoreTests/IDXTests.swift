// Tests of the IDX reader: plain and gzip files, element types, errors, and the real Fashion-MNIST.

import Foundation
import XCTest
@testable import Core
import Runtime

final class IDXTests: XCTestCase {
    /// Bytes of an IDX file with unsigned-byte data.
    private func idxBytes(shape: [Int], data: [UInt8], typeCode: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, typeCode, UInt8(shape.count)]
        for extent in shape { bytes += [UInt8(extent >> 24 & 255), UInt8(extent >> 16 & 255), UInt8(extent >> 8 & 255), UInt8(extent & 255)] }
        return bytes + data
    }

    private func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func testPlainAndGzipImagesAndLabels() throws {
        let dir = try makeTemporaryDirectory(self)
        try write(idxBytes(shape: [2, 2, 3], data: [0, 255, 51, 102, 0, 0, 1, 2, 3, 4, 5, 255]), dir + "/img")
        try write(idxBytes(shape: [2], data: [3, 1]), dir + "/lab")
        guard runTool("/bin/gzip", ["-k", dir + "/img"])?.status == 0 else { throw XCTSkip("gzip is not available") }
        for images in [dir + "/img", dir + "/img.gz"] {
            let d = try idxDataset(images: images, labels: dir + "/lab")
            XCTAssertEqual(d.x.shape, [2, 1, 2, 3])
            XCTAssertEqual(d.x.scalars[0...3], [0, 1, 0.2, 0.4])
            XCTAssertEqual(d.x.scalars[11], 1)
            XCTAssertEqual(d.y.scalars, [3, 1])
            XCTAssertEqual(d.classCount, 4)
        }
    }

    func testOtherElementTypesAreBigEndian() throws {
        // int16 -2 and 258; float32 1.5; float64 -0.25.
        XCTAssertEqual(try decodeIDX(idxBytes(shape: [2], data: [0xFF, 0xFE, 0x01, 0x02], typeCode: 0x0B), path: "t").scalars, [-2, 258])
        XCTAssertEqual(try decodeIDX(idxBytes(shape: [1], data: [0x3F, 0xC0, 0, 0], typeCode: 0x0D), path: "t").scalars, [1.5])
        XCTAssertEqual(try decodeIDX(idxBytes(shape: [1], data: [0xBF, 0xD0, 0, 0, 0, 0, 0, 0], typeCode: 0x0E), path: "t").scalars, [-0.25])
        XCTAssertEqual(try decodeIDX(idxBytes(shape: [1], data: [0xFF], typeCode: 0x09), path: "t").scalars, [-1])
    }

    func testErrorsNameThePath() throws {
        let dir = try makeTemporaryDirectory(self)
        XCTAssertThrowsError(try readIDX(dir + "/missing")) { error in
            XCTAssertEqual("\(error)", "\(dir)/missing: no such file")
        }
        try write(idxBytes(shape: [3, 4], data: [1, 2, 3]), dir + "/short")
        XCTAssertThrowsError(try readIDX(dir + "/short")) { error in
            XCTAssertEqual("\(error)", "\(dir)/short: truncated IDX data: shape [3, 4] needs 24 bytes, file has 15")
        }
        try write([7, 7, 8, 1], dir + "/magic")
        XCTAssertThrowsError(try readIDX(dir + "/magic")) { error in
            XCTAssertEqual("\(error)", "\(dir)/magic: not an IDX file (bad magic number)")
        }
        try write([0, 0, 0x08, 3, 0, 0], dir + "/header")
        XCTAssertThrowsError(try readIDX(dir + "/header")) { error in
            XCTAssertEqual("\(error)", "\(dir)/header: truncated IDX header: rank 3 needs 16 bytes, file has 6")
        }
    }

    func testTruncatedAndCorruptGzip() throws {
        let dir = try makeTemporaryDirectory(self)
        try write(idxBytes(shape: [4000], data: (0..<4000).map { UInt8(($0 * 7919) % 251) }), dir + "/big")
        guard runTool("/bin/gzip", [dir + "/big"])?.status == 0 else { throw XCTSkip("gzip is not available") }
        let whole = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/big.gz")))
        try write(Array(whole.prefix(whole.count / 2)), dir + "/cut.gz")
        XCTAssertThrowsError(try readIDX(dir + "/cut.gz")) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(dir)/cut.gz: "), "\(error)")
        }
        var corrupt = whole
        for i in 20..<60 { corrupt[i] ^= 0x5A }
        try write(corrupt, dir + "/bad.gz")
        XCTAssertThrowsError(try readIDX(dir + "/bad.gz")) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(dir)/bad.gz: "), "\(error)")
        }
    }

    func testMissingFashionMNISTSaysHowToInstall() throws {
        let dir = try makeTemporaryDirectory(self)
        XCTAssertThrowsError(try fashionMNIST(directory: dir)) { error in
            XCTAssertEqual("\(error)", "\(dir)/train-images-idx3-ubyte.gz: Fashion-MNIST is not installed: install the "
                + "Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")
        }
    }

    func testRealFashionMNIST() throws {
        guard fileExists(fashionMNISTDirectory + "/t10k-images-idx3-ubyte.gz") else {
            throw XCTSkip("dataset-fashion-mnist is not installed")
        }
        let (train, test) = try fashionMNIST()
        XCTAssertEqual(train.x.shape, [60000, 1, 28, 28])
        XCTAssertEqual(test.x.shape, [10000, 1, 28, 28])
        XCTAssertEqual(train.y.shape, [60000])
        XCTAssertEqual(train.classCount, 10)
        XCTAssertEqual(train.y.scalars.prefix(3), [9, 0, 0])  // ankle boot, T-shirt, T-shirt
        XCTAssertEqual(test.y.scalars.prefix(3), [9, 2, 1])
        XCTAssertEqual(test.x.scalars.min(), 0)
        XCTAssertEqual(test.x.scalars.max(), 1)
        // Every class has 6,000 training images and 1,000 test images.
        var perClass = [Int](repeating: 0, count: 10)
        for label in train.y.scalars { perClass[Int(label)] += 1 }
        for label in test.y.scalars { perClass[Int(label)] += 1 }
        XCTAssertEqual(perClass, [Int](repeating: 7000, count: 10))
    }
}

final class IDXCancellationTests: XCTestCase {
    func testCtrlCStopsALoad() throws {
        let dir = try makeTemporaryDirectory(self)
        try Data([0, 0, 8, 1, 0, 0, 0, 1, 7]).write(to: URL(fileURLWithPath: dir + "/one"))
        let token = CancellationToken()
        token.cancel()
        XCTAssertThrowsError(try readIDX(dir + "/one", token: token)) { error in
            XCTAssertEqual("\(error)", "interrupted while reading \(dir)/one")
        }
        // Another token (or none) is not affected: nothing process-wide was set.
        XCTAssertEqual(try readIDX(dir + "/one", token: CancellationToken()).scalars, [7])
        XCTAssertEqual(try readIDX(dir + "/one").scalars, [7])
        token.reset()
        XCTAssertEqual(try readIDX(dir + "/one", token: token).scalars, [7])
    }
}
