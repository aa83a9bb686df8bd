// Release micro-benchmark of the W1 CNN kernels (run: WHITTLE_BENCH=1 swift test -c release --filter TensorBench).
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

    func testW1Kernels() throws {
        guard ProcessInfo.processInfo.environment["WHITTLE_BENCH"] == "1" else {
            throw XCTSkip("set WHITTLE_BENCH=1 to run the benchmark")
        }
        var rng = RandomStream(seed: 0)
        let n = 64
        // sgemm peak on a large square product.
        let a = try Tensor<Float>.normal([1024, 1024], using: &rng)
        let gemmMs = try measure(9) { _ = try a.matmul(a) }
        report("sgemm_1024", gemmMs, flops: 2 * 1024 * 1024 * 1024)

        var total = 0.0, totalCPU = 0.0
        func step(_ name: String, flops: Double? = nil, _ body: () throws -> Void) throws {
            let ms = try measure(15, body)
            total += ms
            totalCPU += lastCPU
            report(name, ms, flops: flops)
        }
        let x = try Tensor<Float>.uniform([n, 1, 28, 28], using: &rng)
        let w1 = try Tensor<Float>.normal([64, 1, 2, 2], std: 0.5, using: &rng), b1 = try Tensor<Float>.zeros([64])
        let h1 = try Tensor.conv2d(x, weight: w1, bias: b1, relu: true)
        let conv1Flops = 2.0 * Double(n * 64 * 784 * 4)
        try step("conv1_forward_bias_relu", flops: conv1Flops) { _ = try Tensor.conv2d(x, weight: w1, bias: b1, relu: true) }
        try step("conv1_backward_weight", flops: conv1Flops) {
            _ = try Tensor.conv2dBackwardWeight(h1, input: x, weightShape: w1.shape)
        }
        try step("conv1_backward_bias") { _ = try Tensor.conv2dBackwardBias(h1) }
        let mask1 = h1.binary(.greater, scalar: 0)
        try step("relu1_backward_mask") { _ = try h1 * mask1 }
        let (p1, i1) = try Tensor.maxPool2d(h1, kernel: 2)
        try step("maxpool1_forward") { _ = try Tensor.maxPool2d(h1, kernel: 2) }
        try step("maxpool1_backward") { _ = try Tensor.maxPool2dBackward(p1, argmax: i1, inputShape: h1.shape) }

        // The same block fused (not counted in the total, which is the unfused path).
        let unfusedTotal = total
        let (fp, fi) = try Tensor.conv2dReLUMaxPool(x, weight: w1, bias: b1, pool: 2)
        let fusedForward = try measure { _ = try Tensor.conv2dReLUMaxPool(x, weight: w1, bias: b1, pool: 2) }
        report("conv1_relu_pool_fused_forward", fusedForward)
        let fusedBackward = try measure {
            _ = try Tensor.conv2dReLUMaxPoolBackward(fp, output: fp, argmax: fi, input: x, weight: w1, pool: 2, needInput: false)
        }
        report("conv1_relu_pool_fused_backward", fusedBackward)
        print(String(format: "BENCH conv1_block_unfused_total %.3f ms  fused_total %.3f ms", unfusedTotal, fusedForward + fusedBackward))

        let w2 = try Tensor<Float>.normal([32, 64, 2, 2], std: 0.1, using: &rng), b2 = try Tensor<Float>.zeros([32])
        let h2 = try Tensor.conv2d(p1, weight: w2, bias: b2, relu: true)
        let conv2Flops = 2.0 * Double(n * 32 * 196 * 256)
        try step("conv2_forward_bias_relu", flops: conv2Flops) { _ = try Tensor.conv2d(p1, weight: w2, bias: b2, relu: true) }
        try step("conv2_backward_input", flops: conv2Flops) {
            _ = try Tensor.conv2dBackwardInput(h2, weight: w2, inputShape: p1.shape)
        }
        try step("conv2_backward_weight", flops: conv2Flops) {
            _ = try Tensor.conv2dBackwardWeight(h2, input: p1, weightShape: w2.shape)
        }
        try step("conv2_backward_bias") { _ = try Tensor.conv2dBackwardBias(h2) }
        let (p2, i2) = try Tensor.maxPool2d(h2, kernel: 2)
        try step("maxpool2_forward") { _ = try Tensor.maxPool2d(h2, kernel: 2) }
        try step("maxpool2_backward") { _ = try Tensor.maxPool2dBackward(p2, argmax: i2, inputShape: h2.shape) }

        let f = try p2.reshaped([n, 1568])
        let w3 = try Tensor<Float>.normal([1568, 256], std: 0.02, using: &rng)
        let d3 = 2.0 * Double(n * 1568 * 256)
        let h3 = try f.matmul(w3)
        try step("dense1_forward", flops: d3) { _ = try f.matmul(w3) }
        try step("dense1_backward_input", flops: d3) { _ = try h3.matmul(w3, transposeOther: true) }
        try step("dense1_backward_weight", flops: d3) { _ = try f.matmul(h3, transposeSelf: true) }
        let w4 = try Tensor<Float>.normal([256, 10], std: 0.05, using: &rng)
        let d4 = 2.0 * Double(n * 256 * 10)
        let h4 = try h3.matmul(w4)
        try step("dense2_forward", flops: d4) { _ = try h3.matmul(w4) }
        try step("dense2_backward_input", flops: d4) { _ = try h4.matmul(w4, transposeOther: true) }
        try step("dense2_backward_weight", flops: d4) { _ = try h3.matmul(h4, transposeSelf: true) }
        lastCPU = totalCPU
        report("kernels_total_per_batch", total)
        print(String(format: "BENCH kernel_bound_samples_per_s %.0f samples/s", Double(n) / total * 1000))
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
