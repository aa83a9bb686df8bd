// Teaching hooks: each optimizer, gate, layer, run and data set explains itself with live numbers.
import XCTest
@testable import Core

final class ExplanationTests: XCTestCase {
    func number(_ e: Explanation, _ name: String) -> String? { e.numbers.first { $0.name == name }?.value }

    func testNumbersAreFormattedForReading() {
        XCTAssertEqual(Explanation.format(320), "320")
        XCTAssertEqual(Explanation.format(0.001), "0.001")
        XCTAssertEqual(Explanation.format(0.123456), "0.1235")
        XCTAssertEqual(Explanation.format(1e-8), "1.000e-08")
        XCTAssertEqual(Explanation.format(.nan), "nan")
    }

    func testSGDExplainsItsRuleAndLiveNumbersWordForWord() throws {
        let w = Param(T([2], [3, 4]), role: .weight, name: "w")
        w.grad = T([2], [0.6, 0.8])
        let opt = try SGD<Float>(.params([w]), lr: 0.5, momentum: 0.9)
        try opt.step()
        XCTAssertEqual(opt.explanation.text, """
            SGD: stochastic gradient descent (Robbins & Monro 1951), with optional (Nesterov) momentum.
                g ← ∇L + λ·w (λ on weights only);  b ← μ·b + g
                w ← w − lr · (Nesterov ? g + μ·b : b)   (b = g without momentum)
              lr                 0.5
              momentum           0.9
              nesterov           false
              weight_decay       0
              steps              1
              parameter tensors  1
              last grad_norm     1
              last update_norm   0.5
              ‖momentum buffer‖  1
            """)
    }

    func testAdamShowsTheNormsOfItsMomentsAfterOneStep() throws {
        let w = Param(T([2], [1, -1]), role: .weight, name: "w")
        w.grad = T([2], [3, 4])
        let opt = try Adam<Float>(.params([w]), lr: 0.01)
        XCTAssertEqual(number(opt.explanation, "‖m‖ (first moment)"), "0")
        try opt.step()
        let e = opt.explanation
        XCTAssertEqual(e.title, "Adam")
        XCTAssertEqual(number(e, "steps"), "1")
        // After one step m = (1 − β₁)·g and v = (1 − β₂)·g²: ‖m‖ = 0.1·5, ‖v‖ = 0.001·√(81 + 256).
        XCTAssertEqual(number(e, "‖m‖ (first moment)"), "0.5")
        XCTAssertEqual(number(e, "‖v‖ (second moment)"), Explanation.format(0.001 * 337.0.squareRoot()))
        let adamW = try Adam<Float>.adamW(.params([w]))
        XCTAssertEqual(adamW.explanation.title, "AdamW")
        XCTAssertEqual(number(adamW.explanation, "weight_decay"), "0.01")
    }

    func testAMaskedDenseLayerExplainsItsMaskWithTheKeptCount() throws {
        var rng = RandomStream(seed: 1)
        let layer = try Dense<Float>(2, 3, using: &rng)
        let net = Sequential<Float>([layer])
        guard let mask = try addMasks(to: net).first?.mask else { return XCTFail("no mask") }
        try mask.setMask(T([2, 3], [1, 0, 0, 1, 0, 1]), on: layer.weight)
        let e = layer.explanation
        XCTAssertEqual(e.title, "Dense(2 -> 3, bias, mask hard)")
        XCTAssertEqual(number(e, "params"), "9")
        XCTAssertEqual(number(e, "zero weights"), "0.5")
        XCTAssertEqual(e.parts.count, 1)
        XCTAssertEqual(number(e.parts[0], "kept"), "3 of 6")
        XCTAssertEqual(number(e.parts[0], "sparsity"), "0.5")
        XCTAssertTrue(e.text.contains("\n    kept      3 of 6"), e.text)
        XCTAssertEqual(number(net.explanation, "(0)"), "Dense(2 -> 3, bias, mask hard)")
    }

    func testEveryLayerKindExplainsItself() throws {
        var rng = RandomStream(seed: 2)
        let layers: [any Layer<Float>] = [
            try Conv2D<Float>(1, 2, kernel: 3, using: &rng), try MaxPool<Float>(2), try AvgPool<Float>(2),
            Flatten<Float>(), ReLU<Float>(), Sigmoid<Float>(), Tanh<Float>(), Softmax<Float>(),
            try Dropout<Float>(0.5, using: &rng), try BatchNorm<Float>(2), Residual<Float>(ReLU<Float>()),
        ]
        for layer in layers {
            guard let e = (layer as? any Explainable)?.explanation else { return XCTFail("\(layer) cannot explain itself") }
            XCTAssertTrue(e.title.hasPrefix(layer.kind), e.title)
            XCTAssertFalse(e.formula.isEmpty, e.title)
        }
        let conv = try XCTUnwrap(layers[0] as? Conv2D<Float>)
        XCTAssertEqual(number(conv.explanation, "params"), "20")
        XCTAssertEqual(number(conv.explanation, "padding"), "\"same\"")
    }

    func testARunAndADatasetExplainTheirFigures() throws {
        let data = try Dataset(x: T([4, 1], [0, 1, 2, 3]), y: T([4], [0, 1, 0, 1]), classCount: 2)
        XCTAssertEqual(number(data.explanation, "examples"), "4")
        XCTAssertEqual(number(data.explanation, "classes"), "2")
        var rng = RandomStream(seed: 3)
        let net = Sequential<Float>([try Dense<Float>(1, 2, using: &rng)])
        let opt = try SGD<Float>(.network(net), lr: 0.1)
        let run = Run()
        _ = try fit(net, data: data, optimizer: opt, settings: FitSettings(epochs: 2, batchSize: 2), into: run)
        let e = run.explanation
        XCTAssertEqual(number(e, "epochs"), "2")
        XCTAssertEqual(number(e, "complete"), "true")
        XCTAssertEqual(number(e, "last loss"), Explanation.format(run.loss[1]))
    }
}
