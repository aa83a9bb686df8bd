// The fast version of the SMOL reproduction (scripts/smol_fmnist.wh) on a few hundred images, and SMOL's built-ins from a script.
import Builtins
import Foundation
import XCTest

final class SMOLReproductionTests: XCTestCase {
    func session(_ settings: [(String, String)] = []) -> (Session, () -> (String, String)) {
        var options = Session.Options()
        options.quiet = true
        options.settings = settings
        var out = "", err = ""
        let session = Session(options: options, output: { out += $0 }, errorOutput: { err += $0 })
        return (session, { (out, err) })
    }

    func testFashionMNISTScriptFastVersion() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") else {
            throw XCTSkip("Fashion-MNIST is not installed (make setup)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smol-repro-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (s, text) = session([("train", "64"), ("val", "32"), ("test", "32"), ("epochs", "1"), ("smol_epochs", "1"),
                                 ("tune", "1"), ("lambdas", "[1e-5]"), ("uniform_bits", "[2]"), ("out", dir)])
        let url = ReproductionScript.folder.appendingPathComponent("smol_fmnist.wh")
        let outcome = s.runScript(source: try String(contentsOf: url, encoding: .utf8), path: url.path)
        let (out, err) = text()
        XCTAssertEqual(outcome, .success, err)
        for line in ["full precision: validation", "λ 1e-05: ", "uniform 2 bits: val at the freeze", "Method                 bpp (ratio)",
                     "uniform 2-bit          2.00 (16.0x)", "quantized            412,416"] {
            XCTAssertTrue(out.contains(line), "missing \"\(line)\" in:\n\(out)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/accuracy_vs_bits.svg"))
    }

    func testBuiltinsFromAScript() throws {
        let (s, text) = session()
        let source = """
        seed(0)
        net = sequential(dense(2, 3), relu(), dense(3, 1))
        print(quantize(tensor([0.2, -0.3, 1.0]), 2))
        quantized(net, p_init: 4, only: [0])
        print(keys(params(net)))
        print(bits(net).rows[1].quantized)
        b = freeze_precision(net, bits: 2, zero_precision: false)
        print(b.average, b.histogram, b > 1.9, net.layers[0])
        print(item(sum(net["0.bits"])))
        """
        XCTAssertEqual(s.runScript(source: source, path: "t.wh"), .success, text().1)
        XCTAssertEqual(text().0, """
        Tensor [3] Float32
        [ 0.5, -0.5,  1.5]
        ["0.weight", "0.bias", "0.precision", "2.weight", "2.bias"]
        false
        2.0 [0, 0, 6] true Dense(2 -> 3, bias, quant hard)
        12.0

        """)
    }

    func testBadArgumentsAreClearErrors() throws {
        let cases: [(String, String)] = [
            ("quantized(sequential(dense(2, 2)), p_init: 1)",
             "quantized: p_init must be a number of bits above 1 and at most 32 (1 bit would need s = +∞), got 1"),
            ("quantized(sequential(dense(2, 2)), granularity: \"unit\")",
             "`quantized`: argument 3 (`granularity`) must be \"weight\" or \"channel\" or \"layer\", got \"unit\""),
            ("net = sequential(dense(2, 2))\nsmol(adam(net))", "smol: the net has no quantizers; add them first with quantized(net)"),
            ("net = quantized(sequential(dense(2, 2)))\nfreeze_precision(net, rounding: \"up\")",
             "`freeze_precision`: argument 2 (`rounding`) must be \"floor\" or \"round\" or \"ceil\", got \"up\""),
            ("quantize(tensor([1.0]), 40)", "quantize: bits must be from 0 to 32, got 40"),
            ("net = quantized(sequential(dense(2, 2)))\nenergy(net)",
             "bits, and the cost table stops at 3 bits; give power: and latency: lists that cover 8 bits"),
        ]
        for (source, message) in cases {
            let (s, text) = session()
            XCTAssertNotEqual(s.runScript(source: source, path: "t.wh"), .success, source)
            XCTAssertTrue(text().1.contains(message), "\(source):\n\(text().1)")
        }
    }
}
