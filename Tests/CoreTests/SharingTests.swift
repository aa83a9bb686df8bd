// Soft parameter sharing: gradients into templates and α's, the LSM, folding, Prop. 3.1, counting, copies, bad input.
import XCTest
@testable import Core

final class SharingTests: XCTestCase {
    /// The thesis' worked example (spec §3.2): five layers' α's over four templates, as rows.
    static let example: [[Double]] = [[0.8, -0.2, 0.6, 0.2], [0.1, 0.6, -0.2, 1.2], [-1.2, 0.3, -0.9, -0.3],
                                      [0.2, 1.2, -0.4, 2.4], [-0.4, -0.3, 0.7, -0.1]]

    func makeBank<S: TensorScalar>(_ k: Int, _ shape: [Int], seed: UInt64 = 1) throws -> TemplateBank<S> {
        var rng = RandomStream(seed: seed)
        return try TemplateBank<S>(k: k, shape: shape, using: &rng)
    }

    func setAlpha<S: TensorScalar>(_ m: SharedWeight<S>, _ values: [Double]) {
        m.alpha.value = Tensor(uncheckedShape: [values.count], scalars: values.map { S($0) })
    }

    // MARK: - Gradients

    func testGradientsOfTemplatesAndAlphasMatchFiniteDifferences() throws {
        // One bank used by two convs (different paddings) and twice more through a layer used twice:
        // the templates' gradient must be the sum over every use.
        let b: TemplateBank<Double> = try makeBank(2, [2, 2, 3, 3])
        let c1 = try SharedConv(bank: b, padding: .explicit(1)), c2 = try SharedConv(bank: b, padding: .same)
        let net = Sequential<Double>([c1, Tanh(), c2, Tanh(), c1])
        checkLayerGradients(net, input: gcRandom([2, 2, 4, 4], seed: 3))
        let d: TemplateBank<Double> = try makeBank(3, [3, 3], seed: 2)
        checkLayerGradients(Sequential<Double>([try SharedDense(bank: d), Tanh(), try SharedDense(bank: d, bias: false)]),
                            input: gcRandom([2, 3], seed: 4))
    }

    func testTemplateGradientIsTheSumOverLayers() throws {
        // dT = Σ_l α⁽ˡ⁾ ⊗ dW⁽ˡ⁾: with the loss Σ W⁽¹⁾ + Σ W⁽²⁾ (dW = 1), dTᵢ = (α⁽¹⁾ᵢ + α⁽²⁾ᵢ)·1.
        let b: TemplateBank<Double> = try makeBank(2, [1, 3])
        let l1 = try SharedDense(bank: b, bias: false), l2 = try SharedDense(bank: b, bias: false)
        setAlpha(l1.shared, [0.5, -1]); setAlpha(l2.shared, [2, 3])
        let tape = Tape<Double>()
        let loss = try l1.shared.weight(on: tape).sum().adding(try l2.shared.weight(on: tape).sum())
        try tape.backward(from: loss)
        XCTAssertEqual(b.templates.grad?.scalars, [2.5, 2.5, 2.5, 2, 2, 2])
    }

    // MARK: - LSM

    func testLSMOfTheWorkedExampleMatchesTheExactValues() {
        let s = LayerSimilarity(vectors: Self.example, kind: .alpha)
        let exact: [[Double]] = [[1, 0.0566, 1, 0.0566, 0.1556], [0.0566, 1, 0.0566, 1, 0.4075], [1, 0.0566, 1, 0.0566, 0.1556],
                                 [0.0566, 1, 0.0566, 1, 0.4075], [0.1556, 0.4075, 0.1556, 0.4075, 1]]
        for i in 0..<5 { for j in 0..<5 { XCTAssertEqual(s.matrix[i][j], exact[i][j], accuracy: 1e-4, "S[\(i), \(j)]") } }
        let zero = LayerSimilarity(vectors: [[1, 0], [0, 0]], kind: .alpha)
        XCTAssertEqual(zero.undefined, [false, true])
        XCTAssertTrue(zero.matrix[1][0].isNaN)
    }

    func testOrthogonalInitialAlphasGiveTheIdentityLSM() throws {
        let b: TemplateBank<Float> = try makeBank(4, [3, 3])
        let layers = try (0..<3).map { _ in try SharedDense(bank: b) }
        let s = try b.similarity(.alpha)
        for i in 0..<3 { for j in 0..<3 { XCTAssertEqual(s.matrix[i][j], i == j ? 1 : 0, accuracy: 1e-6) } }
        for l in layers { XCTAssertEqual(l.shared.mixture.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-6) }
        // Past k layers the columns of A are orthonormal instead (AᵀA = I).
        let c: TemplateBank<Float> = try makeBank(2, [3, 3])
        let more = try (0..<5).map { _ in try SharedDense(bank: c) }
        let a = c.coefficients()
        for i in 0..<2 { for j in 0..<2 { XCTAssertEqual((0..<5).reduce(0) { $0 + a[$1][i] * a[$1][j] }, i == j ? 1 : 0, accuracy: 1e-6) } }
        XCTAssertEqual(more.count, 5)
    }

