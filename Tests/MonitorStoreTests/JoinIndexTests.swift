import Foundation
import MonitorCore
import Testing

@testable import MonitorStore

private let horizon: Int64 = 7 * 86_400_000

private func predictions(_ rows: [(String, Int64)]) -> PredictionRows { predictionRows(rows.map { ($0.0, $0.1, 0.5) }) }

private func labels(_ rows: [(String, Int64)]) -> LabelBatch { labelBatch(rows) }

@Suite("The label join's in-memory id index")
struct JoinIndexTests {
    @Test("IDHashIndex agrees with a dictionary model under random inserts and removals (few keys: long probe runs, wrap-around)")
    func hashIndexModel() {
        var rng = SplitMix64(seed: 7)
        var index = IDHashIndex()
        var model: [UInt32: [Int64]] = [:]
        var nextValue: Int64 = 1
        for step in 0..<20_000 {
            // Keys 1...40 and a few huge ones: homes collide and runs wrap past the last slot.
            let key = rng.next() % 3 == 0 ? UInt32.max - UInt32(rng.next() % 4) : 1 + UInt32(rng.next() % 40)
            if rng.next() % 3 != 0 || model[key, default: []].isEmpty {
                index.insert(key, nextValue)
                model[key, default: []].append(nextValue)
                nextValue += 1
            } else {
                let values = model[key]!
                let victim = values[Int(rng.next() % UInt64(values.count))]
                let removed = index.remove(key, victim)
                #expect(removed)
                model[key]!.removeAll { $0 == victim }
            }
            let removedAbsent = index.remove(key, -1)
            #expect(!removedAbsent)
            if step % 97 == 0 || step == 19_999 {
                for (k, values) in model {
                    var out: [Int64] = []
                    index.values(k, into: &out)
                    #expect(out.sorted() == values.sorted(), "key \(k) at step \(step)")
                    #expect(index.contains(k) == !values.isEmpty)
                }
                #expect(index.count == model.values.reduce(0) { $0 + $1.count })
            }
        }
        var out: [Int64] = []
        index.values(12_345, into: &out)
        #expect(out.isEmpty && !index.contains(12_345))
    }

    @Test("keys depend on every byte and on the length, and are never 0")
    func keys() {
        let ids = ["", "a", "b", "\u{0}", "\u{0}\u{0}", "ab", "ba", "a\u{0}", "p-0000000000000000000000", "p-0000000000000000000001", "p-1000000000000000000000",
                   String(repeating: "x", count: 8), String(repeating: "x", count: 9), String(repeating: "é", count: 40)]
        let keys = ids.map(IDHashIndex.key)
        #expect(Set(keys).count == ids.count)
        #expect(!keys.contains(0))
        // The same bytes give the same key, however the string was made.
        #expect(IDHashIndex.key("p-" + "000000" + "0000000000000001") == IDHashIndex.key("p-0000000000000000000001"))
    }

