// The adaptive optimizers of the thesis' chapter 6: one step by hand, masks, convergence, the §6.5.1 problem, adaptivity.
import XCTest
@testable import Core

final class AdaptiveOptimizerTests: XCTestCase {
    /// One weight tensor with a value and a gradient.
    func weight(_ w: [Float], _ g: [Float], name: String = "w") -> Param<Float> {
        let p = Param(T([w.count], w), role: .weight, name: name)
        p.grad = T([g.count], g)
        return p
    }

    func testAMSGradDividesByTheLargestSecondMoment() throws {
        let p = weight([1], [0.2])
        let opt = try AMSGrad<Float>(.params([p]), lr: 0.01)
        try opt.step()
        // First step: m = 0.02, v = v_max = 4e-5; 0.01/0.1 · 0.02 / (√(4e-5/0.001) + 1e-8) = 0.01.
        XCTAssertEqual(Double(p.value.scalars[0]), 1 - 0.01 * 0.02 / 0.1 / (0.2 + 1e-8), accuracy: 1e-6)
        // Second step with g = 0: v decays to 3.996e-5 but v_max keeps 4e-5 (Adam would use v).
        p.grad = T([1], [0])
        let before = Double(p.value.scalars[0])
        try opt.step()
        let m = 0.9 * 0.02, vMax = 0.001 * 0.04, c1 = 1 - 0.81, c2 = 1 - 0.999 * 0.999
        XCTAssertEqual(Double(p.value.scalars[0]), before - 0.01 / c1 * m / ((vMax / c2).squareRoot() + 1e-8), accuracy: 1e-6)
        let state = try XCTUnwrap(opt.core.state["w"])
        XCTAssertEqual(Double(state.slots["max_exp_avg_sq"]?.scalars[0] ?? 0), 4e-5, accuracy: 1e-9)
        XCTAssertEqual(Double(state.slots["exp_avg_sq"]?.scalars[0] ?? 0), 0.999 * 4e-5, accuracy: 1e-9)
    }

