public import MonitorCore
import Synchronization

/// The SQLite store (DESIGN §10): reference profiles, checkpoints, window results with every
/// series value, alert state and history, in one database file in WAL mode.
///
/// ```swift
/// let store = try SQLiteStore(path: "monitor.db")
/// var write = CheckpointWrite()
/// write.positions = [SourcePosition(source: "preds", key: "file:2049:1234", path: "p.jsonl", offset: 4096)]
/// try store.commit(write)                       // one transaction
/// let resume = try store.loadCheckpoint()       // after a restart
/// ```
///
/// **Concurrency.** One connection, serialised by a mutex: calls from any thread or task are
/// safe and run one at a time (each is a short synchronous SQLite call; call from a task that
/// may block). Other processes (e.g. `monitor report`) may open the same file with their own
/// `SQLiteStore`: WAL lets them read committed snapshots while this one writes; writers wait for
/// each other up to `busyTimeout`.
///
/// **Durability.** Every `commit` is one transaction: a crash at any point leaves the file at
/// the previous or the new checkpoint, never in between. With `synchronous = NORMAL` (the
/// default) in WAL mode, a commit appends its pages to the `-wal` file with `write(2)` but does
/// not `fsync` it (only WAL checkpoints sync). Once `write(2)` returned, the data is in the
/// kernel's page cache, which outlives the process: a crash, `kill -9` or OOM kill of the
/// service loses nothing that was committed. A power loss or kernel crash can lose the last
/// commits before the next sync (the file stays consistent: the store then resumes from an
/// earlier checkpoint and replays from its source positions). `synchronous = FULL` syncs the
/// WAL at every commit and survives power loss too, at the cost of one `fsync` per
/// checkpoint.
///
/// **Replays.** A window result whose key (model, version, window, start, end) is already
/// stored is skipped, with its samples: restart replays never duplicate results. The first
/// stored result wins.
public final class SQLiteStore: Sendable {
    /// Connection settings.
    public struct Configuration: Sendable {
        /// `PRAGMA synchronous` (see the type's discussion of durability).
        public enum Synchronous: String, Sendable {
            /// Survives process crashes; may lose the last commits on power loss.
            case normal = "NORMAL"
            /// Also survives power loss; one `fsync` per commit.
            case full = "FULL"
        }

        /// `NORMAL` by default: the requirement is to survive a killed process, and an `fsync`
        /// per checkpoint costs milliseconds to tens of milliseconds on network disks.
        public var synchronous: Synchronous
        /// How long a call waits for another connection's write lock before failing with
        /// ``StoreError/Code/busy``. Five seconds outlasts any checkpoint commit (< 50 ms) by far
        /// while still surfacing a stuck writer.
        public var busyTimeout: Duration

        public init(synchronous: Synchronous = .normal, busyTimeout: Duration = .seconds(5)) {
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
        }
    }

    /// The schema version this build writes (`PRAGMA user_version` after migrations).
    public static var schemaVersion: Int { Migrations.latest }

    /// The database file (or `:memory:`).
    public let path: String
    private let database: Mutex<Database?>

    /// Opens the database at `path`, creating it when missing, and migrates it to the current
    /// schema.
    ///
    /// - Parameters:
    ///   - path: The database file. `-wal` and `-shm` files appear next to it while it is open.
    ///     `":memory:"` gives a private in-memory store (tests; no WAL, nothing persists).
    ///   - configuration: Durability and lock-wait settings.
    /// - Throws: ``StoreError`` — `.schemaTooNew` for a file from a newer build, `.notAStore` for
    ///   another application's database or a file that is not a database, `.journalMode` when
    ///   WAL cannot be enabled, `.busy`/`.sqlite` for SQLite failures.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        self.path = path
        let database = try Database(path: path, configuration: configuration)
        self.database = Mutex(database)
    }

    /// Closes the connection. Later calls throw ``StoreError/Code/closed``. Closing the last
    /// connection checkpoints the WAL into the main file and removes the `-wal` file.
    public func close() {
        database.withLock { database in
            database?.connection.close()
            database = nil
        }
    }

    /// Runs `body` with the connection, under the lock.
    func withDatabase<T: Sendable>(_ body: (Database) throws -> T) throws -> T {
        try database.withLock { database throws -> T in
            guard let database else { throw StoreError(code: .closed, message: "the store is closed") }
            return try body(database)
        }
    }

    /// The schema version of the open file (``schemaVersion`` after a successful open).
    public func fileSchemaVersion() throws -> Int {
        try withDatabase { try $0.schemaVersion() }
    }

    /// The text of every config recorded (each distinct one once), oldest first.
    public func configTexts() throws -> [String] {
        try withDatabase { db in
            try db.connection.query("SELECT text FROM configs ORDER BY first_seen, rowid") { $0.text(0) }
        }
    }

    /// The text of a config recorded by a checkpoint, by its SHA-256 hex.
    ///
    /// - Returns: The text, or nil when no checkpoint recorded that hash.
    public func configText(hash: String) throws -> String? {
        try withDatabase { db in
            try db.connection.query("SELECT text FROM configs WHERE hash = ?1", hash) { $0.text(0) }.first
        }
    }
}

