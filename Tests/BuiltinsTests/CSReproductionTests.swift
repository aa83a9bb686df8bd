// The fast versions of the CS reproductions (scripts/cs_tickets.wh, scripts/cs_pruning.wh) run through on a few hundred images.
import Builtins
import Foundation
import XCTest

final class CSReproductionTests: XCTestCase {
    func run(_ name: String, _ settings: [(String, String)]) throws -> String {
        try ReproductionScript.run(name, settings)
    }

    func testTicketSearchFastVersion() throws {
        let out = try run("cs_tickets.wh", [("train", "128"), ("val", "100"), ("test", "100"), ("epochs", "1"),
                                            ("imp_rounds", "1"), ("cs_rounds", "2"), ("s_inits", "[0.0]")])
        for line in ["dense        1", "IMP          1      80.00", "IMP-C        1      80.00", "CS 0.0       2"] {
            XCTAssertTrue(out.contains(line), "missing \"\(line)\" in:\n\(out)")
        }
        XCTAssertTrue(out.contains("dense validation accuracy"), out)
    }

    func testOneShotPruningFastVersion() throws {
        let out = try run("cs_pruning.wh", [("train", "128"), ("val", "100"), ("test", "100"), ("epochs", "1"),
                                            ("tune", "1"), ("s_inits", "[0.0]")])
        XCTAssertTrue(out.contains("s_init 0.0: sparsity"), out)
        XCTAssertTrue(out.contains("MP val"), out)
    }
}
