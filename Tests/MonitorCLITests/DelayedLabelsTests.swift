import Foundation
import MonitorCore
import MonitorStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A config with a prediction source and a label source.
func writeLabelConfig(_ dir: TempDir, predictions: String, labels: String, window: String, labelSettings: String,
                      reference: String, rules: Bool = true, follow: Bool = true) throws -> String {
    let root = MonitorProcess.packageRoot.path
    _ = try dir.write("alerts.yaml", """
        route: {receiver: file}
        receivers:
          - name: file
            file_configs:
              - path: notifications.jsonl
        """)
    return try dir.write("monitor.yaml", """
        sources:
          - {name: predictions, path: \(predictions), poll_interval: 20ms, follow: \(follow)}
          - {name: labels, kind: labels, path: \(labels), poll_interval: 20ms, follow: \(follow)}
        reference: {\(reference)}
        windows:
          - {name: \(window), size: \(window)}
        store: {path: monitor.db, checkpoint_interval: 100ms}
        labels: {\(labelSettings)}
        rules: [\(rules ? "\(root)/rules/*.yaml" : "")]
        alerts: [alerts.yaml]
        http: {listen: ""}
        """)
}

/// The latest revision of each window's performance.
func latestRevisions(_ store: SQLiteStore) throws -> [String: PerformanceResult] {
    var out: [String: PerformanceResult] = [:]
    for r in try store.performanceResults(model: nil, from: nil, to: nil) {
        if let have = out[r.key.storageKey], have.revision > r.revision { continue }
        out[r.key.storageKey] = r
    }
    return out
}

/// Each window's latest revision as text (counts and the bit patterns of every sample), in
/// window order: two stores with equal lists have bit-identical final figures.
func finalFigures(_ store: SQLiteStore) throws -> [String] {
    try latestRevisions(store).values.sorted { $0.key < $1.key }.map { r in
        "\(r.key.storageKey) n=\(r.predictionCount) labeled=\(r.labeledCount) "
            + r.samples.map { "\($0.metric)\($0.labels)=\($0.value.bitPattern)" }.sorted().joined(separator: " ")
    }
}

func value(_ r: PerformanceResult, _ metric: String, _ labels: [String: String] = [:]) -> Double? {
    r.samples.first { s in s.metric == metric && labels.allSatisfy { s.labels[$0.key] == $0.value } }?.value
}

/// `Tests/MonitorCLITests/Fixtures/labels/expected.json`.
struct ExpectedFigures: Decodable {
    struct Provenance: Decodable {
        var generated_by: String
    }
    struct Window: Decodable {
        var window: String
        var start_ms: Int64
        var end_ms: Int64
        var predictions: Int
        var labeled_count: Int
        var label_coverage: Double
        var accuracy: Double?
        var precision: Double?
        var recall: Double?
        var f1: Double?
        var auc: Double?
        var log_loss: Double?
        var brier: Double?
    }
    var provenance: Provenance
    var cases: [Window]
}

