// Hard masks and pruning: paths, modes, thresholds, amounts, sparsity, and exact zeros under training.
import XCTest
@testable import Core

final class MaskTests: XCTestCase {
    func smallNet(seed: UInt64 = 1) throws -> Sequential<Float> {
        var rng = RandomStream(seed: seed)
        return Sequential<Float>([try Conv2D(1, 2, kernel: 2, using: &rng), ReLU(), Flatten(),
                                  try Dense(32, 8, using: &rng), ReLU(), try Dense(8, 3, using: &rng)])
    }

    func testMaskedAddsBuffersWithoutChangingParams() throws {
        let net = try smallNet()
        let before = net.namedParams.map(\.path)
        XCTAssertEqual(try addMasks(to: net, only: ["3"]).map(\.path), ["3"])
        XCTAssertEqual(net.namedParams.map(\.path), before, "the weight path is unchanged")
        XCTAssertEqual(net.namedBuffers.map(\.path), ["3.mask"])
        XCTAssertEqual(net.countParams, 8 + 2 + 32 * 8 + 8 + 24 + 3)
        XCTAssertEqual(net.layers[3].description, "Dense(32 -> 8, bias, mask hard)")
        XCTAssertThrowsError(try addMasks(to: net, only: ["1"])) { error in
            XCTAssertEqual(String(describing: error),
                "masked: layer \"1\" cannot take a mask; layers that accept one: 0 (Conv2D), 3 (Dense), 5 (Dense)")
        }
        try addMasks(to: net)
        XCTAssertEqual(net.namedBuffers.map(\.path), ["0.mask", "3.mask", "5.mask"])
    }

    func testPruneByThresholdAndModes() throws {
        let net = try smallNet()
        let dense = try XCTUnwrap(net.layers[5] as? Dense<Float>)
        dense.weight.value = try Tensor(shape: [8, 3], scalars: (0..<24).map { Float($0) / 100 - 0.12 })
        let result = try prune(net, threshold: 0.045, only: ["5"])
        // |w| < 0.045: values −0.04 … 0.04, 9 of them.
        XCTAssertEqual(result, PruningResult(removed: 9, kept: 15, total: 24))
        XCTAssertEqual(dense.weight.value.scalars.filter { $0 == 0 }.count, 9)
        let x = try Tensor<Float>(shape: [2, 8], repeating: 0.5)
        let masked = try dense(x)
        try setGateMode(.off, on: dense)
        XCTAssertNil(dense.weight.keepMask)
        dense.weight.value.scalars[12] = 5  // a pruned entry regrows while the mask is off
        XCTAssertNotEqual(try dense(x), masked)
        try setGateMode(.hard, on: dense)
        XCTAssertEqual(dense.weight.value.scalars[12], 0, "switching back to hard re-applies the mask")
        XCTAssertThrowsError(try setGateMode(.soft, on: dense))
        XCTAssertThrowsError(try setGateMode(.hard, on: net.layers[1])) { error in
            XCTAssertEqual(String(describing: error),
                "mode: ReLU has no mask or gate; only Dense and Conv2D layers with a mask (see masked) can be toggled")
        }
    }

    func testPruneByAmountGlobalAndPerLayer() throws {
        let net = try smallNet()
        let r = try prune(net, amount: 0.5, scope: .layer)
        let report = sparsityReport(net)
        XCTAssertEqual(report.rows.map(\.path), ["0", "3", "5"])
        XCTAssertEqual(report.rows.map(\.kept), [4, 128, 12])
        XCTAssertEqual(r.removed, 4 + 128 + 12)
        XCTAssertEqual(report.sparsity, 1 - 144.0 / 288.0, accuracy: 1e-12)
        // Global: the smallest magnitudes overall, of what is still kept.
        let net2 = try smallNet(seed: 2)
        let all = gatedLayers(net2).flatMap { $0.layer.weight.value.scalars.map { Swift.abs($0) } }.sorted()
        let cut = all[143]
        try prune(net2, amount: 0.5)
        for (_, layer) in gatedLayers(net2) {
            for v in layer.weight.value.scalars where v != 0 { XCTAssertGreaterThan(Swift.abs(v), cut) }
        }
        XCTAssertEqual(sparsityReport(net2).kept, 144)
        XCTAssertThrowsError(try prune(net2, amount: 1.5))
    }

