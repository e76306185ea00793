import CSQLite
public import MonitorCore

/// An audited table and what its chain covers (see ``Migrations/auditChain``).
///
/// A row's content is, in order: the table's name, then each listed column, then for tables with
/// children each child row (in the listed order) prefixed by a marker byte (0xC0 for rows of the
/// first child query, 0xC1 for the second, …). Values are encoded
/// with their SQLite type so `1`, `1.0`, `'1'` and NULL hash differently: a type byte (0 NULL,
/// 1 INTEGER, 2 REAL, 3 TEXT, 4 BLOB), then 8 bytes big-endian for integers and for the IEEE-754
/// bit pattern of reals, or an 8-byte big-endian length and the bytes for text and blobs.
struct AuditTable {
    let name: String
    /// The chained columns (every column but the ones documented as mutable).
    let columns: String
    /// The row's stable key (its primary key), which links name: rowids may change under
    /// `VACUUM`, primary keys do not.
    let key: String
    /// Queries for the row's children, `?1` = the parent's rowid; empty when the row stands alone.
    let children: [String]

    init(name: String, columns: String, key: String = "id", children: [String] = []) {
        self.name = name
        self.columns = columns
        self.key = key
        self.children = children
    }

    /// The rows in rowid order: column 0 the rowid (children bind it), 1 the key as text, then
    /// the chained columns.
    var rowsQuery: String { "SELECT rowid, CAST(\(key) AS TEXT), \(columns) FROM \(name)" }

    /// Every audited table, in the order reports list them.
    static let all: [AuditTable] = [
        AuditTable(name: "configs", columns: "hash, text, first_seen", key: "hash"),
        AuditTable(
            name: "profiles", columns: "id, name, revision, model, model_version, fingerprint, row_count, created_at, payload"),
        // A result's values are part of its content, with each series' metric and labels (so
        // editing a `series` row shows up as a change of every result that uses it), and so are
        // its histograms.
        AuditTable(
            name: "window_results",
            columns: "id, model, version, window_name, start_ms, end_ms, profile_id, profile_name, event_count, config_hash",
            children: [
                """
                SELECT v.ordinal, s.metric, s.labels, v.value, v.ts_ms FROM series_values v JOIN series s ON s.id = v.series_id
                WHERE v.result_id = ?1 ORDER BY v.ordinal
                """,
                "SELECT ordinal, feature, counts, missing FROM window_histograms WHERE result_id = ?1 ORDER BY ordinal",
            ]),
        AuditTable(
            name: "performance_results",
            columns: """
                id, model, version, window_name, start_ms, end_ms, revision, computed_at, prediction_count, labeled_count, config_hash
                """,
            children: [
                """
                SELECT v.ordinal, s.metric, s.labels, v.value FROM performance_values v JOIN series s ON s.id = v.series_id
                WHERE v.result_id = ?1 ORDER BY v.ordinal
                """
            ]),
        AuditTable(
            name: "alert_transitions",
            columns: """
                id, at, group_name, rule, labels, annotations, state, from_state, to_state, value, active_at, fired_at, resolved_at,
                last_seen_at, actions, config_hash
                """),
        AuditTable(name: "notification_log", columns: "id, at, receiver, group_key, reason, notification_id, firing, resolved"),
        AuditTable(
            name: "outbox", columns: "id, receiver, integration, group_key, status, payload, created_at, enqueued_at"),
        AuditTable(
            name: "delivery_attempts", columns: "id, notification_id, attempt, started_at, duration_ms, outcome, status_code, error"),
        AuditTable(
            name: "triggers",
            columns: "id, model, version, group_name, rule, alert_key, status, status_reason, fired_at, created_at, payload"),
        AuditTable(name: "event_counts", columns: "id, recorded_at, source, reason, count"),
    ]
}

/// SHA-256 of nothing but 32 zero bytes' place: the `prev` of every chain's first link.
private let genesis = [UInt8](repeating: 0, count: 32)

