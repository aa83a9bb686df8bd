// "Nice" axis scales: 1-2-5 tick steps, loose bounds, decade ticks for log axes, and tick labels.

import Foundation

/// An axis: the value range it shows and the ticks to label, linear or base-10 logarithmic.
public struct AxisScale: Equatable {
    /// The lowest and highest value shown (for a log axis, positive values).
    public var low: Double
    public var high: Double
    /// The values to mark and label, ascending, all within `low...high`.
    public var ticks: [Double]
    /// True for a base-10 logarithmic axis.
    public var isLog: Bool
    /// The tick labels, one per tick.
    public var labels: [String]

    /// Where `value` falls along the axis: 0 at `low`, 1 at `high` (outside for values beyond).
    public func fraction(_ value: Double) -> Double {
        if isLog { return (log10(value) - log10(low)) / (log10(high) - log10(low)) }
        return (value - low) / (high - low)
    }

    /// A linear axis covering `low...high` with at most `maxTicks` ticks at a 1-2-5 step; the
    /// bounds widen outward to whole steps so the data sit between labelled ticks.
    public static func linear(_ low: Double, _ high: Double, maxTicks: Int) -> AxisScale {
        var (lo, hi) = (low, high)
        if !(lo.isFinite && hi.isFinite) || lo > hi { (lo, hi) = (0, 1) }
        // Keep far from Double's limits so padding and spans cannot overflow.
        (lo, hi) = (min(1e300, max(-1e300, lo)), min(1e300, max(-1e300, hi)))
        // A span below ~1e-12 of the magnitude cannot be ticked in Double: treat it as one value.
        if hi - lo <= max(abs(lo), abs(hi)) * 1e-12 {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            (lo, hi) = (lo - pad, hi + pad)
        }
        // Three ticks always fit (a range across 0 needs them).
        let count = max(3, maxTicks)
        var step = niceStep((hi - lo) / Double(count - 1))
        // The slack keeps -0.2 / 0.1 = -2.0000000000000004 from adding a whole extra step.
        func bounds(_ step: Double) -> (Double, Double) {
            ((lo / step + 1e-9).rounded(.down), (hi / step - 1e-9).rounded(.up))
        }
        var (first, last) = bounds(step)
        // Widening to whole steps can add a tick too many; take the next step up then.
        for _ in 0..<64 where last - first + 1 > Double(count) {
            step = niceStep(step * 1.01)
            (first, last) = bounds(step)
        }
        // A guard against any rounding surprise: never more than `count` ticks.
        guard last - first + 1 <= Double(count), last >= first else {
            return AxisScale(low: lo, high: hi, ticks: [lo, hi], isLog: false,
                             labels: [formatValue(lo), formatValue(hi)])
        }
        let ticks = stride(from: first, through: last, by: 1).map { ($0 * step).isZero ? 0 : $0 * step }
        return AxisScale(low: first * step, high: last * step, ticks: ticks, isLog: false,
                         labels: ticks.map { formatTick($0, step: step) })
    }

    /// A log axis covering `low...high` (positive) from decade to decade; short ranges also get
    /// 2× and 5× ticks, long ones label every k-th decade to stay within `maxTicks`.
    public static func logarithmic(_ low: Double, _ high: Double, maxTicks: Int) -> AxisScale {
        var (lo, hi) = (low, high)
        if !(lo.isFinite && hi.isFinite) || lo <= 0 || lo > hi { (lo, hi) = (1, 10) }
        (lo, hi) = (min(1e300, max(1e-300, lo)), min(1e300, max(1e-300, hi)))
        var first = log10(lo).rounded(.down), last = log10(hi).rounded(.up)
        if first == last { (first, last) = (first - 1, last + 1) }
        let decades = Int(last - first)
        var ticks: [Double] = []
        if decades <= 2 && maxTicks >= 3 * decades + 1 {
            for e in Int(first)..<Int(last) {
                for m in [1.0, 2, 5] { ticks.append(m * pow(10, Double(e))) }
            }
            ticks.append(pow(10, last))
        } else {
            let every = max(1, Int((Double(decades) / Double(max(1, maxTicks - 1))).rounded(.up)))
            // Align the labelled decades to multiples of `every` so the ends stay whole decades.
            first = (first / Double(every)).rounded(.down) * Double(every)
            last = (last / Double(every)).rounded(.up) * Double(every)
            ticks = stride(from: Int(first), through: Int(last), by: every).map { pow(10, Double($0)) }
        }
        return AxisScale(low: pow(10, first), high: pow(10, last), ticks: ticks, isLog: true,
                         labels: ticks.map(formatLogTick))
    }
}

