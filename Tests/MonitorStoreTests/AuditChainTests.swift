import MonitorCore
import Testing

@testable import MonitorStore

@Suite("Audit hash chains")
struct AuditChainTests {
    func filledStore(_ dir: borrowing TemporaryDirectory) throws -> SQLiteStore {
        let store = try SQLiteStore(path: dir.database)
        for hour in Int64(0)..<3 {
            var write = CheckpointWrite()
            write.results = [makeResult(hourKey(hour), seed: Double(hour))]
            write.transitions = [AlertTransition(alert: makeAlert("amount", at: (hour + 1) * 3_600_000), from: .pending, to: .firing,
                                                 at: ts((hour + 1) * 3_600_000), actions: [])]
            try store.commit(write)
        }
        return store
    }

    func status(_ store: SQLiteStore, _ table: String) throws -> AuditChainStatus {
        try #require(try store.auditChains(verify: true).first { $0.table == table })
    }

    @Test("every commit links its rows; a chain verifies and its head changes with each row")
    func linksAndVerifies() throws {
        let dir = try TemporaryDirectory()
        let store = try filledStore(dir)
        let chains = try store.auditChains(verify: true)
        #expect(chains.map(\.table) == ["configs", "profiles", "window_results", "performance_results", "alert_transitions",
                                        "notification_log", "outbox", "delivery_attempts", "triggers", "event_counts"])
        #expect(chains.allSatisfy { $0.firstBreak == nil && $0.rows == $0.links && $0.verified })
        let results = try status(store, "window_results")
        #expect(results.rows == 3 && results.headKey == "3" && results.head?.count == 64)
        // One more row moves the head; the old links stay.
        var write = CheckpointWrite()
        write.results = [makeResult(hourKey(9))]
        try store.commit(write)
        let after = try status(store, "window_results")
        #expect(after.links == 4 && after.head != results.head && after.firstBreak == nil)
    }

    @Test("delivered_at is outside the chained content: marking deliveries keeps the chain intact")
    func mutableColumn() throws {
        let dir = try TemporaryDirectory()
        let store = try filledStore(dir)
        let ids = try store.undeliveredTransitions(limit: 10).map(\.id)
        try store.markDelivered(ids: ids, at: ts(1))
        #expect(try status(store, "alert_transitions").firstBreak == nil)
    }

    @Test("a changed figure, a deleted row and a foreign row are each named", arguments: [
        ("UPDATE series_values SET value = 0.5 WHERE result_id = 2 AND ordinal = 0", "window_results", Int64(2), AuditBreak.Kind.modified),
        ("UPDATE window_histograms SET counts = '[0,1,2]' WHERE result_id = 3 AND feature = 'country'", "window_results", 3, .modified),
        ("UPDATE series SET labels = replace(labels, 'amount', 'amount2') WHERE metric = 'psi'", "window_results", 1, .modified),
        ("DELETE FROM alert_transitions WHERE id = 2", "alert_transitions", 2, .deleted),
        ("INSERT INTO alert_transitions SELECT 10, at, group_name, rule, labels, annotations, state, from_state, to_state, value, active_at, fired_at, resolved_at, last_seen_at, actions, config_hash, delivered_at FROM alert_transitions WHERE id = 1", "alert_transitions", 10, .inserted),
        ("DELETE FROM audit_chain WHERE table_name = 'window_results' AND row_key = '2'", "window_results", 2, .inserted),
        ("UPDATE audit_chain SET prev_hash = hash WHERE table_name = 'window_results' AND row_key = '3'", "window_results", 3, .relinked),
    ])
    func tamper(sql: String, table: String, row: Int64, kind: AuditBreak.Kind) throws {
        let dir = try TemporaryDirectory()
        let store = try filledStore(dir)
        try store.withDatabase { db in try db.connection.script("PRAGMA foreign_keys = OFF; \(sql)") }
        let broken = try status(store, table)
        #expect(broken.firstBreak?.key == String(row))
        #expect(broken.firstBreak?.kind == kind)
        #expect(broken.firstBreak?.description.hasPrefix("\(table) row \(row): ") == true)
        // The other chains are untouched.
        #expect(try store.auditChains(verify: true).filter { $0.table != table }.allSatisfy { $0.firstBreak == nil })
    }

    @Test("links name rows by primary key: VACUUM and renumbered rowids keep the chains intact; later rows still link; a tamper still fails")
    func vacuum() throws {
        let dir = try TemporaryDirectory()
        let store = try filledStore(dir)
        for text in ["config one", "config two"] {
            var write = CheckpointWrite()
            write.config = ConfigRecord(text: text)
            write.eventCounts = [EventCount(source: "predictions", reason: "late", count: 3)]
            try store.commit(write)
        }
        let before = try store.auditChains(verify: true)
        #expect(before.allSatisfy { $0.firstBreak == nil })
        // VACUUM, then what it may do to a table without an INTEGER PRIMARY KEY: new rowids (in
        // the same order).
        try store.withDatabase { db in
            try db.connection.script("VACUUM; UPDATE configs SET rowid = rowid + 1000;")
        }
        #expect(try store.withDatabase { db in try db.connection.query("SELECT min(rowid) FROM configs") { $0.int64(0) }.first } == 1001)
        let after = try store.auditChains(verify: true)
        #expect(after.allSatisfy { $0.firstBreak == nil })
        #expect(after.map(\.head) == before.map(\.head))
        // The sealer finds its place again: a new config links after the renumbered ones.
        var write = CheckpointWrite()
        write.config = ConfigRecord(text: "config three")
        try store.commit(write)
        let configs = try status(store, "configs")
        #expect(configs.firstBreak == nil && configs.links == 3 && configs.rows == 3)
        // A tamper is still named, by the config's hash.
        let hash = ConfigRecord(text: "config two").hash
        try store.withDatabase { db in try db.connection.script("UPDATE configs SET text = 'config 2' WHERE hash = '\(hash)'") }
        let broken = try status(store, "configs")
        #expect(broken.firstBreak?.kind == .modified && broken.firstBreak?.key == hash)
    }
}
