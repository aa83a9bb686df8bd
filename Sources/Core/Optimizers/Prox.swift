// The sparsity penalties of RVSM (ℓ1, ℓ0, transformed ℓ1) with their proximal (thresholding) maps.
import Foundation

/// A sparsity penalty P(u) and its proximal map prox_τ(w) = argmin_u τ·P(u) + ½(u − w)², applied
/// element-wise (Dinh & Xin, "Convergence of a Relaxed Variable Splitting Method for Learning
/// Sparse Neural Networks via ℓ1, ℓ0, and Transformed-ℓ1 Penalties"; TL1's map: Zhang & Xin 2017).
/// RVSM's u-update is prox_{λ/β}(w).
public enum SparsePenalty: Equatable, Sendable, CustomStringConvertible {
    /// P(u) = Σ|uᵢ|; prox = soft thresholding, cutoff τ.
    case l1
    /// P(u) = #{uᵢ ≠ 0}; prox = hard thresholding at √(2τ) (|w| = √(2τ) gives 0).
    case l0
    /// P(u) = Σ (a+1)|uᵢ| / (a + |uᵢ|), a > 0: ℓ0 as a → 0⁺, ℓ1 as a → ∞.
    case tl1(a: Double)

    /// The penalty named `name` ("l1", "l0", "tl1") with TL1's `a`.
    /// - Throws: `CoreError.badArgument` for another name (with the nearest one) or a ≤ 0.
    public init(name: String, a: Double, op: String) throws {
        switch name {
        case "l1": self = .l1
        case "l0": self = .l0
        case "tl1":
            guard a.isFinite, a > 0 else { throw CoreError.badArgument(op: op, message: "a must be a positive number, got \(a)") }
            self = .tl1(a: a)
        default:
            let names = ["l1", "l0", "tl1"]
            let near = names.min { editDistance($0, name.lowercased()) < editDistance($1, name.lowercased()) } ?? "l1"
            throw CoreError.badArgument(op: op, message: "penalty must be \"l1\", \"l0\" or \"tl1\", got \"\(name)\"; did you mean \"\(near)\"?")
        }
    }

    public var description: String {
        switch self {
        case .l1: return "l1"
        case .l0: return "l0"
        case .tl1: return "tl1"
        }
    }

    /// P(x) of one entry.
    public func value(_ x: Double) -> Double {
        switch self {
        case .l1: return Swift.abs(x)
        case .l0: return x == 0 ? 0 : 1
        case .tl1(let a): return (a + 1) * Swift.abs(x) / (a + Swift.abs(x))
        }
    }

    /// The largest |w| the map sends to 0: τ (ℓ1), √(2τ) (ℓ0), and for TL1 τ(a+1)/a when
    /// τ ≤ a²/(2(a+1)), √(2τ(a+1)) − a/2 otherwise.
    public func cutoff(_ tau: Double) -> Double {
        switch self {
        case .l1: return tau
        case .l0: return (2 * tau).squareRoot()
        case .tl1(let a):
            return tau <= a * a / (2 * (a + 1)) ? tau * (a + 1) / a : (2 * tau * (a + 1)).squareRoot() - a / 2
        }
    }

    /// prox_τ of one entry.
    public func prox(_ w: Double, tau: Double) -> Double {
        let m = Swift.abs(w), sign: Double = w < 0 ? -1 : 1
        switch self {
        case .l1: return m > tau ? sign * (m - tau) : 0
        case .l0: return m > (2 * tau).squareRoot() ? w : 0
        case .tl1(let a):
            guard m > cutoff(tau) else { return 0 }
            let arg = Swift.max(-1, Swift.min(1, 1 - 27 * tau * a * (a + 1) / (2 * pow(a + m, 3))))
            let phi = acos(arg)
            return sign * ((2.0 / 3) * (a + m) * cos(phi / 3) - 2 * a / 3 + m / 3)
        }
    }

    /// prox_τ element-wise.
    public func prox<S: TensorScalar>(_ t: Tensor<S>, tau: Double) -> Tensor<S> {
        t.map { S(prox($0.doubleValue, tau: tau)) }
    }

    /// Σ P(tᵢ).
    public func total<S: TensorScalar>(_ t: Tensor<S>) -> Double {
        t.scalars.reduce(0) { $0 + value($1.doubleValue) }
    }
}

/// Levenshtein distance, for "did you mean" in Core's own messages.
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    var row = Array(0...y.count)
    for i in 1...Swift.max(x.count, 1) where !x.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in 1...Swift.max(y.count, 1) where !y.isEmpty {
            let current = row[j]
            row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return row[y.count]
}
