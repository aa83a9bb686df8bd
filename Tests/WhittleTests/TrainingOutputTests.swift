// What `fit` writes off a terminal: one summary line per epoch on standard error, rate and ETA once.
import Foundation
import XCTest

final class TrainingOutputTests: XCTestCase {
    func testShortEpochsEachGetOneSummaryLine() throws {
        let script = try Whittle.temporaryFolder(self).appendingPathComponent("fit.wh")
        try """
        seed(0)
        d = dataset(randn(64, 4), randn(64, 1))
        net = sequential(dense(4, 8), relu(), dense(8, 1))
        run = fit(net, d, sgd(net, lr: 0.01), epochs: 3, batch: 16)
        print(len(run.loss))
        """.write(to: script, atomically: true, encoding: .utf8)
        let result = try Whittle.run([script.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "3\n")
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, result.stderr)
        for (i, line) in lines.enumerated() {
            XCTAssertTrue(line.hasPrefix("epoch \(i + 1)/3 4/4  "), String(line))
            XCTAssertTrue(line.contains(" it/s  in 0:0"), String(line))
            XCTAssertNotNil(line.range(of: #"  loss [0-9.]+$"#, options: .regularExpression), String(line))
            XCTAssertFalse(line.contains("samples/s") || line.contains("eta"), String(line))
        }
        let quiet = try Whittle.run(["--quiet", script.path])
        XCTAssertEqual(quiet.stderr, "")
    }
}
