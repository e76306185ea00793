import MonitorCore
import Testing

@testable import MonitorStore

@Suite("Checkpoints")
struct CheckpointTests {
    /// A checkpoint touching every part of the write.
    func fullWrite() -> CheckpointWrite {
        var write = CheckpointWrite()
        write.at = ts(7_200_000)
        write.positions = [
            SourcePosition(source: "labels", key: "kafka:labels:0", path: "labels", offset: 991),
            SourcePosition(source: "preds", key: "file:2049:1234", path: "/var/log/p.jsonl", offset: 1 << 40, meta: "head=ab12"),
            SourcePosition(source: "preds", key: "file:2049:1235", path: "/var/log/p.jsonl.1", offset: 0, meta: awkwardValues[0]),
        ]
        write.windowUpserts = [
            WindowStateRecord(key: hourKey(2).storageKey, summary: Array(0..<200).map { UInt8($0) }, chunks: [[1, 2], [3]]),
            WindowStateRecord(key: hourKey(3).storageKey, summary: [9], chunks: []),
        ]
        write.results = [makeResult(hourKey(1))]
        write.transitions = [AlertTransition(alert: makeAlert("amount"), from: .pending, to: .firing, at: ts(7_200_000), actions: ["retrain"])]
        write.alerts = [makeAlert("amount"), makeAlert("country", state: .pending), makeAlert("age", state: .resolved)]
        write.serviceState = Array("watermark=7200000".utf8)
        write.config = ConfigRecord(text: "windows:\n  - size: 1h\n")
        return write
    }

    @Test("a fresh store loads an empty checkpoint")
    func empty() throws {
        let dir = try TemporaryDirectory()
        let loaded = try SQLiteStore(path: dir.database).loadCheckpoint()
        #expect(loaded.positions.isEmpty && loaded.windows.isEmpty && loaded.alerts.isEmpty)
        #expect(loaded.serviceState == nil)
        #expect(loaded.at == nil)
    }