/// The smallest of 1, 2, 5 × 10^k that is at least `raw`.
func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let magnitude = pow(10, log10(raw).rounded(.down))
    for m in [1.0, 2, 5, 10] where m * magnitude >= raw * (1 - 1e-12) { return m * magnitude }
    return 10 * magnitude
}

/// The 1, 2, 5 × 10^k nearest to `raw` on a log scale (for bin widths, where rounding up would
/// halve the number of bins).
func nearestNiceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let magnitude = pow(10, log10(raw).rounded(.down))
    return [1.0, 2, 5, 10].map { $0 * magnitude }.min { abs(log($0 / raw)) < abs(log($1 / raw)) } ?? magnitude
}

/// A tick value with just enough decimals for `step` (0.25 steps would be written 0.2, 0.4 …
/// since steps are 1-2-5 multiples); very large or small magnitudes in exponent form.
func formatTick(_ value: Double, step: Double) -> String {
    if value == 0 { return "0" }
    guard value.isFinite, step.isFinite, step > 0 else { return formatValue(value) }
    let magnitude = max(abs(value), step)
    if magnitude >= 1e6 || step < 1e-4 {
        // Exponent form with as many mantissa digits as the step needs.
        let exponent = Int(log10(abs(value)).rounded(.down))
        let digits = max(0, exponent - Int(log10(step).rounded(.down)))
        return compactExponent(String(format: "%.\(min(digits, 6))e", value))
    }
    let decimals = max(0, -Int(log10(step).rounded(.down)))
    return String(format: "%.\(decimals)f", value)
}

/// A power of ten for a log axis: plain between 0.001 and 10000, `1e-5` / `1e6` beyond.
func formatLogTick(_ value: Double) -> String {
    guard value > 0, value.isFinite else { return formatValue(value) }
    // Floor (with slack for rounding) so 2·10^k and 5·10^k stay in decade k.
    let exponent = Int((log10(value) + 1e-9).rounded(.down))
    let mantissa = value / pow(10, Double(exponent))
    if (-3...4).contains(exponent) {
        return formatTick(value, step: pow(10, Double(min(exponent, 0))))
    }
    let m = (mantissa - mantissa.rounded()).magnitude < 1e-9 ? String(Int(mantissa.rounded())) : String(format: "%.1f", mantissa)
    return "\(m)e\(exponent)"
}

/// `1.50e+06` → `1.5e6`, `2e-05` → `2e-5`: drops trailing zeros, the plus sign and leading zeros.
func compactExponent(_ text: String) -> String {
    guard let e = text.firstIndex(of: "e") else { return text }
    var mantissa = String(text[..<e])
    if mantissa.contains(".") {
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
    }
    let exponent = Int(text[text.index(after: e)...]) ?? 0
    return "\(mantissa)e\(exponent)"
}

/// A value for a legend or colour-bar end: 4 significant digits, exponent form when extreme.
func formatValue(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    if value == 0 { return "0" }
    if abs(value) >= 1e5 || abs(value) < 1e-3 { return compactExponent(String(format: "%.3e", value)) }
    var text = String(format: "%.4g", value)
    if text.contains("e") { text = compactExponent(text) }
    return text
}
