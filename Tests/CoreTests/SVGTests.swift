// Tests of the SVG charts: well-formed XML (escaped text), expected elements, and rendering with rsvg-convert.

import Foundation
import XCTest
@testable import Core

final class SVGTests: XCTestCase {
    /// The documents under test, by file name.
    private func documents() throws -> [(String, String)] {
        let loss = (0..<40).map { 2 * exp(-Double($0) / 8) + 0.1 }
        let accuracy = (0..<40).map { 1 - 0.9 * exp(-Double($0) / 6) }
        var rng = RandomStream(seed: 3)
        let weights = try Tensor<Float>.normal([5000], std: 0.05, using: &rng)
        let similarity = try Tensor<Float>(shape: [6, 6], scalars: (0..<36).map { i in
            Float(exp(-Double(abs(i / 6 - i % 6)) / 2))
        })
        return [
            ("line.svg", svgLineChart([PlotSeries(name: "train <loss> & \"more\"", values: loss),
                                       PlotSeries(name: "accuracy", values: accuracy)],
                                      options: ChartOptions(title: "Run <1> & 'two'", xLabel: "epoch", yLabel: "value"))),
            ("log.svg", svgLineChart([PlotSeries(name: "loss", values: loss.map { $0 * $0 * 1e-3 }),
                                      PlotSeries(name: "gap", x: [0, 10, .nan, 30], y: [1e-4, 1e-3, 1, 1e-2])],
                                     options: ChartOptions(title: "log", logY: true))),
            ("empty.svg", svgLineChart([], options: ChartOptions(title: "nothing"))),
            ("heatmap.svg", try svgHeatmap(similarity, options: HeatmapOptions(title: "Similarity", range: (0, 1)))),
            ("bigmap.svg", try svgHeatmap(try Tensor<Float>(shape: [40, 50], scalars: (0..<2000).map { Float($0 % 37) }),
                                          options: HeatmapOptions(title: "40 × 50"))),
            ("hist.svg", try svgHistogram(weights, options: ChartOptions(title: "Weights", xLabel: "value"))),
            ("loghist.svg", try svgHistogram(weights, bins: 12, options: ChartOptions(logY: true))),
        ]
    }

    func testDocumentsHaveTheExpectedParts() throws {
        let docs = Dictionary(uniqueKeysWithValues: try documents())
        let line = try XCTUnwrap(docs["line.svg"])
        XCTAssertTrue(line.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(line.contains(">Run &lt;1&gt; &amp; &apos;two&apos;</text>"))
        XCTAssertTrue(line.contains(">train &lt;loss&gt; &amp; &quot;more&quot;</text>"))
        XCTAssertEqual(line.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(line.contains(">epoch</text>"))
        XCTAssertTrue(line.contains(">2.5</text>"))  // a nice y tick above the highest loss (2.1)
        // The series broken by NaN is drawn as two pieces: one polyline, then a lone point.
        let log = try XCTUnwrap(docs["log.svg"])
        XCTAssertEqual(log.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(log.contains(">1e-5</text>") || log.contains(">0.0001</text>"))
        XCTAssertTrue(try XCTUnwrap(docs["empty.svg"]).contains(">no data to plot</text>"))
        let heatmap = try XCTUnwrap(docs["heatmap.svg"])
        XCTAssertEqual(heatmap.components(separatedBy: "<rect").count - 1, 1 + 36 + 2)  // background, cells, frame, colour bar
        XCTAssertTrue(heatmap.contains("fill=\"#fde725\""))  // the diagonal (1.0) is viridis yellow
        XCTAssertTrue(heatmap.contains(">1.00</text>"))
        XCTAssertTrue(try XCTUnwrap(docs["hist.svg"]).contains(">count</text>"))
    }

    func testDocumentsAreWellFormedXMLAndRender() throws {
        let dir = try makeTemporaryDirectory(self)
        let docs = try documents()
        for (name, text) in docs { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        let paths = docs.map { dir + "/" + $0.0 }
        if let result = runPython("import sys, xml.etree.ElementTree as ET\nfor p in sys.argv[1:]: ET.parse(p)\nprint('ok')"
                                  .replacingOccurrences(of: "sys.argv[1:]", with: "\(paths)"), needing: ["xml.etree.ElementTree"]) {
            XCTAssertEqual(result.output, "ok\n", result.error)
        } else if let result = runTool("/usr/bin/xmllint", ["--noout"] + paths) {
            XCTAssertEqual(result.status, 0, result.error)
        } else {
            print("skipping the XML check: neither python3 nor xmllint is available")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") else {
            throw XCTSkip("rsvg-convert is missing (apt-get install librsvg2-bin)")
        }
        for path in paths {
            let png = path + ".png"
            let result = try XCTUnwrap(runTool("/usr/bin/rsvg-convert", [path, "-o", png]))
            XCTAssertEqual(result.status, 0, "\(path): \(result.error)")
            XCTAssertEqual(result.error, "")
            let header = try [UInt8](Data(contentsOf: URL(fileURLWithPath: png)).prefix(8))
            XCTAssertEqual(header, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], path)
        }
    }

    /// Two points far apart draw a line through the top-right corner without a point in it; the
    /// legend must still keep off the line (it goes to the top left, which nothing crosses).
    func testLegendKeepsOffLinesBetweenPoints() throws {
        let series = [PlotSeries(name: "rising", x: [0, 4], y: [0.5, 1.0]),
                      PlotSeries(name: "flat", x: [0, 4], y: [0.0, 0.02])]
        let svg = svgLineChart(series, options: ChartOptions(title: "legend"))
        let rects = svg.components(separatedBy: "<rect").dropFirst().filter { $0.contains("fill-opacity=\"0.85\"") }
        XCTAssertEqual(rects.count, 1)
        let legend = try XCTUnwrap(rects.first)
        let x = try XCTUnwrap(legend.range(of: "x=\"").map { legend[$0.upperBound...].prefix { $0 != "\"" } }.flatMap { Double($0) })
        let width = try XCTUnwrap(svg.range(of: "width=\"").map { svg[$0.upperBound...].prefix { $0 != "\"" } }.flatMap { Double($0) })
        XCTAssertLessThan(x, width / 2, "the legend should be on the left, away from the rising line")
    }

    func testXMLEscaping() {
        XCTAssertEqual(xmlEscaped("a<b>&\"c\"'d'\u{01}\u{0B}é"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;é")
        XCTAssertEqual(svgNumber(12.5), "12.5")
        XCTAssertEqual(svgNumber(3.0), "3")
        XCTAssertEqual(svgNumber(-0.001), "0")
        XCTAssertEqual(svgNumber(.nan), "0")
    }

    func testViridisEnds() {
        XCTAssertEqual(viridis(0).hex, "#440154")
        XCTAssertEqual(viridis(1).hex, "#fde725")
        XCTAssertEqual(viridis(-3).hex, "#440154")
        XCTAssertEqual(viridis(.nan).hex, "#440154")
    }
}
