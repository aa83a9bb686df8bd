// The open training step: a test-only hook (L1 penalty + projection) driven through fit and step; epoch and round hooks; the loop runner.
import XCTest
import Runtime
@testable import Core

/// An L1 penalty λ‖w‖₁ on one parameter and a projection of it onto [−c, c] after each update:
/// what a method adds, written against the protocol alone.
final class L1AndClamp: TrainingHook {
    typealias Scalar = Float
    let target: Param<Float>
    let lambda: Float, bound: Float
    var epochs = 0, rounds = 0

    init(_ target: Param<Float>, lambda: Float, bound: Float) {
        self.target = target
        self.lambda = lambda
        self.bound = bound
    }

    var hookName: String { "l1" }

    func penalty(on tape: Tape<Float>, context: HookContext<Float>) throws -> Variable<Float>? {
        lambda * (try tape.variable(for: target).abs().sum())
    }

    func afterUpdate(_ context: HookContext<Float>) throws -> Report {
        var clipped = 0
        target.value = target.value.map { v in
            if Swift.abs(v) > bound { clipped += 1 }
            return Swift.min(bound, Swift.max(-bound, v))
        }
        return Report([("clipped", .int(clipped)), ("step", .int(context.step))])
    }

    func epochEnded(_ context: HookContext<Float>) throws -> Report {
        epochs += 1
        return Report([("epoch", .int(context.epoch))])
    }

    func roundEnded(_ context: HookContext<Float>) throws -> Report {
        rounds += 1
        return Report([("rounds", .int(rounds))])
    }
}

/// An optimizer wrapper that is a hook: how a method's controller (cs(adam(...))) plugs in.
final class HookedSGD: ElementwiseOptimizer {
    typealias Scalar = Float
    let inner: SGD<Float>
    let hook: L1AndClamp
    init(_ inner: SGD<Float>, _ hook: L1AndClamp) {
        self.inner = inner
        self.hook = hook
    }
    var core: OptimizerCore<Float> { inner.core }
    var name: String { "hooked" }
    var description: String { "hooked" }
    var hookProviders: [AnyObject] { [hook] }
    func update(_ value: inout Tensor<Float>, grad: Tensor<Float>, state: ParamState<Float>,
                group: ParamGroup<Float>, lr: Double) throws -> UpdateSize {
        try inner.update(&value, grad: grad, state: state, group: group, lr: lr)
    }
}

final class TrainingHookTests: XCTestCase {
    func regression() throws -> (Dense<Float>, Dataset) {
        var rng = RandomStream(seed: 4)
        let net = try Dense<Float>(3, 1, using: &rng)
        let x = try Tensor<Float>.uniform([16, 3], using: &rng)
        let y = try x.matmul(T([3, 1], [2, -3, 0.5]))
        return (net, try Dataset(x: x, y: y))
    }

