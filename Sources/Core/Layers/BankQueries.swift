// What a template bank and a shared net can be asked: effective template count, one-hotness, Gram matrix, parameter breakdown.

extension TemplateBank {
    /// A_g, the members' α's as rows, [L, k].
    public func coefficients(members given: [SharedWeight<Scalar>]? = nil) -> [[Double]] {
        (given ?? members).map(\.mixture)
    }

    /// The singular values of A_g, largest first.
    /// - Throws: `CoreError.badArgument` for a bank without members.
    public func alphaSingularValues(members given: [SharedWeight<Scalar>]? = nil) throws -> [Double] {
        let a = coefficients(members: given)
        guard !a.isEmpty else { throw CoreError.badArgument(op: "bank", message: "the bank has no layers") }
        let t = Tensor<Double>(uncheckedShape: [a.count, k], scalars: a.flatMap { $0 })
        return try t.svd().s.scalars
    }

    /// The numerical rank of A_g: the fewest templates that reproduce every member's weight exactly
    /// (Prop. 3.1 with a B built from the SVD). Singular values below 1e-5 of the largest count 0
    /// (Float α's).
    public func effectiveTemplateCount(members given: [SharedWeight<Scalar>]? = nil) throws -> Int {
        let s = try alphaSingularValues(members: given)
        guard let top = s.first, top > 0 else { return 0 }
        return s.filter { $0 > top * 1e-5 }.count
    }

    /// Γ = T Tᵀ, [k, k]: the templates' inner products (the α-LSM equals the weight LSM when Γ ∝ I).
    public var templateGram: [[Double]] {
        let d = templateSize, t = templates.value.scalars.map(\.doubleValue)
        return (0..<k).map { i in
            (0..<k).map { j in (0..<d).reduce(0) { $0 + t[i * d + $1] * t[j * d + $1] } }
        }
    }

    /// ‖T⁽ⁱ⁾‖ for each template.
    public var templateNorms: [Double] { (0..<k).map { templateGram[$0][$0].squareRoot() } }
}

extension SharedWeight {
    /// ‖α‖_∞ / ‖α‖₂: 1 for a hard choice of one template, 1/√k for an even mix (0 for α = 0).
    public var onehotness: Double {
        let a = mixture
        let n2 = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return n2 > 0 ? (a.map(Swift.abs).max() ?? 0) / n2 : 0
    }

    /// The template with the largest |αᵢ|.
    public var nearestTemplate: Int {
        let a = mixture.map(Swift.abs)
        return a.indices.max { a[$0] < a[$1] } ?? 0
    }
}

/// A shared net's parameters by kind (spec §11).
public struct SharingBreakdown: Equatable, Sendable {
    /// Bank templates (each bank once).
    public var templates: Int
    /// The shared layers' α's (and folded layers' scales).
    public var coefficients: Int
    /// Everything else: unshared convs and dense layers, BatchNorm, biases.
    public var other: Int
    /// The parameters of the same net without sharing: every shared layer with its own weight.
    public var equivalentUnshared: Int

    public var total: Int { templates + coefficients + other }
    /// equivalentUnshared / total.
    public var compressionRatio: Double { total > 0 ? Double(equivalentUnshared) / Double(total) : 0 }
}

extension Layer {
    /// The parameter breakdown of the net (spec §11).
    public var sharingBreakdown: SharingBreakdown {
        var templates = 0, coefficients = 0, other = 0
        for p in params {
            switch p.role {
            case .template: templates += p.count
            case .coefficient: coefficients += p.count
            default: other += p.count
            }
        }
        let shared = banks.reduce(0) { $0 + $1.members.count * $1.bank.templateSize }
        return SharingBreakdown(templates: templates, coefficients: coefficients, other: other,
                                equivalentUnshared: other + shared)
    }
}
