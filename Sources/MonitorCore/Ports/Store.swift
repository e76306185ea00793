/// A source's read position: for a file its identity and byte offset, for Kafka a partition's
/// next offset. Stored with the window state in one transaction (DESIGN §10).
public struct SourcePosition: Hashable, Sendable {
    /// The source's name in the config.
    public var source: String
    /// Identity within the source: `file:<device>:<inode>` or `kafka:<topic>:<partition>`.
    public var key: String
    /// The file's last known path (or the topic).
    public var path: String
    /// Bytes consumed (files: always at a line boundary) or the next Kafka offset.
    public var offset: Int64
    /// Adapter-specific extras (e.g. a fingerprint of the file's first bytes, to tell a reused
    /// inode from the same file).
    public var meta: String

    public init(source: String, key: String, path: String, offset: Int64, meta: String = "") {
        self.source = source
        self.key = key
        self.path = path
        self.offset = offset
        self.meta = meta
    }
}

/// A stored reference profile. The payload is encoded and decoded by `MonitorWindowing`; the
/// store keeps it as bytes with the metadata needed to choose and audit it.
public struct ProfileRecord: Hashable, Sendable {
    /// Assigned by the store (0 before insertion).
    public var id: Int64
    /// `--name` of `monitor baseline`, or `file:<path>` for a profile built at start.
    public var name: String
    /// Versions of the same name count up from 1.
    public var revision: Int
    /// The model (and version) it applies to; nil = any.
    public var model: String?
    public var modelVersion: String?
    /// SHA-256 (hex) of the data the profile was built from.
    public var fingerprint: String
    public var rowCount: Int
    public var createdAt: Timestamp
    public var payload: [UInt8]

    public init(id: Int64 = 0, name: String, revision: Int = 0, model: String? = nil, modelVersion: String? = nil,
                fingerprint: String, rowCount: Int, createdAt: Timestamp, payload: [UInt8]) {
        self.id = id
        self.name = name
        self.revision = revision
        self.model = model
        self.modelVersion = modelVersion
        self.fingerprint = fingerprint
        self.rowCount = rowCount
        self.createdAt = createdAt
        self.payload = payload
    }
}

/// The state of one open window, as `MonitorWindowing` encodes it. `summary` is replaced at each
/// checkpoint; `chunks` are append-only (e.g. the exact sample's values added since the last
/// checkpoint), so a checkpoint writes what changed, not the whole window.
public struct WindowStateRecord: Hashable, Sendable {
    public var key: String
    public var summary: [UInt8]
    public var chunks: [[UInt8]]

    public init(key: String, summary: [UInt8], chunks: [[UInt8]] = []) {
        self.key = key
        self.summary = summary
        self.chunks = chunks
    }
}

/// Everything one checkpoint commits, in one SQLite transaction: what closed since the last
/// checkpoint (results, alert transitions) and where everything stands (open windows, alert
/// instances, source positions). A restart from it neither double-counts nor skips an event.
public struct CheckpointWrite: Sendable {
    /// Source positions after the last event folded into the state below.
    public var positions: [SourcePosition] = []
    /// Open windows whose summary changed (replaced), with chunks to append.
    public var windowUpserts: [WindowStateRecord] = []
    /// Windows that closed (their state and chunks are deleted).
    public var windowDeletes: [String] = []
    /// Results of the windows that closed.
    public var results: [WindowResult] = []
    /// Performance figures of windows that matured or were restated (each a new revision).
    /// The label-join operations (`LabelJoinStore`) made since the previous commit are part of
    /// this transaction too.
    public var performanceResults: [PerformanceResult] = []
    /// Alert transitions since the last checkpoint.
    public var transitions: [AlertTransition] = []
    /// The complete set of active (pending, firing, recently resolved) alert instances; replaces
    /// the stored set.
    public var alerts: [Alert]? = nil
    /// Opaque service state (watermarks, counters), replaced when non-nil.
    public var serviceState: [UInt8]? = nil
    /// The config in effect, recorded once per distinct hash. Results and transitions of this
    /// and later checkpoints refer to it until another config is given.
    public var config: ConfigRecord? = nil
    /// Notifications produced by routing these transitions (and by group timers), inserted into
    /// the outbox in this transaction; an id already in the outbox is skipped (a replay).
    public var notifications: [OutboxNotification] = []
    /// Notification decisions since the last checkpoint (sent, deduplicated, silenced,
    /// inhibited), appended to the notification log.
    public var notificationLog: [NotificationLogEntry] = []
    /// The alert groups and their notification log (`MonitorAlerting`'s encoding), replaced when
    /// non-nil; checkpointed with the transitions so that a restart neither repeats nor loses a
    /// group's notifications.
    public var notificationState: [UInt8]? = nil
    /// Retraining triggers decided since the last checkpoint (emitted, suppressed or silenced);
    /// a trigger id already stored is skipped (a replay). The outbox rows of the emitted ones
    /// are in `notifications`, so a trigger and its deliveries commit together.
    public var triggers: [TriggerRecord] = []
    /// Open triggers whose alert resolved.
    public var triggerClosures: [TriggerClosure] = []
    /// Events that did not enter the windows as they came (rejected by the decoder, late,
    /// without a usable timestamp, without a profile) since the last checkpoint, by source and
    /// reason: deltas, appended to the store's `event_counts`.
    public var eventCounts: [EventCount] = []
    /// The event time the `eventCounts` are recorded at (the last finite watermark when they
    /// were counted; `at` can be the end of time when a `--once` run closes everything).
    public var eventCountsAt: Timestamp = Timestamp(milliseconds: 0)
    /// Event time of the checkpoint (the latest watermark).
    public var at: Timestamp = Timestamp(milliseconds: 0)