    func testMaskedWeightsAndMomentsStayExactlyZero() throws {
        for useAdam in [true, false] {
            let net = try smallNet()
            try prune(net, amount: 0.6)
            let opt: any Optimizer<Float> = useAdam ? try Adam<Float>(.network(net), lr: 0.01)
                                                    : try SGD<Float>(.network(net), lr: 0.1, momentum: 0.9, weightDecay: 0.01)
            var rng = RandomStream(seed: 3)
            let x = try Tensor<Float>.uniform([8, 1, 4, 4], using: &rng)
            let y = try Tensor<Float>(shape: [8], scalars: (0..<8).map { Float($0 % 3) })
            for _ in 0..<5 { try trainStep(opt, x: x, y: y) }
            for (path, layer) in gatedLayers(net) {
                guard let mask = layer.weight.gate(HardMask<Float>.self)?.mask.value else { return XCTFail("mask") }
                let state = try XCTUnwrap(opt.core.state[path + ".weight"])
                for j in 0..<mask.count where mask.scalars[j] == 0 {
                    XCTAssertEqual(layer.weight.value.scalars[j], 0)
                    for (_, slot) in state.slots { XCTAssertEqual(slot.scalars[j], 0) }
                }
                XCTAssertGreaterThan(layer.weight.value.scalars.filter { $0 != 0 }.count, 0)
            }
        }
    }

    func testWeightsPrunedMidTrainingStayZeroThoughTheirMomentsWereNot() throws {
        // IMP-C and GMP prune while the optimizer holds nonzero moments for the removed weights;
        // the next steps must not move them (the mask was once skipped by the update loop).
        let makers: [(String, (Sequential<Float>) throws -> any Optimizer<Float>)] = [
            ("sgd", { try SGD<Float>(.network($0), lr: 0.1, momentum: 0.9) }),
            ("adam", { try Adam<Float>(.network($0), lr: 0.01) }),
            ("avagrad", { try AvaGrad<Float>(.network($0), lr: 0.1) }),
        ]
        for (name, make) in makers {
            let net = try smallNet()
            let opt = try make(net)
            var rng = RandomStream(seed: 3)
            let x = try Tensor<Float>.uniform([8, 1, 4, 4], using: &rng)
            let y = try Tensor<Float>(shape: [8], scalars: (0..<8).map { Float($0 % 3) })
            for _ in 0..<3 { try trainStep(opt, x: x, y: y) }
            try prune(net, amount: 0.5)
            for _ in 0..<3 { try trainStep(opt, x: x, y: y) }
            for (path, layer) in gatedLayers(net) {
                guard let mask = layer.weight.gate(HardMask<Float>.self)?.mask.value else { return XCTFail("mask") }
                let state = try XCTUnwrap(opt.core.state[path + ".weight"])
                for j in 0..<mask.count where mask.scalars[j] == 0 {
                    XCTAssertEqual(layer.weight.value.scalars[j], 0, "\(name) \(path)[\(j)]")
                    for (slot, t) in state.slots where t.count == mask.count { XCTAssertEqual(t.scalars[j], 0, "\(name) \(slot)") }
                }
            }
        }
    }

    func testCopyKeepsMasksIndependent() throws {
        let net = try smallNet()
        try prune(net, amount: 0.5)
        let copy = net.copy()
        XCTAssertEqual(copy.namedBuffers.map(\.path), ["0.mask", "3.mask", "5.mask"])
        XCTAssertEqual(sparsityReport(copy), sparsityReport(net))
        try prune(copy, amount: 0.5)
        XCTAssertNotEqual(sparsityReport(copy).kept, sparsityReport(net).kept)
        XCTAssertEqual(sparsity(of: T([4], [0, 1, 0, 2])), 0.5)
    }
}