    @Test("commit then load returns positions, windows with chunks, alerts and service state")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let write = fullWrite()
        try store.commit(write)
        // A second connection reads what the first committed.
        let loaded = try SQLiteStore(path: dir.database).loadCheckpoint()
        #expect(loaded.positions == write.positions)
        #expect(loaded.windows == write.windowUpserts.sorted { $0.key < $1.key })  // by key
        #expect(loaded.alerts == write.alerts)
        #expect(loaded.serviceState == write.serviceState)
        #expect(loaded.at == write.at)
        #expect(try store.windowResults(model: nil, from: nil, to: nil) == write.results)
        #expect(try store.transitions(since: nil).map(\.transition) == write.transitions)
        #expect(try store.configText(hash: write.config!.hash) == write.config!.text)
        #expect(try store.configText(hash: SHA256.hex("other")) == nil)
    }

    @Test("positions are upserted, alerts replaced only when given, service state kept when nil")
    func upsertsAndReplacements() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        try store.commit(fullWrite())

        var next = CheckpointWrite()
        next.at = ts(10_800_000)
        next.positions = [SourcePosition(source: "preds", key: "file:2049:1234", path: "/var/log/p.jsonl", offset: (1 << 40) + 5, meta: "head=ab12")]
        try store.commit(next)
        var loaded = try store.loadCheckpoint()
        #expect(loaded.positions.map(\.offset) == [991, (1 << 40) + 5, 0])
        #expect(loaded.alerts == fullWrite().alerts)  // alerts == nil: unchanged
        #expect(loaded.serviceState == fullWrite().serviceState)  // nil: unchanged
        #expect(loaded.at == ts(10_800_000))

        next.alerts = []
        next.serviceState = []  // empty, not absent
        try store.commit(next)
        loaded = try store.loadCheckpoint()
        #expect(loaded.alerts.isEmpty)
        #expect(loaded.serviceState == [])
    }

    @Test("a failing commit leaves the previous checkpoint intact and the store usable")
    func atomicity() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let first = fullWrite()
        try store.commit(first)

        // Everything changes, and new series appear; the last step (alert state) violates
        // UNIQUE(group, rule, labels).
        var second = CheckpointWrite()
        second.at = ts(10_800_000)
        second.positions = [SourcePosition(source: "preds", key: "file:2049:1234", path: "/var/log/p.jsonl", offset: 5)]
        second.windowUpserts = [WindowStateRecord(key: hourKey(3).storageKey, summary: [10], chunks: [[4]])]
        second.windowDeletes = [hourKey(2).storageKey]
        second.results = [makeResult(hourKey(2), features: ["brand-new-feature", "another"])]
        second.transitions = [AlertTransition(alert: makeAlert("country"), from: .pending, to: .firing, at: ts(10_800_000))]
        second.alerts = [makeAlert("country"), makeAlert("country")]
        second.serviceState = [0xFF]
        second.config = ConfigRecord(text: "changed")
        let error = try #require(throws: StoreError.self) { try store.commit(second) }
        #expect(error.code == .constraint)
        #expect(error.message.contains("UNIQUE constraint failed: alert_state"))
        #expect(error.sql?.contains("INSERT INTO alert_state") == true)

        let loaded = try store.loadCheckpoint()
        #expect(loaded.positions == first.positions)
        #expect(loaded.windows == first.windowUpserts.sorted { $0.key < $1.key })
        #expect(loaded.alerts == first.alerts)
        #expect(loaded.serviceState == first.serviceState)
        #expect(loaded.at == first.at)
        #expect(try store.windowResults(model: nil, from: nil, to: nil) == first.results)
        #expect(try store.transitions(since: nil).count == 1)
        #expect(try store.configText(hash: second.config!.hash) == nil)
        #expect(try store.scalar("SELECT count(*) FROM series WHERE labels LIKE '%brand-new-feature%'") == 0)

        // Usable: the corrected write commits, including the series the failed one inserted
        // (the store's series-id cache must not remember rolled-back ids).
        second.alerts = [makeAlert("country")]
        try store.commit(second)
        let after = try store.loadCheckpoint()
        #expect(after.windows == [WindowStateRecord(key: hourKey(3).storageKey, summary: [10], chunks: [[4]])])
        #expect(after.serviceState == [0xFF])
        #expect(try store.windowResults(model: nil, from: nil, to: nil) == first.results + second.results)
        #expect(try store.scalar("PRAGMA foreign_key_check") == -1)  // no dangling references
    }

    @Test("chunks append across checkpoints in order and go with their window when it closes")
    func chunks() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let a = hourKey(5).storageKey
        let b = hourKey(6).storageKey
        for i in 0..<5 {
            var write = CheckpointWrite()
            write.windowUpserts = [
                WindowStateRecord(key: a, summary: bytes(i), chunks: [bytes(10 * i), bytes(10 * i + 1)]),
                // b gets a chunk every other checkpoint, and none at all on the others.
                WindowStateRecord(key: b, summary: bytes(100 + i), chunks: i.isMultiple(of: 2) ? [bytes(i)] : []),
            ]
            try store.commit(write)
        }
        var loaded = try store.loadCheckpoint()
        #expect(loaded.windows.map(\.key) == [a, b])
        #expect(loaded.windows[0].summary == bytes(4))
        #expect(loaded.windows[0].chunks.map(int) == [0, 1, 10, 11, 20, 21, 30, 31, 40, 41])
        #expect(loaded.windows[1].chunks.map(int) == [0, 2, 4])

        var close = CheckpointWrite()
        close.windowDeletes = [a]
        close.results = [makeResult(hourKey(5))]
        try store.commit(close)
        loaded = try store.loadCheckpoint()
        #expect(loaded.windows.map(\.key) == [b])
        #expect(try store.scalar("SELECT count(*) FROM window_chunks WHERE key = '\(a)'") == 0)
        #expect(try store.scalar("SELECT count(*) FROM window_chunks") == 3)

        // A window reopened under the same key starts a new chunk sequence.
        var reopen = CheckpointWrite()
        reopen.windowUpserts = [WindowStateRecord(key: a, summary: [], chunks: [bytes(7)])]
        try store.commit(reopen)
        loaded = try store.loadCheckpoint()
        #expect(loaded.windows.first { $0.key == a } == WindowStateRecord(key: a, summary: [], chunks: [bytes(7)]))
    }

    @Test("a window upserted and deleted in one write ends deleted")
    func upsertThenDelete() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        var write = CheckpointWrite()
        write.windowUpserts = [WindowStateRecord(key: "w", summary: [1], chunks: [[2]])]
        write.windowDeletes = ["w", "never-existed"]
        try store.commit(write)
        #expect(try store.loadCheckpoint().windows.isEmpty)
        #expect(try store.scalar("SELECT count(*) FROM window_chunks") == 0)
    }

    @Test("results and transitions refer to the config in effect until another is given")
    func configInEffect() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let c1 = ConfigRecord(text: "one")
        let c2 = ConfigRecord(text: "two")
        var write = CheckpointWrite()
        write.config = c1
        write.results = [makeResult(hourKey(0))]
        try store.commit(write)
        write.config = nil
        write.results = [makeResult(hourKey(1))]
        write.transitions = [AlertTransition(alert: makeAlert("amount"), from: .pending, to: .firing, at: ts(7_200_000))]
        try store.commit(write)
        write.config = c2
        write.results = [makeResult(hourKey(2))]
        write.transitions = []
        try store.commit(write)
        write.config = c1  // back to the first: recorded once, first_seen kept
        write.results = [makeResult(hourKey(3))]
        try store.commit(write)

        let hashes = try store.withDatabase { db in
            try db.connection.query("SELECT config_hash FROM window_results ORDER BY end_ms") { $0.text(0) }
        }
        #expect(hashes == [c1.hash, c1.hash, c2.hash, c1.hash])
        #expect(try store.text("SELECT config_hash FROM alert_transitions") == c1.hash)
        #expect(try store.scalar("SELECT count(*) FROM configs") == 2)
        #expect(try store.configText(hash: c2.hash) == "two")
        #expect(c1.hash == SHA256.hex("one"))
    }
}