    @Test("a reopened store rebuilds the index from its tables: waiting labels and pending predictions still join, replays stay duplicates")
    func rebuiltOnOpen() throws {
        let dir = try TemporaryDirectory()
        do {
            let store = try SQLiteStore(path: dir.database)
            #expect(try store.registerPredictions(predictions([("p1", 1000), ("p2", 2000)]), horizon: horizon) == [.pending, .pending])
            #expect(try store.joinLabels(labels([("l1", 9000), ("p2", 9000)]), horizon: horizon).pending == 1)
            try store.commit(CheckpointWrite())
            store.close()
        }
        let store = try SQLiteStore(path: dir.database)
        // p1 waits for its label; l1's label waits for its prediction; p2 is settled.
        #expect(try store.joinLabels(labels([("p1", 9500)]), horizon: horizon).joined.map(\.timestamp) == [1000])
        #expect(try store.registerPredictions(predictions([("l1", 3000), ("p2", 2000), ("p1", 1000)]), horizon: horizon)
            == [.joined, .duplicate, .duplicate])
        #expect(try store.joinLabels(labels([("p2", 9900)]), horizon: horizon).duplicates == 1)
        let c = try store.labelJoinCounts()
        #expect(c.pendingLabels == 0 && c.pendingPredictions == 0 && c.settledPredictions == 3)
    }

    @Test("rows another connection committed are seen: the index is rebuilt when the file changed")
    func otherConnection() throws {
        let dir = try TemporaryDirectory()
        let a = try SQLiteStore(path: dir.database)
        #expect(try a.registerPredictions(predictions([("a", 1000)]), horizon: horizon) == [.pending])
        try a.commit(CheckpointWrite())
        do {
            let b = try SQLiteStore(path: dir.database)
            #expect(try b.registerPredictions(predictions([("x", 2000)]), horizon: horizon) == [.pending])
            #expect(try b.joinLabels(labels([("a", 5000), ("w", 5000)]), horizon: horizon).joined.count == 1)
            try b.commit(CheckpointWrite())
            b.close()
        }
        let r = try a.joinLabels(labels([("x", 6000), ("a", 6000)]), horizon: horizon)
        #expect(r.joined.map(\.timestamp) == [2000])
        #expect(r.duplicates == 1)
        #expect(try a.registerPredictions(predictions([("w", 3000)]), horizon: horizon) == [.joined])
    }

    @Test("deleting settled rows and expiring labels keeps the index in step (an expired label's id can wait again)")
    func deletionsUpdateIndex() throws {
        let store = try SQLiteStore(path: ":memory:")
        _ = try store.registerPredictions(predictions([("a", 1000), ("b", 2000)]), horizon: horizon)
        _ = try store.joinLabels(labels([("a", 3000), ("z", 4000)]), horizon: horizon)
        #expect(try store.expirePending(predictionsBefore: ts(0), labelsBefore: ts(5000)).labels == 1)
        try store.deleteSettled(before: ts(1500))
        try store.withDatabase { db in
            let index = try db.loadedJoinIndex()
            #expect(index.predictions.count == 1 && index.labels.count == 0)
        }
        // "a" is gone: a new prediction with its id is no duplicate; "z" may wait again.
        #expect(try store.registerPredictions(predictions([("a", 1000)]), horizon: horizon) == [.pending])
        #expect(try store.joinLabels(labels([("z", 6000)]), horizon: horizon).pending == 1)
    }

    @Test("a schema-5 store migrates: waiting labels and pending predictions are kept and join")
    func migratesFromSchema5() throws {
        let dir = try TemporaryDirectory()
        do {
            let store = try SQLiteStore(path: dir.database)
            _ = try store.registerPredictions(predictions([("p1", 1000)]), horizon: horizon)
            _ = try store.joinLabels(labels([("l2", 9000), ("l1", 8000)]), horizon: horizon)
            try store.commit(CheckpointWrite())
            // Back to version 5's shape: the id and time indexes, waiting labels keyed by id (a
            // row each), no blocks.
            try store.withDatabase { db in
                try db.connection.script(
                    """
                    BEGIN;
                    CREATE INDEX label_predictions_by_id ON label_predictions (id, ts_ms, stream, groups);
                    CREATE INDEX label_predictions_by_time ON label_predictions (ts_ms);
                    CREATE TABLE label_pending_v5 (id TEXT PRIMARY KEY NOT NULL, ts_ms INTEGER NOT NULL, label TEXT, label_value REAL) STRICT, WITHOUT ROWID;
                    INSERT INTO label_pending_v5 VALUES ('l2', 9000, 'fraud', NULL), ('l1', 8000, 'fraud', NULL);
                    DROP TABLE label_blocks;
                    DROP TABLE label_pending;
                    ALTER TABLE label_pending_v5 RENAME TO label_pending;
                    CREATE INDEX label_pending_by_time ON label_pending (ts_ms);
                    PRAGMA user_version = 5;
                    COMMIT;
                    """)
            }
            store.close()
        }
        let store = try SQLiteStore(path: dir.database)
        #expect(try store.fileSchemaVersion() == SQLiteStore.schemaVersion)
        #expect(try store.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'label_predictions_by_id'") == 0)
        #expect(try store.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'label_predictions_by_time'") == 0)
        // Copied in time order.
        #expect(try store.text("SELECT group_concat(id) FROM (SELECT id FROM label_pending ORDER BY seq)") == "l1,l2")
        #expect(try store.registerPredictions(predictions([("l1", 2000), ("l2", 3000)]), horizon: horizon) == [.joined, .joined])
        #expect(try store.joinLabels(labels([("p1", 9000)]), horizon: horizon).joined.count == 1)
        #expect(try store.labelJoinCounts().settledPredictions == 3)
    }

    @Test("labels that come first wait in the transaction's buffer: taken there, the rest written at the commit in arrival order", arguments: [false, true])
    func waitingBuffer(colliding: Bool) throws {
        let dir = try TemporaryDirectory()
        do {
            let store = try SQLiteStore(path: dir.database)
            if colliding { try store.withDatabase { $0.joinKeyMask = 0 } }
            #expect(try store.joinLabels(labels([("c", 7000), ("a", 5000), ("b", 6000)]), horizon: horizon).pending == 3)
            // A second label for a buffered id is a duplicate.
            #expect(try store.joinLabels(labels([("b", 6500)]), horizon: horizon).duplicates == 1)
            #expect(try store.registerPredictions(predictions([("b", 1000)]), horizon: horizon) == [.joined])
            // Nothing reached label_pending yet: "b" was taken from the buffer.
            #expect(try store.scalar("SELECT count(*) FROM label_pending") == 0)
            try store.withDatabase { db in #expect(db.joinIndex?.waiting.count == 2) }
            try store.commit(CheckpointWrite())
            // The two still waiting were written at the commit, in arrival order, as one block.
            #expect(try store.scalar("SELECT count(*) FROM label_blocks") == 1)
            #expect(try store.scalar("SELECT live FROM label_blocks") == 2)
            try store.withDatabase { db in
                #expect(db.joinIndex?.waiting.count == 0 && db.joinIndex?.labels.count == 2)
                let data = try db.connection.query("SELECT seq, data FROM label_blocks") { LabelBlock.Decoded(seq: $0.int64(0), bytes: $0.blob(1)) }
                let block = try #require(data.first ?? nil)
                #expect((0..<block.count).map { block.id($0) } == ["c", "a"])
                #expect((0..<block.count).map { block.timestamp($0) } == [7000, 5000])
            }
            // Buffered after the checkpoint, then the process dies: the label is not kept.
            #expect(try store.joinLabels(labels([("d", 8000)]), horizon: horizon).pending == 1)
            store.close()
        }
        let store = try SQLiteStore(path: dir.database)
        if colliding { try store.withDatabase { $0.joinKeyMask = 0 } }
        #expect(try store.labelJoinCounts().pendingLabels == 2)
        // The committed labels join after a restart (index rebuilt from the table), "d" waits for
        // its label again.
        #expect(try store.registerPredictions(predictions([("a", 2000), ("c", 3000), ("d", 4000)]), horizon: horizon) == [.joined, .joined, .pending])
        try store.commit(CheckpointWrite())
        #expect(try store.labelJoinCounts().pendingLabels == 0)
    }

    @Test("a buffered label is written before anything reads or expires the waiting labels")
    func bufferFlushedBeforeReads() throws {
        let store = try SQLiteStore(path: ":memory:")
        #expect(try store.joinLabels(labels([("a", 5000), ("b", 9000)]), horizon: horizon).pending == 2)
        // Counts see buffered labels (the read writes them first).
        #expect(try store.labelJoinCounts().pendingLabels == 2)
        #expect(try store.scalar("SELECT sum(live) FROM label_blocks") == 2)
        #expect(try store.joinLabels(labels([("c", 5000)]), horizon: horizon).pending == 1)
        // Expiry covers a label still in the buffer.
        let expired = try store.expirePending(predictionsBefore: ts(0), labelsBefore: ts(6000))
        #expect(expired.labels == 2)
        #expect(try store.scalar("SELECT sum(live) FROM label_blocks") == 1)
        // An expired buffered label does not join its prediction later.
        #expect(try store.registerPredictions(predictions([("c", 1000), ("b", 2000)]), horizon: horizon) == [.pending, .joined])
    }

    @Test("labels waiting across checkpoints live in blocks of 64: taken labels update a block, a block with none left is deleted, expiry takes part of one, a restart respects both", arguments: [false, true])
    func blocks(colliding: Bool) throws {
        let dir = try TemporaryDirectory()
        func open() throws -> SQLiteStore {
            let store = try SQLiteStore(path: dir.database)
            if colliding { try store.withDatabase { $0.joinKeyMask = 0 } }
            return store
        }
        let ids = (0..<130).map { "L\($0)" }
        do {
            let store = try open()
            #expect(try store.joinLabels(labels(ids.enumerated().map { ($1, 1000 + Int64($0)) }), horizon: horizon).pending == 130)
            try store.commit(CheckpointWrite())
            #expect(try store.text("SELECT group_concat(count) FROM (SELECT count FROM label_blocks ORDER BY seq)") == "64,64,2")
            // All of the first block and two of the second join.
            let first = Array(ids[0..<66]).map { ($0, Int64(500)) }
            #expect(try store.registerPredictions(predictions(first), horizon: horizon) == Array(repeating: .joined, count: 66))
            try store.commit(CheckpointWrite())
            #expect(try store.text("SELECT group_concat(live) FROM (SELECT live FROM label_blocks ORDER BY seq)") == "62,2")
            #expect(try store.scalar("SELECT taken FROM label_blocks WHERE live = 62") == 0b11)
            // Labels before 1100 expire: L66 ... L99.
            let expired = try store.expirePending(predictionsBefore: ts(0), labelsBefore: ts(1100))
            #expect(expired.labels == 34)
            try store.commit(CheckpointWrite())
            #expect(try store.labelJoinCounts().pendingLabels == 30)
            // Taken in this transaction, then the process dies: the take is not kept.
            #expect(try store.registerPredictions(predictions([("L129", 500)]), horizon: horizon) == [.joined])
            store.close()
        }
        let store = try open()
        #expect(try store.labelJoinCounts().pendingLabels == 30)
        // Rebuilt from the blocks: taken and expired labels are gone, the others join (and a
        // replay of a joined prediction is a duplicate).
        let out = try store.registerPredictions(predictions([("L64", 600), ("L99", 600), ("L100", 600), ("L129", 600), ("L0", 500)]), horizon: horizon)
        #expect(out == [.pending, .pending, .joined, .joined, .duplicate])
        // A label for an id that waits in a block is a duplicate; one whose label expired waits.
        let again = try store.joinLabels(labels([("L101", 2000), ("L70", 2000)]), horizon: horizon)
        #expect(again.duplicates == 1 && again.pending == 1)
        try store.commit(CheckpointWrite())
        #expect(try store.labelJoinCounts().pendingLabels == 29)
    }

    @Test("a damaged block is reported, not skipped")
    func damagedBlock() throws {
        let dir = try TemporaryDirectory()
        do {
            let store = try SQLiteStore(path: dir.database)
            _ = try store.joinLabels(labels([("a", 1000)]), horizon: horizon)
            try store.commit(CheckpointWrite())
            try store.withDatabase { db in try db.connection.script("UPDATE label_blocks SET data = x'0102'") }
            store.close()
        }
        let store = try SQLiteStore(path: dir.database)
        #expect(throws: StoreError.self) { try store.registerPredictions(predictions([("a", 500)]), horizon: horizon) }
    }

    @Test("the block format round-trips ids and labels of any bytes, absent labels and values")
    func blockFormat() throws {
        let rows: [(id: String, timestamp: Int64, label: String?, value: Double)] = [
            ("", -5, nil, .nan), ("k", 0, "", 1.5), (String(repeating: "é", count: 300), .max, "nul\u{0}inside 🙂", -0.0),
        ]
        let block = try #require(LabelBlock.Decoded(seq: 9, bytes: LabelBlock.encode(rows)))
        #expect(block.count == 3)
        for (i, r) in rows.enumerated() {
            #expect(block.id(i) == r.id && block.idEquals(i, r.id) && !block.idEquals(i, r.id + "x"))
            #expect(block.timestamp(i) == r.timestamp && block.label(i) == r.label)
            #expect(block.value(i).bitPattern == r.value.bitPattern)
        }
        // Truncated data is not a block.
        let bytes = LabelBlock.encode(rows)
        #expect(LabelBlock.Decoded(seq: 9, bytes: Array(bytes.dropLast())) == nil)
        #expect(LabelBlock.location(LabelBlock.reference(block: 7, slot: 63))! == (7, 63))
        #expect(LabelBlock.location(42) == nil)
    }

    @Test("a full buffer is written as blocks before the commit; its labels still join")
    func bufferLimit() throws {
        let store = try SQLiteStore(path: ":memory:")
        try store.withDatabase { $0.waitingBufferLimit = 3 }
        #expect(try store.joinLabels(labels([("a", 1000), ("b", 1000)]), horizon: horizon).pending == 2)
        #expect(try store.scalar("SELECT count(*) FROM label_blocks") == 0)
        #expect(try store.joinLabels(labels([("c", 1000), ("d", 1000)]), horizon: horizon).pending == 2)
        #expect(try store.scalar("SELECT sum(live) FROM label_blocks") == 4)
        try store.withDatabase { db in #expect(db.joinIndex?.waiting.count == 0) }
        #expect(try store.registerPredictions(predictions([("d", 500), ("a", 500), ("x", 500)]), horizon: horizon) == [.joined, .joined, .pending])
        try store.commit(CheckpointWrite())
        #expect(try store.labelJoinCounts().pendingLabels == 2)
    }

    @Test("predictions that take labels from more blocks than the cache holds, in another order, all join")
    func blockCacheReplacement() throws {
        let store = try SQLiteStore(path: ":memory:")
        let blocks = JoinIndex.cachedBlockLimit + 4
        let ids = (0..<(blocks * LabelBlock.capacity)).map { "L\($0)" }
        #expect(try store.joinLabels(labels(ids.map { ($0, 1000) }), horizon: horizon).pending == ids.count)
        try store.commit(CheckpointWrite())
        #expect(try store.scalar("SELECT count(*) FROM label_blocks") == blocks)
        // Slot 0 of every block from the last block to the first, then slot 1 the same way.
        var order: [String] = []
        for slot in 0..<2 { for b in (0..<blocks).reversed() { order.append(ids[b * LabelBlock.capacity + slot]) } }
        let out = try store.registerPredictions(predictions(order.map { ($0, 500) }), horizon: horizon)
        #expect(out == Array(repeating: .joined, count: order.count))
        try store.commit(CheckpointWrite())
        #expect(try store.labelJoinCounts().pendingLabels == ids.count - order.count)
        #expect(try store.scalar("SELECT count(*) FROM label_blocks WHERE taken = 3") == blocks)
    }
}