extension Row {
    /// Appends column `column` with its type (see ``AuditTable``) to `out`.
    func append(_ column: Int32, to out: inout [UInt8]) {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            out.append(1)
            appendBigEndian(UInt64(bitPattern: sqlite3_column_int64(handle, column)), to: &out)
        case SQLITE_FLOAT:
            out.append(2)
            appendBigEndian(sqlite3_column_double(handle, column).bitPattern, to: &out)
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(handle, column))
            out.append(3)
            appendBigEndian(UInt64(count), to: &out)
            if let p = sqlite3_column_text(handle, column), count > 0 { out.append(contentsOf: UnsafeBufferPointer(start: p, count: count)) }
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            out.append(4)
            appendBigEndian(UInt64(count), to: &out)
            if let p = sqlite3_column_blob(handle, column), count > 0 { out.append(contentsOf: UnsafeRawBufferPointer(start: p, count: count)) }
        default:
            out.append(0)
        }
    }

    private func appendBigEndian(_ value: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    var columnCount: Int32 { sqlite3_column_count(handle) }
}

extension Database {
    /// The link of the row `row` is positioned on (column 0 the rowid, 1 the key, then the
    /// content columns).
    /// The row's encoding is built in one reused buffer and hashed in one call: no allocation
    /// per row but the 32-byte digest.
    private func link(after prev: [UInt8], table: AuditTable, row: Row, children: [Statement]) throws -> [UInt8] {
        auditScratch.removeAll(keepingCapacity: true)
        auditScratch.append(contentsOf: prev)
        auditScratch.append(contentsOf: table.name.utf8)
        for c in 2..<row.columnCount { row.append(c, to: &auditScratch) }
        for (i, query) in children.enumerated() {
            let marker = 0xC0 + UInt8(i)
            try query.bind(row.int64(0))
            try query.forEachRowBound { child in
                auditScratch.append(marker)
                for c in 0..<child.columnCount { child.append(c, to: &auditScratch) }
            }
        }
        return SHA256.hash(auditScratch)
    }

    /// Links every audited row added since the last link, in rowid order. Call inside a write
    /// transaction, after its writes: every write path of the store does (``write(_:)``,
    /// ``checkpointTransaction(_:)``), so no row of the store's own stays unlinked.
    ///
    /// "Added since the last link": rows after the last linked row in rowid order (looked up by
    /// its key, so a renumbering by `VACUUM` does not matter; new rows get rowids above every
    /// existing one).
    func sealAudit() throws {
        let insert = try connection.statement(
            "INSERT INTO audit_chain (table_name, position, row_key, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5)")
        let head = try connection.statement(
            "SELECT row_key, position, hash FROM audit_chain WHERE table_name = ?1 ORDER BY position DESC LIMIT 1")
        for table in AuditTable.all {
            let last = try head.rows(table.name) { ($0.text(0), $0.int(1), $0.text(2)) }.first
            var after = Int64.min
            if let last {
                // Where the last linked row stands now; if it is gone (deleted behind the
                // store's back, which verification reports), the highest linked row's rowid.
                // (`id = '12'` compares numerically: the parameter takes the column's affinity, and
                // the lookup stays a primary-key seek.)
                after = try connection.query("SELECT rowid FROM \(table.name) WHERE \(table.key) = ?1", last.0) { $0.int64(0) }.first
                    ?? connection.query(
                        """
                        SELECT max(t.rowid) FROM \(table.name) t JOIN audit_chain a
                        ON a.table_name = ?1 AND a.row_key = CAST(t.\(table.key) AS TEXT)
                        """, table.name
                    ) { $0.optionalInt64(0) }.first.flatMap { $0 } ?? Int64.min
            }
            var prev = last.flatMap { Self.bytes(hex: $0.2) } ?? genesis
            var prevHex = last?.2 ?? SHA256.hexString(genesis)
            var position = last?.1 ?? 0
            let rows = try connection.statement("\(table.rowsQuery) WHERE rowid > ?1 ORDER BY rowid")
            let children = try table.children.map { try connection.statement($0) }
            try rows.bind(after)
            try rows.forEachRowBound { row in
                let link = try link(after: prev, table: table, row: row, children: children)
                let hex = SHA256.hexString(link)
                position += 1
                try insert.run(table.name, position, row.text(1), prevHex, hex)
                prev = link
                prevHex = hex
            }
        }
    }

