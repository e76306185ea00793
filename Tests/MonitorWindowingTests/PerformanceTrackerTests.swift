import Foundation
import MonitorCore
import MonitorStats
import MonitorWindowing
import Testing

private let hour: Int64 = 3_600_000
private let day: Int64 = 24 * hour

/// Predictions for the tracker: (id, time, model) with predicted class `fraud`, score 0.9.
private func predictionBatch(_ rows: [(String, Int64)], model: String = "fraud") -> Batch {
    var b = Batch()
    var models = CategoryDictionary()
    var versions = CategoryDictionary()
    var labels = CategoryDictionary()
    b.count = rows.count
    b.ids = rows.map(\.0)
    b.timestamps = rows.map(\.1)
    b.models = rows.map { _ in models.code(for: model) }
    b.versions = rows.map { _ in versions.code(for: "3") }
    b.predictedLabels = rows.map { _ in labels.code(for: "fraud") }
    b.scores = rows.map { _ in 0.9 }
    b.values = rows.map { _ in .nan }
    b.modelDictionary = models
    b.versionDictionary = versions
    b.labelDictionary = labels
    return b
}

private func labelBatch(_ rows: [(String, Int64)]) -> LabelBatch {
    var b = LabelBatch()
    for (id, t) in rows { b.append(id: id, timestamp: t, label: "fraud", value: .nan) }
    return b
}

/// A minimal in-memory join with the store's policy, enough to drive the tracker.
private struct MiniJoin {
    var pending: [String: JoinedPrediction] = [:]

    mutating func register(_ rows: PredictionRows) -> [PredictionJoinOutcome] {
        (0..<rows.count).map { i in
            if pending[rows.ids[i]] != nil { return .duplicate }
            pending[rows.ids[i]] = JoinedPrediction(stream: rows.streamNames[Int(rows.streams[i])], timestamp: rows.timestamps[i],
                                                    windowGroups: rows.windowGroups[i])
            return .pending
        }
    }

    mutating func join(_ labels: LabelBatch) -> LabelJoinResult {
        var r = LabelJoinResult()
        for id in labels.ids {
            if let p = pending.removeValue(forKey: id) { r.joined.append(p) } else { r.pending += 1 }
        }
        return r
    }
}

private struct Harness {
    var tracker: PerformanceTracker
    var join = MiniJoin()

    init(specs: [WindowSpec] = [WindowSpec(name: "1h", size: hour)], lateness: Int64 = 0, coverage: Double = 0.9, horizon: Int64 = day) {
        var s = LabelSettings()
        s.minCoverage = coverage
        s.horizon = horizon
        tracker = PerformanceTracker(specs: specs, allowedLateness: lateness, settings: s)
    }

    mutating func predict(_ rows: [(String, Int64)], model: String = "fraud") {
        let p = tracker.predictionRows(from: predictionBatch(rows, model: model))
        tracker.record(p, outcomes: join.register(p))
    }

    mutating func label(_ rows: [(String, Int64)]) {
        tracker.record(join.join(tracker.labelRows(from: labelBatch(rows))))
    }
}

@Suite("Performance tracker: counts, maturity, release order, restatements")
struct PerformanceTrackerTests {
    @Test("rows without id or time are counted and left out; late rows follow WindowManager's rule")
    func predictionRows() {
        var t = PerformanceTracker(specs: [WindowSpec(name: "1h", size: hour)], allowedLateness: 0, settings: LabelSettings())
        var b = predictionBatch([("a", 10), ("", 20), ("c", .min), ("d", 2 * hour), ("e", hour - 1), ("f", 2 * hour + 5)])
        let rows = t.predictionRows(from: b)
        // e's pane [0, 1h) ended at or before the watermark (2h) when it came: late.
        #expect(rows.ids == ["a", "d", "f"])
        #expect(t.totals.predictionsWithoutID == 1)
        #expect(t.totals.predictionsWithoutTime == 1)
        #expect(t.totals.latePredictions == 1)
        #expect(rows.predictedLabels == ["fraud", "fraud", "fraud"])
        b.ids = nil
        #expect(t.predictionRows(from: b).count == 0)
    }

