// The step's cached enumeration: after a gate, a freeze, a new layer, a new hook or a collection mid-training, a cached optimizer gives exactly a fresh one's numbers.
import XCTest
@testable import Core

final class StructureCacheTests: XCTestCase {
    let x = T([6, 4], (0..<24).map { Float($0 % 7) / 7 - 0.4 })
    let y = T([6, 2], (0..<12).map { Float($0 % 5) / 5 - 0.3 })

    func network(_ seed: UInt64) throws -> Sequential<Float> {
        var rng = RandomStream(seed: seed)
        return Sequential<Float>([try Dense<Float>(4, 3, using: &rng), ReLU<Float>(), try Dense<Float>(3, 2, using: &rng)])
    }

    /// Trains `net` for `before` steps with one SGD (no momentum: a fresh SGD has nothing to
    /// catch up), applies `change` to it and to a copy taken before the change, then trains the
    /// net with the same optimizer and the copy with a fresh one: both must match bit for bit.
    func assertCachedMatchesFresh(_ net: Sequential<Float>, before: Int = 3, after: Int = 4,
                                  file: StaticString = #filePath, line: UInt = #line,
                                  _ change: (Sequential<Float>) throws -> Void) throws {
        let cached = try SGD(.network(net), lr: 0.1)
        for _ in 0..<before { try trainStep(cached, x: x, y: y) }
        guard let twin = net.copy() as? Sequential<Float> else { return XCTFail("copy is not a Sequential", file: file, line: line) }
        try change(net)
        try change(twin)
        let fresh = try SGD(.network(twin), lr: 0.1)
        for _ in 0..<after {
            let a = try trainStep(cached, x: x, y: y), b = try trainStep(fresh, x: x, y: y)
            XCTAssertEqual(a, b, "loss", file: file, line: line)
        }
        XCTAssertEqual(net.namedParams.map(\.path), twin.namedParams.map(\.path), file: file, line: line)
        XCTAssertEqual(net.flatParams().scalars, twin.flatParams().scalars, file: file, line: line)
    }

    func testAGateAddedAfterSomeSteps() throws {
        try assertCachedMatchesFresh(try network(1)) { net in
            guard let dense = net.layers[0] as? Dense<Float> else { return }
            let mask = HardMask<Float>(shape: [4, 3])
            mask.mask.value.scalars[0] = 0
            mask.mask.value.scalars[5] = 0
            try dense.weight.addGate(mask)
        }
    }

    func testAFreezeAfterSomeSteps() throws {
        try assertCachedMatchesFresh(try network(2)) { net in net.layers[2].freeze() }
    }

    func testALayerAppendedAfterSomeSteps() throws {
        try assertCachedMatchesFresh(try network(3)) { net in
            var rng = RandomStream(seed: 9)
            net.append(try Dense<Float>(2, 2, using: &rng))
        }
    }

    func testCollectedSwitchesAfterSomeSteps() throws {
        var rng = RandomStream(seed: 4)
        let net = Sequential<Float>([try Dense<Float>(4, 3, using: &rng), try Switch<Float>(3, using: &rng),
                                     try Dense<Float>(3, 2, using: &rng)])
        try assertCachedMatchesFresh(net) { n in
            guard let sw = n.layers[1] as? Switch<Float> else { return }
            sw.killMask?.mask.value.scalars[1] = 0
            sw.theta.enforceKeepMask()
            let record = try collectDeadUnits(n, optimizer: nil)
            XCTAssertEqual(record.removed, 1)
        }
        XCTAssertEqual((net.layers[0] as? Dense<Float>)?.weight.value.shape, [4, 2])
    }

    func testAHookGateAddedAfterSomeStepsTakesPart() throws {
        let net = try network(5)
        let opt = try SGD(.network(net), lr: 0.1)
        for _ in 0..<3 { try trainStep(opt, x: x, y: y) }
        guard let dense = net.layers[0] as? Dense<Float> else { return XCTFail("not a Dense") }
        let gate = CountingGate(shape: [4, 3])
        try dense.weight.addGate(gate)
        for _ in 0..<2 { try trainStep(opt, x: x, y: y) }
        XCTAssertEqual(gate.steps, 2)
        XCTAssertEqual(opt.lastStep?.hooks.map(\.hook), ["counting"])
        dense.weight.removeGates()
        try trainStep(opt, x: x, y: y)
        XCTAssertEqual(gate.steps, 2, "a removed gate no longer takes part")
        XCTAssertEqual(opt.lastStep?.hooks.map(\.hook), [])
    }

    func testRolesChangedAfterSomeStepsRegroup() throws {
        let net = try network(6)
        let opt = try SGD(.network(net), lr: 0.1)
        for _ in 0..<2 { try trainStep(opt, x: x, y: y) }
        let biases = net.namedParams.filter { $0.param.role == .bias }.map { $0.param.value }
        opt.core.roles = [.weight]
        try trainStep(opt, x: x, y: y)
        XCTAssertEqual(net.namedParams.filter { $0.param.role == .bias }.map { $0.param.value }, biases)
        XCTAssertEqual(opt.core.groups.map(\.role), [.weight])
    }

    func testIHTAfterAFreezeThresholdsOnlyWhatIsLeft() throws {
        var rng = RandomStream(seed: 7)
        let net = try Dense<Float>(4, 3, using: &rng)
        let opt = try IHT(.network(net), s: 7, lr: 0.3)
        let labels = T([6], [0, 1, 2, 0, 1, 2])
        for _ in 0..<3 { try trainStep(opt, x: x, y: labels) }
        net.bias?.isFrozen = true
        let bias = net.bias?.value
        for _ in 0..<3 { try trainStep(opt, x: x, y: labels) }
        XCTAssertEqual(net.bias?.value, bias)
        XCTAssertEqual(opt.vector.count, 12)
        XCTAssertLessThanOrEqual(net.weight.value.scalars.filter { $0 != 0 }.count, 7)
    }
}
