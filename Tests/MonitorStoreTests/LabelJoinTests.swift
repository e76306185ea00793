import Foundation
import MonitorCore
import Testing

@testable import MonitorStore

private let day: Int64 = 86_400_000
private let horizon: Int64 = 7 * day
private let fraud = ModelVersion(model: "fraud", version: "3")

/// Prediction rows of the `fraud/3` stream: (id, time, predicted class, score).
private func predictions(_ rows: [(String, Int64, String?, Double)], stream: ModelVersion = fraud) -> PredictionRows {
    var p = PredictionRows()
    p.streamNames = [stream]
    for (id, t, label, score) in rows {
        p.ids.append(id)
        p.timestamps.append(t)
        p.streams.append(0)
        p.predictedLabels.append(label)
        p.scores.append(score)
        p.values.append(.nan)
        p.windowGroups.append(1)
    }
    return p
}

private func labels(_ rows: [(String, Int64, String)]) -> LabelBatch {
    var b = LabelBatch()
    for (id, t, l) in rows { b.append(id: id, timestamp: t, label: l, value: Double(l) ?? .nan) }
    return b
}

/// How the join index hashes ids in a test: as shipped, or every id to one key (then only the
/// stored ids tell rows apart, as after a hash collision).
enum KeyHashing: String, CaseIterable, CustomTestStringConvertible {
    case real, colliding
    var testDescription: String { rawValue }
}

/// A store whose join index hashes as `hashing` says.
private func joinStore(_ path: String, _ hashing: KeyHashing) throws -> SQLiteStore {
    let store = try SQLiteStore(path: path)
    if hashing == .colliding { try store.withDatabase { $0.joinKeyMask = 0 } }
    return store
}

@Suite("Delayed-label join in the store")
struct LabelJoinTests {
    @Test("a label joins its pending prediction; the row carries both sides", arguments: KeyHashing.allCases)
    func predictionThenLabel(_ hashing: KeyHashing) throws {
        let store = try joinStore(":memory:", hashing)
        let out = try store.registerPredictions(predictions([("a", 1000, "fraud", 0.9), ("b", 2000, "legit", 0.2)]), horizon: horizon)
        #expect(out == [.pending, .pending])
        let r = try store.joinLabels(labels([("a", 5000, "legit")]), horizon: horizon)
        #expect(r.joined == [JoinedPrediction(stream: fraud, timestamp: 1000, windowGroups: 1)])
        #expect(try store.labelJoinCounts().pendingPredictions == 1)
        let rows = try store.joinedRows(fraud, from: ts(0), to: ts(10_000))
        #expect(rows.count == 1)
        #expect(rows.predictedLabels == ["fraud"] && rows.labels == ["legit"] && rows.scores == [0.9])
    }

    @Test("a label that comes first waits and joins its prediction", arguments: KeyHashing.allCases)
    func labelThenPrediction(_ hashing: KeyHashing) throws {
        let store = try joinStore(":memory:", hashing)
        let r = try store.joinLabels(labels([("a", 5000, "fraud")]), horizon: horizon)
        #expect(r.pending == 1 && r.joined.isEmpty)
        #expect(try store.labelJoinCounts().pendingLabels == 1)
        #expect(try store.registerPredictions(predictions([("a", 1000, "fraud", 0.8)]), horizon: horizon) == [.joined])
        let c = try store.labelJoinCounts()
        #expect(c.pendingLabels == 0 && c.pendingPredictions == 0 && c.settledPredictions == 1)
        #expect(try store.joinedRows(fraud, from: ts(0), to: ts(2000)).labels == ["fraud"])
    }