    @Test("a closed window matures when coverage reaches min_coverage")
    func maturesByCoverage() {
        var h = Harness()
        h.predict((0..<10).map { ("p\($0)", Int64($0) * 1000) })
        h.label((0..<9).map { ("p\($0)", hour + Int64($0)) })
        // Not closed yet: the watermark (9 s) is inside the window.
        #expect(h.tracker.release().isEmpty)
        h.predict([("q", hour + 10)])  // the watermark passes 1h
        let due = h.tracker.release()
        #expect(due.map(\.revision) == [1])
        #expect(due.first.map { "\($0.predictions)/\($0.labeled)" } == "10/9")
        #expect(due.first?.key.end == Timestamp(milliseconds: hour))
    }

    @Test("below min_coverage a window waits for the horizon, and holds back later windows")
    func horizonAndOrder() {
        var h = Harness(horizon: day)
        h.predict((0..<10).map { ("a\($0)", Int64($0)) })  // window 0: 5 of 10 labeled
        h.predict((0..<10).map { ("b\($0)", hour + Int64($0)) })  // window 1: fully labeled
        h.predict([("c", 2 * hour)])
        h.label((0..<5).map { ("a\($0)", 2 * hour + Int64($0)) } + (0..<10).map { ("b\($0)", 2 * hour) })
        // Window 1 is mature, but window 0 ends first and is not: nothing is released.
        #expect(h.tracker.release().isEmpty)
        #expect(h.tracker.immatureWindowCount == 3)
        // The horizon passes window 0's end: both go, in end order.
        h.label([("zzz", hour + day)])
        let due = h.tracker.release()
        #expect(due.map(\.key.end.milliseconds) == [hour, 2 * hour])
        #expect(due.map(\.labeled) == [5, 10])
    }

    @Test("late labels restate a released window by coverage steps, at the horizon and at the end of input")
    func restatements() {
        var h = Harness(coverage: 0.5, horizon: day)
        h.predict((0..<200).map { ("p\($0)", Int64($0)) })
        h.predict([("x", hour)])
        h.label((0..<100).map { ("p\($0)", hour + Int64($0)) })
        #expect(h.tracker.release().map(\.revision) == [1])
        // One more label: 0.5 % growth, below the step.
        h.label([("p100", hour + 200)])
        #expect(h.tracker.release().isEmpty)
        // One more: 1 % since revision 1.
        h.label([("p101", hour + 201)])
        let second = h.tracker.release()
        #expect(second.map(\.revision) == [2])
        #expect(second.first?.labeled == 102)
        // End of a batch run: any change restates.
        h.label([("p102", hour + 202)])
        #expect(h.tracker.release(endOfInput: true).map(\.revision) == [3])
        #expect(h.tracker.release(endOfInput: true).isEmpty)
        // Horizon: the final revision when something changed, then the window is forgotten.
        h.label([("p103", hour + 300)])
        h.label([("late", hour + day)])
        let final = h.tracker.release()
        #expect(final.map(\.revision) == [4])
        #expect(h.tracker.trackedWindowCount == 1)  // x's window [1h, 2h) remains
        #expect(h.tracker.totals.released == 1 && h.tracker.totals.restated == 3)
    }

    @Test("a window without any label matures at the horizon with coverage 0 (label starvation)")
    func starvation() {
        var h = Harness(horizon: day)
        h.predict((0..<10).map { ("p\($0)", Int64($0)) })
        h.predict([("q", day + hour)])  // predictions alone advance the join clock
        let due = h.tracker.release()
        #expect(due.first.map { "\($0.revision) \($0.labeled)/\($0.predictions)" } == "1 0/10")
    }

    @Test("sliding windows count each prediction in every window containing it")
    func sliding() {
        var h = Harness(specs: [WindowSpec(name: "2h", size: 2 * hour, slide: hour)], coverage: 1)
        h.predict([("a", 10), ("b", hour + 10)])
        h.label([("a", 2 * hour), ("b", 2 * hour)])
        h.predict([("c", 3 * hour)])
        let due = h.tracker.release()
        // [-1h, 1h) holds a; [0, 2h) holds a and b; [1h, 3h) holds b but is not closed before c? It is: watermark 3h.
        #expect(due.map { "\($0.key.start.milliseconds / hour)..\($0.key.end.milliseconds / hour):\($0.predictions)" } == ["-1..1:1", "0..2:2", "1..3:1"])
    }

