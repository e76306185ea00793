import Benchmark
import Foundation
import MonitorCore
import MonitorStore

// SQLite store: one checkpoint (target < 50 ms for 100 open windows) and bulk series values.
// Files live in a fresh temp directory per benchmark, removed at the end.

/// Deterministic bytes (splitmix64), so summaries are not trivially compressible runs.
func pseudoRandomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    var x = seed
    return (0..<n).map { _ in
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt8(truncatingIfNeeded: z ^ (z >> 31))
    }
}

/// A window summary of realistic size: 25 features × (11 bin counts + 5 moments) × 8 bytes
/// = 3.2 KB, plus ~800 bytes of category counts.
let summaryBytes = 25 * (11 + 5) * 8 + 800
/// Exact-sample values appended per window per checkpoint: 256 doubles.
let chunkBytes = 256 * 8

func temporaryStore(synchronous: SQLiteStore.Configuration.Synchronous = .normal) throws -> (SQLiteStore, String) {
    let dir = NSTemporaryDirectory() + "ModelMonitorStoreBenchmarks-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return (try SQLiteStore(path: dir + "/monitor.db", configuration: .init(synchronous: synchronous)), dir)
}

/// Checkpoint `n`: every one of 100 windows gets a new summary and one chunk; 4 sources move.
func checkpoint(_ n: Int, summaries: [[UInt8]], chunk: [UInt8]) -> CheckpointWrite {
    var write = CheckpointWrite()
    write.at = Timestamp(milliseconds: Int64(n) * 10_000)
    write.positions = (0..<4).map { SourcePosition(source: "preds", key: "kafka:preds:\($0)", path: "preds", offset: Int64(n * 1000 + $0)) }
    write.windowUpserts = summaries.indices.map { w in
        WindowStateRecord(key: "model\(w % 10)|1|1h|\(w / 10)", summary: summaries[w], chunks: [chunk])
    }
    write.serviceState = Array(repeating: UInt8(n & 0xff), count: 256)
    return write
}

/// `windows` closed-window results of 400 samples each (25 features × 15 series + 25 per-window).
func results(windows: Int, offset: Int) -> [WindowResult] {
    let metrics = [
        "psi", "ks_statistic", "ks_pvalue", "wasserstein", "wasserstein_normed", "js_distance", "missing_rate",
        "out_of_range_rate", "mean", "stddev", "min", "max", "drift", "chi2_statistic", "chi2_pvalue",
    ]
    return (0..<windows).map { w in
        let hour = Int64(offset + w)
        let key = WindowKey(
            model: "fraud", version: "3", window: "1h",
            start: Timestamp(milliseconds: hour * 3_600_000), end: Timestamp(milliseconds: (hour + 1) * 3_600_000)
        )
        var samples: [Sample] = []
        samples.reserveCapacity(400)
        for f in 0..<25 {
            let labels = key.labels.setting("feature", to: "feature_\(f)")
            for (m, metric) in metrics.enumerated() {
                samples.append(Sample(metric: metric, labels: labels, value: Double(f * 100 + m) / 7, timestamp: key.end))
            }
        }
        for i in 0..<25 { samples.append(Sample(metric: "count_\(i)", labels: key.labels, value: Double(i), timestamp: key.end)) }
        return WindowResult(key: key, profileID: 1, profileName: "ref", eventCount: 10_000, samples: samples)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .milliseconds,
        maxDuration: .seconds(5),
        maxIterations: 100
    )
    let summaries = (0..<100).map { pseudoRandomBytes(summaryBytes, seed: UInt64($0)) }
    let chunk = pseudoRandomBytes(chunkBytes, seed: 999)

    for sync in [SQLiteStore.Configuration.Synchronous.normal, .full] {
        Benchmark("Checkpoint 100 windows × (4 KB summary + 2 KB chunk), synchronous=\(sync.rawValue)") { benchmark in
            let (store, dir) = try temporaryStore(synchronous: sync)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try store.commit(checkpoint(0, summaries: summaries, chunk: chunk))  // windows exist
            var n = 1
            for _ in benchmark.scaledIterations {
                let write = checkpoint(n, summaries: summaries, chunk: chunk)
                n += 1
                benchmark.startMeasurement()
                try store.commit(write)
                benchmark.stopMeasurement()
            }
            store.close()
        }
    }

    Benchmark("Commit 10k series values (25 results × 400 samples)") { benchmark in
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var write = CheckpointWrite()
        write.results = results(windows: 25, offset: 0)  // series exist afterwards, as in steady state
        try store.commit(write)
        var offset = 25
        for _ in benchmark.scaledIterations {
            write.results = results(windows: 25, offset: offset)
            offset += 25
            benchmark.startMeasurement()
            try store.commit(write)
            benchmark.stopMeasurement()
        }
        store.close()
    }

    Benchmark("Load checkpoint of 100 windows with 10 chunks each") { benchmark in
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for n in 0..<10 { try store.commit(checkpoint(n, summaries: summaries, chunk: chunk)) }
        benchmark.startMeasurement()  // the setup above is not measured
        for _ in benchmark.scaledIterations { blackHole(try store.loadCheckpoint()) }
        benchmark.stopMeasurement()
        store.close()
    }

    Benchmark("Read 10k series values (25 results)") { benchmark in
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var write = CheckpointWrite()
        write.results = results(windows: 25, offset: 0)
        try store.commit(write)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try store.windowResults(model: "fraud", from: nil, to: nil)) }
        benchmark.stopMeasurement()
        store.close()
    }
}