@Suite("Delayed labels end to end", .serialized)
struct DelayedLabelsTests {
    /// The data and the expected figures come from scripts/reference/labels_e2e.py: four hourly
    /// windows with the issue's edge cases (duplicates, unknown id, reused id, one class only,
    /// labels before predictions, every label late, no labels).
    @Test("per-window figures equal scikit-learn on the same joined rows; edge cases as documented")
    func agreesWithScikitLearn() throws {
        let fixtures = MonitorProcess.packageRoot.appendingPathComponent("Tests/MonitorCLITests/Fixtures/labels")
        let dir = try TempDir()
        for f in ["predictions.jsonl", "labels.jsonl"] {
            try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent(f).path, toPath: dir.path(f))
        }
        let config = try writeLabelConfig(dir, predictions: "predictions.jsonl", labels: "labels.jsonl", window: "1h",
                                          labelSettings: "horizon: 2h, min_coverage: 0.9, positive_class: fraud",
                                          reference: "file: predictions.jsonl", rules: false)
        let run = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(2000))")
        #expect(run.stdout.contains("duplicates: 2 predictions, 1 labels"), "\(run.stdout)")
        #expect(run.stdout.contains("4 windows matured"), "\(run.stdout)")

        // JSONDecoder, not JSONSerialization: on Linux the latter mis-rounds some decimals,
        // which breaks exact comparisons.
        let data = try Data(contentsOf: fixtures.appendingPathComponent("expected.json"))
        let doc = try JSONDecoder().decode(ExpectedFigures.self, from: data)
        #expect(doc.provenance.generated_by == "scripts/reference/labels_e2e.py (run via scripts/gen-reference)")
        let store = try SQLiteStore(path: dir.path("monitor.db"))
        defer { store.close() }
        let latest = try latestRevisions(store)
        #expect(latest.count == 4)
        #expect(doc.cases.count == 4)
        for c in doc.cases {
            let name = c.window
            let key = WindowKey(model: "fraud", version: "3", window: "1h", start: Timestamp(milliseconds: c.start_ms),
                                end: Timestamp(milliseconds: c.end_ms))
            let r = try #require(latest[key.storageKey], "window \(name)")
            #expect(r.predictionCount == c.predictions, "\(name) predictions")
            // Counts and rates: exact.
            for (metric, expected) in [("labeled_count", Double(c.labeled_count)), ("label_coverage", c.label_coverage), ("accuracy", c.accuracy)] {
                #expect(value(r, metric) == expected, "\(name) \(metric): \(String(describing: value(r, metric))) vs \(String(describing: expected))")
            }
            for (metric, expected) in [("precision", c.precision), ("recall", c.recall), ("f1", c.f1)] {
                #expect(value(r, metric, ["class": "fraud"]) == expected, "\(name) \(metric)")
            }
            // AUC and log loss within 1e-12; Brier within 1e-12 relative.
            for (metric, expected) in [("auc", c.auc), ("log_loss", c.log_loss), ("brier", c.brier)] {
                let got = value(r, metric)
                if let expected {
                    let g = try #require(got, "\(name) \(metric) missing")
                    #expect(abs(g - expected) <= 1e-12 * max(1, abs(expected)), "\(name) \(metric): \(g) vs \(expected)")
                } else {
                    #expect(got == nil, "\(name) \(metric) must be absent (one class, or no labels)")
                }
            }
            #expect(!r.samples.contains { $0.value.isNaN }, "\(name): NaN emitted")
        }
        // Everything waiting was expired or is the clock label; nothing is pending.
        let counts = try store.labelJoinCounts()
        #expect(counts.pendingPredictions == 0)
    }

    /// A simulated week whose labels flip for 30% of predictions from Wednesday noon.
    @Test("the accuracy alert fires after the degradation point and not before; restatements are stored")
    func degradation() throws {
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "40000", "--reference-rows", "20000", "--seed", "17",
            "--duration", "7d", "--degrade", "0.3", "--degrade-start", "2026-11-04T12:00:00Z",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let config = try writeLabelConfig(dir, predictions: "data/predictions.jsonl", labels: "data/labels.jsonl", window: "6h",
                                          labelSettings: "horizon: 7d, min_coverage: 0.9, positive_class: fraud",
                                          reference: "profile: fraud-train")
        let base = try MonitorProcess.run(["baseline", "--config", config, "--data", dir.path("data/reference.jsonl"),
                                           "--labels", dir.path("data/reference-labels.jsonl"), "--name", "fraud-train"])
        #expect(base.code == 0, "\(base.stderr)")
        #expect(base.stdout.contains("performance (20000 labeled rows): accuracy"), "\(base.stdout)")
        let run = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(2000))")

        let store = try SQLiteStore(path: dir.path("monitor.db"))
        defer { store.close() }
        let degradeStart = try #require(Timestamp.parse("2026-11-04T12:00:00Z"))
        let fired = try store.transitions(since: nil).map(\.transition).filter { $0.to == .firing }
        let accuracy = fired.filter { $0.alert.rule == "AccuracyDrop" }
        #expect(!accuracy.isEmpty, "\(run.stdout)")
        // Evaluated at window ends: the first degraded 6h window ends at 18:00 on the 4th.
        #expect(accuracy.first?.at == Timestamp(milliseconds: degradeStart.milliseconds + 6 * 3_600_000))
        #expect(fired.filter { ["AccuracyDrop", "AUCDrop", "LabelStarvation"].contains($0.alert.rule) }.allSatisfy { $0.at > degradeStart },
                "\(fired.map { ($0.alert.rule, $0.at) })")

        // Every window's latest accuracy equals the accuracy of the joined rows recomputed here
        // from the files (ids are unique; a label joins when it is within 7 days).
        func lines(_ path: String) throws -> [[String: Any]] {
            try String(contentsOfFile: dir.path(path), encoding: .utf8).split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
        var predicted: [String: (Int64, String)] = [:]
        for p in try lines("data/predictions.jsonl") {
            let ts = try #require(Timestamp.parse(p["ts"] as! String)).milliseconds
            predicted[p["id"] as! String] = (ts, (p["prediction"] as! [String: Any])["label"] as! String)
        }
        var correct: [Int64: Int] = [:]
        var joined: [Int64: Int] = [:]
        for l in try lines("data/labels.jsonl") {
            guard let (t, label) = predicted[l["id"] as! String] else { continue }
            let ts = try #require(Timestamp.parse(l["ts"] as! String)).milliseconds
            guard ts - t <= 7 * 86_400_000 else { continue }
            let window = t - t % (6 * 3_600_000)
            joined[window, default: 0] += 1
            if label == l["label"] as! String { correct[window, default: 0] += 1 }
        }
        let latest = try latestRevisions(store)
        #expect(latest.count == 28)
        for r in latest.values {
            let w = r.key.start.milliseconds
            #expect(r.labeledCount == joined[w], "\(r.key)")
            #expect(value(r, "accuracy") == Double(correct[w] ?? 0) / Double(joined[w] ?? 1), "\(r.key)")
            #expect(value(r, "reference_accuracy") != nil)
        }
        // Windows matured at 90% coverage, then were restated as late labels arrived: every
        // revision is a row of its own, numbered 1, 2, ….
        let all = try store.performanceResults(model: "fraud", from: nil, to: nil)
        let byWindow = Dictionary(grouping: all) { $0.key.storageKey }
        let restated = byWindow.values.filter { $0.count > 1 }
        #expect(restated.count >= 5, "\(byWindow.mapValues(\.count))")
        for revisions in byWindow.values {
            #expect(revisions.map(\.revision) == Array(1...revisions.count))
            #expect(zip(revisions, revisions.dropFirst()).allSatisfy { $0.labeledCount < $1.labeledCount })
        }
        let early = try #require(restated.first { $0[0].key.end < degradeStart })
        #expect(value(early[0], "label_coverage")! >= 0.9)
    }

    /// The join's counters and the memory of its id index on `/metrics`. The predictions come
    /// first, with no label yet: then every row the join keeps is a pending prediction (nothing
    /// settles or expires: the data spans less than the horizon), and the index's size is bounded
    /// from both sides by their count. Then the labels arrive and join.
    @Test("/metrics shows the join: the id index's memory against the rows it keeps, then labels joined")
    func joinMetrics() throws {
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "6000", "--reference-rows", "3000", "--seed", "31", "--duration", "2d",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        try FileManager.default.createDirectory(atPath: dir.path("live"), withIntermediateDirectories: true)
        append(dir.path("live/labels.jsonl"), [UInt8]()[...])
        let port = freeLoopbackPort()
        let config = try writeLabelConfig(dir, predictions: "data/predictions.jsonl", labels: "live/labels.jsonl", window: "6h",
                                          labelSettings: "horizon: 3d, positive_class: fraud", reference: "file: data/reference.jsonl")
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "http: {listen: \"\"}", with: "http: {listen: \"127.0.0.1:\(port)\"}")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        defer { _ = service.terminate() }
        let size = try FileManager.default.attributesOfItem(atPath: dir.path("data/predictions.jsonl"))[.size] as? Int ?? -1
        let read = waitUntil(seconds: 90) {
            guard let store = try? SQLiteStore(path: dir.path("monitor.db")) else { return false }
            defer { store.close() }
            return ((try? store.loadCheckpoint().positions) ?? []).contains { $0.path.hasSuffix("predictions.jsonl") && $0.offset == Int64(size) }
        }
        #expect(read, "the service did not read the predictions\n\(service.log.suffix(2000))")
        usleep(600_000)
        let body = httpGet("http://127.0.0.1:\(port)/metrics")?.1 ?? ""
        let bytes = try #require(metricValue(body, "monitor_label_join_index_bytes "), "\(body.prefix(3000))")
        let counts = try {
            let store = try SQLiteStore(path: dir.path("monitor.db"))
            defer { store.close() }
            return try store.labelJoinCounts()
        }()
        let kept = Double(counts.pendingPredictions)
        #expect(kept > 5000 && counts.settledPredictions == 0 && counts.pendingLabels == 0, "\(counts)")
        // Two tables of 12-byte slots (16 at least each), at most 3/4 full, at most 3/8 full
        // right after doubling.
        #expect(bytes >= 16 * kept, "\(bytes) bytes for \(kept) rows")
        #expect(bytes <= 12 * (8.0 / 3.0 * kept + 32), "\(bytes) bytes for \(kept) rows")

        append(dir.path("live/labels.jsonl"), try Array(Data(contentsOf: URL(fileURLWithPath: dir.path("data/labels.jsonl"))))[...])
        var last = ""
        let joined = waitUntil(seconds: 90) {
            last = httpGet("http://127.0.0.1:\(port)/metrics")?.1 ?? ""
            return (metricValue(last, "monitor_labels_joined_total ") ?? 0) > 5000
        }
        #expect(joined, "\(last.split(separator: "\n").filter { $0.contains("label") }.joined(separator: "\n"))")
        #expect(service.terminate() == 0)
    }

    /// Labels are appended to a followed file in random pieces while the service is killed
    /// with SIGKILL and restarted; predictions are all there from the start, so every kill
    /// falls during label arrival. After the last byte, a `--once` run finishes. The join and
    /// every window's final figures must equal one uninterrupted `--once` run's.
    @Test("SIGKILL during label arrival loses no pending prediction or label")
    func killNineDuringLabelArrival() throws {
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "8000", "--reference-rows", "4000", "--seed", "29",
            "--duration", "2d", "--degrade", "0.2", "--degrade-start", "2026-11-02T00:00:00Z",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let labels = try Array(Data(contentsOf: URL(fileURLWithPath: dir.path("data/labels.jsonl"))))
        let settings = "horizon: 3d, min_coverage: 0.9, positive_class: fraud"

        let refDir = try TempDir()
        try FileManager.default.copyItem(atPath: dir.path("data"), toPath: refDir.path("data"))
        let refConfig = try writeLabelConfig(refDir, predictions: "data/predictions.jsonl", labels: "data/labels.jsonl", window: "6h",
                                             labelSettings: settings, reference: "file: data/reference.jsonl")
        let refRun = try MonitorProcess.run(["run", "--config", refConfig, "--once"])
        #expect(refRun.code == 0, "\(refRun.stderr.suffix(2000))")

        try FileManager.default.createDirectory(atPath: dir.path("live"), withIntermediateDirectories: true)
        let live = dir.path("live/labels.jsonl")
        append(live, [UInt8]()[...])
        let config = try writeLabelConfig(dir, predictions: "data/predictions.jsonl", labels: "live/labels.jsonl", window: "6h",
                                          labelSettings: settings, reference: "file: data/reference.jsonl")
        var rng = SystemRandomNumberGenerator()
        var offset = 0
        var kills = 0
        var service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        while offset < labels.count {
            // A piece of 1–12 KB, cut anywhere (mid-line included).
            let n = min(labels.count - offset, Int.random(in: 1_000...12_000, using: &rng))
            append(live, labels[offset..<(offset + n)])
            offset += n
            usleep(UInt32.random(in: 20_000...120_000, using: &rng))
            if Int.random(in: 0..<8, using: &rng) == 0 || (kills < 8 && offset * 8 > labels.count * (kills + 1)) {
                service.kill9()
                kills += 1
                service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
            }
        }
        usleep(300_000)
        service.kill9()
        kills += 1
        #expect(kills >= 8)
        service = try ServiceProcess(config: config, logPath: dir.path("service.log"))  // a fresh log
        // Stop cleanly once this service runs (its signal handlers are installed right after it
        // logs its start) and the checkpoint covers the whole label file.
        let running = waitUntil(seconds: 120) { service.log.contains("monitor run started") }
        #expect(running, "\(service.log.suffix(2000))")
        usleep(500_000)
        let caughtUp = waitUntil(seconds: 120) {
            guard let store = try? SQLiteStore(path: dir.path("monitor.db")) else { return false }
            defer { store.close() }
            let positions = (try? store.loadCheckpoint().positions) ?? []
            return positions.contains { $0.path.hasSuffix("live/labels.jsonl") && $0.offset == Int64(labels.count) }
        }
        #expect(caughtUp, "the service did not read the whole label file")
        #expect(service.terminate() == 0, "\(service.log.suffix(2000))")
        let final = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(final.code == 0, "\(final.stderr.suffix(2000))")

        let a = try SQLiteStore(path: refDir.path("monitor.db"))
        let b = try SQLiteStore(path: dir.path("monitor.db"))
        defer {
            a.close()
            b.close()
        }
        #expect(try a.labelJoinCounts() == b.labelJoinCounts())
        // The cumulative join counters (checkpointed with the join) agree: nothing was joined,
        // expired or counted as a duplicate twice, nothing lost.
        func counters(_ out: String) -> Substring? {
            out.split(separator: "\n").first { $0.hasPrefix("labels: ") }?.split(separator: " ", maxSplits: 2).last
        }
        #expect(counters(refRun.stdout) == counters(final.stdout), "\(refRun.stdout)\n---\n\(final.stdout)")
        let fa = try finalFigures(a)
        let fb = try finalFigures(b)
        #expect(fa.count == 8)
        #expect(fa.count == fb.count)
        for (x, y) in zip(fa, fb) where x != y {
            Issue.record("window differs after \(kills) kills:\n  uninterrupted: \(x.prefix(400))\n  interrupted:   \(y.prefix(400))")
            break
        }
        #expect(try a.performanceResults(model: nil, from: nil, to: nil).count >= 8)
    }
}
