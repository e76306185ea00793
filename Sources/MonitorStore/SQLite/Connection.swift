import CSQLite

/// One SQLite connection: prepared statements cached by their SQL text, transactions with
/// rollback on throw, and every failure turned into a ``StoreError``.
///
/// Not thread-safe: ``SQLiteStore`` owns one inside a `Mutex`, and the connection is opened with
/// `SQLITE_OPEN_NOMUTEX` because that lock already serialises every call.
///
/// Invariants: `handle` is nil only after `close()`; every cached statement belongs to `handle`
/// and is reset after each use, so no statement keeps a read transaction open between calls
/// (an open read would stop WAL checkpoints from reclaiming the log).
final class Connection {
    /// How a transaction takes its locks.
    enum TransactionMode: String {
        /// Take the write lock at `BEGIN`: a writer never fails half-way with `SQLITE_BUSY` on
        /// upgrading a read lock (which the busy timeout cannot wait out).
        case immediate = "BEGIN IMMEDIATE"
        /// Read lock at the first read: a snapshot for several SELECTs.
        case deferred = "BEGIN DEFERRED"
    }

    private(set) var handle: OpaquePointer?
    /// Prepared statements by SQL text.
    private var cache: [String: Statement] = [:]
    let path: String

    /// Opens (and creates) the database file. `":memory:"` opens a private in-memory database.
    init(path: String, busyTimeout: Duration) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw StoreError(code: Connection.code(for: rc), sqliteCode: rc, message: "cannot open \(path): \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        let (seconds, attoseconds) = busyTimeout.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(db, Int32(clamping: max(ms, 0)))
    }

    deinit { close() }

    /// Finalizes every statement and closes the handle (idempotent). `sqlite3_close_v2` defers
    /// the close until the last outstanding statement is finalized, so order does not matter.
    func close() {
        cache.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// The open handle, or `StoreError.closed`.
    func db() throws -> OpaquePointer {
        guard let handle else { throw StoreError(code: .closed, message: "the store is closed") }
        return handle
    }

    /// A cached prepared statement for `sql` (one SQL statement).
    func statement(_ sql: String) throws -> Statement {
        if let cached = cache[sql] { return cached }
        let statement = try prepare(sql, persistent: true)
        cache[sql] = statement
        return statement
    }

    /// A statement that is not cached (for SQL that runs once, e.g. `PRAGMA user_version = 3`).
    func prepare(_ sql: String, persistent: Bool = false) throws -> Statement {
        let db = try db()
        var stmt: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(db, sql, -1, flags, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            sqlite3_finalize(stmt)
            throw error(rc, sql: sql)
        }
        return Statement(handle: stmt, db: db, sql: sql)
    }

    /// Runs one statement to completion (rows, if any, are ignored).
    func execute<each V: SQLBindable>(_ sql: String, _ values: repeat each V) throws {
        try statement(sql).run(repeat each values)
    }

    /// Runs one statement and maps each row.
    func query<T, each V: SQLBindable>(_ sql: String, _ values: repeat each V, map: (Row) throws -> T) throws -> [T] {
        try statement(sql).rows(repeat each values, map: map)
    }

    /// Runs several `;`-separated statements without parameters (migrations).
    func script(_ sql: String) throws {
        let db = try db()
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(message)
            throw StoreError(code: Connection.code(for: rc), sqliteCode: rc, message: text, sql: sql)
        }
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it (or the commit)
    /// throws, then rethrows.
    func transaction<T>(_ mode: TransactionMode = .immediate, _ body: () throws -> T) throws -> T {
        let db = try db()
        // The store never nests transactions, so an open one here is a leftover of a failure
        // whose ROLLBACK failed as well: retry it rather than trap or nest.
        if sqlite3_get_autocommit(db) == 0 {
            rollback()
            guard sqlite3_get_autocommit(db) != 0 else {
                throw StoreError(code: .sqlite, message: "a previous transaction could not be rolled back")
            }
        }
        try execute(mode.rawValue)
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            rollback()
            throw error
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { handle.map { Int(sqlite3_changes64($0)) } ?? 0 }

    /// The rowid of the last successful INSERT.
    var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    private func rollback() {
        // SQLite may already have rolled back (e.g. on SQLITE_FULL or an I/O error); issuing
        // ROLLBACK then would fail with "no transaction is active".
        if let handle, sqlite3_get_autocommit(handle) == 0 {
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
        }
    }

    /// The error for a failed call on this connection, with SQLite's current message.
    func error(_ rc: Int32, sql: String?) -> StoreError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        return StoreError(code: Connection.code(for: rc), sqliteCode: rc, message: message, sql: sql)
    }

    /// The store's error code for an SQLite result code (primary code in the low byte).
    static func code(for rc: Int32) -> StoreError.Code {
        switch rc & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_CONSTRAINT: return .constraint
        case SQLITE_NOTADB: return .notAStore
        default: return .sqlite
        }
    }
}
