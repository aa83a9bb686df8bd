// Tests of sort, argsort, top-k, hard and soft thresholding, and the counter-based random stream.
import XCTest
@testable import Core

final class TensorSelectionTests: XCTestCase {
    func testSortArgsort() throws {
        let v = T([5], [3, -1, 2, -1, 7])
        XCTAssertEqual(try v.sorted(), T([5], [-1, -1, 2, 3, 7]))
        XCTAssertEqual(try v.argsort(), T([5], [1, 3, 2, 0, 4]))
        XCTAssertEqual(try v.argsort(descending: true), T([5], [4, 0, 2, 1, 3]))
        let m = T([2, 3], [3, 1, 2, 0, 5, 4])
        XCTAssertEqual(try m.sorted(axis: 1), T([2, 3], [1, 2, 3, 0, 4, 5]))
        XCTAssertEqual(try m.argsort(axis: 0), T([2, 3], [1, 0, 0, 0, 1, 1]))
        XCTAssertEqual(try T([3], [.nan, 1, 0]).argsort(), T([3], [2, 1, 0]))
        assertThrows(.badArgument(op: "sort", message: "needs a tensor of rank 1 or more, got a 0-d tensor")) {
            try T([], [1]).sorted()
        }
    }

    func testTopk() throws {
        let v = T([6], [1, 9, 3, 9, -4, 5])
        let (values, indices) = try v.topk(3)
        XCTAssertEqual(values, T([3], [9, 9, 5]))
        XCTAssertEqual(indices, T([3], [1, 3, 5]))
        XCTAssertEqual(try v.topk(2, largest: false).indices, T([2], [4, 0]))
        let m = T([2, 3], [1, 3, 2, 6, 5, 4])
        XCTAssertEqual(try m.topk(1, axis: 1).values, T([2, 1], [3, 6]))
        assertThrows(.badArgument(op: "topk", message: "k = 7 is out of range for axis 0 of extent 6 in shape [6]")) {
            try v.topk(7)
        }
    }

    func testHardThreshold() throws {
        let v = T([6], [0.5, -3, 2, -2, 0.1, 1])
        XCTAssertEqual(try v.hardThreshold(2), T([6], [0, -3, 2, 0, 0, 0]))
        XCTAssertEqual(try v.hardThreshold(3), T([6], [0, -3, 2, -2, 0, 0]))
        XCTAssertEqual(try v.hardThreshold(0), T([6], [0, 0, 0, 0, 0, 0]))
        XCTAssertEqual(try v.hardThreshold(10), v)
        // Ties: equal magnitudes keep the lower index.
        XCTAssertEqual(try T([5], [1, -1, 1, -1, 1]).hardThreshold(2), T([5], [1, -1, 0, 0, 0]))
        XCTAssertEqual(try T([2, 2], [4, -1, 1, 0]).hardThreshold(2), T([2, 2], [4, -1, 0, 0]))
        assertThrows(.badArgument(op: "hard_threshold", message: "s must be non-negative, got -1")) {
            try v.hardThreshold(-1)
        }
        // Against a full sort on a larger random vector.
        var rng = RandomStream(seed: 5)
        let big = try Tensor<Float>.normal([1000], using: &rng)
        let kept = try big.hardThreshold(100)
        XCTAssertEqual(try kept.reduce(.countNonzero).item(), 100)
        let smallestKept = kept.scalars.filter { $0 != 0 }.map(abs).min() ?? 0
        let largestDropped = zip(big.scalars, kept.scalars).filter { $0.1 == 0 }.map { abs($0.0) }.max() ?? 0
        XCTAssertGreaterThan(smallestKept, largestDropped)
    }

    func testSoftThreshold() throws {
        XCTAssertEqual(try T([5], [-3, -0.5, 0, 0.5, 2]).softThreshold(1), T([5], [-2, 0, 0, 0, 1]))
        assertThrows(.badArgument(op: "soft_threshold", message: "tau must be non-negative, got -1.0")) {
            try T([1], [1]).softThreshold(-1)
        }
    }

