// Run: the record of one `fit` — per-epoch figures, history records and the settings used.
import Runtime

/// The settings of a `fit` call.
public struct FitSettings<Scalar: TensorScalar> {
    /// Passes over the data, ≥ 1.
    public var epochs: Int = 1
    /// Examples per minibatch, ≥ 1; the last partial batch is kept.
    public var batchSize: Int = 32
    /// Reshuffle the examples at the start of each epoch.
    public var shuffle: Bool = true
    /// Seed of the shuffles (epoch e uses stream e of this seed).
    public var seed: UInt64 = 0
    /// The loss; nil picks cross-entropy for class labels and MSE otherwise.
    public var loss: Loss<Scalar>?
    /// Checked between minibatches: the session's token (cancelled by Ctrl-C); a fresh one when
    /// nobody can cancel (tests make their own).
    public var token: CancellationToken

    public init(epochs: Int = 1, batchSize: Int = 32, shuffle: Bool = true, seed: UInt64 = 0,
                loss: Loss<Scalar>? = nil, token: CancellationToken = CancellationToken()) {
        self.token = token
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.loss = loss
    }
}

/// What happened in one epoch: one entry of `run.history`.
public struct EpochRecord: Equatable, Sendable {
    /// 1 for the first epoch.
    public var epoch: Int
    /// Mean training loss over the epoch's batches (weighted by batch size).
    public var loss: Double
    /// Training accuracy of the outputs seen while training (class labels only).
    public var accuracy: Double?
    /// Loss and accuracy on the test set, when one was given.
    public var testLoss: Double?
    public var testAccuracy: Double?
    /// The learning rate used during the epoch.
    public var lr: Double
    /// Examples trained on, and wall-clock seconds of the training part of the epoch.
    public var samples: Int
    public var seconds: Double
    /// What each training hook reported at the end of the epoch.
    public var hooks: [HookReport] = []
    /// Training throughput of the epoch.
    public var samplesPerSecond: Double { seconds > 0 ? Double(samples) / seconds : 0 }
}

/// One setting of a run, with its type kept (a script compares `run.settings.epochs` with an Int).
public enum SettingValue: Equatable, Sendable {
    case int(Int), bool(Bool), text(String)
    /// Not given (no test set).
    case none
}

/// The record of a training run, filled in as it goes: a run interrupted by Ctrl-C or stopped by a
/// NaN loss keeps everything up to that point (the caller keeps it as `last_run`).
public final class Run: CustomStringConvertible {
    /// Per-epoch mean training loss.
    public internal(set) var loss: [Double] = []
    /// Per-epoch training accuracy (empty for regression).
    public internal(set) var accuracy: [Double] = []
    /// Per-epoch test loss and accuracy (empty without a test set).
    public internal(set) var testLoss: [Double] = []
    public internal(set) var testAccuracy: [Double] = []
    /// One record per completed epoch.
    public internal(set) var history: [EpochRecord] = []
    /// The settings as (name, value) pairs: epochs, batch, loss, optimizer, …
    public internal(set) var settings: [(name: String, value: SettingValue)] = []
    /// Batches trained and the running mean loss of the current (possibly partial) epoch.
    public internal(set) var batches = 0
    public internal(set) var partialLoss: Double?
    /// True once every epoch ran; false for an interrupted or failed run.
    public internal(set) var isComplete = false
    /// Why the run stopped early, e.g. "interrupted after epoch 2, batch 313".
    public internal(set) var stopReason: String?
    /// One record per step of a loop that is not `fit` (a search, a Lasso path), in order.
    public internal(set) var records: [Report] = []

    /// Adds a step's record (loops other than `fit` keep their history here).
    public func append(_ record: Report) { records.append(record) }
    /// Marks the run finished.
    public func complete() { isComplete = true }

    public init() {}

    public var description: String {
        let last = loss.last.map(formatted) ?? "-"
        return "Run(\(history.count) epochs, loss \(last)\(isComplete ? "" : ", incomplete"))"
    }
}
