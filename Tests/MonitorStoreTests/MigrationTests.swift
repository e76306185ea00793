import Foundation
import MonitorCore
import Testing

@testable import MonitorStore

@Suite("Opening and migrations")
struct MigrationTests {
    @Test("migrations are numbered 1, 2, … without gaps")
    func numbering() {
        #expect(Migrations.all.map(\.version) == Array(1...Migrations.all.count))
        #expect(SQLiteStore.schemaVersion == Migrations.all.count)
    }

    @Test("a fresh file gets every table, WAL, foreign keys and the latest user_version")
    func freshFile() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        #expect(try store.fileSchemaVersion() == SQLiteStore.schemaVersion)
        #expect(try store.text("PRAGMA journal_mode") == "wal")
        #expect(try store.scalar("PRAGMA foreign_keys") == 1)
        #expect(try store.scalar("PRAGMA synchronous") == 1)  // NORMAL
        #expect(try store.scalar("PRAGMA application_id") == Int(Migrations.applicationID))
        let tables = try store.withDatabase { db in
            try db.connection.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") { $0.text(0) }
        }
        #expect(
            tables == [
                "alert_state", "alert_transitions", "audit_chain", "configs", "delivery_attempts", "event_counts", "label_blocks", "label_pending", "label_predictions",
                "label_streams", "notification_log", "notification_state", "outbox", "performance_results",
                "performance_values", "profiles", "reference_performance", "series", "series_values", "service_state",
                "silences", "source_positions", "triggers", "window_chunks", "window_histograms", "window_results", "window_state",
            ]
        )
        #expect(try store.scalar("PRAGMA foreign_key_check") == -1)  // no rows: no violations
    }

    @Test("synchronous is configurable")
    func synchronousFull() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database, configuration: .init(synchronous: .full))
        #expect(try store.scalar("PRAGMA synchronous") == 2)  // FULL
    }

    @Test("reopening migrates nothing and keeps the data")
    func reopen() throws {
        let dir = try TemporaryDirectory()
        var write = CheckpointWrite()
        write.positions = [SourcePosition(source: "s", key: "k", path: "p", offset: 42)]
        do {
            let store = try SQLiteStore(path: dir.database)
            try store.commit(write)
            store.close()
        }
        for _ in 0..<2 {
            let store = try SQLiteStore(path: dir.database)
            #expect(try store.fileSchemaVersion() == SQLiteStore.schemaVersion)
            #expect(try store.loadCheckpoint().positions == write.positions)
            store.close()
        }
    }

    @Test("a file from a newer schema is refused and left unchanged")
    func futureVersion() throws {
        let dir = try TemporaryDirectory()
        try SQLiteStore(path: dir.database).close()
        try patchHeader(dir.database, offset: 60, value: UInt32(SQLiteStore.schemaVersion + 1))
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.database))
        let error = try #require(throws: StoreError.self) { try SQLiteStore(path: dir.database) }
        #expect(error.code == .schemaTooNew)
        #expect(error.description.contains("schema version \(SQLiteStore.schemaVersion + 1)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.database)) == before)
    }

    @Test("another application's database is refused")
    func foreignApplicationID() throws {
        let dir = try TemporaryDirectory()
        try SQLiteStore(path: dir.database).close()
        try patchHeader(dir.database, offset: 68, value: 0x1234_5678)
        let error = try #require(throws: StoreError.self) { try SQLiteStore(path: dir.database) }
        #expect(error.code == .notAStore)
    }

    @Test("a file that is not a database is refused, not overwritten")
    func notADatabase() throws {
        let dir = try TemporaryDirectory()
        let junk = Data(repeating: 0x5A, count: 4096)
        try junk.write(to: URL(fileURLWithPath: dir.database))
        let error = try #require(throws: StoreError.self) { try SQLiteStore(path: dir.database) }
        #expect(error.code == .notAStore)
        #expect(error.sqliteCode == 26)  // SQLITE_NOTADB
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.database)) == junk)
    }

    @Test("two stores opening the same fresh file at once migrate it once")
    func concurrentOpen() throws {
        let dir = try TemporaryDirectory()
        let path = dir.database
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let store = try SQLiteStore(path: path)
                outcomes.record(try store.fileSchemaVersion() == SQLiteStore.schemaVersion ? nil : "wrong version")
                store.close()
            } catch {
                outcomes.record("\(error)")
            }
        }
        #expect(outcomes.failures.isEmpty, "\(outcomes.failures)")
        #expect(outcomes.count == 4)
        let store = try SQLiteStore(path: path)
        #expect(try store.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'window_results'") == 1)
    }

    @Test("an in-memory store works without WAL")
    func memory() throws {
        let store = try SQLiteStore(path: ":memory:")
        var write = CheckpointWrite()
        write.serviceState = [1, 2, 3]
        try store.commit(write)
        #expect(try store.loadCheckpoint().serviceState == [1, 2, 3])
        #expect(try store.text("PRAGMA journal_mode") == "memory")
    }

    @Test("a closed store throws .closed")
    func closed() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        store.close()
        let error = try #require(throws: StoreError.self) { try store.loadCheckpoint() }
        #expect(error.code == .closed)
        store.close()  // idempotent
    }
}
