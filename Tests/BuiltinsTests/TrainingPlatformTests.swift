// The method platform from the language: only:, combine, step with net:, hooks in last_step and history, shared parameters, masked writes.
import Builtins
import XCTest

final class TrainingPlatformTests: XCTestCase {
    /// Runs `code` as a script and returns what it printed (failing the test on any error).
    func script(_ code: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        var out = "", err = ""
        let session = Session(output: { out += $0 }, errorOutput: { err += $0 })
        let outcome = session.runScript(source: code, path: "platform.wh")
        XCTAssertEqual(outcome, .success, err, file: file, line: line)
        return out
    }

    func scriptError(_ code: String) -> String {
        var err = ""
        let session = Session(output: { _ in }, errorOutput: { err += $0 })
        _ = session.runScript(source: code, path: "platform.wh")
        return err
    }

    func testCombineRoutesRolesAndSteps() {
        let out = script("""
            seed(1)
            net = sequential(dense(2, 1))
            w0 = copy(net["0.weight"])
            b0 = copy(net["0.bias"])
            opt = combine(adam(net, only: "weight", lr: 0.01), sgd(net, only: "bias", lr: 0))
            x = tensor([[1, 2], [3, 4]])
            y = tensor([[1], [0]])
            step(opt, [x, y])
            print(opt.name, len(opt.parts), opt.parts[0].only, opt.parts[1].only)
            print(item(sum(abs(net["0.weight"] - w0))) > 0.0199, item(sum(abs(net["0.bias"] - b0))))
            print(opt.steps, opt.parts[0].steps, opt.last_step.hooks)
            """)
        XCTAssertEqual(out, "combine 2 [\"weight\"] [\"bias\"]\ntrue 0.0\n1 1 {}\n")
    }

    func testOnlyAndCombineErrors() {
        XCTAssertTrue(scriptError("net = dense(2, 1)\nadam(net, only: \"mask_logit\")")
            .contains("`adam`: argument 9 (`only`) selects no parameter; the roles present are bias, weight"),
                      scriptError("net = dense(2, 1)\nadam(net, only: \"mask_logit\")"))
        XCTAssertTrue(scriptError("net = dense(2, 1)\ncombine(adam(net), sgd(net))")
            .contains("weight would be updated by optimizer 0 (adam) and optimizer 1 (sgd)"))
    }

    func testStepOnAListOfParamsWithTheNet() {
        let out = script("""
            seed(2)
            net = dense(3, 1)
            opt = sgd([net.weight], lr: 0.1)
            b = copy(net.bias)
            loss = step(opt, [ones(4, 3), zeros(4, 1)], net: net)
            print(loss > 0, item(sum(abs(net.bias - b))), opt.last_step.step)
            """)
        XCTAssertEqual(out, "true 0.0 1\n")
    }

    func testSharedLayerIsOneParameter() {
        let out = script("""
            l = dense(2, 2)
            net = sequential(l, l)
            p = params(net)
            print(count_params(net), keys(p), p["0.weight"].aliases, l.weight.path)
            """)
        XCTAssertEqual(out, "6 [\"0.weight\", \"0.bias\"] [\"1.weight\"] 0.weight\n")
    }

    func testWritesKeepMaskedEntriesZero() {
        let out2 = script("""
            net = sequential(dense(2, 2))
            prune(net, threshold: 10)
            set_params(net, ones(6))
            print(item(sum(net["0.weight"])), item(sum(net["0.bias"])), net.layers[0].weight.gates)
            net.layers[0].weight.value = ones(2, 2)
            print(item(sum(net["0.weight"])))
            """)
        XCTAssertEqual(out2, "0.0 2.0 [\"mask hard\"]\n0.0\n")
    }
}