extension SQLiteStore: CheckpointStore {
    /// Commits a checkpoint in one transaction, in this order: the config (if new), source
    /// positions (upserted), window summaries (upserted) and their chunks (appended), closed
    /// windows (deleted with their chunks), window results with all their samples (a key already
    /// stored is skipped), alert transitions (appended), the alert state (replaced when
    /// `alerts != nil`), the service state (replaced when non-nil). A window both upserted and
    /// deleted in one write ends deleted.
    ///
    /// - Throws: ``StoreError``; nothing of the checkpoint is stored then, and the previous one
    ///   is intact.
    public func commit(_ checkpoint: CheckpointWrite) throws {
        try withDatabase { try $0.commit(checkpoint) }
    }

    /// The last committed checkpoint: positions ordered by source and key, open windows ordered
    /// by key with their chunks in append order, alert instances in the order committed.
    public func loadCheckpoint() throws -> LoadedCheckpoint {
        try withDatabase { try $0.loadCheckpoint() }
    }
}

extension SQLiteStore: WindowResultStore {
    /// Results whose window ends in [from, to) (nil: unbounded), of one model or all, ordered by
    /// end then key, each with its samples in the order committed.
    public func windowResults(model: String?, from: Timestamp?, to: Timestamp?) throws -> [WindowResult] {
        try withDatabase { try $0.windowResults(model: model, from: from, to: to) }
    }
}

extension SQLiteStore: ProfileStore {
    /// Stores `profile` as the next revision of its name (1 for a new name), ignoring the
    /// `id` and `revision` passed in.
    ///
    /// - Returns: The profile with its assigned `id` and `revision`.
    public func saveProfile(_ profile: ProfileRecord) throws -> ProfileRecord {
        try withDatabase { try $0.saveProfile(profile) }
    }

    public func latestProfile(named name: String) throws -> ProfileRecord? {
        try withDatabase { try $0.latestProfile(named: name) }
    }

    public func profile(id: Int64) throws -> ProfileRecord? {
        try withDatabase { try $0.profile(id: id) }
    }

    /// Every profile's metadata (empty payload), most recently saved first.
    public func listProfiles() throws -> [ProfileRecord] {
        try withDatabase { try $0.listProfiles() }
    }
}

extension SQLiteStore: AlertHistoryStore {
    /// Up to `limit` undelivered transitions, in commit order (so an instance's resolution never
    /// precedes its firing).
    public func undeliveredTransitions(limit: Int) throws -> [StoredTransition] {
        try withDatabase { try $0.undeliveredTransitions(limit: limit) }
    }

    /// Records delivery; a transition already marked keeps its first time, unknown ids are
    /// ignored. One transaction.
    public func markDelivered(ids: [Int64], at: Timestamp) throws {
        try withDatabase { try $0.markDelivered(ids: ids, at: at) }
    }

    /// Transitions at or after `since` (all when nil), in commit order.
    public func transitions(since: Timestamp?) throws -> [StoredTransition] {
        try withDatabase { try $0.transitions(since: since) }
    }
}

extension SQLiteStore: OutboxStore {
    /// Pending rows due at `now` (wall clock), in insertion order.
    public func dueNotifications(at now: Timestamp, limit: Int) throws -> [OutboxEntry] {
        try withDatabase { try $0.dueNotifications(at: now, limit: limit) }
    }

    public func nextAttemptTime() throws -> Timestamp? {
        try withDatabase { try $0.nextAttemptTime() }
    }

    /// Appends the attempt to `delivery_attempts` and updates the row (only while it is pending),
    /// in one transaction.
    public func record(_ attempt: DeliveryAttempt, update: OutboxUpdate) throws {
        try withDatabase { try $0.record(attempt, update: update) }
    }