    @Test("closeAll closes every window for predictions but does not advance the horizon")
    func closeAll() {
        var h = Harness(horizon: day)
        h.predict((0..<10).map { ("p\($0)", Int64($0)) })
        h.label((0..<9).map { ("p\($0)", 10 + Int64($0)) })
        #expect(h.tracker.release().isEmpty)
        h.tracker.closeAll()
        #expect(h.tracker.release().map(\.labeled) == [9])
        h.predict([("late", 20)])
        #expect(h.tracker.totals.latePredictions == 1)
    }

    @Test("the state survives encode/decode: same counts, same releases")
    func checkpoint() throws {
        var a = Harness(coverage: 0.5, horizon: day)
        a.predict((0..<50).map { ("p\($0)", Int64($0) * 1000) } + [("x", hour + 5)])
        a.label((0..<20).map { ("p\($0)", hour + Int64($0)) })
        let bytes = a.tracker.encode()
        var b = a
        b.tracker = try PerformanceTracker(decoding: bytes, specs: a.tracker.specs, allowedLateness: 0, settings: a.tracker.settings)
        #expect(b.tracker.encode() == bytes)
        #expect(b.tracker.totals == a.tracker.totals)
        a.label((20..<30).map { ("p\($0)", hour + Int64($0)) })
        b.label((20..<30).map { ("p\($0)", hour + Int64($0)) })
        #expect(a.tracker.release() == b.tracker.release())
        var corrupt = bytes
        corrupt[10] ^= 1
        #expect(throws: WindowingError.corruptState("")) {
            try PerformanceTracker(decoding: corrupt, specs: a.tracker.specs, allowedLateness: 0, settings: a.tracker.settings)
        }
    }

    @Test("predictions expire by the join clock, waiting labels by the predictions' clock")
    func cutoffs() {
        var h = Harness(horizon: day)
        #expect(h.tracker.expiryCutoffs == nil)
        h.label([("zz", 6 * day)])
        // Labels alone: predictions would expire by the label clock, labels never (no prediction yet).
        #expect(h.tracker.expiryCutoffs?.predictions == Timestamp(milliseconds: 5 * day))
        #expect(h.tracker.expiryCutoffs?.labels == Timestamp(milliseconds: .min))
        h.predict([("a", 3 * day)])
        // Waiting labels expire by the predictions' clock only.
        #expect(h.tracker.expiryCutoffs?.predictions == Timestamp(milliseconds: 5 * day))
        #expect(h.tracker.expiryCutoffs?.labels == Timestamp(milliseconds: 2 * day))
    }
}

@Suite("Performance series of a window")
struct PerformanceSeriesTests {
    let key = WindowKey(model: "fraud", version: "3", window: "1h", start: Timestamp(milliseconds: 0), end: Timestamp(milliseconds: hour))

    func rows(_ r: [(predicted: String?, score: Double, label: String?)]) -> JoinedRows {
        var j = JoinedRows()
        for x in r {
            j.timestamps.append(0)
            j.predictedLabels.append(x.predicted)
            j.scores.append(x.score)
            j.values.append(.nan)
            j.labels.append(x.label)
            j.labelValues.append(.nan)
        }
        return j
    }

    func value(_ samples: [Sample], _ metric: String, _ extra: [String: String] = [:]) -> Double? {
        samples.first { s in s.metric == metric && extra.allSatisfy { s.labels[$0.key] == $0.value } }?.value
    }

    @Test("binary classification with a positive class: the kernels' values, labelled by class")
    func binary() throws {
        var settings = LabelSettings()
        settings.positiveClass = "fraud"
        let r = rows([("fraud", 0.9, "fraud"), ("legit", 0.2, "legit"), ("fraud", 0.7, "legit"), ("legit", 0.4, "fraud"), (nil, 0.5, "legit")])
        let s = PerformanceSeries.samples(key: key, predictions: 10, rows: r, settings: settings,
                                          reference: [Sample(metric: "accuracy", labels: Labels(), value: 0.93, timestamp: Timestamp(milliseconds: 0))])
        #expect(value(s, "labeled_count") == 5)
        #expect(value(s, "label_coverage") == 0.5)
        #expect(value(s, "accuracy") == 0.5)  // the row without a predicted class is left out
        #expect(value(s, "precision", ["class": "fraud"]) == 0.5)
        #expect(value(s, "recall", ["class": "fraud"]) == 0.5)
        #expect(value(s, "auc") == (try rocAUC(scores: [0.9, 0.2, 0.7, 0.4, 0.5], positive: [true, false, false, true, false])))
        #expect(value(s, "log_loss") == (try logLoss(probabilities: [0.9, 0.2, 0.7, 0.4, 0.5], positive: [true, false, false, true, false])))
        #expect(value(s, "confusion_matrix", ["class": "fraud", "predicted": "legit"]) == 1)
        #expect(s.filter { $0.metric == "confusion_matrix" }.count == 4)
        #expect(value(s, "reference_accuracy") == 0.93)
        #expect(s.allSatisfy { $0.timestamp == key.end && $0.labels["model"] == "fraud" && $0.labels["window"] == "1h" && !$0.value.isNaN })
    }