    @Test("texts bound in place keep their exact bytes in both orders: empty, small, long, non-ASCII, NUL, absent", arguments: KeyHashing.allCases)
    func textsBoundInPlace(_ hashing: KeyHashing) throws {
        let store = try joinStore(":memory:", hashing)
        let texts: [String?] = ["", "x", "ein längeres Label über 15 Bytes 🙂", "nul\u{0}inside", nil]
        let idsSecond = ["", "k", String(repeating: "é", count: 40), "id\u{0}nul", "plain"]
        let idsFirst = idsSecond.map { "f-" + $0 }
        var p = predictions([])
        for (i, id) in idsSecond.enumerated() {
            p.ids.append(id); p.timestamps.append(1000 + Int64(i)); p.streams.append(0)
            p.predictedLabels.append(texts[i]); p.scores.append(0.5); p.values.append(.nan); p.windowGroups.append(1)
        }
        #expect(try store.registerPredictions(p, horizon: horizon) == Array(repeating: .pending, count: 5))
        var second = LabelBatch()
        for (i, id) in idsSecond.enumerated() { second.append(id: id, timestamp: 5000, label: texts[i], value: .nan) }
        #expect(try store.joinLabels(second, horizon: horizon).joined.count == 5)
        var first = LabelBatch()
        for (i, id) in idsFirst.enumerated() { first.append(id: id, timestamp: 9000, label: texts[i], value: .nan) }
        #expect(try store.joinLabels(first, horizon: horizon).pending == 5)
        var q = predictions([])
        for (i, id) in idsFirst.enumerated() {
            q.ids.append(id); q.timestamps.append(2000 + Int64(i)); q.streams.append(0)
            q.predictedLabels.append(texts[i]); q.scores.append(0.5); q.values.append(.nan); q.windowGroups.append(1)
        }
        #expect(try store.registerPredictions(q, horizon: horizon) == Array(repeating: .joined, count: 5))
        let rows = try store.joinedRows(fraud, from: ts(0), to: ts(3000))
        #expect(rows.predictedLabels == texts + texts)
        #expect(rows.labels == texts + texts)
        // The same ids again are exact replays: found by their bytes.
        #expect(try store.registerPredictions(p, horizon: horizon) == Array(repeating: .duplicate, count: 5))
    }

