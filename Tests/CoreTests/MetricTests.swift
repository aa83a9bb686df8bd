// Metrics: accuracy, evaluate (with mode restore), R² and F1 against hand-computed values.
import XCTest
@testable import Core

final class MetricTests: XCTestCase {
    func testAccuracyOfLogits() throws {
        let logits = T([4, 3], [0.1, 0.9, 0, 2, 1, 0, 0, 0, 1, 0.5, 0.4, 0.1])
        XCTAssertEqual(try accuracy(logits: logits, labels: T([4], [1, 0, 1, 0])), 0.75)
        XCTAssertThrowsError(try accuracy(logits: logits, labels: T([3], [1, 0, 1])))
    }

    func testR2AndF1() throws {
        // sklearn: r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) = 0.9486081370449679
        XCTAssertEqual(try r2(T([4], [2.5, 0, 2, 8]), T([4], [3, -0.5, 2, 7])), 0.9486081370449679, accuracy: 1e-6)
        // Binary: tp 2, fp 1, fn 1 → 2·2 / (4 + 1 + 1) = 2/3.
        XCTAssertEqual(try f1(T([5], [1, 1, 0, 1, 0]), T([5], [1, 0, 0, 1, 1])), 2.0 / 3.0, accuracy: 1e-12)
        // Macro over classes 0, 1, 2: sklearn f1_score([0,1,2,0,1,2], [0,2,1,0,0,1], average="macro") = 0.26666…
        XCTAssertEqual(try f1(T([6], [0, 2, 1, 0, 0, 1]), T([6], [0, 1, 2, 0, 1, 2])), 0.26666666666666666, accuracy: 1e-12)
    }

    func testEvaluateRestoresModes() throws {
        var rng = RandomStream(seed: 1)
        let net = Sequential<Float>([try Dense(2, 3, using: &rng), try Dropout(0.5, using: &rng)])
        let data = try TensorData(x: T([4, 2], [1, 0, 0, 1, 1, 1, 0, 0]), y: T([4], [0, 1, 2, 0]))
        let result = try evaluate(net, on: data, batchSize: 3)
        XCTAssertTrue(net.layers[1].isTraining, "evaluate restores training mode")
        let logits = try inEvalMode(net) { try net(data.x) }
        let expectedAccuracy = try accuracy(logits: logits, labels: data.y)
        XCTAssertEqual(result.accuracy, expectedAccuracy)
        let tape = Tape<Float>(recording: false)
        let expectedLoss = try tape.constant(logits).crossEntropy(labels: data.y).value.scalars[0]
        XCTAssertEqual(result.loss, Double(expectedLoss), accuracy: 1e-6)
        XCTAssertEqual(try accuracy(net, on: data), expectedAccuracy)
        net.eval()
        _ = try evaluate(net, on: data)
        XCTAssertFalse(net.layers[1].isTraining, "and eval mode too")
    }
}
