// Finite-difference gradient checking in Double, shared by the autograd and layer tests.
import XCTest
@testable import Core

/// Deterministic values in [-1, 1] away from 0 (so relu/abs kinks are not hit), from a seed.
func gcRandom(_ shape: [Int], seed: UInt64, avoidZero: Bool = true) -> Tensor<Double> {
    var rng = RandomStream(seed: seed, stream: 99)
    let n = shape.reduce(1, *)
    var values = [Double]()
    for _ in 0..<n {
        var v = rng.nextDouble() * 2 - 1
        if avoidZero && Swift.abs(v) < 0.05 { v += v < 0 ? -0.1 : 0.1 }
        values.append(v)
    }
    return Tensor(uncheckedShape: shape, scalars: values)
}

/// Checks the gradients of `f` (summed) at `inputs` against central differences.
///
/// Relative error per entry: |a − n| / max(1, |a|, |n|) must stay below `tolerance`.
func checkGradients(_ inputs: [Tensor<Double>], tolerance: Double = 1e-6, h: Double = 1e-6,
                    file: StaticString = #filePath, line: UInt = #line,
                    _ f: (Tape<Double>, [Variable<Double>]) throws -> Variable<Double>) {
    do {
        let (_, analytic) = try valueAndGradient(of: f, at: inputs)
        func total(_ xs: [Tensor<Double>]) throws -> Double {
            let tape = Tape<Double>(recording: false)
            let out = try f(tape, xs.map { tape.constant($0) })
            return out.value.scalars.reduce(0, +)
        }
        for (k, input) in inputs.enumerated() {
            XCTAssertEqual(analytic[k].shape, input.shape, "gradient shape of input \(k)", file: file, line: line)
            for j in 0..<input.count {
                var plus = inputs, minus = inputs
                plus[k].scalars[j] += h
                minus[k].scalars[j] -= h
                let numeric = (try total(plus) - total(minus)) / (2 * h)
                let a = analytic[k].scalars[j]
                let err = Swift.abs(a - numeric) / Swift.max(1, Swift.abs(a), Swift.abs(numeric))
                if err > tolerance {
                    XCTFail("input \(k)[\(j)]: analytic \(a), numeric \(numeric)", file: file, line: line)
                    return
                }
            }
        }
    } catch {
        XCTFail("threw \(error)", file: file, line: line)
    }
}

/// Checks a layer's input and parameter gradients: the sum of its output weighted by a fixed
/// random tensor is differentiated analytically (through `Param.grad`) and by central differences.
/// `prepare` runs before every forward pass (e.g. to rewind a Dropout stream).
func checkLayerGradients(_ layer: any Layer<Double>, input: Tensor<Double>, checkInput: Bool = true,
                         tolerance: Double = 1e-6, h: Double = 1e-6, prepare: () -> Void = {},
                         file: StaticString = #filePath, line: UInt = #line) {
    do {
        let params = layer.params
        prepare()
        let tape = Tape<Double>()
        let x = tape.variable(input, requiresGrad: checkInput)
        let out = try layer.forward(x)
        let weights = gcRandom(out.shape, seed: 7)
        let loss = try out.multiplying(tape.constant(weights)).sum()
        let grads = try tape.gradients(of: loss)
        for (p, id) in tape.paramLeaves { p.grad = grads[id] ?? Tensor.zeros(like: p.value) }
        func total() throws -> Double {
            prepare()
            let t = Tape<Double>(recording: false)
            let o = try layer.forward(t.constant(currentInput))
            return zip(o.value.scalars, weights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var currentInput = input
        func compare(_ a: Double, _ n: Double, _ what: String) -> Bool {
            let err = Swift.abs(a - n) / Swift.max(1, Swift.abs(a), Swift.abs(n))
            if err > tolerance { XCTFail("\(what): analytic \(a), numeric \(n)", file: file, line: line); return false }
            return true
        }
        if checkInput {
            let gx = grads[x.id] ?? Tensor.zeros(like: input)
            for j in 0..<input.count {
                currentInput = input; currentInput.scalars[j] += h
                let plus = try total()
                currentInput = input; currentInput.scalars[j] -= h
                let minus = try total()
                currentInput = input
                if !compare(gx.scalars[j], (plus - minus) / (2 * h), "input[\(j)]") { return }
            }
        }
        for p in params {
            let original = p.value
            let g = p.grad ?? Tensor.zeros(like: original)
            for j in 0..<original.count {
                p.value.scalars[j] = original.scalars[j] + h
                let plus = try total()
                p.value.scalars[j] = original.scalars[j] - h
                let minus = try total()
                p.value = original
                if !compare(g.scalars[j], (plus - minus) / (2 * h), "\(p.path)[\(j)]") { return }
            }
        }
    } catch {
        XCTFail("threw \(error)", file: file, line: line)
    }
}
