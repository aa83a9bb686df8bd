// The viridis colour scale (perceptually uniform, colour-blind safe) for heatmaps and colour bars.

/// An sRGB colour with components in 0...255.
struct RGB: Equatable {
    var r: Int, g: Int, b: Int

    /// `#rrggbb`.
    var hex: String {
        "#" + [r, g, b].map { c in
            let h = String(min(255, max(0, c)), radix: 16)
            return h.count == 1 ? "0" + h : h
        }.joined()
    }

    /// Relative luminance in 0...1 (sRGB weights, no gamma), to pick black or white text on it.
    var luminance: Double { (0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)) / 255 }
}

/// Ten evenly spaced samples of viridis (as R's `viridis(10)` lists them), interpolated linearly.
private let viridisAnchors: [RGB] = [
    RGB(r: 0x44, g: 0x01, b: 0x54), RGB(r: 0x48, g: 0x28, b: 0x78), RGB(r: 0x3E, g: 0x4A, b: 0x89),
    RGB(r: 0x31, g: 0x68, b: 0x8E), RGB(r: 0x26, g: 0x82, b: 0x8E), RGB(r: 0x1F, g: 0x9E, b: 0x89),
    RGB(r: 0x35, g: 0xB7, b: 0x79), RGB(r: 0x6D, g: 0xCD, b: 0x59), RGB(r: 0xB4, g: 0xDE, b: 0x2C),
    RGB(r: 0xFD, g: 0xE7, b: 0x25),
]

/// The viridis colour at `t` in [0, 1] (clamped): dark purple at 0, yellow at 1.
func viridis(_ t: Double) -> RGB {
    let x = (t.isNaN ? 0 : min(1, max(0, t))) * Double(viridisAnchors.count - 1)
    let i = min(viridisAnchors.count - 2, Int(x))
    let f = x - Double(i)
    let a = viridisAnchors[i], b = viridisAnchors[i + 1]
    func mix(_ p: Int, _ q: Int) -> Int { Int((Double(p) + (Double(q) - Double(p)) * f).rounded()) }
    return RGB(r: mix(a.r, b.r), g: mix(a.g, b.g), b: mix(a.b, b.b))
}

/// The value range of a heatmap: the given one, or the finite min and max of `values`
/// (widened when they are equal so the colour scale is defined).
func valueRange(_ values: [Float], fixed: (Double, Double)?) -> (Double, Double) {
    if let (lo, hi) = fixed, lo.isFinite, hi.isFinite, lo < hi, (hi - lo).isFinite { return (lo, hi) }
    var lo = Double.infinity, hi = -Double.infinity
    for v in values where v.isFinite {
        lo = min(lo, Double(v))
        hi = max(hi, Double(v))
    }
    if lo > hi { return (0, 1) }
    if lo == hi { return (lo - 0.5, hi + 0.5) }
    return (lo, hi)
}