    // MARK: - Folding

    func testBOfTheWorkedExampleHasTheCorrectedSign() throws {
        let plan = try FoldProgram.plan(alphas: Self.example, tau: 0.9, method: .leader, signScale: false)
        XCTAssertEqual(plan.clusters, [0, 1, 0, 1, 2])
        let b: [[Double]] = [[-0.20, 0.05, -0.15, -0.05], [0.15, 0.90, -0.30, 1.80], [-0.40, -0.30, 0.70, -0.10]]
        for g in 0..<3 { for i in 0..<4 { XCTAssertEqual(plan.b[g][i], b[g][i], accuracy: 1e-12, "B[\(g), \(i)]") } }
        XCTAssertEqual(FoldProgram.compress(plan.clusters.map(FoldProgram.letter)), "(A B)×2 C")
        XCTAssertEqual(FoldProgram.compress(["A", "B", "C", "D", "C", "D"]), "A B (C D)×2")
        XCTAssertEqual(FoldProgram.compress(["A", "A", "A", "B"]), "A×3 B")
    }

    func testPropositionThreeOneAnInvertibleBLeavesOutputsUnchanged() throws {
        let b: TemplateBank<Double> = try makeBank(2, [2, 2, 3, 3])
        let net = Sequential<Double>([try SharedConv(bank: b), ReLU(), try SharedConv(bank: b)])
        let x = gcRandom([1, 2, 5, 5], seed: 9)
        let before = try net(x)
        // T' = B T and α' = B⁻ᵀ α with B = [[2, 1], [1, 3]] (det 5).
        let m: [[Double]] = [[2, 1], [1, 3]], inv: [[Double]] = [[0.6, -0.2], [-0.2, 0.4]]
        let d = b.templateSize, t = b.templates.value.scalars
        b.templates.value = Tensor(uncheckedShape: [2, 2, 2, 3, 3], scalars: (0..<2).flatMap { g in (0..<d).map { j in m[g][0] * t[j] + m[g][1] * t[d + j] } })
        for member in b.members {
            let a = member.mixture
            setAlpha(member, (0..<2).map { i in inv[0][i] * a[0] + inv[1][i] * a[1] })   // (B⁻ᵀ α)_i = Σ_j B⁻¹[j][i] α_j
        }
        let after = try net(x)
        for (p, q) in zip(before.scalars, after.scalars) { XCTAssertEqual(p, q, accuracy: 1e-12) }
    }

    func testFoldingIdenticalAlphasAtTauOneIsExact() throws {
        let b: TemplateBank<Float> = try makeBank(3, [2, 2, 3, 3])
        let layers = try (0..<4).map { _ in try SharedConv(bank: b) }
        setAlpha(layers[2].shared, layers[0].shared.mixture)
        setAlpha(layers[3].shared, layers[1].shared.mixture.map { -2 * $0 })   // anti-parallel: exact with sign/scale
        var parts: [any Layer<Float>] = []
        for l in layers { parts += [l, Tanh()] }
        let net = Sequential<Float>(parts)
        let x = (try? Tensor<Float>.normal([2, 2, 4, 4], using: &rngForTests)) ?? Tensor(uncheckedShape: [1], scalars: [0])
        let (folded, folds) = try net.folded(tau: 1)
        XCTAssertEqual(folds[0].clusters, [0, 1, 0, 1])
        XCTAssertEqual(folds[0].program, "(A B)×2")
        for e in folds[0].relativeErrors { XCTAssertLessThan(e, 1e-6) }
        for (p, q) in zip(try net(x).scalars, try folded(x).scalars) { XCTAssertEqual(p, q, accuracy: 1e-5) }
        // 2 templates of 36 plus one scale per step, instead of 3·36 + 4·3.
        XCTAssertEqual(folded.countParams, 2 * 36 + 4)
        XCTAssertEqual(net.countParams, 3 * 36 + 4 * 3)
        XCTAssertEqual(folds[0].paramsAfter, 2 * 36 + 4)
    }

    // MARK: - Identity, counting, copies

    func testABankIsOneParameterCountedOnceAndCopiedOnce() throws {
        let b: TemplateBank<Float> = try makeBank(2, [4, 4])
        let net = Sequential<Float>([try SharedDense(bank: b), ReLU(), try SharedDense(bank: b), try Dense(4, 2, using: &rngForTests)])
        XCTAssertEqual(net.countParams, 2 * 16 + (2 + 4) * 2 + 4 * 2 + 2)
        XCTAssertEqual(net.namedParams.map(\.path), ["0.templates", "0.alpha", "0.bias", "2.alpha", "2.bias", "3.weight", "3.bias"])
        XCTAssertEqual(net.paramAliases, ["0.templates": ["2.templates"]])
        let copy = net.copy()
        XCTAssertEqual(copy.banks.count, 1)
        XCTAssertEqual(copy.banks[0].members.count, 2)
        XCTAssertFalse(copy.banks[0].bank === b)
        XCTAssertEqual(copy.countParams, net.countParams)
        XCTAssertEqual(try copy(Tensor(uncheckedShape: [1, 4], scalars: [1, 2, 3, 4])),
                       try net(Tensor(uncheckedShape: [1, 4], scalars: [1, 2, 3, 4])))
        let breakdown = net.sharingBreakdown
        XCTAssertEqual(breakdown.templates, 32)
        XCTAssertEqual(breakdown.coefficients, 4)
        XCTAssertEqual(breakdown.equivalentUnshared, 2 * 16 + 8 + 10)
    }

