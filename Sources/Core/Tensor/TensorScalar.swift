// The element types a tensor can hold, and the BLAS, libm and SIMD-compare entry points each one binds to.
import CBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element types a tensor can hold. The language only ever sees `Float`; `Double` exists so
/// gradient checks can run the very same kernels at a tolerance near 1e-6.
///
/// Besides arithmetic, a scalar type names its BLAS `gemm` and the libm functions the element-wise
/// kernels need, so generic kernels compile down to the right C call for each type, and the lane
/// compares of the optimizers' SIMD rules, written in each concrete type so they vectorise.
public protocol TensorScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable, CustomStringConvertible
where Magnitude == Self {
    /// One call of `cblas_sgemm` / `cblas_dgemm`: `C = alpha · op(A) · op(B) + beta · C`, row-major.
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc` are the row
    /// strides of the stored (untransposed) matrices. Call `gemm` instead, which splits large
    /// products over the cores (the executable keeps OpenBLAS single-threaded, see `ProcessTuning`).
    static func blasGemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// e^x
    static func exp(_ x: Self) -> Self
    /// Natural logarithm.
    static func log(_ x: Self) -> Self
    /// Hyperbolic tangent.
    static func tanh(_ x: Self) -> Self
    /// x^y with libm's rules (negative base and fractional exponent give NaN).
    static func pow(_ x: Self, _ y: Self) -> Self
    /// Sine (radians).
    static func sin(_ x: Self) -> Self
    /// Cosine (radians).
    static func cos(_ x: Self) -> Self
    /// Arc cosine in [0, π] (NaN outside [-1, 1]).
    static func acos(_ x: Self) -> Self
    /// Base-2 logarithm.
    static func log2(_ x: Self) -> Self
    /// log(1 + x), accurate for tiny x.
    static func log1p(_ x: Self) -> Self
    /// The Gauss error function 2/√π ∫₀ˣ e^(−t²) dt.
    static func erf(_ x: Self) -> Self
    /// The value as a Double (exact for Float and Double).
    var doubleValue: Double { get }
    /// max(a, b) lane by lane, a NaN in b keeping a (as `pointwiseMax` gives it for numbers): one
    /// compare and one blend.
    ///
    /// Written out per type because only the concrete `SIMD8<Float>` and `SIMD8<Double>` overloads
    /// of `.>` vectorise: generic code, even specialised, builds the mask lane by lane through
    /// memory (2–4× slower than the whole update), and `pointwiseMax` is a scalar call per lane.
    static func laneMaximum(_ a: SIMD8<Self>, _ b: SIMD8<Self>) -> SIMD8<Self>
    /// x clipped into [lo, hi] (lo ≤ hi) lane by lane, a NaN to lo (as
    /// `pointwiseMin(pointwiseMax(x, lo), hi)` gives it); per type for the reason `laneMaximum` is.
    /// The bounds are scalars, broadcast here: a rule's captured SIMD8 reached it through two
    /// 16-byte stores and one 32-byte load, a store-forwarding stall on every eight entries.
    static func laneClamp(_ x: SIMD8<Self>, lower lo: Self, upper hi: Self) -> SIMD8<Self>
    /// 1 where x ≠ 0, else 0, lane by lane (the entries a keep-mask keeps); per type for the reason
    /// `laneMaximum` is.
    static func laneNonzero(_ x: SIMD8<Self>) -> SIMD8<Self>
}

extension Float: TensorScalar {
    @inlinable
    public static func blasGemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { logf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    @inlinable public static func sin(_ x: Float) -> Float { sinf(x) }
    @inlinable public static func cos(_ x: Float) -> Float { cosf(x) }
    @inlinable public static func acos(_ x: Float) -> Float { acosf(x) }
    @inlinable public static func log2(_ x: Float) -> Float { log2f(x) }
    @inlinable public static func log1p(_ x: Float) -> Float { log1pf(x) }
    @inlinable public static func erf(_ x: Float) -> Float { erff(x) }
    @inlinable public var doubleValue: Double { Double(self) }
    @inlinable @inline(__always) public static func laneMaximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: b, where: b .> a)
    }
    @inlinable @inline(__always) public static func laneClamp(_ x: SIMD8<Float>, lower lo: Float, upper hi: Float) -> SIMD8<Float> {
        x.replacing(with: hi, where: x .> hi).replacing(with: lo, where: .!(x .>= lo))
    }
    @inlinable @inline(__always) public static func laneNonzero(_ x: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>.zero.replacing(with: 1, where: x .!= 0)
    }
}

extension Double: TensorScalar {
    @inlinable
    public static func blasGemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
    @inlinable public static func sin(_ x: Double) -> Double { Glibc.sin(x) }
    @inlinable public static func cos(_ x: Double) -> Double { Glibc.cos(x) }
    @inlinable public static func acos(_ x: Double) -> Double { Glibc.acos(x) }
    @inlinable public static func log2(_ x: Double) -> Double { Glibc.log2(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
    @inlinable public static func erf(_ x: Double) -> Double { Glibc.erf(x) }
    @inlinable public var doubleValue: Double { self }
    @inlinable @inline(__always) public static func laneMaximum(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> {
        a.replacing(with: b, where: b .> a)
    }
    @inlinable @inline(__always) public static func laneClamp(_ x: SIMD8<Double>, lower lo: Double, upper hi: Double) -> SIMD8<Double> {
        x.replacing(with: hi, where: x .> hi).replacing(with: lo, where: .!(x .>= lo))
    }
    @inlinable @inline(__always) public static func laneNonzero(_ x: SIMD8<Double>) -> SIMD8<Double> {
        SIMD8<Double>.zero.replacing(with: 1, where: x .!= 0)
    }
}
