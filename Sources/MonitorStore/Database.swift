import CSQLite
import MonitorCore

/// The connection and what the store caches about it; lives inside ``SQLiteStore``'s mutex, so
/// nothing here is used from two threads at once.
///
/// Invariants: `seriesIDs` only holds ids of committed `series` rows (it is cleared whenever a
/// write transaction fails, since the rows it inserted were rolled back and their ids may be
/// reused); `series` rows are never updated or deleted, so a committed id stays valid.
final class Database {
    let connection: Connection
    /// `series.id` by labels, then metric: a window's samples come in runs that share one
    /// `Labels` value (a feature's statistics), so the labels are hashed once per run.
    var seriesIDs: [Labels: [String: Int64]] = [:]
    /// Whether the checkpoint transaction of the label join is open (see ``joinTransaction(_:)``):
    /// then every write joins it and the next checkpoint commit ends it.
    var checkpointOpen = false
    /// Whether the page cache was enlarged for the label join.
    var joinCacheSized = false
    /// Stream ids of `label_streams` by model version (committed or in the open transaction;
    /// cleared on rollback like `seriesIDs`).
    var streamIDs: [ModelVersion: Int64] = [:]
    var streamNames: [Int64: ModelVersion] = [:]
    /// The label join's rows by id (``JoinIndex``): built from the tables when the join first
    /// needs it; dropped on rollback and when another connection changed the file.
    var joinIndex: JoinIndex?
    /// Masks the join index's keys. Tests set 0 so that every id shares one key: the join must
    /// then tell ids apart by the stored id alone.
    var joinKeyMask: UInt32 = ~0
    /// Labels that come first wait in the checkpoint transaction's buffer (``WaitingLabels``)
    /// up to this many (about 100 bytes each); then they are written to the store as blocks at
    /// once, so a long checkpoint interval does not grow memory.
    var waitingBufferLimit = 65_536
    /// The encoding buffer of audit-chain links (``sealAudit()``), reused row after row.
    var auditScratch: [UInt8] = []

    init(connection: Connection) {
        self.connection = connection
    }

    /// Opens, configures and migrates the database at `path`.
    convenience init(path: String, configuration: SQLiteStore.Configuration) throws {
        let connection = try Connection(path: path, busyTimeout: configuration.busyTimeout)
        self.init(connection: connection)
        try checkIdentity()
        let journal = try connection.query("PRAGMA journal_mode = WAL") { $0.text(0) }.first ?? ""
        // An in-memory database cannot use WAL (and needs no durability).
        guard journal.lowercased() == "wal" || (journal.lowercased() == "memory" && isMemory(path)) else {
            throw StoreError(code: .journalMode, message: "\(path): journal_mode is \(journal), WAL could not be enabled")
        }
        try connection.script("PRAGMA synchronous = \(configuration.synchronous.rawValue)")
        try connection.script("PRAGMA foreign_keys = ON")
        // 32 MiB of page cache (SQLite's default is 2 MiB): a checkpoint of 100 open windows
        // rewrites ~1 MB of pages, and re-reading them from the OS at every commit (pread +
        // WAL-index lookups) was the largest cost after SQLite's own b-tree work.
        try connection.script("PRAGMA cache_size = -32768")
        try migrate()
    }

    private func isMemory(_ path: String) -> Bool { path == ":memory:" || path.isEmpty }

    /// `PRAGMA user_version`.
    func schemaVersion() throws -> Int {
        try connection.query("PRAGMA user_version") { $0.int(0) }.first ?? 0
    }

    /// Refuses another application's database and a newer schema before changing anything.
    ///
    /// The three reads share one read transaction: read one by one, a process migrating the fresh
    /// file meanwhile could make it look like "no ModelMonitor version, but tables" (seen in CI).
    private func checkIdentity() throws {
        try connection.transaction(.deferred) { try checkIdentitySnapshot() }
    }

    private func checkIdentitySnapshot() throws {
        let appID = try connection.query("PRAGMA application_id") { Int32(truncatingIfNeeded: $0.int64(0)) }.first ?? 0
        let version = try schemaVersion()
        if appID != 0 && appID != Migrations.applicationID {
            throw StoreError(code: .notAStore, message: "\(connection.path): application_id \(appID) is not a ModelMonitor store")
        }
        if appID == 0 && version == 0 {
            let tables = try connection.query("SELECT count(*) FROM sqlite_schema") { $0.int(0) }.first ?? 0
            if tables > 0 {
                throw StoreError(code: .notAStore, message: "\(connection.path): a database with \(tables) schema objects that is not a ModelMonitor store")
            }
        }
        if version > Migrations.latest {
            throw StoreError(
                code: .schemaTooNew,
                message: "\(connection.path): schema version \(version) is newer than this build supports (\(Migrations.latest)); use a newer ModelMonitor"
            )
        }
    }

