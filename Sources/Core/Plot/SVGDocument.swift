// A small SVG writer: elements with escaped text and attributes, the series palette, number format.

import Foundation

/// Builds an SVG document as text. Every text and attribute value is XML-escaped.
struct SVGDocument {
    let width: Int
    let height: Int
    private var body: [String] = []

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Appends `<name attributes…/>`.
    mutating func element(_ name: String, _ attributes: [(String, String)]) {
        body.append("<\(name)\(attributeText(attributes))/>")
    }

    /// Appends `<text attributes…>content</text>`.
    mutating func text(_ content: String, _ attributes: [(String, String)]) {
        body.append("<text\(attributeText(attributes))>\(xmlEscaped(content))</text>")
    }

    /// Appends a `<title>` tooltip wrapped in a group with `attributes`, around `inner` elements.
    mutating func raw(_ markup: String) { body.append(markup) }

    /// The complete document.
    func render() -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
        font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
        <rect x="0" y="0" width="\(width)" height="\(height)" fill="white"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }

    private func attributeText(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(xmlEscaped($0.1))\"" }.joined()
    }
}

/// `text` with `& < > " '` replaced by entities and characters XML forbids dropped.
func xmlEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default:
            // XML 1.0 allows tab, newline, carriage return and U+0020 upward only.
            if scalar.value >= 0x20 || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

/// A coordinate with two decimals and no trailing zeros (`12.5`, `3`).
func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    var text = String(format: "%.2f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
}

/// The series colours (matplotlib's tab10).
let svgSeriesColors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                       "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

/// Rough width in pixels of `text` at `fontSize` (sans-serif averages ~0.6 em per character).
func textWidth(_ text: String, fontSize: Double = 12) -> Double {
    Double(text.count) * fontSize * 0.6
}