    func testPenaltyAndProjectionThroughStepWithoutTouchingIt() throws {
        let (net, data) = try regression()
        let hook = L1AndClamp(net.weight, lambda: 0.5, bound: 0.25)
        let opt = HookedSGD(try SGD(.network(net), lr: 0.1), hook)
        net.weight.value = T([3, 1], [0.1, -0.2, 0.3])
        net.bias?.value = T([1], [0])
        let x = data.x, y = data.y

        // The gradient of the objective is the data loss' plus λ·sign(w).
        let tape = Tape<Float>()
        let mse = try Loss<Float>.mse.apply(try net.forward(tape.constant(x)), y)
        try tape.backward(from: mse)
        let dataGrad = try XCTUnwrap(net.weight.grad)
        let dataLoss = Double(mse.value.scalars[0])

        let loss = try trainStep(opt, x: x, y: y)
        XCTAssertEqual(loss, dataLoss, accuracy: 1e-6, "the reported loss is the data loss")
        let expected = zip(zip([0.1, -0.2, 0.3] as [Float], dataGrad.scalars), [1, -1, 1] as [Float]).map { wg, s in
            Swift.min(0.25, Swift.max(-0.25, wg.0 - 0.1 * (wg.1 + 0.5 * s)))
        }
        for (a, b) in zip(net.weight.value.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let record = try XCTUnwrap(opt.lastStep)
        XCTAssertEqual(record.hooks.map(\.hook), ["l1"])
        let report = record.hooks[0].report
        guard case .number(let penalty)? = report["penalty"] else { return XCTFail("no penalty reported") }
        XCTAssertEqual(penalty, 0.5 * 0.6, accuracy: 1e-6, "λ‖w‖₁ before the step")
        XCTAssertEqual(report["step"], .int(1))
        XCTAssertNotNil(report["clipped"])
    }

    func testHooksRunThroughFitAndRounds() throws {
        let (net, data) = try regression()
        let hook = L1AndClamp(net.weight, lambda: 0.01, bound: 0.5)
        let opt = HookedSGD(try SGD(.network(net), lr: 0.05), hook)
        let run = try fit(net, data: data, optimizer: opt, settings: FitSettings(epochs: 3, batchSize: 4))
        XCTAssertEqual(hook.epochs, 3)
        XCTAssertEqual(run.history.map { $0.hooks.first?.report["epoch"] }, [.int(1), .int(2), .int(3)])
        XCTAssertEqual(opt.lastStep?.hooks.first?.report["step"], .int(12), "4 batches × 3 epochs")
        for v in net.weight.value.scalars { XCTAssertLessThanOrEqual(Swift.abs(v), 0.5) }
        let reports = try endRound(net: net, optimizer: opt)
        XCTAssertEqual(reports, [HookReport(hook: "l1", report: Report([("rounds", .int(1))]))])
    }

    func testStepFromGradientsRunsTheProjection() throws {
        let (net, _) = try regression()
        let hook = L1AndClamp(net.weight, lambda: 0, bound: 0.01)
        let opt = HookedSGD(try SGD(.network(net), lr: 0.1), hook)
        net.weight.grad = T([3, 1], [-10, 10, 0])
        net.bias?.grad = T([1], [0])
        try optimizerStep(opt)
        XCTAssertEqual(net.weight.value.scalars.map { Swift.abs($0) <= 0.01 }, [true, true, true])
        XCTAssertEqual(opt.lastStep?.hooks.first?.report["clipped"], .int(3))
    }

    func testGatesAndLayersAreFoundAsHooks() throws {
        let (net, _) = try regression()
        let gate = CountingGate(shape: net.weight.value.shape)
        try net.weight.addGate(gate)
        let opt = try SGD<Float>(.network(net), lr: 0.01)
        let hooks = trainingHooks(net: net, optimizer: opt)
        XCTAssertEqual(hooks.map(\.hookName), ["counting"])
    }

    func testNonFinitePenaltyStopsBeforeTheUpdate() throws {
        let (net, data) = try regression()
        let hook = L1AndClamp(net.weight, lambda: .infinity, bound: 1)
        let opt = HookedSGD(try SGD(.network(net), lr: 0.1), hook)
        let before = net.weight.value
        XCTAssertThrowsError(try trainStep(opt, x: data.x, y: data.y))
        XCTAssertEqual(net.weight.value, before)
    }

    func testLoopRunnerStopsOnNaNAndOnCancel() throws {
        let run = Run()
        let runner = LoopRunner(label: "search", run: run, guardMetric: "f")
        var calls = 0
        XCTAssertThrowsError(try runner(count: 10) { i in
            calls += 1
            run.append(Report([("i", .int(i))]))
            return LoopStep(metrics: [("f", i == 3 ? .nan : Double(i))])
        }) { error in
            XCTAssertEqual(String(describing: error), "the f became nan at step 4")
        }
        XCTAssertEqual(calls, 4)
        XCTAssertEqual(run.records.count, 4)
        XCTAssertEqual(run.stopReason, "the f became nan at step 4")

        let done = try LoopRunner(label: "x", run: Run())(count: 100) { i in LoopStep(isDone: i == 4) }
        XCTAssertEqual(done, 5, "an iteration can end the loop")

        let cancelled = Run()
        let token = CancellationToken()
        XCTAssertThrowsError(try LoopRunner(label: "c", run: cancelled, token: token)(count: 100) { i in
            if i == 2 { token.cancel() }
            return LoopStep()
        }) { error in XCTAssertTrue(error is Interrupted) }
        XCTAssertEqual(cancelled.stopReason?.contains("after step 3"), true)
    }
}

/// A gate that changes nothing and counts its steps: a hook found through the parameter.
final class CountingGate: WeightGate, TrainingHook {
    typealias Scalar = Float
    var mode: GateMode = .soft
    let shape: [Int]
    var steps = 0
    init(shape: [Int]) { self.shape = shape }
    var kind: String { "counting" }
    var hookName: String { "counting" }
    var supportedModes: [GateMode] { [.soft, .off] }
    var keepMask: Tensor<Float>? { nil }
    func apply(to weight: Variable<Float>) throws -> Variable<Float> { weight }
    func copy() -> any WeightGate<Float> { CountingGate(shape: shape) }
    func afterUpdate(_ context: HookContext<Float>) throws -> Report {
        steps += 1
        return Report([("steps", .int(steps))])
    }
}