    public init() {}

    /// Adds `count` events of `source` for `reason` to ``eventCounts`` (merging with an entry of
    /// the same source and reason; zero is not recorded).
    public mutating func addEventCount(source: String, reason: String, count: Int) {
        guard count > 0 else { return }
        if let i = eventCounts.firstIndex(where: { $0.source == source && $0.reason == reason }) {
            eventCounts[i].count += count
        } else {
            eventCounts.append(EventCount(source: source, reason: reason, count: count))
        }
    }
}

/// A number of events of one source that did not enter the windows as they came, for one reason.
///
/// Reasons are the decoder's (`malformed_json`, `wrong_type`, `oversized`, `missing_features`,
/// `missing_label`, …; `DecodeErrorReason`) and the windows' (`late`: behind the watermark;
/// `untimed`: no usable timestamp; `unprofiled`: no reference profile for the model).
public struct EventCount: Hashable, Sendable {
    public var source: String
    public var reason: String
    public var count: Int

    public init(source: String, reason: String, count: Int) {
        self.source = source
        self.reason = reason
        self.count = count
    }
}

/// A config's text and its SHA-256, as recorded with checkpoints (DESIGN §10: the config in
/// effect for each evaluation).
///
/// A struct rather than a `(hash, text)` tuple so that it is `Hashable` and cannot be built with
/// a hash that does not match the text.
public struct ConfigRecord: Hashable, Sendable {
    /// SHA-256 of the text's UTF-8 bytes, 64 lowercase hex digits.
    public let hash: String
    /// The config as the service read it (the concatenated files, as `MonitorService` defines).
    public let text: String

    /// A record of `text`, hashing it.
    public init(text: String) {
        self.text = text
        self.hash = SHA256.hex(text)
    }
}

/// What a restart loads.
public struct LoadedCheckpoint: Sendable {
    public var positions: [SourcePosition] = []
    public var windows: [WindowStateRecord] = []
    public var alerts: [Alert] = []
    public var serviceState: [UInt8]? = nil
    /// The last committed `CheckpointWrite.notificationState`.
    public var notificationState: [UInt8]? = nil
    /// `CheckpointWrite.at` of the last commit; nil on a fresh store.
    public var at: Timestamp? = nil

    public init() {}
}

/// A stored alert transition (with its store id and whether it has been delivered).
public struct StoredTransition: Hashable, Sendable {
    public var id: Int64
    public var transition: AlertTransition
    public var deliveredAt: Timestamp?

    public init(id: Int64, transition: AlertTransition, deliveredAt: Timestamp?) {
        self.id = id
        self.transition = transition
        self.deliveredAt = deliveredAt
    }
}

/// Reference profiles, versioned by name.
public protocol ProfileStore: Sendable {
    /// Stores a new revision of `profile.name`; returns it with `id` and `revision` set.
    func saveProfile(_ profile: ProfileRecord) throws -> ProfileRecord
    /// The latest revision of a name, or nil.
    func latestProfile(named name: String) throws -> ProfileRecord?
    func profile(id: Int64) throws -> ProfileRecord?
    /// All profiles' metadata (payload empty), newest first.
    func listProfiles() throws -> [ProfileRecord]
}

