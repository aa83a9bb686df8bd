// Process-wide tuning is applied only when asked (by the executable), with the settings given.
import XCTest
@testable import Core

final class ProcessTuningTests: XCTestCase {
    func testApplySetsTheBLASThreadsItIsGiven() throws {
        let before = ProcessTuning.currentBLASThreads
        defer {
            var restore = ProcessTuning()
            restore.blasThreads = before
            restore.reusesHeap = false
            restore.apply()
        }
        var tuning = ProcessTuning()
        XCTAssertEqual(tuning.blasThreads, 1)
        XCTAssertTrue(tuning.reusesHeap)
        tuning.apply()
        XCTAssertEqual(ProcessTuning.currentBLASThreads, 1)
        // A product gives the same numbers however OpenBLAS is threaded.
        let a = try Tensor<Float>(shape: [64, 64], scalars: (0..<4096).map { Float($0 % 7) - 3 })
        let single = try a.matmul(a)
        tuning.blasThreads = 2
        tuning.reusesHeap = false
        tuning.apply()
        // OpenBLAS caps the count at the cores it was built for; it is never left at 1 here.
        XCTAssertGreaterThanOrEqual(ProcessTuning.currentBLASThreads, 1)
        XCTAssertEqual(try a.matmul(a), single)
        // Entry [0, 0] by hand: row 0 of a times column 0 of a.
        var expected: Float = 0
        for k in 0..<64 { expected += (Float(k % 7) - 3) * (Float((k * 64) % 7) - 3) }
        XCTAssertEqual(single.scalars[0], expected)
    }
}