    public func outboxEntries(state: OutboxState?) throws -> [OutboxEntry] {
        try withDatabase { try $0.outboxEntries(state: state) }
    }

    public func pendingNotificationCount() throws -> Int {
        try withDatabase { try $0.pendingNotificationCount() }
    }

    public func deliveryAttempts(notificationID: String?) throws -> [DeliveryAttempt] {
        try withDatabase { try $0.deliveryAttempts(notificationID: notificationID) }
    }

    /// The notification log (sent, silenced and inhibited decisions) from `since` (event time),
    /// in commit order.
    public func notificationLog(since: Timestamp?) throws -> [NotificationLogEntry] {
        try withDatabase { try $0.notificationLog(since: since) }
    }
}

extension SQLiteStore: TriggerStore {
    /// Triggers of one model (all when nil), oldest firing first.
    public func triggers(model: String?) throws -> [TriggerRecord] {
        try withDatabase { try $0.triggers(model: model) }
    }
}

extension SQLiteStore: SilenceStore {
    /// Stores a silence; a duplicate id is a ``StoreError/Code/constraint`` error.
    public func addSilence(_ silence: Silence) throws {
        try withDatabase { try $0.addSilence(silence) }
    }

    public func silences(at now: Timestamp, includeExpired: Bool) throws -> [Silence] {
        try withDatabase { try $0.silences(at: now, includeExpired: includeExpired) }
    }

    public func expireSilence(id: String, at now: Timestamp) throws -> Bool {
        try withDatabase { try $0.expireSilence(id: id, at: now) }
    }
}

extension SQLiteStore {
    /// Memory held by the label join's in-memory id index (``IDHashIndex``): 12 bytes a slot,
    /// 16–32 bytes per prediction or waiting label kept, plus the write-behind buffer of labels
    /// that came first (at most 65,536 labels) and a little per block of
    /// waiting labels. 0 until the join first runs in this process (the index is built on first
    /// use).
    public func labelJoinIndexBytes() throws -> Int {
        try withDatabase { $0.joinIndex.map { $0.predictions.memoryBytes + $0.labels.memoryBytes + $0.otherBytes } ?? 0 }
    }
}

extension SQLiteStore: LabelJoinStore {
    /// Stores predictions for the label join in the open checkpoint transaction (see
    /// `LabelJoinStore` for the policy); one outcome per row.
    public func registerPredictions(_ rows: PredictionRows, horizon: Int64) throws -> [PredictionJoinOutcome] {
        try withDatabase { try $0.registerPredictions(rows, horizon: horizon) }
    }

    /// Joins labels in the open checkpoint transaction.
    public func joinLabels(_ labels: LabelBatch, horizon: Int64) throws -> LabelJoinResult {
        try withDatabase { try $0.joinLabels(labels, horizon: horizon) }
    }

    public func expirePending(predictionsBefore: Timestamp, labelsBefore: Timestamp) throws -> (predictions: Int, labels: Int) {
        try withDatabase { try $0.expirePending(predictionsBefore: predictionsBefore, labelsBefore: labelsBefore) }
    }

    public func deleteSettled(before: Timestamp) throws {
        try withDatabase { try $0.deleteSettled(before: before) }
    }

    /// Labeled rows of a window, ordered by prediction time then id.
    public func joinedRows(_ stream: ModelVersion, from: Timestamp, to: Timestamp) throws -> JoinedRows {
        try withDatabase { try $0.joinedRows(stream, from: from, to: to) }
    }

    public func labelJoinCounts() throws -> LabelJoinCounts {
        try withDatabase { try $0.labelJoinCounts() }
    }

    /// Whether label-join operations wait for the next checkpoint commit.
    public var hasUncommittedJoins: Bool {
        (try? withDatabase { $0.checkpointOpen }) ?? false
    }
}

extension SQLiteStore: PerformanceStore {
    public func performanceResults(model: String?, from: Timestamp?, to: Timestamp?) throws -> [PerformanceResult] {
        try withDatabase { try $0.performanceResults(model: model, from: from, to: to) }
    }

    /// Replaces a profile's recorded performance, in one transaction.
    public func saveReferencePerformance(profileID: Int64, samples: [Sample]) throws {
        try withDatabase { try $0.saveReferencePerformance(profileID: profileID, samples: samples) }
    }

    public func referencePerformance(profileID: Int64) throws -> [Sample] {
        try withDatabase { try $0.referencePerformance(profileID: profileID) }
    }
}
