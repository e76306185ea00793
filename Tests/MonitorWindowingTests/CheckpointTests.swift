import MonitorCore
import MonitorWindowing
import Testing

@Suite("Checkpoint delta and restore")
struct CheckpointTests {
    static let profile = referenceProfile()
    static let resolved = ResolvedProfile(profile: profile, id: 7, name: "ref")
    static let specs = [WindowSpec(name: "1m", size: 60_000), WindowSpec(name: "3m", size: 180_000, slide: 60_000), WindowSpec(name: "30s", size: 30_000)]

    static func manager(exactLimit: Int) throws -> WindowManager {
        var settings = DriftSettings()
        settings.exactLimit = exactLimit
        return try WindowManager(specs: specs, allowedLateness: 5000, settings: settings, resolver: .constant(resolved))
    }

    static func stream(seed: UInt64) -> Batch {
        var b = builder()
        var rows = generateRows(2500, step: 120, jitter: 15_000, shift: 0.2, newCategories: true, models: ["a", "b"], seed: seed)
        for i in stride(from: 0, to: rows.count, by: 89) { rows[i].time = .min }
        return b.batch(rows)
    }

    /// Ingest A with checkpoints (and closes) along the way, restore into a fresh manager from
    /// the stored records, ingest B: the same windows, bit for bit, and the same counters as
    /// ingesting A and B without a restart.
    @Test("ingest A, checkpoint, restore, ingest B ≡ ingest A + B", arguments: [(1, 1_000_000), (2, 1_000_000), (3, 30), (4, 30), (5, 150)] as [(UInt64, Int)])
    func restoreProperty(seed: UInt64, exactLimit: Int) throws {
        let batch = Self.stream(seed: seed)
        var rng = TestRNG(seed: seed &* 31)
        let cuts = (0..<10).map { _ in rng.below(batch.count) }.sorted() + [batch.count]
        let restartAt = rng.below(cuts.count - 1)  // restart after this batch
        let checkpointEvery = 1 + rng.below(3)

        // Uninterrupted run: the same batches and closes.
        var plain = try Self.manager(exactLimit: exactLimit)
        var expected: [ClosedWindow] = []
        var from = 0
        for c in cuts {
            plain.ingest(batch, rows: from..<c)
            expected += plain.closeReady()
            from = c
        }
        expected += plain.closeAll()

        var m = try Self.manager(exactLimit: exactLimit)
        var store = InMemoryWindowState()
        var got: [ClosedWindow] = []
        from = 0
        for (i, c) in cuts.enumerated() {
            m.ingest(batch, rows: from..<c)
            got += m.closeReady()
            from = c
            if i % checkpointEvery == 0 || i == restartAt { store.apply(m.checkpointDelta()) }
            if i == restartAt {
                m = try Self.manager(exactLimit: exactLimit)
                let report = try m.restore(from: store.all)
                #expect(report.droppedPanes.isEmpty)
                #expect(m.checkpointDelta().upserts.isEmpty, "a restored state has nothing new to write")
            }
        }
        got += m.closeAll()
        #expect(!expected.isEmpty)
        expectSameWindows(got, expected)
        #expect(m.counters == plain.counters)
        if exactLimit < 100 {
            #expect(expected.contains { $0.features.contains { $0.method == "sketch" } }, "the sketch path is exercised")
        }
        // Everything closed: the next checkpoint deletes every pane record it wrote.
        store.apply(m.checkpointDelta())
        #expect(store.records.keys.sorted() == [WindowManager.stateRecordKey])
    }

    @Test("a checkpoint writes only what changed; samples go into append-only chunks of new values")
    func delta() throws {
        var m = try Self.manager(exactLimit: 1_000_000)
        var b = builder()
        let base: Int64 = 1_763_805_600_000
        func rows(_ offsets: [Int64], model: String = "a") -> [BatchBuilder.Row] {
            offsets.map { BatchBuilder.Row(time: base + $0, model: model, numerical: [1, 2, 3], categorical: ["DE", "FR"], score: 0.1, label: "ok") }
        }
        m.ingest(b.batch(rows([1000, 2000]) + rows([1000], model: "b")))
        let first = m.checkpointDelta()
        // Two streams × two slide groups (60 s shared by 1m and 3m; 30 s) + the state record.
        #expect(first.upserts.count == 5 && first.deletes.isEmpty)
        #expect(first.upserts.filter { $0.key != WindowManager.stateRecordKey }.allSatisfy { $0.chunks.count == 1 })
        #expect(m.checkpointDelta().upserts.isEmpty, "nothing changed")
        m.ingest(b.batch(rows([3000])))
        let second = m.checkpointDelta()
        #expect(second.upserts.map(\.key).filter { $0 != WindowManager.stateRecordKey }.count == 2, "only stream a's panes")
        let firstChunk = first.upserts.first { $0.key.hasPrefix("pane|60000|") && $0.key.hasSuffix("|a|3") }!.chunks[0]
        let secondChunk = second.upserts.first { $0.key.hasPrefix("pane|60000|") }!.chunks[0]
        // 4 numerical accumulators (3 features + score): 2 values each, then 1 value each.
        #expect(firstChunk.count - secondChunk.count == 4 * 8)
        _ = m.closeAll()
        let third = m.checkpointDelta()
        #expect(Set(third.deletes) == Set(first.upserts.map(\.key)).subtracting([WindowManager.stateRecordKey]))
    }