/// Checkpoints and window results.
public protocol CheckpointStore: Sendable {
    /// Commits everything in one transaction.
    func commit(_ checkpoint: CheckpointWrite) throws
    /// The state to resume from (empty on a fresh store).
    func loadCheckpoint() throws -> LoadedCheckpoint
}

/// Window results, for `/api`, tests and the report.
public protocol WindowResultStore: Sendable {
    /// Results whose window ends in [from, to), ordered by end then key.
    func windowResults(model: String?, from: Timestamp?, to: Timestamp?) throws -> [WindowResult]
}

/// Alert history and delivery bookkeeping.
public protocol AlertHistoryStore: Sendable {
    /// Transitions not yet delivered, oldest first.
    func undeliveredTransitions(limit: Int) throws -> [StoredTransition]
    func markDelivered(ids: [Int64], at: Timestamp) throws
    /// All transitions, oldest first.
    func transitions(since: Timestamp?) throws -> [StoredTransition]
}

/// The delayed-label join (DESIGN §5): predictions wait for their label by id, and labels for
/// their prediction, in the store — not in memory — for up to the labels horizon.
///
/// **Transactions.** Every call made between two `CheckpointStore.commit(_:)` calls belongs
/// to the transaction that commit ends: joins, expiries and the window state, positions and
/// results of the checkpoint become durable together, so a crash (kill -9 included) rolls the
/// join back to the last checkpoint, exactly where the sources resume. Reads inside see the
/// uncommitted joins.
///
/// **Policy** (first wins, duplicates counted):
/// - a prediction whose id has a pending prediction, or whose (id, event time) was stored
///   before, is a duplicate; otherwise it is stored pending — an id may be reused once its
///   earlier prediction has its label or expired (ids reused across windows);
/// - a label joins the pending prediction with its id when it arrives at most `horizon` after
///   it (label time − prediction time ≤ horizon); a label arriving later expires that
///   prediction and waits like a label that came first;
/// - a label whose id was labeled within the horizon before it (prediction time ≥ label time −
///   horizon), or whose id already has a waiting label, is a duplicate; otherwise it waits for
///   its prediction.
public protocol LabelJoinStore: Sendable {
    /// Stores predictions (pending), joining those whose label waits already.
    /// - Parameter horizon: ms; a waiting label more than this after the prediction does not join it.
    /// - Returns: one outcome per row.
    func registerPredictions(_ rows: PredictionRows, horizon: Int64) throws -> [PredictionJoinOutcome]
    /// Joins labels to pending predictions, or stores them to wait.
    func joinLabels(_ labels: LabelBatch, horizon: Int64) throws -> LabelJoinResult
    /// Expires pending predictions with event time before `predictionsBefore` (kept, as
    /// expired, until `deleteSettled`) and deletes waiting labels with time before `labelsBefore`.
    /// - Returns: how many of each expired.
    func expirePending(predictionsBefore: Timestamp, labelsBefore: Timestamp) throws -> (predictions: Int, labels: Int)
    /// Deletes labeled and expired predictions with event time before `before` (their windows'
    /// figures are final).
    func deleteSettled(before: Timestamp) throws
    /// The labeled rows of one model version with prediction time in [from, to).
    func joinedRows(_ stream: ModelVersion, from: Timestamp, to: Timestamp) throws -> JoinedRows
    /// What waits in the join now.
    func labelJoinCounts() throws -> LabelJoinCounts
}

/// Model performance per window, every revision, and the reference profiles' performance.
public protocol PerformanceStore: Sendable {
    /// Revisions of windows ending in [from, to) (nil: unbounded), ordered by end, key, revision.
    func performanceResults(model: String?, from: Timestamp?, to: Timestamp?) throws -> [PerformanceResult]
    /// Records a reference profile's performance on its labeled data (`monitor baseline --labels`).
    /// Samples carry the plain metric names (`accuracy`) and labels such as `class`.
    func saveReferencePerformance(profileID: Int64, samples: [Sample]) throws
    /// A profile's recorded performance (empty when none).
    func referencePerformance(profileID: Int64) throws -> [Sample]
}

/// Retraining triggers (DESIGN §9). Rows are inserted by ``CheckpointStore/commit(_:)``.
public protocol TriggerStore: Sendable {
    /// Triggers of one model (all when nil), oldest firing first; triggers of one instant in the
    /// order they were decided.
    func triggers(model: String?) throws -> [TriggerRecord]
}