    /// Each audited table's chain: its head and, with `verify`, the first broken link.
    ///
    /// Verification walks the rows (in rowid order) and the links (in chain order) of a table
    /// together, matching them by key, and recomputes each link from the previous one. It
    /// reports the first disagreement per table: a row without a link (inserted), a link without
    /// a row (deleted), a link that does not continue its predecessor or rows out of chain order
    /// (relinked), a row whose content no longer gives its link (modified). Read-only: one read
    /// transaction, nothing is sealed.
    func auditChains(verify: Bool) throws -> [AuditChainStatus] {
        try read {
            var out: [AuditChainStatus] = []
            for table in AuditTable.all {
                let rowCount = try connection.query("SELECT count(*) FROM \(table.name)") { $0.int(0) }.first ?? 0
                let links = try connection.query("SELECT count(*) FROM audit_chain WHERE table_name = ?1", table.name) { $0.int(0) }.first ?? 0
                let head = try connection.query(
                    "SELECT row_key, hash FROM audit_chain WHERE table_name = ?1 ORDER BY position DESC LIMIT 1", table.name
                ) { ($0.text(0), $0.text(1)) }.first
                var status = AuditChainStatus(
                    table: table.name, rows: rowCount, links: links, head: head?.1, headKey: head?.0, firstBreak: nil, verified: verify)
                if verify { status.firstBreak = try firstBreak(in: table) }
                out.append(status)
            }
            return out
        }
    }

    private struct StoredLink {
        var key: String
        var position: Int
        var prev: String
        var hash: String
    }

