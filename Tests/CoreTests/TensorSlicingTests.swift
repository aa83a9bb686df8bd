// Tests of slicing (Python rules), integer indexing, assignment into slices, and take.
import XCTest
@testable import Core

final class TensorSlicingTests: XCTestCase {
    let m = T([3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])

    func testSlices() throws {
        XCTAssertEqual(try m.slice([.index(1)]), T([4], [4, 5, 6, 7]))
        XCTAssertEqual(try m.slice([.index(-1)]), T([4], [8, 9, 10, 11]))
        XCTAssertEqual(try m.slice([.all, .index(2)]), T([3], [2, 6, 10]))
        XCTAssertEqual(try m.slice([.slice(start: 1, stop: nil, step: nil), .slice(start: nil, stop: nil, step: 2)]),
                       T([2, 2], [4, 6, 8, 10]))
        // Bounds clamp as in Python.
        XCTAssertEqual(try m.slice([.slice(start: -100, stop: 100, step: nil), .slice(start: 3, stop: 99, step: nil)]),
                       T([3, 1], [3, 7, 11]))
        XCTAssertEqual(try m.slice([.slice(start: 5, stop: 9, step: nil)]).shape, [0, 4])
        // Negative steps walk backwards.
        XCTAssertEqual(try m.slice([.index(0), .slice(start: nil, stop: nil, step: -1)]), T([4], [3, 2, 1, 0]))
        XCTAssertEqual(try m.slice([.index(0), .slice(start: -2, stop: 0, step: -1)]), T([2], [2, 1]))
        XCTAssertEqual(try m.slice([.slice(start: nil, stop: nil, step: -2), .index(3)]), T([2], [11, 3]))
        XCTAssertEqual(try m.element(at: [2, -1]), 11)
        XCTAssertEqual(try m.slice([.index(1), .index(2)]), T([], [6]))
    }

    func testSliceErrors() {
        assertThrows(.badArgument(op: "index", message: "index 3 is out of range for axis 0 of extent 3 in shape [3, 4]")) {
            try m.slice([.index(3)])
        }
        assertThrows(.badArgument(op: "index", message: "index -5 is out of range for axis 1 of extent 4 in shape [3, 4]")) {
            try m.slice([.all, .index(-5)])
        }
        assertThrows(.badArgument(op: "slice", message: "slice step cannot be zero")) {
            try m.slice([.slice(start: nil, stop: nil, step: 0)])
        }
        assertThrows(.badArgument(op: "index", message: "too many indices (3) for a tensor of shape [3, 4]")) {
            try m.slice([.index(0), .index(0), .index(0)])
        }
        assertThrows(.badArgument(op: "index", message: "index 0 is out of range for axis 0 of extent 0 in shape [0]")) {
            try Tensor<Float>.zeros([0]).slice([.index(0)])
        }
    }

    func testAssign() throws {
        var t = m
        try t.assign(T([2], [-1, -2]), at: [.slice(start: 0, stop: 2, step: nil), .index(1)])
        XCTAssertEqual(t.scalars, [0, -1, 2, 3, 4, -2, 6, 7, 8, 9, 10, 11])
        try t.assign(0, at: [.index(2)])
        XCTAssertEqual(t.scalars, [0, -1, 2, 3, 4, -2, 6, 7, 0, 0, 0, 0])
        // Broadcast a row into a strided block.
        try t.assign(T([2], [7, 9]), at: [.slice(start: 0, stop: 2, step: nil), .slice(start: 0, stop: nil, step: 2)])
        XCTAssertEqual(t.scalars, [7, -1, 9, 3, 7, -2, 9, 7, 0, 0, 0, 0])
        assertThrows(.shapeMismatch(op: "assign", shapes: [[3], [2, 2]],
                                    message: "cannot assign a tensor of shape [3] to a region of shape [2, 2]")) {
            try t.assign(T([3], [1, 2, 3]), at: [.slice(start: 0, stop: 2, step: nil), .slice(start: 0, stop: 2, step: nil)])
        }
        XCTAssertEqual(m.scalars[1], 1, "the original is untouched (copy on write)")
    }

    func testTake() throws {
        XCTAssertEqual(try m.take([2, 0, 2]), T([3, 4], [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11]))
        XCTAssertEqual(try m.take([-1, 0], axis: 1), T([3, 2], [3, 0, 7, 4, 11, 8]))
        assertThrows(.badArgument(op: "take", message: "index 3 is out of range for axis 0 of extent 3 in shape [3, 4]")) {
            try m.take([3])
        }
    }
}