    func testEvalCacheFollowsChangedParameters() throws {
        let b: TemplateBank<Float> = try makeBank(2, [2, 2])
        let l = try SharedDense(bank: b, bias: false)
        let x = Tensor<Float>(uncheckedShape: [1, 2], scalars: [1, 1])
        let first = try l(x)
        XCTAssertEqual(try l(x), first)
        setAlpha(l.shared, l.shared.mixture.map { 2 * $0 })
        for (p, q) in zip(try l(x).scalars, first.scalars) { XCTAssertEqual(p, 2 * q, accuracy: 1e-5) }
    }

    func testTemplatesGetWeightDecayAndCoefficientsDoNot() throws {
        let b: TemplateBank<Float> = try makeBank(2, [2, 2])
        let net = Sequential<Float>([try SharedDense(bank: b)])
        let opt = try SGD<Float>(.network(net), lr: 0.1, weightDecay: 0.5)
        let decay = Dictionary(uniqueKeysWithValues: opt.core.groups.map { ($0.role, $0.weightDecay) })
        XCTAssertEqual(decay[.template], 0.5)
        XCTAssertEqual(decay[.coefficient], 0)
    }

    // MARK: - Recurrence regularizer

    func testRecurrencePenaltyIsMinusLambdaTimesTheLSMSumWithItsGradient() throws {
        let b: TemplateBank<Double> = try makeBank(3, [2, 2])
        let layers = try (0..<3).map { _ in try SharedDense(bank: b) }
        setAlpha(layers[0].shared, [1, 0.5, -0.2]); setAlpha(layers[1].shared, [0.3, -1, 0.4]); setAlpha(layers[2].shared, [-0.7, 0.2, 0.9])
        let net = Sequential<Double>(layers)
        let reg = try Recurrence<Double>(try SGD<Double>(.network(net), lr: 0.1), lambda: 0.1)
        func penalty() throws -> Double {
            let tape = Tape<Double>(recording: false)
            return try reg.penalty(on: tape, context: HookContext(net: net, step: 0))?.value.scalars[0] ?? .nan
        }
        XCTAssertEqual(try penalty(), -0.1 * (try b.similarity(.alpha)).total, accuracy: 1e-12)
        let tape = Tape<Double>()
        guard let p = try reg.penalty(on: tape, context: HookContext(net: net, step: 0)) else { return XCTFail("no penalty") }
        try tape.backward(from: p)
        for l in layers {
            let a = l.shared.alpha, original = a.value
            for j in 0..<3 {
                a.value.scalars[j] = original.scalars[j] + 1e-6
                let plus = try penalty()
                a.value.scalars[j] = original.scalars[j] - 1e-6
                let minus = try penalty()
                a.value = original
                XCTAssertEqual(a.grad?.scalars[j] ?? .nan, (plus - minus) / 2e-6, accuracy: 1e-6)
            }
        }
    }

    // MARK: - Bad input

    func testBadInputIsAClearError() throws {
        var rng = RandomStream(seed: 0)
        XCTAssertThrowsError(try TemplateBank<Float>(k: 0, shape: [3, 3], using: &rng)) { e in
            XCTAssertEqual("\(e)", "bank: k (templates) must be at least 1, got 0")
        }
        XCTAssertThrowsError(try TemplateBank<Float>(k: 2, shape: [3, 3, 3], using: &rng))
        let conv: TemplateBank<Float> = try makeBank(2, [4, 4, 3, 3])
        XCTAssertThrowsError(try SharedDense(bank: conv)) { e in
            XCTAssertEqual("\(e)", "shared_dense: needs a bank of dense weights [in, out], got templates of shape [4, 4, 3, 3]")
        }
        let c = try SharedConv(bank: conv)
        XCTAssertThrowsError(try c(Tensor(uncheckedShape: [1, 3, 5, 5], scalars: [Float](repeating: 0, count: 75))))
        XCTAssertThrowsError(try conv.fold(tau: 1.5)) { e in XCTAssertEqual("\(e)", "fold: tau must be in [0, 1], got 1.5") }
        XCTAssertThrowsError(try Recurrence<Float>(try SGD<Float>(.network(Sequential<Float>([c])), lr: 0.1), lambda: -1))
    }
}

/// A seeded stream for the test's own random tensors.
private nonisolated(unsafe) var rngForTests = RandomStream(seed: 42, stream: 5)