    func testPhiloxKnownAnswer() {
        // Random123's known-answer test for Philox4x32-10: counter 0, key 0.
        let zero = RandomStream(seed: 0).block(0)
        XCTAssertEqual([zero.0, zero.1, zero.2, zero.3], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
    }

    /// The normal draws split over the cores are the serial transform's, value for value, and move
    /// the stream as far, for odd and even sizes and sizes under and over the parallel threshold.
    func testParallelNormalDrawsEqualTheSerialOnes() throws {
        for n in [1, 2, 3, 6, 7, 16_383, 16_384, 100_001] {
            var parallel = RandomStream(seed: 11, stream: 2), serial = RandomStream(seed: 11, stream: 2)
            let drawn = try Tensor<Double>.normal([n], mean: 0.5, std: 3, using: &parallel).scalars
            let words = serial.fill(n + (n & 1)) { $0 }
            var expected = [Double](repeating: 0, count: n)
            for i in stride(from: 0, to: n, by: 2) {
                let (a, b) = BoxMuller.pair(words[i], words[i + 1])
                expected[i] = 0.5 + 3 * a
                if i + 1 < n { expected[i + 1] = 0.5 + 3 * b }
            }
            XCTAssertEqual(drawn, expected, "n = \(n)")
            XCTAssertEqual(parallel.position, serial.position, "n = \(n)")
        }
    }

    /// The transform's series agree with libm's log, sin and cos to within two ulps, at the ends of
    /// both words' ranges (u = 2⁻²⁴ and 1, θ at and around every quarter turn) and on 100,000
    /// random pairs.
    func testBoxMullerMatchesLibm() {
        func libm(_ a: UInt32, _ b: UInt32) -> (Double, Double) {
            let r = (-2 * Double.log(RandomStream.unitOpen(a))).squareRoot()
            let theta = 2 * Double.pi * RandomStream.unit(b)
            return (r * cos(theta), r * sin(theta))
        }
        var words: [(UInt32, UInt32)] = []
        let quarter: UInt32 = 1 << 30
        for a in [UInt32(0), 255, 256, 0xB504_F300, 0xFFFF_FE00, .max] {
            for q in 0...4 {
                let turn = UInt32(truncatingIfNeeded: UInt64(q) * UInt64(quarter))
                for d: Int64 in [-512, -256, 0, 256, 512, 1 << 29] {
                    words.append((a, UInt32(truncatingIfNeeded: Int64(turn) + d)))
                }
            }
        }
        var rng = RandomStream(seed: 99)
        let random = rng.fill(200_000) { $0 }
        for i in stride(from: 0, to: random.count, by: 2) { words.append((random[i], random[i + 1])) }
        var worst = 0.0
        for (a, b) in words {
            let (x, y) = BoxMuller.pair(a, b), (ex, ey) = libm(a, b)
            // Relative to the radius r: the error of r·cos θ is ulps of r, however small cos θ is.
            let r = Swift.max((ex * ex + ey * ey).squareRoot(), 1e-300)
            worst = Swift.max(worst, Swift.abs(x - ex) / r, Swift.abs(y - ey) / r)
        }
        XCTAssertLessThan(worst, 4 * Double.ulpOfOne, "largest difference from libm, relative to r")
        // u = 1 gives r = 0 exactly, so both normals are 0.
        XCTAssertEqual(BoxMuller.pair(.max, 12345).0, 0)
    }

    func testRandomStreams() throws {
        var a = RandomStream(seed: 42), b = RandomStream(seed: 42)
        let x = try Tensor<Float>.uniform([1000], using: &a), y = try Tensor<Float>.uniform([1000], using: &b)
        XCTAssertEqual(x, y, "same seed, same draws")
        XCTAssertEqual(a.position, 250)
        let z = try Tensor<Float>.uniform([1000], using: &a)
        XCTAssertNotEqual(x, z, "the stream moves on")
        XCTAssertTrue(x.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(try x.mean().item(), 0.5, accuracy: 0.03)
        var other = RandomStream(seed: 42, stream: 1)
        XCTAssertNotEqual(try Tensor<Float>.uniform([8], using: &other).scalars, Array(x.scalars.prefix(8)))
        // Float and Double draws agree.
        var c = RandomStream(seed: 7), d = RandomStream(seed: 7)
        assertClose(Tensor<Double>(converting: try Tensor<Float>.normal([64], using: &c)),
                    try Tensor<Double>.normal([64], using: &d), tolerance: 1e-6)

        var r = RandomStream(seed: 3)
        let n = try Tensor<Float>.normal([20000], mean: 1, std: 2, using: &r)
        XCTAssertEqual(try n.mean().item(), 1, accuracy: 0.05)
        XCTAssertEqual(try n.reduce(.std).item(), 2, accuracy: 0.05)
        let l = try Tensor<Float>.laplace([20000], scale: 0.5, using: &r)
        XCTAssertEqual(try l.unary(.abs).mean().item(), 0.5, accuracy: 0.02)   // E|X| = b
        let mask = try Tensor<Float>.bernoulli([20000], p: 0.3, using: &r)
        XCTAssertEqual(try mask.mean().item(), 0.3, accuracy: 0.02)
        XCTAssertTrue(mask.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        let ints = try Tensor<Float>.randomIntegers([1000], low: -2, high: 3, using: &r)
        XCTAssertEqual(Set(ints.scalars), [-2, -1, 0, 1, 2])
        let p = r.permutation(50)
        XCTAssertEqual(p.sorted(), Array(0..<50))
        XCTAssertNotEqual(p, Array(0..<50))
        assertThrows(.badArgument(op: "bernoulli", message: "probability must be in [0, 1], got 1.5")) {
            try Tensor<Float>.bernoulli([2], p: 1.5, using: &r)
        }
        assertThrows(.badArgument(op: "randint", message: "needs low < high, got 3, 3")) {
            try Tensor<Float>.randomIntegers([2], low: 3, high: 3, using: &r)
        }
    }
}
