// Gates as a protocol: two gates stacked on one weight; masks kept through load_weights, set_params and weight decay; shared parameters; combine.
import XCTest
import Foundation
@testable import Core

/// weight · scale, with a learnable scalar `scale` under the layer's path: a second kind of gate
/// to stack on a hard mask.
final class ScaleGate: WeightGate {
    typealias Scalar = Float
    var mode: GateMode = .soft
    let scale = Param<Float>(Tensor(scalar: 2), role: Role("scale"), name: "scale")
    var kind: String { "scale" }
    var supportedModes: [GateMode] { [.soft, .off] }
    var keepMask: Tensor<Float>? { nil }
    var localParams: [(name: String, param: Param<Float>)] { [("scale", scale)] }
    func apply(to weight: Variable<Float>) throws -> Variable<Float> {
        try weight.multiplying(weight.tape.variable(for: scale))
    }
    func copy() -> any WeightGate<Float> {
        let c = ScaleGate()
        c.scale.value = scale.value
        c.mode = mode
        return c
    }
}

final class GateStackTests: XCTestCase {
    func testTwoGatesStackOnOneWeight() throws {
        let dense = try Dense<Float>(weight: T([2, 2], [1, 2, 3, 4]), bias: nil)
        let net = Sequential<Float>([dense])
        let mask = try XCTUnwrap(try addMasks(to: net).first?.mask)
        try mask.setMask(T([2, 2], [1, 0, 1, 1]), on: dense.weight)
        try dense.weight.addGate(ScaleGate())
        XCTAssertEqual(net.namedParams.map(\.path), ["0.weight", "0.scale"])
        XCTAssertEqual(net.namedBuffers.map(\.path), ["0.mask"])
        XCTAssertEqual(dense.description, "Dense(2 -> 2, mask hard, scale soft)")
        // y = x · ((W ⊙ M) · 2)
        XCTAssertEqual(try dense(T([1, 2], [1, 1])), T([1, 2], [8, 8]))
        XCTAssertEqual(sparsityReport(net).kept, 3)
        // Each gate's mode is its own; a mode no gate of that kind supports is refused.
        try dense.weight.setGateMode(.off, kind: "scale")
        XCTAssertEqual(try dense(T([1, 2], [1, 1])), T([1, 2], [4, 4]))
        XCTAssertThrowsError(try dense.weight.setGateMode(.soft, kind: "mask")) { error in
            XCTAssertEqual(String(describing: error), "mode: a mask gate accepts \"hard\" or \"off\", not \"soft\"")
        }
        XCTAssertThrowsError(try dense.weight.addGate(ScaleGate())) { error in
            XCTAssertEqual(String(describing: error), "scale: 0.weight already has a scale gate")
        }
        // The gradient reaches the gate's parameter and flows only through kept entries.
        let tape = Tape<Float>()
        try dense.weight.setGateMode(.soft, kind: "scale")
        let y = try net.forward(tape.constant(T([1, 2], [1, 1]))).sum()
        try tape.backward(from: y)
        XCTAssertEqual(net.param("0.scale")?.grad, Tensor(scalar: 8), "Σ x·(W ⊙ M)")
        XCTAssertEqual(dense.weight.grad, T([2, 2], [2, 0, 2, 2]))
        // A copy copies both gates, independent of the original.
        let copy = try XCTUnwrap(net.copy() as? Sequential<Float>)
        XCTAssertEqual(copy.namedParams.map(\.path), ["0.weight", "0.scale"])
        XCTAssertEqual(try copy(T([1, 2], [1, 1])), T([1, 2], [8, 8]))
        copy.param("0.scale")?.value = Tensor(scalar: 1)
        XCTAssertEqual(net.param("0.scale")?.value, Tensor(scalar: 2))
    }

    func testMaskedEntriesStayZeroAfterLoadWeightsAndDecay() throws {
        var rng = RandomStream(seed: 5)
        let source = Sequential<Float>([try Dense(4, 3, using: &rng)])
        try addMasks(to: source)
        // A checkpoint whose weights are non-zero where its mask is zero (as a file from elsewhere).
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gates-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let maskValue = T([4, 3], [1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0])
        try writeSafetensors([("0.weight", try Tensor<Float>(shape: [4, 3], repeating: 0.5)),
                              ("0.bias", try Tensor<Float>(shape: [3], repeating: 0)), ("0.mask", maskValue)],
                             metadata: [:], to: file)
        let net = Sequential<Float>([try Dense(4, 3, using: &rng)])
        try addMasks(to: net)
        try loadCheckpoint(net, from: file)
        let weight = try XCTUnwrap(net.param("0.weight"))
        func zerosWhereMasked() -> Bool {
            (0..<12).allSatisfy { maskValue.scalars[$0] != 0 || weight.value.scalars[$0] == 0 }
        }
        XCTAssertTrue(zerosWhereMasked(), "loading applies the loaded mask")
        let opt = try SGD<Float>(.network(net), lr: 0.1, momentum: 0.9, weightDecay: 0.5)
        let x = try Tensor<Float>.uniform([8, 4], using: &rng), y = try Tensor<Float>.uniform([8, 3], using: &rng)
        for _ in 0..<3 { try trainStep(opt, x: x, y: y) }
        XCTAssertTrue(zerosWhereMasked(), "weight decay does not regrow masked weights")
        XCTAssertEqual(weight.value.scalars.filter { $0 != 0 }.count, 7)

        try net.setParams(try Tensor<Float>(shape: [15], repeating: 1))
        XCTAssertTrue(zerosWhereMasked(), "set_params keeps masked entries at zero")
        XCTAssertEqual(net.param("0.bias")?.value, try Tensor<Float>(shape: [3], repeating: 1))
    }

