import Foundation
import MonitorCore
import MonitorStore
import Testing

/// A config for a simulated fleet: one prediction source, a stored baseline, hourly or daily
/// windows, the shipped rules and a file receiver.
func writeRunConfig(_ dir: TempDir, source: String, window: String = "1h", lateness: String = "1m",
                    reference: String = "profile: fraud-train", extra: String = "") throws -> String {
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
          - name: predictions
            path: \(source)
            poll_interval: 20ms
        reference: {\(reference)}
        windows:
          - {name: \(window), size: \(window)}
        allowed_lateness: \(lateness)
        store: {path: monitor.db, checkpoint_interval: 100ms}
        rules: [\(root)/rules/*.yaml]
        alerts: [alerts.yaml]
        http: {listen: ""}
        \(extra)
        """)
}

@Suite("monitor run --once", .serialized)
struct RunOnceTests {
    /// A week of logs, drift from mid-week on amount (shift), balance (scale), country (new
    /// categories) and credit_utilization (missing values); baseline from the training period.
    @Test("raises the expected alerts for drifted features and none for unchanged ones")
    func alertsForDriftedFeatures() throws {
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "60000", "--reference-rows", "40000", "--seed", "11",
            "--duration", "7d", "--drift-start", "2026-11-04T12:00:00Z",
            "--drift", "amount:shift=0.6,balance:scale=1.6,country:new-category=0.12,credit_utilization:missing=0.15",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let config = try writeRunConfig(dir, source: "data/predictions.jsonl", window: "6h")
        let base = try MonitorProcess.run(["baseline", "--config", config, "--data", dir.path("data/reference.jsonl"), "--name", "fraud-train"])
        #expect(base.code == 0, "\(base.stderr)")
        #expect(base.stdout.contains("stored profile \"fraud-train\" revision 1"))

        let run = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stdout.contains("windows closed: 28"), "\(run.stdout)")

        let store = try SQLiteStore(path: dir.path("monitor.db"))
        defer { store.close() }
        let fired = try store.transitions(since: nil).map(\.transition).filter { $0.to == .firing }
        let byFeature = Dictionary(grouping: fired) { $0.alert.labels["feature"] ?? "" }
        let drifted: Set = ["amount", "balance", "country", "credit_utilization"]
        // Every alert that names a feature names a drifted one.
        for (feature, alerts) in byFeature where !feature.isEmpty {
            #expect(drifted.contains(feature), "unexpected alerts on \(feature): \(alerts.map(\.alert.labels))")
        }
        func firedRule(_ rule: String, _ feature: String) -> [AlertTransition] {
            fired.filter { $0.alert.rule == rule && $0.alert.labels["feature"] == feature }
        }
        #expect(!firedRule("FeatureDrift", "amount").isEmpty)
        #expect(!firedRule("DriftDecision", "amount").isEmpty)
        #expect(!firedRule("DriftDecision", "balance").isEmpty)
        #expect(!firedRule("NewCategories", "country").isEmpty)
        #expect(!firedRule("MissingValuesHigh", "credit_utilization").isEmpty)
        // Nothing fires before the drift starts (2026-11-04T12:00Z): the first firing needs a
        // drifted window to close after it.
        let driftStart = try #require(Timestamp.parse("2026-11-04T12:00:00Z"))
        #expect(fired.allSatisfy { $0.at > driftStart }, "\(fired.map { ($0.alert.rule, $0.at) })")

        // Notifications were written to the file receiver, one JSON object per line.
        let notes = try String(contentsOfFile: dir.path("notifications.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        // Grouped (one group: the route has no group_by), so fewer lines than transitions, but
        // every alert that fired is in a firing notification and every resolution in one.
        var notified: [String: Set<[String: String]>] = [:]
        var ids: Set<String> = []
        for line in notes {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(obj["receiver"] as? String == "file")
            #expect((obj["id"] as? String)?.hasPrefix("msg_") == true)
            ids.insert(obj["id"] as? String ?? "")
            for a in obj["alerts"] as? [[String: Any]] ?? [] {
                notified[a["status"] as? String ?? "", default: []].insert(a["labels"] as? [String: String] ?? [:])
            }
        }
        #expect(ids.count == notes.count)  // every notification has its own id
        for t in fired { #expect(notified["firing"]?.contains(t.alert.labels.dictionary) == true, "\(t.alert.labels)") }
        for t in try store.transitions(since: nil).map(\.transition) where t.to == .resolved {
            #expect(notified["resolved"]?.contains(t.alert.labels.dictionary) == true, "\(t.alert.labels)")
        }
        #expect(try store.outboxEntries(state: .delivered).count == notes.count)
        #expect(try store.pendingNotificationCount() == 0)
        // The run prints the alerts that fired.
        #expect(run.stdout.contains("alerts fired: \(fired.count)"))

        // A second --once over the same store reads nothing new and duplicates nothing.
        let again = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(again.code == 0, "\(again.stderr)")
        #expect(again.stdout.contains("events: 0"), "\(again.stdout)")
        #expect(try store.windowResults(model: nil, from: nil, to: nil).count == 28)
    }

    /// The store's numbers for one window equal `monitor compare` of that window's events
    /// against the same reference file.
    @Test("window statistics in the store equal monitor compare on the same events")
    func storeAgreesWithCompare() throws {
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "12000", "--reference-rows", "8000", "--seed", "5",
            "--duration", "2d", "--drift", "amount:shift=0.3,country:new-category=0.05",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let config = try writeRunConfig(dir, source: "data/predictions.jsonl", window: "1d",
                                        reference: "file: data/reference.jsonl")
        let run = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr)")
        let store = try SQLiteStore(path: dir.path("monitor.db"))
        defer { store.close() }
        let results = try store.windowResults(model: nil, from: nil, to: nil)
        #expect(results.count == 2)
        let first = try #require(results.first)

        // The first day's events, as a file, compared with the reference.
        let lines = try String(contentsOfFile: dir.path("data/predictions.jsonl"), encoding: .utf8).split(separator: "\n")
        var day: [Substring] = []
        for l in lines {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any])
            let ts = try #require(Timestamp.parse(obj["ts"] as? String ?? ""))
            if ts >= first.key.start && ts < first.key.end { day.append(l) }
        }
        #expect(day.count == first.eventCount)
        let dayPath = try dir.write("day.jsonl", day.joined(separator: "\n") + "\n")
        let cmp = try MonitorProcess.run(["compare", "--reference", dir.path("data/reference.jsonl"), "--current", dayPath, "--format", "json"])
        #expect(cmp.code == 0, "\(cmp.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(cmp.stdout.utf8)) as? [String: Any])
        let features = try #require(json["features"] as? [[String: Any]])
        var compared = 0
        for f in features {
            let name = try #require(f["name"] as? String)
            for key in ["psi", "ks_statistic", "ks_pvalue", "wasserstein", "wasserstein_normed", "js_distance",
                        "chi2_statistic", "chi2_pvalue", "missing_rate", "out_of_range_rate", "new_category_rate"] {
                guard let expected = f[key] as? Double else { continue }
                let sample = first.samples.first { $0.metric == key && $0.labels["feature"] == name }
                let got = try #require(sample?.value, "\(key){feature=\(name)} missing from the store")
                #expect(abs(got - expected) <= 1e-12 * max(1, abs(expected)), "\(key){feature=\(name)}: store \(got), compare \(expected)")
                compared += 1
            }
            let drift = first.samples.first { $0.metric == "drift" && $0.labels["feature"] == name }?.value
            #expect(drift == ((f["drift"] as? Bool ?? false) ? 1 : 0), "drift{feature=\(name)}")
        }
        #expect(compared > 80)
        let share = first.samples.first { $0.metric == "drifted_feature_share" }?.value
        #expect(share == json["drifted_feature_share"] as? Double)
    }

    @Test("a run without a stored profile says how to make one, exit 1")
    func missingProfile() throws {
        let dir = try TempDir()
        _ = try dir.write("p.jsonl", "")
        let config = try writeRunConfig(dir, source: "p.jsonl", reference: "profile: nope")
        let run = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(run.code == 1)
        #expect(run.stderr.contains("reference profile \"nope\" is not in"), "\(run.stderr)")
        #expect(run.stderr.contains("monitor baseline"))
    }
}
