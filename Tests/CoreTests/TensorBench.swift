// Release micro-benchmark of element-wise kernels (run: WHITTLE_BENCH=1 swift test -c release --filter TensorBench).
// The W1 network's per-layer times are in TrainingBenchTests.testW1StepBreakdown.
//
// Each line gives the median wall time and the median CPU time of the whole process (all threads)
// at batch 64. On a shared machine the CPU time is the steadier figure; on idle cores the wall time
// of the parallel kernels drops to about half their CPU time. `sgemm_1024` measures the machine's
// GEMM rate in the same run, so kernels can be compared with it rather than across runs.
import XCTest
import Foundation
@testable import Core

final class TensorBench: XCTestCase {
    /// Median wall time of `body` in milliseconds over `repeats` runs after one warm-up.
    /// CPU time of the whole process (all threads) in milliseconds.
    func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
    }

    /// Median wall time of `body` in milliseconds over `repeats` runs after one warm-up; the
    /// median CPU time (all threads) is kept in `lastCPU`, a steadier figure on a shared machine.
    func measure(_ repeats: Int = 15, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuNow()
            try body()
            cpu.append(cpuNow() - cpuStart)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        lastCPU = cpu.sorted()[cpu.count / 2]
        return wall.sorted()[wall.count / 2]
    }

    var lastCPU = 0.0

    func report(_ name: String, _ ms: Double, flops: Double? = nil) {
        var line = "BENCH \(name) \(String(format: "%.3f", ms)) ms  cpu \(String(format: "%.3f", lastCPU)) ms"
        if let flops { line += String(format: "  (%.1f GFLOP/s wall)", flops / ms / 1e6) }
        print(line)
    }

    func testElementwiseSpeed() throws {
        guard ProcessInfo.processInfo.environment["WHITTLE_BENCH"] == "1" else {
            throw XCTSkip("set WHITTLE_BENCH=1 to run the benchmark")
        }
        var rng = RandomStream(seed: 0)
        let a = try Tensor<Float>.normal([1 << 22], using: &rng), b = try Tensor<Float>.normal([1 << 22], using: &rng)
        report("add_4M_same_shape", try measure { _ = try a + b })
        report("mul_scalar_4M", measure { _ = a * 3 })
        report("exp_4M", measure { _ = a.unary(.exp) })
        let m = try a.reshaped([4096, 1024]), row = try Tensor<Float>.normal([1024], using: &rng)
        report("add_broadcast_row_4M", try measure { _ = try m + row })
        report("sum_axis0_4M", try measure { _ = try m.sum(axis: 0) })
        report("sum_axis1_4M", try measure { _ = try m.sum(axis: 1) })
        report("transpose_4096x1024", measure { _ = m.transposed() })
        report("normal_4M", try measure { var r = RandomStream(seed: 1); _ = try Tensor<Float>.normal([1 << 22], using: &r) })
    }
}