    /// Applies every migration above the file's `user_version`, one transaction each.
    private func migrate() throws {
        // Read outside a write transaction: an up-to-date file (the usual case, and every reader
        // opened next to a running writer) then never waits for the write lock.
        let start = try schemaVersion()
        for migration in Migrations.all where migration.version > start {
            try connection.transaction(.immediate) {
                // Another process may have migrated between our read and our write lock.
                let current = try schemaVersion()
                guard current < migration.version else { return }
                guard current == migration.version - 1 else {
                    throw StoreError(code: .sqlite, message: "migration \(migration.version) needs schema \(migration.version - 1), found \(current)")
                }
                try connection.script(migration.sql)
                if migration.seal { try sealAudit() }
                try connection.script("PRAGMA user_version = \(migration.version)")
            }
        }
        let version = try schemaVersion()
        if version > Migrations.latest {
            throw StoreError(code: .schemaTooNew, message: "\(connection.path): schema version \(version) is newer than this build supports (\(Migrations.latest))")
        }
    }

    /// A write transaction (`BEGIN IMMEDIATE`); on failure the caches that may name rolled-back
    /// rows are dropped. Inside the open checkpoint transaction (label joins since the last
    /// checkpoint) the body runs in a savepoint of it instead, so its writes become durable
    /// with the next checkpoint and a failure undoes only them.
    func write<T>(_ body: () throws -> T) throws -> T {
        if checkpointOpen {
            try flushWaitingLabels()
            try connection.script("SAVEPOINT store_write")
            do {
                let value = try body()
                try connection.script("RELEASE store_write")
                return value
            } catch {
                try? connection.script("ROLLBACK TO store_write; RELEASE store_write")
                seriesIDs.removeAll()
                streamIDs.removeAll()
                streamNames.removeAll()
                throw error
            }
        }
        do {
            return try connection.transaction(.immediate) {
                let value = try body()
                try sealAudit()
                return value
            }
        } catch {
            seriesIDs.removeAll()
            streamIDs.removeAll()
            streamNames.removeAll()
            throw error
        }
    }

    /// A read transaction: every SELECT in `body` sees the same committed snapshot (inside the
    /// open checkpoint transaction: that transaction's view, uncommitted joins included).
    func read<T>(_ body: () throws -> T) throws -> T {
        if checkpointOpen {
            try flushWaitingLabels()
            return try body()
        }
        return try connection.transaction(.deferred, body)
    }

    /// Runs a label-join operation in the checkpoint transaction, opening it (`BEGIN
    /// IMMEDIATE`) when needed. Any failure rolls the whole transaction back — the join is then
    /// at the last checkpoint again, where the sources resume — and rethrows.
    func joinTransaction<T>(_ body: () throws -> T) throws -> T {
        if !joinCacheSized {
            // The join looks predictions up by id in random order: with a week of them pending
            // (1M rows ≈ 120 MB with the time index) a 32 MiB cache misses on nearly every
            // lookup. 256 MiB holds that working set; the cache grows only as pages are used.
            try connection.script("PRAGMA cache_size = -262144")
            joinCacheSized = true
        }
        if !checkpointOpen {
            try connection.script("BEGIN IMMEDIATE")
            checkpointOpen = true
            // Within the write transaction nobody else can change the join's tables.
            dropJoinIndexIfStale()
        }
        do {
            return try body()
        } catch {
            rollbackCheckpoint()
            throw error
        }
    }

    /// Commits the open checkpoint transaction after `body` (its last writes), or runs `body`
    /// in a transaction of its own when none is open. On failure everything since the last
    /// checkpoint is rolled back.
    func checkpointTransaction(_ body: () throws -> Void) throws {
        guard checkpointOpen else {
            try write(body)
            return
        }
        do {
            try flushWaitingLabels()
            try body()
            try sealAudit()
            try connection.script("COMMIT")
            checkpointOpen = false
        } catch {
            rollbackCheckpoint()
            throw error
        }
    }

    private func rollbackCheckpoint() {
        if let handle = connection.handle, sqlite3_get_autocommit(handle) == 0 {
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
        }
        checkpointOpen = false
        seriesIDs.removeAll()
        streamIDs.removeAll()
        streamNames.removeAll()
        joinIndex = nil
    }

    /// The id of a series, inserting it when new. Call inside `write`.
    func seriesID(metric: String, labels: Labels) throws -> Int64 {
        if let id = seriesIDs[labels]?[metric] { return id }
        let text = JSONText.encode(labels)
        let id: Int64
        if let existing = try connection.query("SELECT id FROM series WHERE metric = ?1 AND labels = ?2", metric, text, map: { $0.int64(0) }).first {
            id = existing
        } else {
            try connection.execute("INSERT INTO series (metric, labels) VALUES (?1, ?2)", metric, text)
            id = connection.lastInsertRowID
        }
        seriesIDs[labels, default: [:]][metric] = id
        return id
    }

    /// Decodes a labels column, or throws `invalidData` naming the table.
    func labels(_ text: String, in table: String) throws -> Labels {
        guard let labels = JSONText.decodeLabels(text) else {
            throw StoreError(code: .invalidData, message: "\(table): labels are not a JSON object of strings: \(text)")
        }
        return labels
    }

    /// Decodes a state column, or throws `invalidData`.
    func alertState(_ text: String, in table: String) throws -> AlertState {
        guard let state = AlertState(rawValue: text) else {
            throw StoreError(code: .invalidData, message: "\(table): unknown alert state \"\(text)\"")
        }
        return state
    }
}
