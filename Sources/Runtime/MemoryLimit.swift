// How much memory one allocation may take: what the machine (or its cgroup) has free, and an optional ceiling.
import Foundation
import Synchronization

/// Decides whether a large allocation can fit before it is made.
///
/// Swift cannot recover from a failed allocation, and Linux grants memory it does not have and
/// later kills the process, so a `zeros(60000, 60000)` must be refused while it is still a number.
/// Allocations under `smallBytes` are never checked: reading the kernel's figures costs about
/// 20 µs, and small tensors are made in every training step.
public enum MemoryLimit {
    /// Allocations below this size (64 MiB) are not checked.
    public static let smallBytes = 64 << 20

    /// A ceiling on any one allocation, in bytes, set by the owner of the process (the fuzzer sets
    /// one so a sandboxed input cannot take the machine). Zero means no ceiling.
    public static var ceiling: Int {
        get { ceilingStorage.load(ordering: .relaxed) }
        set { ceilingStorage.store(max(0, newValue), ordering: .relaxed) }
    }
    private static let ceilingStorage = Atomic<Int>(0)

    /// The largest allocation allowed now, in bytes, when `bytes` is more than that; nil when it fits.
    ///
    /// The allowance is the smaller of the ceiling and half the memory available (the kernel's
    /// `MemAvailable`, or the cgroup's limit minus its use when that is lower): the half held back
    /// is for what comes with a tensor that large (an operation's output, a gradient, a copy).
    public static func exceeded(_ bytes: Int) -> Int? {
        guard bytes >= smallBytes else { return nil }
        var allowed = Int.max
        if let free = availableBytes() { allowed = free / 2 }
        let cap = ceiling
        if cap > 0 { allowed = min(allowed, cap) }
        return bytes > allowed ? allowed : nil
    }

    /// Bytes the kernel says can be allocated without swapping, or nil when it does not say.
    public static func availableBytes() -> Int? {
        var available: Int?
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kb = Int(line.split(separator: " ").dropFirst().first ?? "") {
            available = kb * 1024
        }
        // A container's limit (cgroup v2) can be far below the machine's.
        if let maxText = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let limit = Int(maxText.trimmingCharacters(in: .whitespacesAndNewlines)),
           let usedText = try? String(contentsOfFile: "/sys/fs/cgroup/memory.current", encoding: .utf8),
           let used = Int(usedText.trimmingCharacters(in: .whitespacesAndNewlines)) {
            available = min(available ?? Int.max, max(0, limit - used))
        }
        return available
    }

    /// `bytes` as text for messages: "14.4 GB", "512.0 MB".
    public static func describe(_ bytes: Int) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(bytes), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) bytes" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
