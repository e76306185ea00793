import CSQLite

/// `SQLITE_TRANSIENT`: SQLite copies bound text and blobs before the bind call returns (the C
/// macro is a cast of -1, which Swift does not import).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement. Bind with ``bind(_:)`` (parameters `?1, ?2, …` in order), then `run` or
/// `rows`; both reset the statement when they finish or throw, so it can be reused at once.
/// Reusing one statement for many rows inside one transaction is how bulk writes stay at C
/// speed: no SQL is parsed per row.
final class Statement {
    let handle: OpaquePointer
    private let db: OpaquePointer
    let sql: String

    init(handle: OpaquePointer, db: OpaquePointer, sql: String) {
        self.handle = handle
        self.db = db
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds every parameter of the statement, in order.
    func bind<each V: SQLBindable>(_ values: repeat each V) throws {
        var index: Int32 = 0
        for value in repeat each values {
            index += 1
            try value.bind(to: self, at: index)
        }
        let expected = sqlite3_bind_parameter_count(handle)
        guard index == expected else {
            throw StoreError(code: .sqlite, message: "\(index) values bound, the statement has \(expected) parameters", sql: sql)
        }
    }

    /// Binds, runs to completion (ignoring rows) and resets.
    func run<each V: SQLBindable>(_ values: repeat each V) throws {
        defer { sqlite3_reset(handle) }
        try bind(repeat each values)
        while try step() {}
    }

    /// Binds, maps every row and resets.
    func rows<T, each V: SQLBindable>(_ values: repeat each V, map: (Row) throws -> T) throws -> [T] {
        defer { sqlite3_reset(handle) }
        try bind(repeat each values)
        var out: [T] = []
        let row = Row(handle: handle)
        while try step() { out.append(try map(row)) }
        return out
    }

    /// Binds and tells whether the statement returns at least one row; resets.
    func exists<each V: SQLBindable>(_ values: repeat each V) throws -> Bool {
        defer { sqlite3_reset(handle) }
        try bind(repeat each values)
        return try step()
    }

    /// One step: true when a row is available, false when done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc: throw error(rc)
        }
    }

    func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds a double. SQLite stores NaN as NULL; readers map NULL back to NaN (``Row/double(_:)``).
    func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds the string's exact UTF-8 bytes (NUL characters included).
    func bind(_ value: String, at index: Int32) throws {
        var value = value
        let rc = value.withUTF8 { utf8 -> Int32 in
            // An empty buffer may have no address, and a NULL pointer would bind SQL NULL.
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, transient) }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text(handle, index, $0, Int32(utf8.count), transient)
            }
        }
        try check(rc)
    }

    /// Binds bytes as a blob (an empty array is an empty blob, not NULL).
    func bind(_ value: [UInt8], at index: Int32) throws {
        let rc = value.withUnsafeBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return sqlite3_bind_blob64(handle, index, base, sqlite3_uint64(bytes.count), transient)
        }
        try check(rc)
    }

    func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds an optional double (nil and NaN bind NULL).
    func bind(_ value: Double?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds an optional integer (nil binds NULL).
    func bind(_ value: Int64?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    // MARK: Hot paths without copies
    //
    // `bind(_:)`/`run`/`rows` copy every text (`SQLITE_TRANSIENT`: a malloc and a memcpy inside
    // SQLite) and return an array per call. The label join runs a few statements per record, so
    // it binds text in place instead: `withText` binds the string's own UTF-8 bytes with
    // `SQLITE_STATIC` for the duration of a closure that steps the statement, and rebinds NULL
    // afterwards so that no pointer outlives the bytes. The caller binds each parameter of the
    // statement (`bind(_:at:)`), then calls `runBound`, `existsBound` or `forEachRowBound`.

    /// Runs `body` with `text` bound at `index` without a copy; `body` must step the statement.
    /// The parameter is NULL again when it returns.
    func withText<R>(_ text: String, at index: Int32, _ body: () throws -> R) throws -> R {
        var text = text
        return try text.withUTF8 { utf8 -> R in
            let rc: Int32
            if let base = utf8.baseAddress, !utf8.isEmpty {
                rc = base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    sqlite3_bind_text(handle, index, $0, Int32(utf8.count), nil)
                }
            } else {
                // An empty buffer may have no address, and a NULL pointer would bind SQL NULL.
                rc = sqlite3_bind_text(handle, index, "", 0, transient)
            }
            try check(rc)
            defer { sqlite3_bind_null(handle, index) }
            return try body()
        }
    }

    /// ``withText(_:at:_:)`` for an optional string (nil binds NULL).
    func withText<R>(_ text: String?, at index: Int32, _ body: () throws -> R) throws -> R {
        guard let text else {
            try bindNull(at: index)
            return try body()
        }
        return try withText(text, at: index, body)
    }

    /// Runs to completion with the parameters bound by the caller (rows are ignored); resets.
    func runBound() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Whether the statement, with the parameters bound by the caller, returns a row; resets.
    func existsBound() throws -> Bool {
        defer { sqlite3_reset(handle) }
        return try step()
    }

    /// Calls `body` for every row, with the parameters bound by the caller; resets.
    func forEachRowBound(_ body: (Row) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        let row = Row(handle: handle)
        while try step() { try body(row) }
    }

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw error(rc) }
    }

    private func error(_ rc: Int32) -> StoreError {
        StoreError(code: Connection.code(for: rc), sqliteCode: rc, message: String(cString: sqlite3_errmsg(db)), sql: sql)
    }
}

/// The current row of a statement. Valid only inside the `rows` closure that received it.
struct Row {
    let handle: OpaquePointer

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    /// A REAL column; NULL reads as NaN (SQLite stores a bound NaN as NULL).
    func double(_ column: Int32) -> Double { isNull(column) ? .nan : sqlite3_column_double(handle, column) }

    /// A TEXT column's exact bytes ("" for NULL).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    /// A TEXT column's bytes, without a copy (empty for NULL); valid only inside `body`.
    func withTextBytes<R>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard let bytes = sqlite3_column_text(handle, column) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))))
    }

    /// Whether a TEXT column holds exactly `text`'s UTF-8 bytes (false for NULL).
    func textEquals(_ column: Int32, _ text: String) -> Bool {
        guard !isNull(column) else { return false }
        var text = text
        return withTextBytes(column) { stored in
            text.withUTF8 { mine in
                mine.count == stored.count && mine.elementsEqual(stored)
            }
        }
    }

    /// A BLOB column's bytes ([] for NULL and for an empty blob).
    func blob(_ column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    func optionalBlob(_ column: Int32) -> [UInt8]? { isNull(column) ? nil : blob(column) }
}

/// A value that binds to a statement parameter.
protocol SQLBindable {
    func bind(to statement: Statement, at index: Int32) throws
}

extension Int64: SQLBindable {
    func bind(to statement: Statement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension Int: SQLBindable {
    func bind(to statement: Statement, at index: Int32) throws { try statement.bind(Int64(self), at: index) }
}

extension Double: SQLBindable {
    func bind(to statement: Statement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension String: SQLBindable {
    func bind(to statement: Statement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension Array: SQLBindable where Element == UInt8 {
    func bind(to statement: Statement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    func bind(to statement: Statement, at index: Int32) throws {
        if let self { try self.bind(to: statement, at: index) } else { try statement.bindNull(at: index) }
    }
}