    func testAdaBoundBoundsAtOneAndAThousandSteps() throws {
        let p = weight([1], [0.2])
        let opt = try AdaBound<Float>(.params([p]), lr: 1e-3)
        let (lo1, hi1) = opt.bounds(step: 1, lr: 1e-3)
        XCTAssertEqual(lo1, 0.1 * (1 - 1 / 1.001), accuracy: 1e-12)
        XCTAssertEqual(hi1, 0.1 * 1001, accuracy: 1e-9)
        let (lo, hi) = opt.bounds(step: 1000, lr: 1e-3)
        XCTAssertEqual(lo, 0.05, accuracy: 1e-12)
        XCTAssertEqual(hi, 0.2, accuracy: 1e-12)
        // A schedule's rate (lr moved away from the base rate) moves the bounds with it.
        opt.core.lr = 1e-4
        XCTAssertEqual(opt.bounds(step: 1000, lr: 1e-4).upper, 0.02, accuracy: 1e-12)
        opt.core.lr = 1e-3
        // t = 1: rate 1e-3·√0.001/0.1 / (√4e-5 + 1e-8) = 0.05 lies inside the bounds: w −= 0.05·m.
        try opt.step()
        XCTAssertEqual(Double(p.value.scalars[0]), 1 - 1e-3 * 0.001.squareRoot() / 0.1 / ((4e-5).squareRoot() + 1e-8) * 0.02, accuracy: 1e-6)
        // t = 1000 with g = 2: the rate 7.95e-4/0.0632 = 0.0126 is clipped up to 0.05.
        let q = weight([1], [2])
        let late = try AdaBound<Float>(.params([q]), lr: 1e-3)
        late.core.state(for: "w").step = 999
        try late.step()
        XCTAssertEqual(Double(q.value.scalars[0]), 1 - 0.05 * 0.2, accuracy: 1e-6)
        // A large rate at t = 1 is clipped down to the upper bound 100.1.
        let r = weight([1], [0.2])
        let early = try AdaBound<Float>(.params([r]), lr: 10)
        try early.step()
        XCTAssertEqual(Double(r.value.scalars[0]), 1 - 0.1 * 1001 * 0.02, accuracy: 1e-4)
        // AMSBound keeps the maximum.
        let s = weight([1], [0.2])
        let ams = try AdaBound<Float>(.params([s]), amsbound: true)
        try ams.step()
        XCTAssertEqual(ams.core.state["w"]?.slots.keys.sorted(), ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"])
    }

    func testDelayedAdamUpdatesTheSecondMomentAfterTheStep() throws {
        let p = weight([1], [0.2])
        let opt = try DelayedAdam<Float>(.params([p]), lr: 0.01)
        try opt.step()
        XCTAssertEqual(p.value.scalars[0], 1, "the reference form's first step only fills the moments")
        p.grad = T([1], [1])
        try opt.step()
        // m = 0.9·0.02 + 0.1 = 0.118; the denominator uses v₁ = 4e-5 (bias-corrected: 0.2), not v₂.
        XCTAssertEqual(Double(p.value.scalars[0]), 1 - 0.01 / 0.19 * 0.118 / (0.2 + 1e-8), accuracy: 1e-6)
        XCTAssertEqual(Double(opt.core.state["w"]?.slots["exp_avg_sq"]?.scalars[0] ?? 0), 0.999 * 4e-5 + 0.001, accuracy: 1e-7)
        // Algorithm 6 as printed: no corrections, and the first step divides by √v₀ + ε = ε.
        let q = weight([1], [0.2])
        let thesis = try DelayedAdam<Float>(.params([q]), lr: 0.01, eps: 1, form: .thesis)
        try thesis.step()
        XCTAssertEqual(Double(q.value.scalars[0]), 1 - 0.01 * 0.02, accuracy: 1e-7)
        q.grad = T([1], [1])
        try thesis.step()
        XCTAssertEqual(Double(q.value.scalars[0]), 1 - 0.01 * 0.02 - 0.01 * 0.118 / ((4e-5).squareRoot() + 1), accuracy: 1e-6)
    }

    func testAvaGradFirstStepIsANoOpAndGammaSpansTheGroup() throws {
        let a = weight([1, 2], [0.1, 0.2], name: "a")
        let b = Param(T([1], [3]), role: .bias, name: "b")
        b.grad = T([1], [0.4])
        let opt = try AvaGrad<Float>(.params([a, b]))
        try opt.step()
        XCTAssertEqual(a.value.scalars, [1, 2])
        XCTAssertEqual(b.value.scalars, [3])
        XCTAssertEqual(opt.lastStep?.updateNorm, 0)
        try opt.step()
        // η from v₁ bias-corrected: √(v/0.001) = |g|, η = 1/(|g| + 0.1) = [5, 10/3, 2] over both
        // tensors (the weight and the bias share one γ).
        let eta = [5.0, 10.0 / 3, 2], gamma = 1 / (eta.map { $0 * $0 }.reduce(0, +) / 3).squareRoot()
        XCTAssertEqual(try XCTUnwrap(opt.gamma), gamma, accuracy: 1e-5)
        // m₂ = 0.19·g and m̂ = g: w −= γ·lr·g·η.
        XCTAssertEqual(Double(a.value.scalars[0]), 1 - gamma * 0.1 * 0.1 * 5, accuracy: 1e-6)
        XCTAssertEqual(Double(a.value.scalars[1]), 2 - gamma * 0.1 * 0.2 * eta[1], accuracy: 1e-6)
        XCTAssertEqual(Double(b.value.scalars[0]), 3 - gamma * 0.1 * 0.4 * 2, accuracy: 1e-6)
        // The next step's γ is the one the reference code keeps in group['gamma'], from v₂.
        let v2 = [0.1, 0.2, 0.4].map { 0.999 * 0.001 * $0 * $0 + 0.001 * $0 * $0 }
        let c2 = 1 - 0.999 * 0.999
        let next = 1 / (v2.map { 1 / pow(($0 / c2).squareRoot() + 0.1, 2) }.reduce(0, +) / 3).squareRoot()
        XCTAssertEqual(try XCTUnwrap(opt.adaptivity()?.gamma), next, accuracy: 1e-5)
        // explain shows the same γ and one line per parameter.
        let e = opt.explanation
        XCTAssertEqual(e.title, "AvaGrad")
        XCTAssertEqual(e.numbers.first { $0.name == "γ (1/rms of η)" }?.value, Explanation.format(next))
        XCTAssertEqual(e.numbers.first { $0.name == "rates for" }?.value, "next step")
        XCTAssertEqual(e.parts.map(\.title), ["a", "b"])
    }

    /// Σ η² over a tensor large enough to be split over the cores, with and without a mask, against
    /// a plain Double loop.
    func testAvaGradSumOfSquaredRatesOnALargeTensor() throws {
        var rng = RandomStream(seed: 5)
        let n = 200_003
        let v = Tensor<Float>(uncheckedShape: [n], scalars: (0..<n).map { _ in Float(rng.nextDouble() * 1e-2) })
        let keep = Tensor<Float>(uncheckedShape: [n], scalars: (0..<n).map { $0 % 3 == 0 ? 0 : 1 })
        func expected(_ kept: (Int) -> Bool) -> (Double, Int) {
            var sum = 0.0, count = 0
            for i in 0..<n where kept(i) {
                let eta = 1 / (Double(v.scalars[i]).squareRoot() / 0.5 + 0.1)
                sum += eta * eta
                count += 1
            }
            return (sum, count)
        }
        let all = AvaGrad<Float>.sumOfSquaredRates(v, keep: nil, root: 0.5, eps: 0.1)
        let (sum, count) = expected { _ in true }
        XCTAssertEqual(all.count, count)
        XCTAssertEqual(all.sum, sum, accuracy: 1e-5 * sum)
        let masked = AvaGrad<Float>.sumOfSquaredRates(v, keep: keep, root: 0.5, eps: 0.1)
        let (maskedSum, maskedCount) = expected { $0 % 3 != 0 }
        XCTAssertEqual(masked.count, maskedCount)
        XCTAssertEqual(masked.sum, maskedSum, accuracy: 1e-5 * maskedSum)
    }

    func testAvaGradThesisFormAndDecoupledDecay() throws {
        // Algorithm 7: η₁ = 1/ε everywhere, γ = ε, so the first step is lr·m = lr·(1−β₁)·g.
        let p = weight([1, 2], [0.5, -1])
        let thesis = try AvaGrad<Float>(.params([p]), lr: 0.1, form: .thesis)
        try thesis.step()
        XCTAssertEqual(try XCTUnwrap(thesis.gamma), 0.1, accuracy: 1e-7)
        XCTAssertEqual(Double(p.value.scalars[0]), 1 - 0.1 * 0.05, accuracy: 1e-7)
        XCTAssertEqual(Double(p.value.scalars[1]), 2 + 0.1 * 0.1, accuracy: 1e-7)
        // AvaGradW: w·(1 − lr·λ) before the step, on steps that move, with lr and not γ·lr.
        let q = weight([2], [0])
        let w = try AvaGrad<Float>.avaGradW(.params([q]), lr: 0.1, weightDecay: 0.5)
        try w.step()
        XCTAssertEqual(q.value.scalars[0], 2, "no decay on the step that does not move")
        try w.step()
        XCTAssertEqual(Double(q.value.scalars[0]), 2 * (1 - 0.05), accuracy: 1e-6)
        XCTAssertEqual(w.description, "avagradw(lr: 0.1, betas: (0.9, 0.999), eps: 0.1, weight_decay: 0.5, form: \"reference\")")
    }

    func testAdamWithADynamicEpsScalesTheRate() throws {
        let p = weight([1], [0.5])
        let opt = try Adam<Float>(.params([p]), lr: 0.01, beta1: 0)
        opt.epsSchedule = EpsSchedule { t in pow(Double(t), 1.5) }
        try opt.step()
        // ε₁ = 1 and α₁ = lr: w −= 0.01 · 0.5 / (0.5 + 1).
        XCTAssertEqual(Double(p.value.scalars[0]), 1 - 0.01 * 0.5 / 1.5, accuracy: 1e-7)
        let after1 = Double(p.value.scalars[0])
        try opt.step()
        // ε₂ = 2^1.5, α₂ = lr·ε₂/ε₁; v̂₂ = g² (a constant gradient).
        let e2 = pow(2.0, 1.5)
        XCTAssertEqual(Double(p.value.scalars[0]), after1 - 0.01 * e2 * 0.5 / (0.5 + e2), accuracy: 1e-6)
        XCTAssertEqual(opt.adaptivity()?.eps ?? 0, e2, accuracy: 1e-12)
        let bad = try Adam<Float>(.params([weight([1], [1])]))
        bad.epsSchedule = EpsSchedule { _ in -1 }
        XCTAssertThrowsError(try bad.step()) { error in
            XCTAssertEqual(String(describing: error), "adam: eps_schedule must give a positive number, got -1.0 at step 1")
        }
    }

    /// Adam with α = γε and a huge ε is SGD with heavy-ball momentum at lr γ(1−β₁) (spec §B2, test E6);
    /// AvaGrad at a huge ε is the same SGD with α in place of γ.
    func testHugeEpsTurnsAdamAndAvaGradIntoMomentumSGD() throws {
        var rng = RandomStream(seed: 7)
        let grads = (0..<300).map { _ in [rng.nextDouble() - 0.5, 2 * rng.nextDouble() - 1] }
        func updates(_ make: ([Param<Double>]) throws -> any Optimizer<Double>) throws -> [[Double]] {
            let p = Param(Tensor<Double>(uncheckedShape: [2], scalars: [1, -1]), role: .weight, name: "w")
            let opt = try make([p])
            return try grads.map { g in
                let before = p.value.scalars
                p.grad = Tensor(uncheckedShape: [2], scalars: g)
                try opt.step()
                return zip(p.value.scalars, before).map { $0 - $1 }
            }
        }
        let gamma = 0.05, eps = 1e6
        let adam = try updates { try Adam<Double>(.params($0), lr: gamma * eps, eps: eps) }
        let sgd = try updates { try SGD<Double>(.params($0), lr: gamma * 0.1, momentum: 0.9) }
        let ava = try updates { try AvaGrad<Double>(.params($0), lr: gamma, eps: eps) }
        for t in 200..<300 {
            for i in 0..<2 {
                XCTAssertEqual(adam[t][i], sgd[t][i], accuracy: 1e-4 * abs(sgd[t][i]), "adam step \(t)")
                // AvaGrad's first step does not move, so its momentum is one gradient behind SGD's.
                XCTAssertEqual(ava[t][i], sgd[t][i] - gamma * 0.1 * pow(0.9, Double(t)) * grads[0][i],
                               accuracy: 1e-4 * abs(sgd[t][i]), "avagrad step \(t)")
            }
        }
    }

    func testMaskedEntriesAndTheirMomentsStayZeroUnderEach() throws {
        let makers: [(String, (any Layer<Float>) throws -> any Optimizer<Float>)] = [
            ("amsgrad", { try AMSGrad(.network($0), lr: 0.01, weightDecay: 0.01) }),
            ("adabound", { try AdaBound(.network($0), lr: 0.01) }),
            ("amsbound", { try AdaBound(.network($0), lr: 0.01, amsbound: true) }),
            ("delayed_adam", { try DelayedAdam(.network($0), lr: 0.01) }),
            ("delayed_adam thesis", { try DelayedAdam(.network($0), lr: 0.01, eps: 0.1, form: .thesis) }),
            ("avagrad", { try AvaGrad(.network($0), weightDecay: 0.01) }),
            ("avagradw", { try AvaGrad.avaGradW(.network($0), weightDecay: 0.01) }),
            ("avagrad thesis", { try AvaGrad(.network($0), form: .thesis) }),
        ]
        for (name, make) in makers {
            var rng = RandomStream(seed: 1)
            let net = Sequential<Float>([try Conv2D(1, 2, kernel: 2, using: &rng), ReLU(), Flatten(),
                                         try Dense(32, 8, using: &rng), ReLU(), try Dense(8, 3, using: &rng)])
            try prune(net, amount: 0.6)
            let opt = try make(net)
            let x = try Tensor<Float>.uniform([8, 1, 4, 4], using: &rng)
            let y = try Tensor<Float>(shape: [8], scalars: (0..<8).map { Float($0 % 3) })
            for _ in 0..<4 { try trainStep(opt, x: x, y: y) }
            var masked = 0
            for (path, param) in net.namedParams {
                guard let keep = param.keepMask else { continue }
                let state = try XCTUnwrap(opt.core.state[path], name)
                for j in 0..<keep.count where keep.scalars[j] == 0 {
                    masked += 1
                    XCTAssertEqual(param.value.scalars[j], 0, name)
                    for (slot, tensor) in state.slots { XCTAssertEqual(tensor.scalars[j], 0, "\(name) \(slot)") }
                }
                XCTAssertGreaterThan(param.value.scalars.filter { $0 != 0 }.count, 0, name)
            }
            XCTAssertGreaterThan(masked, 100, name)
            // The masked entries are left out of the rates (their v = 0 would give η = 1/ε).
            let figures = try XCTUnwrap((opt as? any AdaptiveOptimizer<Float>)?.adaptivity(), name)
            XCTAssertEqual(figures.overall.count, count(net) - masked, name)
        }
    }

    func count(_ net: any Layer<Float>) -> Int { net.namedParams.reduce(0) { $0 + $1.param.value.count } }

    func testEachConvergesOnAQuadratic() throws {
        let makers: [([Param<Float>]) throws -> any Optimizer<Float>] = [
            { try AMSGrad(.params($0), lr: 0.05) },
            { try AdaBound(.params($0), lr: 0.05, finalLR: 0.1) },
            { try AdaBound(.params($0), lr: 0.05, finalLR: 0.1, amsbound: true) },
            { try DelayedAdam(.params($0), lr: 0.05) },
            { try AvaGrad(.params($0), lr: 0.5) },
            { try AvaGrad.avaGradW(.params($0), lr: 0.5, form: .thesis) },
            { let o = try Adam(.params($0), lr: 0.05); o.epsSchedule = EpsSchedule { Double($0).squareRoot() * 1e-3 }; return o },
        ]
        for make in makers {
            let w = Param(T([3], [3, -2, 2]), role: .weight, name: "w")
            let opt = try make([w])
            let target = T([3], [1, 1, 1])
            for _ in 0..<400 {
                _ = try valueAndGradient(of: { tape in try tape.variable(for: w).mse(target: target) }, for: [w])
                try opt.step()
            }
            for v in w.value.scalars { XCTAssertEqual(v, 1, accuracy: 2e-2, opt.description) }
        }
    }

    /// §6.5.1 / B9 in 10⁴ steps: f_s = 999w²/2 with probability 1/500, else −w, on [0, 1] from w = 1,
    /// β₁ = 0, β₂ = 0.99, ε = 1e-8, α = 1e-4. Adam stays pinned at 1 (‖∇f‖² = 1); Delayed Adam leaves.
    func testSyntheticProblemSeparatesAdamFromDelayedAdam() throws {
        func runningMean(_ make: ([Param<Float>]) throws -> any Optimizer<Float>) throws -> (mean: Double, w: Double) {
            let w = Param(T([1], [1]), role: .weight, name: "w")
            let opt = try make([w])
            var rng = RandomStream(seed: 11)
            var sum = 0.0
            let steps = 10_000
            for _ in 0..<steps {
                let x = Double(w.value.scalars[0])
                let g = rng.nextInt(below: 500) == 0 ? 999 * x : -1
                w.grad = T([1], [Float(g)])
                try opt.step()
                w.value = T([1], [min(1, max(0, w.value.scalars[0]))])
                let full = (999 * Double(w.value.scalars[0]) - 499) / 500
                sum += full * full
            }
            return (sum / Double(steps), Double(w.value.scalars[0]))
        }
        let adam = try runningMean { try Adam(.params($0), lr: 1e-4, beta1: 0, beta2: 0.99, eps: 1e-8) }
        let delayed = try runningMean { try DelayedAdam(.params($0), lr: 1e-4, beta1: 0, beta2: 0.99, eps: 1e-8) }
        XCTAssertGreaterThan(adam.mean, 0.9)
        XCTAssertEqual(adam.w, 1, accuracy: 0.01)
        XCTAssertLessThan(delayed.mean, 0.5)
        print("synthetic 1e4 steps: adam \(adam), delayed adam \(delayed)")
    }

    func testAdaptivityRegimes() throws {
        // ε ≪ √v̂: Adam-like; every coordinate's rate is lr/(|g| + ε) after one step.
        let p = weight([1, 1, 1], [0.01, 0.1, 1])
        let adam = try Adam<Float>(.params([p]), lr: 0.1)
        try adam.step()
        let a = try XCTUnwrap(adam.adaptivity())
        XCTAssertEqual(a.ratesFor, "last step")
        XCTAssertEqual(a.overall.median, 0.1 / (0.1 * 0.1) * 0.1 / (0.1 + 1e-8), accuracy: 1e-3)
        XCTAssertEqual(a.overall.min, 0.1 / 0.1 / (1 + 1e-8), accuracy: 1e-4)
        XCTAssertEqual(a.overall.max, 1 / (0.01 + 1e-8), accuracy: 1e-2)
        XCTAssertEqual(a.overall.epsRatio, 1e-8 / 0.1, accuracy: 1e-9)
        XCTAssertEqual(a.overall.adaptiveFraction, 1)
        XCTAssertEqual(a.overall.regime, "Adam-like (sqrt(v) dominates eps)")
        // ε ≫ √v̂: SGD-like, every rate ≈ lr/(0.1·ε).
        let q = weight([1, 1, 1], [0.01, 0.1, 1])
        let sgdLike = try Adam<Float>(.params([q]), lr: 0.1, eps: 100)
        try sgdLike.step()
        let s = try XCTUnwrap(sgdLike.adaptivity())
        XCTAssertEqual(s.overall.epsRatio, 1000, accuracy: 0.1)
        XCTAssertEqual(s.overall.adaptiveFraction, 0)
        XCTAssertEqual(s.overall.spread, 100.1 / 100.01, accuracy: 1e-4)
        XCTAssertEqual(s.overall.regime, "SGD-like (eps dominates sqrt(v))")
        XCTAssertEqual(s.byParam.map(\.path), ["w"])
        XCTAssertEqual(s.firstMomentNorm, 0.1 * (0.0001 + 0.01 + 1.0).squareRoot(), accuracy: 1e-6)
        XCTAssertNil(try SGD<Float>(.params([q])) as? any AdaptiveOptimizer<Float>)
    }

    func testBadSettingsAreClearErrors() throws {
        let ps = [weight([1], [1])]
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return String(describing: error) }
        }
        XCTAssertEqual(message { try AMSGrad<Float>(.params(ps), beta1: 1) }, "amsgrad: betas must be in [0, 1), got (1.0, 0.999)")
        XCTAssertEqual(message { try AvaGrad<Float>(.params(ps), eps: 0) }, "avagrad: eps must be positive, got 0.0")
        XCTAssertEqual(message { try AdaBound<Float>(.params(ps), finalLR: -0.1) }, "adabound: final_lr must be a non-negative number, got -0.1")
        XCTAssertEqual(message { try AdaBound<Float>(.params(ps), gamma: 1, amsbound: true) }, "amsbound: gamma must be in (0, 1), got 1.0")
        XCTAssertEqual(message { try DelayedAdam<Float>(.params(ps), beta2: 1.5) }, "delayed_adam: betas must be in [0, 1), got (0.9, 1.5)")
        XCTAssertEqual(message { try DelayedForm(named: "paper", op: "avagrad") }, "avagrad: form must be \"reference\" or \"thesis\", got \"paper\"")
    }
}