    @Test("model and version names with separators round-trip")
    func escaping() throws {
        var m = try Self.manager(exactLimit: 1_000_000)
        var b = builder()
        m.ingest(b.batch([BatchBuilder.Row(time: 1_763_805_601_000, model: "a|b%7C", version: "", numerical: [1, 2, 3], categorical: [nil, nil])]))
        var store = InMemoryWindowState()
        store.apply(m.checkpointDelta())
        #expect(store.records.keys.contains("pane|60000|1763805600000|a%7Cb%257C|"))
        var r = try Self.manager(exactLimit: 1_000_000)
        _ = try r.restore(from: store.all)
        #expect(r.closeAll().map(\.result.key.model) == Array(repeating: "a|b%7C", count: 5))  // 1m, three 3m, 30s
    }

    @Test("corrupted or truncated records throw; they never trap")
    func corruption() throws {
        var m = try Self.manager(exactLimit: 1_000_000)
        m.ingest(Self.stream(seed: 9), rows: 0..<300)
        var store = InMemoryWindowState()
        store.apply(m.checkpointDelta())
        let records = store.all
        let pane = records.first { $0.key != WindowManager.stateRecordKey }!
        var rng = TestRNG(seed: 3)
        for trial in 0..<200 {
            var damaged = records
            let i = damaged.firstIndex { $0.key == pane.key }!
            switch trial % 4 {
            case 0:  // intent: a flipped bit anywhere in the summary
                let k = rng.below(pane.summary.count)
                damaged[i].summary[k] ^= UInt8(1 << rng.below(8))
            case 1:  // intent: a truncated summary
                damaged[i].summary = Array(pane.summary.prefix(rng.below(pane.summary.count)))
            case 2:  // intent: a flipped bit in the chunk of samples
                let k = rng.below(pane.chunks[0].count)
                damaged[i].chunks[0][k] ^= UInt8(1 << rng.below(8))
            default:  // intent: a lost chunk
                damaged[i].chunks = []
            }
            var fresh = try Self.manager(exactLimit: 1_000_000)
            #expect(throws: WindowingError.self) { try fresh.restore(from: damaged) }
        }
        var fresh = try Self.manager(exactLimit: 1_000_000)
        #expect(throws: WindowingError.self) { try fresh.restore(from: records.filter { $0.key != WindowManager.stateRecordKey }) }
    }

    @Test("panes whose profile is gone are dropped, reported and deleted at the next checkpoint")
    func missingProfile() throws {
        var m = try Self.manager(exactLimit: 1_000_000)
        m.ingest(Self.stream(seed: 10), rows: 0..<200)
        var store = InMemoryWindowState()
        store.apply(m.checkpointDelta())
        let other = ResolvedProfile(profile: referenceProfile(seed: 11), id: 8, name: "new")
        var r = try WindowManager(specs: Self.specs, allowedLateness: 5000, settings: DriftSettings(), resolver: .constant(other))
        let report = try r.restore(from: store.all)
        #expect(report.restoredPanes == 0 && report.droppedPanes.count == store.records.count - 1)
        #expect(Set(r.checkpointDelta().deletes) == Set(report.droppedPanes.map(\.key)))
        // With a resolver that still knows profile 7 by id, the panes come back under it.
        var k = try WindowManager(
            specs: Self.specs, allowedLateness: 5000, settings: DriftSettings(),
            resolver: ProfileResolver(inForce: { _, _ in other }, byID: { $0 == 7 ? Self.resolved : nil }))
        #expect(try k.restore(from: store.all).droppedPanes.isEmpty)
        #expect(k.closeAll().allSatisfy { $0.result.profileID == 7 })
    }
}
