// W1 release benchmark (WHITTLE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter TrainBench).
import XCTest
import Foundation
@testable import Core

final class TrainBenchTests: XCTestCase {
    /// The W1 network: conv 1→64 k2 same, ReLU, maxpool 2, dropout .3, conv 64→32 k2 same, ReLU,
    /// maxpool 2, dropout .3, flatten, dense 1568→256, ReLU, dropout .5, dense 256→10.
    static func w1Network(seed: UInt64 = 0) throws -> Sequential<Float> {
        var rng = RandomStream(seed: seed)
        return Sequential<Float>([
            try Conv2D(1, 64, kernel: 2, using: &rng), ReLU(), try MaxPool(2), try Dropout(0.3, using: &rng),
            try Conv2D(64, 32, kernel: 2, using: &rng), ReLU(), try MaxPool(2), try Dropout(0.3, using: &rng),
            Flatten(), try Dense(1568, 256, using: &rng), ReLU(), try Dropout(0.5, using: &rng),
            try Dense(256, 10, using: &rng),
        ])
    }

    func testW1TrainingThroughput() throws {
        guard ProcessInfo.processInfo.environment["WHITTLE_BENCH"] == "1" else {
            throw XCTSkip("set WHITTLE_BENCH=1 (release build) to run the W1 benchmark")
        }
        let net = try Self.w1Network()
        XCTAssertEqual(net.countParams, 412_778)
        let batches = Int(ProcessInfo.processInfo.environment["WHITTLE_BENCH_BATCHES"] ?? "") ?? 200
        var rng = RandomStream(seed: 5)
        let n = 64 * 16
        let x = try Tensor<Float>.uniform([n, 1, 28, 28], using: &rng)
        let y = try Tensor<Float>(shape: [n], scalars: (0..<n).map { Float($0 % 10) })
        let data = try TensorData(x: x, y: y)
        let order = Array(0..<n)
        let opt = try Adam<Float>(.network(net), lr: 1e-3)
        // Warm up (allocations, BLAS threads).
        for b in 0..<3 {
            let (bx, by) = try data.batch(order[(b * 64)..<((b + 1) * 64)])
            try trainStep(opt, x: bx, y: by)
        }
        let start = Date()
        let cpuStart = clock()
        for b in 0..<batches {
            let k = b % 16
            let (bx, by) = try data.batch(order[(k * 64)..<((k + 1) * 64)])
            try trainStep(opt, x: bx, y: by)
        }
        let seconds = Date().timeIntervalSince(start)
        let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        let rate = Double(batches * 64) / seconds
        print("BENCH w1_train_samples_per_s \(Int(rate)) samples/s (cpu \(String(format: "%.2f", cpu)) s over \(String(format: "%.2f", seconds)) s wall)")
        print("BENCH sgemm_gflops \(String(format: "%.1f", Self.sgemmGFlops())) GFLOP/s")
    }

    /// One epoch of W1 on the real Fashion-MNIST (60,000 images, batch 64, Adam 1e-3): samples/s
    /// and test accuracy. Needs WHITTLE_BENCH_EPOCH=1 as well (it takes a while).
    func testW1FashionMNISTEpoch() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["WHITTLE_BENCH"] == "1", env["WHITTLE_BENCH_EPOCH"] == "1" else {
            throw XCTSkip("set WHITTLE_BENCH=1 WHITTLE_BENCH_EPOCH=1 to train one Fashion-MNIST epoch")
        }
        let (train, test) = try fashionMNIST()
        let net = try Self.w1Network()
        let opt = try Adam<Float>(.network(net), lr: 1e-3)
        let run = try fit(net, data: train, optimizer: opt, settings: FitSettings(epochs: 1, batchSize: 64), test: test)
        let record = try XCTUnwrap(run.history.first)
        print("BENCH w1_epoch_samples_per_s \(Int(record.samplesPerSecond)) samples/s")
        print("BENCH w1_epoch_test_accuracy \(String(format: "%.4f", record.testAccuracy ?? 0))")
        XCTAssertGreaterThanOrEqual(record.testAccuracy ?? 0, 0.84)
    }

    /// Forward (as `Sequential` runs it, blocks fused), loss, backward and update times of one W1
    /// step, and each layer's forward time when run alone (milliseconds, median).
    func testW1StepBreakdown() throws {
        guard ProcessInfo.processInfo.environment["WHITTLE_BENCH"] == "1" else {
            throw XCTSkip("set WHITTLE_BENCH=1 (release build) to run the W1 benchmark")
        }
        let net = try Self.w1Network()
        var rng = RandomStream(seed: 5)
        let x = try Tensor<Float>.uniform([64, 1, 28, 28], using: &rng)
        let y = try Tensor<Float>(shape: [64], scalars: (0..<64).map { Float($0 % 10) })
        let opt = try Adam<Float>(.network(net), lr: 1e-3)
        var forward = [[Double]](repeating: [], count: net.layers.count)
        var backward: [Double] = [], update: [Double] = [], lossTimes: [Double] = [], fusedForward: [Double] = []
        func ms(_ start: Date) -> Double { Date().timeIntervalSince(start) * 1000 }
        for _ in 0..<12 {
            let tape = Tape<Float>()
            for p in net.params { _ = tape.variable(for: p) }
            var v = tape.constant(x)
            for (i, layer) in net.layers.enumerated() {
                let t = Date(); v = try layer.forward(v); forward[i].append(ms(t))
            }
            var t = Date()
            v = try net.forward(tape.constant(x))
            fusedForward.append(ms(t))
            t = Date()
            let loss = try v.crossEntropy(labels: y)
            lossTimes.append(ms(t))
            t = Date(); try tape.backward(from: loss); backward.append(ms(t))
            t = Date(); try opt.step(); update.append(ms(t))
        }
        func median(_ xs: [Double]) -> String { String(format: "%.2f", xs.sorted()[xs.count / 2]) }
        for (i, layer) in net.layers.enumerated() { print("BENCH forward_\(i)_\(layer.kind) \(median(forward[i])) ms") }
        print("BENCH forward_fused_total \(median(fusedForward)) ms")
        print("BENCH loss \(median(lossTimes)) ms")
        print("BENCH backward \(median(backward)) ms")
        print("BENCH adam_step \(median(update)) ms")
    }

    /// The machine's sgemm rate on a 1024² product, in GFLOP/s.
    static func sgemmGFlops() -> Double {
        let n = 1024
        let a = [Float](repeating: 1, count: n * n), b = a
        var c = [Float](repeating: 0, count: n * n)
        let start = Date()
        for _ in 0..<10 {
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                Float.gemm(transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: pa.baseAddress!, lda: n,
                           b: pb.baseAddress!, ldb: n, beta: 0, c: pc.baseAddress!, ldc: n)
            } } }
        }
        return 10 * 2 * Double(n * n * n) / Date().timeIntervalSince(start) / 1e9
    }
}
