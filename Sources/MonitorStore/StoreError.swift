/// An error raised by ``SQLiteStore``. Every SQLite failure becomes one of these (nothing in the
/// store traps on a database error); the failed transaction is rolled back and the store stays
/// usable.
///
/// ```swift
/// do { try store.commit(write) } catch let error as StoreError where error.code == .busy { retry() }
/// ```
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure, for callers that react differently (retry on `busy`, stop on the
    /// rest). New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case sqlite, busy, constraint, schemaTooNew, notAStore, journalMode, invalidData, closed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Any other error SQLite returned (I/O, full disk, corrupt file, syntax, …).
        public static let sqlite = Code(.sqlite)
        /// The database stayed locked by another connection for longer than the busy timeout.
        public static let busy = Code(.busy)
        /// A constraint failed (UNIQUE, NOT NULL, CHECK, FOREIGN KEY): a caller passed
        /// inconsistent data, e.g. two alert instances with the same group, rule and labels.
        public static let constraint = Code(.constraint)
        /// The file was written by a newer ModelMonitor (its schema version is unknown here).
        public static let schemaTooNew = Code(.schemaTooNew)
        /// The file is an SQLite database of another application.
        public static let notAStore = Code(.notAStore)
        /// WAL could not be enabled (e.g. a file system without shared memory).
        public static let journalMode = Code(.journalMode)
        /// A stored row could not be decoded into the Core type it holds.
        public static let invalidData = Code(.invalidData)
        /// The store was closed.
        public static let closed = Code(.closed)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// SQLite's extended result code (e.g. 2067 = `SQLITE_CONSTRAINT_UNIQUE`), when SQLite
    /// reported the error.
    public let sqliteCode: Int32?
    /// What went wrong: SQLite's message or the store's.
    public let message: String
    /// The statement involved, when there is one.
    public let sql: String?

    init(code: Code, sqliteCode: Int32? = nil, message: String, sql: String? = nil) {
        self.code = code
        self.sqliteCode = sqliteCode
        self.message = message
        self.sql = sql
    }

    /// e.g. `SQLite error 2067 (constraint): UNIQUE constraint failed: alert_state.rule in "INSERT INTO …"`.
    public var description: String {
        var text = sqliteCode.map { "SQLite error \($0) (\(code)): " } ?? "store error (\(code)): "
        text += message
        if let sql { text += " in \"\(sql.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.joined(separator: " "))\"" }
        return text
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