    private func firstBreak(in table: AuditTable) throws -> AuditBreak? {
        let links = try connection.query(
            "SELECT row_key, position, prev_hash, hash FROM audit_chain WHERE table_name = ?1 ORDER BY position", table.name
        ) { StoredLink(key: $0.text(0), position: $0.int(1), prev: $0.text(2), hash: $0.text(3)) }
        var index: [String: Int] = [:]
        index.reserveCapacity(links.count)
        for (i, l) in links.enumerated() { index[l.key] = i }
        let rows = try connection.prepare("\(table.rowsQuery) ORDER BY rowid")
        let children = try table.children.map { try connection.prepare($0) }
        var next = 0  // the next link to match
        var prev = genesis
        var prevHex = SHA256.hexString(genesis)
        var found: AuditBreak?
        func fail(_ key: String, _ kind: AuditBreak.Kind, _ detail: String) {
            found = AuditBreak(table: table.name, key: key, kind: kind, detail: detail)
        }
        try rows.bind()
        try rows.forEachRowBound { row in
            guard found == nil else { return }
            let key = row.text(1)
            guard next < links.count, links[next].key == key else {
                switch index[key] {
                case nil:
                    fail(key, .inserted, "inserted outside the store (no link in the chain)")
                case let i? where i > next:
                    // The rows between are gone: the first of them was deleted.
                    let l = links[next]
                    fail(l.key, .deleted, "deleted (its link, position \(l.position) of the chain, remains)")
                default:
                    fail(key, .relinked, "out of chain order: its link (position \(links[index[key]!].position)) was already passed")
                }
                return
            }
            let l = links[next]
            guard l.prev == prevHex, l.position == next + 1 else {
                fail(key, .relinked, "its link (position \(l.position)) does not continue the previous one: links were removed or reordered")
                return
            }
            let link = try link(after: prev, table: table, row: row, children: children)
            let hex = SHA256.hexString(link)
            guard hex == l.hash else {
                fail(key, .modified, "modified since it was written (content hashes to \(hex.prefix(12))…, its link is \(l.hash.prefix(12))…)")
                return
            }
            prev = link
            prevHex = hex
            next += 1
        }
        if found == nil, next < links.count {
            let l = links[next]
            fail(l.key, .deleted, "deleted (its link, position \(l.position) of the chain, remains)")
        }
        return found
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        func value(_ d: UInt8) -> UInt8? {
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var i = 0
        while i < digits.count {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// The events kept out of the windows, summed by source and reason over the checkpoints
    /// recorded in `[from, to)` (event time), ordered by source and reason.
    func eventCounts(from: Timestamp?, to: Timestamp?) throws -> [EventCount] {
        try connection.query(
            "SELECT source, reason, sum(count) FROM event_counts WHERE recorded_at >= ?1 AND recorded_at < ?2 GROUP BY source, reason ORDER BY source, reason",
            from?.milliseconds ?? Int64.min, to?.milliseconds ?? Int64.max
        ) { EventCount(source: $0.text(0), reason: $0.text(1), count: $0.int(2)) }
    }

    /// Per config hash, the end of the first window result computed with it.
    func configFirstWindowEnds() throws -> [String: Timestamp] {
        Dictionary(
            try connection.query("SELECT config_hash, min(end_ms) FROM window_results WHERE config_hash IS NOT NULL GROUP BY config_hash") {
                ($0.text(0), Timestamp(milliseconds: $0.int64(1)))
            }, uniquingKeysWith: { a, _ in a })
    }

    /// Every config version, oldest first.
    func configVersions() throws -> [ConfigVersion] {
        try connection.query("SELECT hash, text, first_seen FROM configs ORDER BY first_seen, rowid") {
            ConfigVersion(hash: $0.text(0), text: $0.text(1), firstSeen: Timestamp(milliseconds: $0.int64(2)))
        }
    }
}

extension Database {
    /// The configs the window results of a model (all when nil) ending in `[from, to)` were
    /// computed with.
    func configHashes(model: String?, from: Timestamp?, to: Timestamp?) throws -> Set<String> {
        Set(try connection.query(
            "SELECT DISTINCT config_hash FROM window_results WHERE (?1 IS NULL OR model = ?1) AND end_ms >= ?2 AND end_ms < ?3 AND config_hash IS NOT NULL",
            model, from?.milliseconds ?? Int64.min, to?.milliseconds ?? Int64.max
        ) { $0.text(0) })
    }
}

extension SQLiteStore {
    /// The hashes of the configs the window results of `model` (every model when nil) ending in
    /// `[from, to)` were computed with.
    public func configHashes(model: String?, from: Timestamp?, to: Timestamp?) throws -> Set<String> {
        try withDatabase { try $0.configHashes(model: model, from: from, to: to) }
    }

    /// Each audited table's hash chain: row and link counts and the head (the last link, which an
    /// auditor pins), and with `verify` the first broken link per table.
    ///
    /// - Parameter verify: Recompute every link from the rows (reads every audited row once).
    /// - Returns: One status per audited table, in a fixed order (`configs`, `profiles`,
    ///   `window_results`, `performance_results`, `alert_transitions`, `notification_log`,
    ///   `outbox`, `delivery_attempts`, `triggers`, `event_counts`).
    /// - Throws: ``StoreError`` when the store cannot be read.
    public func auditChains(verify: Bool) throws -> [AuditChainStatus] {
        try withDatabase { try $0.auditChains(verify: verify) }
    }

    /// The events kept out of the windows (decoder rejections, late, untimed, unprofiled),
    /// summed by source and reason over the checkpoints whose event time lies in `[from, to)`.
    public func eventCounts(from: Timestamp?, to: Timestamp?) throws -> [EventCount] {
        try withDatabase { try $0.eventCounts(from: from, to: to) }
    }

    /// Per config hash, the end of the first window the service evaluated with that config (the
    /// event time from which the config's rules decided): configs that never closed a window
    /// are absent.
    public func configFirstWindowEnds() throws -> [String: Timestamp] {
        try withDatabase { try $0.configFirstWindowEnds() }
    }

    /// Every config version the service ran with, oldest first.
    public func configVersions() throws -> [ConfigVersion] {
        try withDatabase { try $0.configVersions() }
    }
}
