import MonitorCore
import Testing

@testable import MonitorStore

@Suite("Window results")
struct ResultTests {
    @Test("samples with awkward label values round-trip exactly, in order")
    func awkwardLabels() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let key = WindowKey(model: "m \"1\"", version: "v,2", window: "1h", start: ts(0), end: ts(3_600_000))
        var samples: [Sample] = []
        for (i, value) in awkwardValues.enumerated() {
            samples.append(Sample(metric: SeriesName.psi, labels: key.labels.setting(LabelName.feature, to: value), value: Double(i), timestamp: key.end))
            // The awkward string as a label *name* too.
            samples.append(Sample(metric: SeriesName.mean, labels: Labels([(value, "x"), ("class", value)]), value: -Double(i), timestamp: key.end))
        }
        samples.append(Sample(metric: SeriesName.count, labels: Labels(), value: 3, timestamp: key.end))  // no labels at all
        let result = WindowResult(key: key, profileID: 1, profileName: "ref \u{1F600}", eventCount: 3, samples: samples)
        var write = CheckpointWrite()
        write.results = [result]
        try store.commit(write)

        let loaded = try #require(try SQLiteStore(path: dir.database).windowResults(model: nil, from: nil, to: nil).first)
        #expect(loaded == result)
        // Exactly equal strings, not merely canonically equivalent ones (Swift's == would accept
        // a re-normalised "é").
        for (a, b) in zip(loaded.samples, result.samples) {
            #expect(a.labels.pairs.map { Array($0.name.utf8) + [0] + Array($0.value.utf8) } == b.labels.pairs.map { Array($0.name.utf8) + [0] + Array($0.value.utf8) })
        }
    }

    @Test("labels are stored as canonical JSON that SQLite's JSON functions read")
    func labelsText() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        var write = CheckpointWrite()
        write.results = [makeResult(hourKey(0), features: ["line\n\"q\""])]
        try store.commit(write)
        #expect(try store.text("SELECT labels FROM series WHERE metric = 'psi'") == #"{"feature":"line\n\"q\"","model":"fraud","version":"3","window":"1h"}"#)
        #expect(try store.text("SELECT json_extract(labels, '$.feature') FROM series WHERE metric = 'psi'") == "line\n\"q\"")
    }

    @Test("the ad-hoc query in the module documentation works")
    func documentedQuery() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        var write = CheckpointWrite()
        write.results = (0..<3).map { makeResult(hourKey(Int64($0)), seed: Double($0)) }
        write.results.append(makeResult(hourKey(0, model: "churn")))
        try store.commit(write)
        let rows = try store.withDatabase { db in
            try db.connection.query(
                """
                SELECT r.end_ms, v.value
                FROM window_results r JOIN series_values v ON v.result_id = r.id JOIN series s ON s.id = v.series_id
                WHERE r.model = 'fraud' AND s.metric = 'psi' AND json_extract(s.labels, '$.feature') = 'amount'
                ORDER BY r.end_ms;
                """
            ) { [$0.double(0), $0.double(1)] }
        }
        #expect(rows == [[3_600_000, 0], [7_200_000, 1], [10_800_000, 2]])
    }

    @Test("non-finite values and samples not at the window end round-trip")
    func valuesAndTimestamps() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let key = hourKey(0)
        let values: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1 + 0.2, 1e-300]
        let samples = values.enumerated().map { i, v in
            Sample(metric: "v\(i)", labels: key.labels, value: v, timestamp: i == 1 ? ts(123) : key.end)
        }
        var write = CheckpointWrite()
        write.results = [WindowResult(key: key, profileID: 0, profileName: "", eventCount: 0, samples: samples)]
        try store.commit(write)
        let loaded = try #require(try store.windowResults(model: nil, from: nil, to: nil).first)
        #expect(loaded.samples.count == values.count)
        #expect(loaded.samples[0].value.isNaN)
        for (a, b) in zip(loaded.samples, samples).dropFirst() {
            #expect(a.value.bitPattern == b.value.bitPattern || (a.value == 0 && b.value == 0), "\(a) vs \(b)")
            #expect(a.timestamp == b.timestamp)
            #expect(a.metric == b.metric)
        }
        #expect(loaded.samples[1].timestamp == ts(123))
        #expect(try store.scalar("SELECT count(*) FROM series_values WHERE ts_ms IS NOT NULL") == 1)
    }

    @Test("a replayed result key is a no-op: no duplicate result, no duplicate samples")
    func replay() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let original = makeResult(hourKey(0), seed: 1)
        var write = CheckpointWrite()
        write.results = [original, original]  // twice in one write
        try store.commit(write)
        // After a restart the window closes again (possibly recomputed): the first one stays.
        write.results = [makeResult(hourKey(0), features: ["other"], seed: 2), makeResult(hourKey(1))]
        try store.commit(write)
        let results = try store.windowResults(model: nil, from: nil, to: nil)
        #expect(results == [original, makeResult(hourKey(1))])
        #expect(try store.scalar("SELECT count(*) FROM series_values") == original.samples.count + makeResult(hourKey(1)).samples.count)
    }

    @Test("series are stored once and shared by windows")
    func seriesDeduplicated() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        for hour in 0..<10 {
            var write = CheckpointWrite()
            write.results = [makeResult(hourKey(Int64(hour)))]
            try store.commit(write)
        }
        // A new connection has an empty cache and must find the existing series.
        let other = try SQLiteStore(path: dir.database)
        var write = CheckpointWrite()
        write.results = [makeResult(hourKey(10))]
        try other.commit(write)
        #expect(try store.scalar("SELECT count(*) FROM series") == makeResult(hourKey(0)).samples.count)
        #expect(try store.scalar("SELECT count(*) FROM window_results") == 11)
    }

    @Test("filters: model, [from, to) on the window end; ordered by end then key")
    func filtersAndOrder() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let fraud = (0..<4).map { makeResult(hourKey(Int64($0))) }
        let churn = (0..<4).map { makeResult(hourKey(Int64($0), model: "churn", version: "1")) }
        let daily = makeResult(WindowKey(model: "fraud", version: "3", window: "1d", start: ts(-82_800_000), end: ts(3_600_000)))
        var write = CheckpointWrite()
        write.results = Array((fraud + churn).reversed()) + [daily]
        try store.commit(write)

        let all = try store.windowResults(model: nil, from: nil, to: nil)
        #expect(all.map(\.key) == (fraud + churn + [daily]).map(\.key).sorted())
        #expect(try store.windowResults(model: "fraud", from: nil, to: nil).map(\.key) == (fraud + [daily]).map(\.key).sorted())
        // end ∈ [2h, 4h): hours 1 and 2 end at 2h and 3h; hour 3 ends at 4h (excluded).
        #expect(try store.windowResults(model: "churn", from: ts(7_200_000), to: ts(14_400_000)) == [churn[1], churn[2]])
        #expect(try store.windowResults(model: "fraud", from: ts(14_400_000), to: nil) == [fraud[3]])
        #expect(try store.windowResults(model: "nobody", from: nil, to: nil).isEmpty)
    }
}
