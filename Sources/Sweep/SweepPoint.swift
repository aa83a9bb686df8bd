// One point of a sweep: its index and its settings, and the `whittle` command line that runs it.

/// One `--set name=value` of a point; the value is the text the child's `setting` reads as a literal.
public struct Setting: Equatable, Sendable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A point of the sweep: the settings of one run of the script.
public struct SweepPoint: Equatable, Sendable {
    /// Position in the manifest, from 0; also the Slurm array task that runs it.
    public let index: Int
    public let settings: [Setting]

    public init(index: Int, settings: [Setting]) {
        self.index = index
        self.settings = settings
    }

    /// `lr=0.1 seed=0`, for progress lines and messages.
    public var label: String { settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }

    /// The arguments of `whittle` for this point: `--quiet`, one `--set` per setting, and the
    /// script last (options stop at the script). A setting named `seed` that is a non-negative
    /// integer becomes `--seed n` instead: every random draw follows it, the script reads it with
    /// `seed()`, and no global named `seed` hides the built-in.
    public func arguments(script: String) -> [String] {
        var out = ["--quiet"]
        for s in settings {
            if s.name == "seed", let n = UInt64(s.value) {
                out += ["--seed", String(n)]
            } else {
                out += ["--set", "\(s.name)=\(s.value)"]
            }
        }
        return out + [script]
    }
}

/// Every point of a sweep, numbered in order, from lists of settings.
func numbered(_ settings: [[Setting]]) -> [SweepPoint] {
    settings.enumerated().map { SweepPoint(index: $0.offset, settings: $0.element) }
}
