import Foundation
import MonitorCore
import Synchronization
import Testing

@testable import MonitorStore

@Suite("WAL, visibility and concurrent readers")
struct ConcurrencyTests {
    /// Checkpoint `i`: every part of the state encodes `i`, so a reader can tell a torn read.
    func write(_ i: Int) -> CheckpointWrite {
        var write = CheckpointWrite()
        write.at = ts(Int64(i))
        write.positions = [SourcePosition(source: "s", key: "k", path: "p", offset: Int64(i))]
        write.windowUpserts = [WindowStateRecord(key: "w", summary: bytes(i), chunks: [bytes(i)])]
        write.serviceState = bytes(i)
        write.alerts = [makeAlert("f\(i)")]
        return write
    }

    /// The checkpoint number a loaded state encodes, or a description of the inconsistency.
    func consistentIndex(_ loaded: LoadedCheckpoint) -> Result<Int, StoreError> {
        guard let offset = loaded.positions.first?.offset, let window = loaded.windows.first, let state = loaded.serviceState else {
            return .failure(StoreError(code: .invalidData, message: "incomplete checkpoint \(loaded)"))
        }
        let i = Int(offset)
        // Chunks 0…i were appended by checkpoints 0…i.
        guard int(window.summary) == i, int(state) == i, window.chunks.map(int) == Array(0...i), loaded.alerts.map(\.labels["feature"]) == ["f\(i)"] else {
            return .failure(StoreError(code: .invalidData, message: "torn checkpoint at offset \(i): \(loaded)"))
        }
        return .success(i)
    }

    @Test("the -wal and -shm files exist while open; close folds the WAL back")
    func walFiles() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        try store.commit(write(0))
        #expect(FileManager.default.fileExists(atPath: dir.database + "-wal"))
        #expect(FileManager.default.fileExists(atPath: dir.database + "-shm"))
        store.close()
        #expect(!FileManager.default.fileExists(atPath: dir.database + "-wal"))
    }

    @Test("a commit is visible to another connection at once, without closing the writer")
    func visibility() throws {
        let dir = try TemporaryDirectory()
        let writer = try SQLiteStore(path: dir.database)
        try writer.commit(write(0))
        let reader = try SQLiteStore(path: dir.database)
        #expect(try consistentIndex(reader.loadCheckpoint()).get() == 0)
        try writer.commit(write(1))
        #expect(try consistentIndex(reader.loadCheckpoint()).get() == 1)
        // Results too.
        var results = CheckpointWrite()
        results.results = [makeResult(hourKey(0))]
        try writer.commit(results)
        #expect(try reader.windowResults(model: "fraud", from: nil, to: nil) == results.results)
    }

    @Test("a reader on another connection sees only whole checkpoints while the writer commits")
    func concurrentReaders() throws {
        let dir = try TemporaryDirectory()
        let writer = try SQLiteStore(path: dir.database)
        let reader = try SQLiteStore(path: dir.database)
        try writer.commit(write(0))
        let n = 150
        let readerStarted = Atomic(false)
        let writerDone = Atomic(false)
        let seen = Mutex<[Int]>([])
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 2) { role in
            do {
                if role == 0 {
                    while !readerStarted.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.001) }
                    for i in 1...n { try writer.commit(write(i)) }
                    writerDone.store(true, ordering: .releasing)
                } else {
                    var last = -1
                    repeat {
                        let done = writerDone.load(ordering: .acquiring)
                        let i = try consistentIndex(reader.loadCheckpoint()).get()
                        if i < last { throw StoreError(code: .invalidData, message: "went back from \(last) to \(i)") }
                        last = i
                        seen.withLock { $0.append(i) }
                        readerStarted.store(true, ordering: .releasing)
                        if done { break }
                    } while true
                }
                outcomes.record(nil)
            } catch {
                readerStarted.store(true, ordering: .releasing)  // never leave the writer waiting
                outcomes.record("role \(role): \(error)")
            }
        }
        #expect(outcomes.failures.isEmpty, "\(outcomes.failures)")
        let reads = seen.withLock { $0 }
        #expect(reads.first == 0)
        #expect(reads.last == n)
        #expect(Set(reads).count >= 2)
    }

    @Test("two writers on one file take turns (BEGIN IMMEDIATE + busy timeout)")
    func twoWriters() throws {
        let dir = try TemporaryDirectory()
        let stores = [try SQLiteStore(path: dir.database), try SQLiteStore(path: dir.database)]
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            do {
                for i in 1...50 {
                    var write = CheckpointWrite()
                    write.positions = [SourcePosition(source: "s\(w)", key: "k", path: "p", offset: Int64(i))]
                    write.results = [makeResult(hourKey(Int64(i), model: "m\(w)"))]
                    try stores[w].commit(write)
                }
                outcomes.record(nil)
            } catch {
                outcomes.record("writer \(w): \(error)")
            }
        }
        #expect(outcomes.failures.isEmpty, "\(outcomes.failures)")
        #expect(try stores[0].loadCheckpoint().positions.map(\.offset) == [50, 50])
        #expect(try stores[1].windowResults(model: nil, from: nil, to: nil).count == 100)
    }

    @Test("a write lock held past the busy timeout is a .busy error, and the store stays usable")
    func busy() throws {
        let dir = try TemporaryDirectory()
        let holder = try SQLiteStore(path: dir.database)
        let waiter = try SQLiteStore(path: dir.database, configuration: .init(busyTimeout: .milliseconds(50)))
        try holder.withDatabase { try $0.connection.execute("BEGIN IMMEDIATE") }
        var write = CheckpointWrite()
        write.serviceState = [1]
        let error = try #require(throws: StoreError.self) { try waiter.commit(write) }
        #expect(error.code == .busy)
        #expect(error.sqliteCode.map { $0 & 0xff } == 5)  // SQLITE_BUSY
        // Readers are not blocked by the writer.
        #expect(try waiter.loadCheckpoint().serviceState == nil)
        try holder.withDatabase { try $0.connection.execute("ROLLBACK") }
        try waiter.commit(write)
        #expect(try holder.loadCheckpoint().serviceState == [1])
    }
}
