// The structural revision: a counter every change to what a walk of a layer tree finds advances, so a cached walk knows when it is stale.
import Synchronization

/// A process-wide counter advanced by every change to a network's structure: a layer appended to a
/// Sequential, a gate added to or removed from a parameter, a parameter frozen or unfrozen, a
/// quantizer's precision made or dropped, a shared layer moved to another bank or mixture.
///
/// Walking a small net's tree (`namedParams`, `trainingHooks`) used to cost more than all of the
/// arithmetic of its full-batch step, and the tree almost never changes between steps. A cache of
/// a walk stores the revision it was made at and walks again when the revision moved. One counter
/// for every net keeps the rule simple: a change anywhere makes every cache walk once more, which
/// costs a walk, never a wrong number. The counter only decides when to walk again; no result
/// depends on its value.
///
/// Every stored property that a walk reads and that can change after construction advances it in
/// its `didSet` (`Sequential.layers`, `Param.gates`, `Param.isFrozen`, `QuantizerGate.precision`,
/// `SharedWeight.bank`, `BankMember.shared`). A new such property must do the same; the caches'
/// debug builds compare the cached walk with a fresh one at every use, so a test that changes the
/// structure through a property that forgets catches it.
public enum StructureRevision {
    private static let counter = Atomic<UInt64>(0)

    /// The current revision.
    @inline(__always)
    public static var current: UInt64 { counter.load(ordering: .relaxed) }

    /// Marks every cached walk stale.
    @inline(__always)
    public static func advance() { counter.add(1, ordering: .relaxed) }
}
