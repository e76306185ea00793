import Foundation
import MonitorCore
import Testing

@testable import MonitorStore

private let horizon: Int64 = 7 * 86_400_000

/// A window's joined rows as the table answers a full scan (SQLite needs no index for that):
/// the answer the run-based lookup must give.
private func scannedRows(_ store: SQLiteStore, from: Int64, to: Int64) throws -> [String] {
    try store.withDatabase { db in
        try db.connection.query(
            """
            SELECT ts_ms, score FROM label_predictions p JOIN label_streams s ON s.id = p.stream
            WHERE ts_ms >= ?1 AND ts_ms < ?2 AND s.model = 'fraud' AND s.version = '3' AND state = 1 ORDER BY ts_ms, p.id
            """, from, to
        ) { "\($0.int64(0)):\($0.double(1))" }
    }
}

private func joinedRows(_ store: SQLiteStore, from: Int64, to: Int64) throws -> [String] {
    let rows = try store.joinedRows(fraudStream, from: ts(from), to: ts(to))
    return zip(rows.timestamps, rows.scores).map { "\($0):\($1)" }
}

@Suite("Predictions found by time through rowid runs")
struct PredictionTimesTests {
    @Test("every row matching a time predicate lies in a returned range; ranges are ordered, disjoint and start and end on matching runs")
    func model() {
        var rng = SplitMix64(seed: 11)
        var times = PredictionTimes()
        // The model: live rows by rowid, with time and whether pending.
        var rows: [Int64: (t: Int64, pending: Bool)] = [:]
        var nextSeq: Int64 = 1
        func check(_ matches: (PredictionTimes.Run) -> Bool, _ wanted: ((t: Int64, pending: Bool)) -> Bool) {
            let ranges = times.rowRanges(where: matches)
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound < b.lowerBound) }
            for r in ranges {
                let first = times.runs.first { $0.number == r.lowerBound / PredictionTimes.runLength }
                let last = times.runs.first { $0.number == r.upperBound / PredictionTimes.runLength }
                #expect(first.map(matches) == true && last.map(matches) == true, "range \(r) does not start and end on matching runs")
            }
            for (seq, row) in rows where wanted(row) {
                #expect(ranges.contains { $0.contains(seq) }, "row \(seq) at \(row.t) is in no range")
            }
        }
        var mostRuns = 0
        for step in 0..<8_000 {
            mostRuns = max(mostRuns, times.runs.count)
            switch rng.next() % 10 {
            case 0..<6:
                // Mostly in time order, sometimes hours late or early; now and then a gap of
                // rowids (runs with no row between runs with rows).
                let base = Int64(step) * 1000
                let t = rng.next() % 20 == 0 ? base + Int64(rng.next() % 7_200_000) - 3_600_000 : base
                if rng.next() % 100 == 0 { nextSeq += Int64(rng.next() % 20_000) }
                let pending = rng.next() % 3 != 0
                times.insert(seq: nextSeq, time: t, pending: pending)
                rows[nextSeq] = (t, pending)
                nextSeq += 1
            case 6..<8:
                // A delete: mostly old rows.
                guard !rows.isEmpty else { continue }
                let keys = rows.keys.sorted()
                let seq = rng.next() % 4 == 0 ? keys[Int(rng.next() % UInt64(keys.count))] : keys[0]
                times.remove(seq: seq)
                rows[seq] = nil
            case 8:
                // Expiry of every pending row before a cutoff, as the store does it.
                let cutoff = Int64(step) * 1000 - Int64(rng.next() % 5_000_000)
                check({ !$0.noPending && $0.earliest < cutoff }, { $0.pending && $0.t < cutoff })
                for (seq, row) in rows where row.pending && row.t < cutoff { rows[seq] = (row.t, false) }
                times.expired(before: cutoff)
            default:
                let from = Int64(rng.next() % UInt64(max(1, step))) * 1000
                let to = from + Int64(rng.next() % 3_600_000)
                check({ $0.earliest < to && $0.latest >= from }, { $0.t >= from && $0.t < to })
                check({ $0.earliest < to }, { $0.t < to })
            }
        }
        #expect(times.runs.map(\.count).reduce(0, +) == rows.count)
        #expect(mostRuns > 10, "the model exercised several runs")
        // Runs with no row left are dropped; an insert below the last run is kept in order.
        var small = PredictionTimes()
        small.insert(seq: 5 * PredictionTimes.runLength, time: 50, pending: true)
        small.insert(seq: 1 * PredictionTimes.runLength, time: 10, pending: false)
        small.insert(seq: 3 * PredictionTimes.runLength, time: 30, pending: true)
        small.insert(seq: 3 * PredictionTimes.runLength + 1, time: 20, pending: false)
        #expect(small.runs.map(\.number) == [1, 3, 5])
        #expect(small.runs.map(\.count) == [1, 2, 1])
        #expect(small.runs.map(\.earliest) == [10, 20, 50] && small.runs.map(\.latest) == [10, 30, 50])
        #expect(small.runs.map(\.noPending) == [true, false, false])
        small.remove(seq: 3 * PredictionTimes.runLength)
        #expect(small.runs.map(\.number) == [1, 3, 5])
        small.remove(seq: 3 * PredictionTimes.runLength + 1)
        small.remove(seq: 4 * PredictionTimes.runLength)  // no such run: ignored
        #expect(small.runs.map(\.number) == [1, 5])
        // Runs 1 and 5 are adjacent once run 3 is gone.
        #expect(small.rowRanges(where: { _ in true }) == [PredictionTimes.runLength...6 * PredictionTimes.runLength - 1])
        #expect(small.rowRanges(where: { $0.earliest > 20 }) == [5 * PredictionTimes.runLength...6 * PredictionTimes.runLength - 1])
    }

    @Test("with times out of arrival order across several runs, expiry, deletion and a window's rows agree with a full scan, before and after a restart")
    func storeAgreesWithScan() throws {
        let dir = try TemporaryDirectory()
        var rng = SplitMix64(seed: 5)
        let n = 3 * Int(PredictionTimes.runLength) + 500
        let hour: Int64 = 3_600_000
        let start: Int64 = 1_000 * hour
        // In time order, one a second, except every 50th: up to 30 hours early (late data).
        var rows: [(id: String, t: Int64, score: Double)] = []
        for i in 0..<n {
            let late = i % 50 == 7 ? Int64(rng.next() % UInt64(30 * hour)) : 0
            rows.append(("p\(i)", start + Int64(i) * 1000 - late, Double(i)))
        }
        // Ties across runs, with ids that order differently as bytes and as Swift strings.
        for (k, id) in ["e\u{301}", "\u{E9}", "Z", "a"].enumerated() {
            rows.append((id, start + 600_000, Double(100_000 + k)))
        }
        do {
            let store = try SQLiteStore(path: dir.database)
            for chunk in stride(from: 0, to: rows.count, by: 1000) {
                _ = try store.registerPredictions(predictionRows(Array(rows[chunk..<min(chunk + 1000, rows.count)])), horizon: horizon)
            }
            // Two in three get their label, and the ties all do.
            let labeled = rows.enumerated().filter { $0.offset % 3 != 0 || $0.offset >= n }.map { ($0.element.id, $0.element.t + hour) }
            _ = try store.joinLabels(labelBatch(labeled), horizon: horizon)
            try store.commit(CheckpointWrite())
            #expect(try store.withDatabase { $0.joinIndex?.times.runs.count ?? 0 } >= 4)
            for (from, to) in [(start - 40 * hour, start), (start, start + hour), (start + 600_000, start + 600_001), (start, start + 10 * hour)] {
                let expected = try scannedRows(store, from: from, to: to)
                #expect(!expected.isEmpty, "window [\(from), \(to)) has rows")
                #expect(try joinedRows(store, from: from, to: to) == expected, "window [\(from), \(to))")
            }
            // The ties (p600 has no label) come out in the order of SQLite's BINARY collation
            // (Swift's String order holds the two spellings of "é" equal).
            #expect(try joinedRows(store, from: start + 600_000, to: start + 600_001).map { $0.split(separator: ":")[1] }
                == ["100002.0", "100003.0", "100000.0", "100001.0"])
            store.close()
        }
        let store = try SQLiteStore(path: dir.database)
        let window = (start - 5 * hour, start + 2 * hour)
        #expect(try joinedRows(store, from: window.0, to: window.1) == scannedRows(store, from: window.0, to: window.1))
        // Expiry: every pending row before the cutoff, late ones in newer runs too.
        let cutoff = start + hour / 2
        let due = try store.scalar("SELECT count(*) FROM label_predictions WHERE state = 0 AND ts_ms < \(cutoff)")
        #expect(due > 10)
        #expect(try store.expirePending(predictionsBefore: ts(cutoff), labelsBefore: ts(0)).predictions == due)
        #expect(try store.scalar("SELECT count(*) FROM label_predictions WHERE state = 0 AND ts_ms < \(cutoff)") == 0)
        // Everything expires; then a late prediction lands in the last run, which the expiry
        // had found with no pending row: the next expiry still finds it.
        let end = start + Int64(n) * 1000 + hour
        _ = try store.expirePending(predictionsBefore: ts(end), labelsBefore: ts(0))
        #expect(try store.scalar("SELECT count(*) FROM label_predictions WHERE state = 0") == 0)
        _ = try store.registerPredictions(predictionRows([("late", start, -1)]), horizon: horizon)
        #expect(try store.expirePending(predictionsBefore: ts(end), labelsBefore: ts(0)).predictions == 1)
        // Deletion: settled rows before the cutoff go, from the table and from the index.
        let before = start + 2 * hour
        let total = try store.scalar("SELECT count(*) FROM label_predictions")
        let gone = try store.scalar("SELECT count(*) FROM label_predictions WHERE ts_ms < \(before) AND state != 0")
        try store.deleteSettled(before: ts(before))
        #expect(try store.scalar("SELECT count(*) FROM label_predictions WHERE ts_ms < \(before)") == 0)
        #expect(try store.scalar("SELECT count(*) FROM label_predictions") == total - gone)
        try store.commit(CheckpointWrite())
        let indexed = try store.withDatabase { db in
            (db.joinIndex?.predictions.count ?? -1, db.joinIndex?.times.runs.map(\.count).reduce(0, +) ?? -1)
        }
        #expect(indexed.0 == total - gone && indexed.1 == total - gone)
        // A deleted id may be predicted again: it is no duplicate.
        #expect(try store.registerPredictions(predictionRows([("p10", start + 10_000, 0)]), horizon: horizon) == [.pending])
        #expect(try joinedRows(store, from: start, to: end) == scannedRows(store, from: start, to: end))
    }
}