    func testSharedParameterHasOneIdentity() throws {
        let layer = try Dense<Float>(weight: T([2, 2], [1, 0, 0, 1]), bias: T([2], [0.5, -0.5]))
        let net = Sequential<Float>([layer, layer])
        XCTAssertEqual(net.countParams, 6, "counted once")
        XCTAssertEqual(net.namedParams.map(\.path), ["0.weight", "0.bias"])
        XCTAssertEqual(net.paramAliases, ["0.weight": ["1.weight"], "0.bias": ["1.bias"]])
        _ = net.namedParams
        XCTAssertEqual(layer.weight.path, "0.weight", "listing never renames it")
        XCTAssertEqual(gatedLayers(net).map(\.path), ["0"])
        XCTAssertEqual(sparsityReport(net).weights, 4)

        // One step: the gradient sums both uses, and the parameter moves once.
        let x = T([1, 2], [1, 2]), y = T([1, 2], [0, 0])
        let tape = Tape<Float>()
        let l = try Loss<Float>.mse.apply(try net.forward(tape.constant(x)), y)
        try tape.backward(from: l)
        let g = try XCTUnwrap(layer.weight.grad), w0 = layer.weight.value
        let opt = try SGD<Float>(.network(net), lr: 0.1)
        try trainStep(opt, x: x, y: y)
        for i in 0..<4 { XCTAssertEqual(layer.weight.value.scalars[i], w0.scalars[i] - 0.1 * g.scalars[i], accuracy: 1e-6) }
        XCTAssertEqual(opt.core.state.keys.sorted(), ["0.bias", "0.weight"])

        // Saved once; a copy shares what the original shares.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try saveCheckpoint(net, to: file)
        XCTAssertEqual(try readSafetensors(file).tensors.map(\.name).sorted(), ["0.bias", "0.weight"])
        let copy = try XCTUnwrap(net.copy() as? Sequential<Float>)
        XCTAssertEqual(copy.countParams, 6)
        XCTAssertTrue(copy.layers[0] === copy.layers[1])
        XCTAssertNoThrow(try loadCheckpoint(copy, from: file))
    }

    func testCombineRoutesRolesToOptimizers() throws {
        let layer = try Dense<Float>(weight: T([2, 1], [1, 1]), bias: T([1], [0]))
        let adam = try Adam<Float>(.network(layer), lr: 0.01)
        adam.core.roles = [.weight]
        let sgd = try SGD<Float>(.network(layer), lr: 20)
        sgd.core.roles = [.bias]
        let both = try Combined<Float>([adam, sgd])
        layer.weight.grad = T([2, 1], [0.5, -2])
        layer.bias?.grad = T([1], [0.01])
        try both.step()
        // Adam's first step moves each weight by lr·sign(g); SGD moves the bias by 20 · 0.01.
        XCTAssertEqual(layer.weight.value.scalars[0], 0.99, accuracy: 1e-6)
        XCTAssertEqual(layer.weight.value.scalars[1], 1.01, accuracy: 1e-6)
        XCTAssertEqual(layer.bias?.value.scalars[0] ?? 0, -0.2, accuracy: 1e-6)
        XCTAssertEqual(both.core.steps, 1)
        XCTAssertEqual(adam.core.steps, 1)
        XCTAssertEqual(both.lr, 0.01)
        XCTAssertThrowsError(try Combined<Float>([adam, try SGD<Float>(.network(layer))])) { error in
            XCTAssertEqual(String(describing: error),
                "combine: weight would be updated by optimizer 0 (adam) and optimizer 1 (sgd); give each a different `only:`")
        }
        // It trains through trainStep like any optimizer.
        let loss = try trainStep(both, x: T([2, 2], [1, 0, 0, 1]), y: T([2, 1], [0, 0]))
        XCTAssertTrue(loss.isFinite)
    }
}
