import Benchmark
import Foundation
import MonitorCore
import MonitorReport
import MonitorService
import MonitorStore
import MonitorWindowing

// `monitor report` on the sizing (target: < 2 s and < 200 MB): 30 days of hourly windows
// × 50 features × 8 statistics (288,000 figures) and a 10-bin histogram per feature and window
// (36,000 rows) over a stored 50-feature reference profile, 15 alert instances, in a store written
// through `SQLiteStore.commit` (so every row is linked into its audit chain). One store for all
// benchmarks, built once; each iteration runs the whole `ReportRunner` path: open, read, build,
// render (to a string, not a file).

let metrics = ["psi", "ks_pvalue", "wasserstein", "missing_rate", "drift", "mean", "stddev", "ks_statistic"]
let hour: Int64 = 3_600_000

let storePath: String = {
    let dir = NSTemporaryDirectory() + "ModelMonitorReportBenchmarks-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/monitor.db"
    let store = try! SQLiteStore(path: path)
    var x: UInt64 = 1
    func random() -> Double {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
    // The reference: 50 numerical features of 20,000 rows, profiled as `monitor baseline` does
    // (10 quantile bins), so the report draws a reference-vs-latest chart per feature.
    var reference = Batch()
    reference.count = 20_000
    for f in 0..<50 {
        reference.numericalNames.append("f\(f)")
        reference.numerical.append((0..<reference.count).map { _ in random() * 100 + Double(f) })
    }
    reference.timestamps = [Int64](repeating: 0, count: reference.count)
    reference.scores = [Double](repeating: .nan, count: reference.count)
    reference.values = [Double](repeating: .nan, count: reference.count)
    reference.predictedLabels = [UInt32](repeating: CategoryDictionary.missingCode, count: reference.count)
    reference.models = [UInt32](repeating: 0, count: reference.count)
    reference.versions = [UInt32](repeating: 0, count: reference.count)
    let profile = ReferenceProfile(reference: reference, features: (0..<50).map { FeatureSpec(name: "f\($0)", kind: .numerical) },
                                   settings: DriftSettings(), fingerprint: String(repeating: "cd", count: 32))
    let saved = try! store.saveProfile(ProfileRecord(name: "bench", fingerprint: profile.fingerprint, rowCount: profile.rowCount,
                                                     createdAt: Timestamp(milliseconds: 0), payload: profile.encode()))
    precondition(saved.id == 1)
    let binsPerFeature = profile.numerical.map { $0.binCounts.count }
    for day in 0..<30 {
        var write = CheckpointWrite()
        write.at = Timestamp(milliseconds: Int64(day + 1) * 24 * hour)
        if day == 0 {
            write.config = ConfigRecord(text: "# file: rules.yaml\ngroups:\n  - name: drift\n    rules:\n      - alert: FeatureDrift\n        expr: psi > 0.2 and ks_pvalue < 0.01\n        for: 1h\n")
        }
        for h in 0..<24 {
            let w = Int64(day * 24 + h)
            let key = WindowKey(model: "fraud", version: "3", window: "1h", start: Timestamp(milliseconds: w * hour),
                                end: Timestamp(milliseconds: (w + 1) * hour))
            var samples: [Sample] = []
            samples.reserveCapacity(50 * metrics.count)
            for f in 0..<50 {
                let labels = key.labels.setting("feature", to: "f\(f)")
                let drifted = (w / 72) % 3 == 2 && f < 5
                for m in metrics {
                    let v: Double =
                        switch m {
                        case "psi": 0.05 + (drifted ? 0.3 : 0) + random() * 0.02
                        case "ks_pvalue": drifted ? 0.001 : random()
                        case "drift": drifted ? 1 : 0
                        default: random()
                        }
                    samples.append(Sample(metric: m, labels: labels, value: v, timestamp: key.end))
                }
            }
            // Each feature's counts over its reference bins (stored, chained, read back and drawn
            // against the reference for the latest window).
            let histograms = (0..<50).map { f in
                FeatureHistogram(feature: "f\(f)", counts: (0..<binsPerFeature[f]).map { _ in Int(random() * 1000) }, missing: Int(random() * 10))
            }
            write.results.append(WindowResult(
                key: key, profileID: 1, profileName: "bench", eventCount: 5000, samples: samples, histograms: histograms))
        }
        if day % 9 == 6 {
            for f in 0..<5 {
                let t0 = Int64(day * 24) * hour
                for (at, from, to) in [(t0, AlertState.inactive, AlertState.pending), (t0 + hour, .pending, .firing), (t0 + 20 * hour, .firing, .resolved)] {
                    let alert = Alert(
                        group: "drift", rule: "FeatureDrift",
                        labels: ["alertname": "FeatureDrift", "feature": "f\(f)", "model": "fraud", "version": "3", "window": "1h"],
                        annotations: [:], state: to, value: 0.35, activeAt: Timestamp(milliseconds: t0), firedAt: nil, resolvedAt: nil,
                        lastSeenAt: Timestamp(milliseconds: at))
                    write.transitions.append(AlertTransition(alert: alert, from: from, to: to, at: Timestamp(milliseconds: at), actions: []))
                }
            }
        }
        try! store.commit(write)
    }
    store.close()
    return path
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal],
        timeUnits: .milliseconds,
        maxDuration: .seconds(20),
        maxIterations: 5
    )
    for (name, format, verify) in [("json", ReportRenderer.Format.json, false), ("md", .md, false), ("html", .html, false), ("html --verify", .html, true)] {
        Benchmark("report 30d × 50 features, \(name)") { benchmark in
            let path = storePath
            benchmark.startMeasurement()
            let outcome = try ReportRunner.run(.init(storePath: path, model: nil, since: nil, until: nil, format: format, outPath: nil, verify: verify))
            blackHole(outcome.text.utf8.count)
        }
    }
}
