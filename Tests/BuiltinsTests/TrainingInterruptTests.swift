// Ctrl-C during `fit`: the session stops between minibatches, keeps the model and the partial run.
import Builtins
import Runtime
import XCTest

final class TrainingInterruptTests: XCTestCase {
    func testInterruptDuringFitKeepsStateAndPartialRun() throws {
        var out = "", err = ""
        let session = Session(output: { out += $0 }, errorOutput: { err += $0 })
        XCTAssertEqual(session.runScript(source: """
            seed(0)
            d = dataset(randn(20000, 8), randn(20000, 1))
            net = sequential(dense(8, 64), relu(), dense(64, 1))
            opt = sgd(net, lr: 0.001)
            """, path: "setup.wh"), .success, err)
        // Cancel from another thread once training is under way, as the SIGINT handler would.
        let token = session.interpreter.token  // Sendable, unlike the session
        let canceller = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            token.cancel()
        }
        canceller.start()
        let outcome = session.runPromptInput("fit(net, d, opt, epochs: 1000, batch: 8)")
        XCTAssertEqual(outcome, .interrupted, err)
        // One numbering with the bar's `epoch 1/1000 … 312/2500`.
        XCTAssertTrue(err.contains("interrupted in epoch 1/1000, after batch "), err)
        out = ""
        XCTAssertEqual(session.runPromptInput("print(type(net), last_run.complete, len(last_run.loss) == 1, last_run.loss[0] > 0, opt.steps > 0)"), .success, err)
        XCTAssertEqual(out, "Net false true true true\n")
    }
}