    @Test("duplicates: first prediction and first label win, each duplicate counted", arguments: KeyHashing.allCases)
    func duplicates(_ hashing: KeyHashing) throws {
        let store = try joinStore(":memory:", hashing)
        // Same id pending twice (different times), and an exact replay.
        #expect(try store.registerPredictions(predictions([("a", 1000, "fraud", 0.9), ("a", 1500, "legit", 0.1), ("a", 1000, "x", 0.5)]),
                                              horizon: horizon) == [.pending, .duplicate, .duplicate])
        let first = try store.joinLabels(labels([("a", 5000, "fraud"), ("a", 6000, "legit")]), horizon: horizon)
        #expect(first.joined.count == 1 && first.duplicates == 1)
        #expect(try store.joinedRows(fraud, from: ts(0), to: ts(10_000)).labels == ["fraud"])
        // Two labels for an unknown id: the second is a duplicate of the waiting one.
        let waiting = try store.joinLabels(labels([("z", 5000, "fraud"), ("z", 6000, "fraud")]), horizon: horizon)
        #expect(waiting.pending == 1 && waiting.duplicates == 1)
        // A replay of a labeled prediction is a duplicate too.
        #expect(try store.registerPredictions(predictions([("a", 1000, "fraud", 0.9)]), horizon: horizon) == [.duplicate])
    }

    @Test("an id reused in a later window waits for its own label", arguments: KeyHashing.allCases)
    func reusedID(_ hashing: KeyHashing) throws {
        let store = try joinStore(":memory:", hashing)
        _ = try store.registerPredictions(predictions([("a", 1000, "fraud", 0.9)]), horizon: horizon)
        _ = try store.joinLabels(labels([("a", 2000, "fraud")]), horizon: horizon)
        // Ten days later the same id is used again: a new prediction, not a duplicate.
        #expect(try store.registerPredictions(predictions([("a", 10 * day, "legit", 0.1)]), horizon: horizon) == [.pending])
        let r = try store.joinLabels(labels([("a", 10 * day + 5000, "legit")]), horizon: horizon)
        #expect(r.joined.map(\.timestamp) == [10 * day])
        #expect(try store.joinedRows(fraud, from: ts(0), to: ts(20 * day)).labels == ["fraud", "legit"])
    }

    @Test("the horizon: late labels expire their prediction and wait; expiry counts both sides", arguments: KeyHashing.allCases)
    func horizonAndExpiry(_ hashing: KeyHashing) throws {
        let store = try joinStore(":memory:", hashing)
        _ = try store.registerPredictions(predictions([("a", 0, "fraud", 0.9), ("b", 0, "fraud", 0.9), ("c", day, "legit", 0.1)]), horizon: horizon)
        // Exactly at the horizon joins; one ms later does not.
        let r = try store.joinLabels(labels([("a", horizon, "fraud"), ("b", horizon + 1, "fraud")]), horizon: horizon)
        #expect(r.joined.count == 1 && r.beyondHorizon == 1 && r.expiredPredictions == 1 && r.pending == 1)
        // A label that waits is not joined by a prediction more than the horizon before it.
        _ = try store.joinLabels(labels([("d", 9 * day, "fraud")]), horizon: horizon)
        #expect(try store.registerPredictions(predictions([("d", day, "fraud", 0.9)]), horizon: horizon) == [.pending])
        let expired = try store.expirePending(predictionsBefore: ts(2 * day), labelsBefore: ts(9 * day))
        #expect(expired.predictions == 2)  // c and d
        #expect(expired.labels == 1)  // b's late label
        let c = try store.labelJoinCounts()
        #expect(c.pendingPredictions == 0 && c.pendingLabels == 1)  // d's label (9d) stays
        // Settled rows go once their windows are final.
        try store.deleteSettled(before: ts(2 * day))
        #expect(try store.labelJoinCounts().settledPredictions == 0)
    }

    @Test("joins are uncommitted until the checkpoint; a crash loses none of what was committed")
    func checkpointTransaction() throws {
        let dir = try TemporaryDirectory()
        do {
            let store = try SQLiteStore(path: dir.database)
            _ = try store.registerPredictions(predictions([("a", 1000, "fraud", 0.9)]), horizon: horizon)
            #expect(store.hasUncommittedJoins)
            // Another connection does not see the uncommitted prediction.
            let reader = try SQLiteStore(path: dir.database, configuration: .init(busyTimeout: .milliseconds(50)))
            #expect(try reader.labelJoinCounts().pendingPredictions == 0)
            reader.close()
            var w = CheckpointWrite()
            w.positions = [SourcePosition(source: "p", key: "file:1:2", path: "p.jsonl", offset: 10)]
            try store.commit(w)
            #expect(!store.hasUncommittedJoins)
            // Joined after the checkpoint, then the process dies before the next one.
            _ = try store.joinLabels(labels([("a", 2000, "fraud")]), horizon: horizon)
            _ = try store.registerPredictions(predictions([("b", 3000, "fraud", 0.9)]), horizon: horizon)
            store.close()  // closing without a commit rolls back, as a crash does
        }
        let store = try SQLiteStore(path: dir.database)
        let c = try store.labelJoinCounts()
        #expect(c.pendingPredictions == 1 && c.settledPredictions == 0)
        #expect(try store.loadCheckpoint().positions.first?.offset == 10)
    }

    @Test("performance revisions are stored as new rows, never edited; replays are no-ops")
    func performanceRevisions() throws {
        let store = try SQLiteStore(path: ":memory:")
        let key = hourKey(5)
        func result(_ revision: Int, _ accuracy: Double) -> PerformanceResult {
            PerformanceResult(key: key, revision: revision, computedAt: ts(9 * 3_600_000), predictionCount: 100, labeledCount: 90 + revision,
                              samples: [Sample(metric: SeriesName.accuracy, labels: key.labels, value: accuracy, timestamp: key.end)])
        }
        var w = CheckpointWrite()
        w.performanceResults = [result(1, 0.9)]
        try store.commit(w)
        w.performanceResults = [result(1, 0.5), result(2, 0.91)]  // revision 1 replayed with other figures
        try store.commit(w)
        let stored = try store.performanceResults(model: "fraud", from: nil, to: nil)
        #expect(stored.map(\.revision) == [1, 2])
        #expect(stored.map { $0.samples[0].value } == [0.9, 0.91])
        #expect(stored[1].labeledCount == 92)
        #expect(try store.performanceResults(model: "other", from: nil, to: nil).isEmpty)
    }

    @Test("reference performance is kept per profile")
    func referencePerformance() throws {
        let store = try SQLiteStore(path: ":memory:")
        let p = try store.saveProfile(ProfileRecord(name: "ref", fingerprint: "x", rowCount: 1, createdAt: ts(0), payload: [1]))
        let samples = [Sample(metric: "accuracy", labels: Labels(), value: 0.93, timestamp: ts(0)),
                       Sample(metric: "precision", labels: ["class": "fraud"], value: 0.5, timestamp: ts(0))]
        try store.saveReferencePerformance(profileID: p.id, samples: samples)
        #expect(try store.referencePerformance(profileID: p.id) == samples)
        #expect(try store.referencePerformance(profileID: p.id + 1).isEmpty)
    }
}
