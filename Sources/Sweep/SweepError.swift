// The one error type of the sweep engine: a message for the user, and whether it is a usage mistake.

/// What went wrong in a sweep, worded for the person who typed the command.
public struct SweepError: Error, CustomStringConvertible, Equatable {
    /// The message, without a "whittle:" prefix (the executable adds it).
    public let message: String
    /// A mistake on the command line (exit status 2) rather than a failure while running (1).
    public let isUsage: Bool

    public init(_ message: String, usage: Bool = false) {
        self.message = message
        self.isUsage = usage
    }

    public var description: String { message }
}
