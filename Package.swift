// swift-tools-version:6.0
// Whittle: an interactive environment for optimization and sparsification experiments on neural networks.
import PackageDescription

// Release builds drop exclusivity checks in the hot numeric code; overflow and bounds checks stay on.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
// Core's kernels are compiled for the CPU that builds them (AVX2 and FMA where it has them): the
// default x86-64 target allows only 4-wide SSE2, which halves every vectorised loop. Whittle is
// built from source where it runs, so the host CPU is the right target.
let hostCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native"])]
// Float.squareRoot() is a C shim (__builtin_sqrtf), and C's default errno semantics made it a
// branch and a scalar square root per lane, so no SIMD loop with a square root (every adaptive
// optimizer's) vectorised. Swift never reads errno; the result is the same correctly rounded root.
let noMathErrno: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"])]

let package = Package(
    name: "Whittle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "whittle", targets: ["whittle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, each through a module map.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),

        // A tiny leaf shared by Core and Interpreter: cancellation and progress.
        .target(name: "Runtime", swiftSettings: [.swiftLanguageMode(.v5)]),
        // Source text, tokens, lexer, parser, AST, resolver, diagnostics.
        .target(name: "Lang", swiftSettings: [.swiftLanguageMode(.v5)]),
        // Values, scopes, evaluator, runtime errors, the NativeObject bridge, the registration API.
        .target(name: "Interpreter", dependencies: ["Lang", "Runtime"],
                swiftSettings: [.swiftLanguageMode(.v5)] + fast),
        // Tensors, autograd, layers, losses, optimizers, data, metrics, files, plots.
        .target(name: "Core", dependencies: ["CBLAS", "CZlib", "Runtime"],
                swiftSettings: [.swiftLanguageMode(.v5)] + fast + hostCPU + noMathErrno),
        // The only bridge between the language and Core; the Session driver; the standard library.
        .target(name: "Builtins", dependencies: ["Lang", "Interpreter", "Core", "Runtime", "Sweep"],
                resources: [.copy("stdlib")],
                swiftSettings: [.swiftLanguageMode(.v5)]),
        // Sweeps: grids of script settings run as local processes or as a Slurm job array, and their collection.
        .target(name: "Sweep", dependencies: ["Core"], swiftSettings: [.swiftLanguageMode(.v5)]),
        // The command line and the prompt: thin.
        .executableTarget(name: "whittle",
                          dependencies: ["Builtins", "Core", "Interpreter", "Lang", "Runtime", "Sweep", "CEditLine",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: [.swiftLanguageMode(.v5)]),

        .testTarget(name: "LangTests", dependencies: ["Lang"]),
        .testTarget(name: "InterpreterTests", dependencies: ["Interpreter", "Lang", "Runtime"]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "Runtime"]),
        .testTarget(name: "BuiltinsTests", dependencies: ["Builtins", "Interpreter", "Lang", "Core", "Runtime", "Sweep"]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "Core"]),
        .testTarget(name: "WhittleTests", dependencies: ["whittle"]),
    ]
)