    @Test("one class only: AUC absent, never NaN; precision absent when nothing predicted positive")
    func oneClass() {
        var settings = LabelSettings()
        settings.positiveClass = "fraud"
        let s = PerformanceSeries.samples(key: key, predictions: 2, rows: rows([("legit", 0.1, "legit"), ("legit", 0.3, "legit")]), settings: settings)
        #expect(value(s, "accuracy") == 1)
        #expect(value(s, "auc") == nil)
        #expect(value(s, "precision") == nil && value(s, "recall") == nil && value(s, "f1") == nil)
        #expect(value(s, "log_loss") != nil && value(s, "brier") != nil)
        #expect(!s.contains { $0.value.isNaN })
    }

    @Test("no labels: only labeled_count 0 and label_coverage 0")
    func noLabels() {
        let s = PerformanceSeries.samples(key: key, predictions: 7, rows: JoinedRows(), settings: LabelSettings())
        #expect(s.map(\.metric) == ["labeled_count", "label_coverage"])
        #expect(s.map(\.value) == [0, 0])
    }

    @Test("without a positive class: macro and micro averages, no score metrics; 0/1 classes infer 1")
    func multiclass() {
        let s = PerformanceSeries.samples(key: key, predictions: 3, rows: rows([("a", 0.9, "a"), ("b", 0.2, "c"), ("c", 0.5, "c")]), settings: LabelSettings())
        #expect(value(s, "precision", ["average": "micro"]) == 2.0 / 3.0)
        #expect(value(s, "precision", ["average": "macro"]) != nil)
        #expect(value(s, "auc") == nil)
        let b = PerformanceSeries.samples(key: key, predictions: 2, rows: rows([("1", 0.9, "1"), ("0", 0.2, "1")]), settings: LabelSettings())
        #expect(value(b, "recall", ["class": "1"]) == 0.5)
        #expect(value(b, "auc") == nil)  // one class among the labels
    }

    @Test("regression: MAE, RMSE, MAPE, R² from numeric labels; the task is inferred")
    func regression() throws {
        var j = JoinedRows()
        for (v, l) in [(2.5, 3.0), (0.0, -0.5), (2.0, 2.0), (8.0, 7.0)] {
            j.timestamps.append(0)
            j.predictedLabels.append(nil)
            j.scores.append(.nan)
            j.values.append(v)
            j.labels.append(String(l))
            j.labelValues.append(l)
        }
        let s = PerformanceSeries.samples(key: key, predictions: 4, rows: j, settings: LabelSettings())
        let e = try RegressionErrors(actual: [3, -0.5, 2, 7], predicted: [2.5, 0, 2, 8])
        #expect(value(s, "mae") == e.meanAbsoluteError)
        #expect(value(s, "rmse") == e.rootMeanSquaredError)
        #expect(value(s, "mape") == e.meanAbsolutePercentageError)
        #expect(value(s, "r2") == e.r2)
        #expect(value(s, "accuracy") == nil)
    }

    @Test("reference samples carry plain names and no window labels")
    func reference() {
        var settings = LabelSettings()
        settings.positiveClass = "fraud"
        let r = PerformanceSeries.referenceSamples(rows([("fraud", 0.9, "fraud"), ("legit", 0.2, "legit")]), settings: settings)
        #expect(r.contains { $0.metric == "accuracy" && $0.labels.isEmpty && $0.value == 1 })
        #expect(r.contains { $0.metric == "precision" && $0.labels["class"] == "fraud" })
        #expect(!r.contains { $0.metric == "confusion_matrix" })
    }
}
