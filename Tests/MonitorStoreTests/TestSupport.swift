import Foundation
import MonitorCore
import Synchronization
import Testing

@testable import MonitorStore

/// A fresh directory under the system temp dir, removed when the value goes out of scope.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ModelMonitorStoreTests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A database path inside the directory.
    var database: String { path + "/monitor.db" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Label values that break naive encodings: quotes, commas, braces, `=`, backslashes, newlines,
/// control characters, NUL, non-ASCII and astral characters.
let awkwardValues: [String] = [
    #"say "hi""#,
    "a,b,c",
    "{x=\"1\"}",
    "key=value",
    #"back\slash\"#,
    "line1\nline2\r\n",
    "tab\there\u{1}\u{1f}",
    "nul\u{0}inside",
    "Zürich – 東京",
    "emoji 🙂👍🏽",
    "e\u{301}",  // decomposed é: stored as written
    "\\u0041",  // looks like a JSON escape
    "   ",
]

func ts(_ ms: Int64) -> Timestamp { Timestamp(milliseconds: ms) }

/// A window key of the `fraud` model's hourly windows, `hour` hours after the epoch.
func hourKey(_ hour: Int64, model: String = "fraud", version: String = "3") -> WindowKey {
    WindowKey(model: model, version: version, window: "1h", start: ts(hour * 3_600_000), end: ts((hour + 1) * 3_600_000))
}

/// A result with `features` × 3 samples (psi, ks_pvalue, missing_rate) plus a count sample, and a
/// histogram per feature (three bins, the first empty: empty arrays and zeros round-trip too).
func makeResult(_ key: WindowKey, features: [String] = ["amount", "country"], profileID: Int64 = 7, seed: Double = 0) -> WindowResult {
    var samples: [Sample] = []
    for (i, feature) in features.enumerated() {
        let labels = key.labels.setting(LabelName.feature, to: feature)
        samples.append(Sample(metric: SeriesName.psi, labels: labels, value: seed + Double(i) * 0.01, timestamp: key.end))
        samples.append(Sample(metric: SeriesName.ksPValue, labels: labels, value: 1e-30 * (seed + 1), timestamp: key.end))
        samples.append(Sample(metric: SeriesName.missingRate, labels: labels, value: 0.125, timestamp: key.end))
    }
    samples.append(Sample(metric: SeriesName.count, labels: key.labels, value: 1000 + seed, timestamp: key.end))
    let histograms = features.enumerated().map { i, f in
        FeatureHistogram(feature: f, counts: [0, 600 + Int(seed) * 10 + i, 400 - i], missing: i)
    }
    return WindowResult(key: key, profileID: profileID, profileName: "ref", eventCount: 1000 + Int(seed), samples: samples, histograms: histograms)
}

func makeAlert(_ feature: String, state: AlertState = .firing, at: Int64 = 7_200_000) -> Alert {
    Alert(
        group: "fraud-drift", rule: "FeatureDrift",
        labels: ["alertname": "FeatureDrift", "feature": feature, "model": "fraud", "severity": "page"],
        annotations: ["summary": "\(feature) drifted (PSI 0.31)", "runbook": "https://example.invalid/rb?a=1&b=\"2\""],
        state: state, value: 0.31, activeAt: ts(at - 3_600_000),
        firedAt: state == .firing || state == .resolved ? ts(at) : nil,
        resolvedAt: state == .resolved ? ts(at + 3_600_000) : nil,
        lastSeenAt: ts(at)
    )
}

func bytes(_ value: Int) -> [UInt8] { withUnsafeBytes(of: Int64(value).littleEndian) { Array($0) } }

func int(_ bytes: [UInt8]) -> Int {
    precondition(bytes.count == 8)
    return Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }.littleEndian)
}

extension SQLiteStore {
    /// One integer from a raw query (tests only).
    func scalar(_ sql: String) throws -> Int {
        try withDatabase { db in try db.connection.query(sql) { $0.int(0) }.first ?? -1 }
    }

    /// One text from a raw query (tests only).
    func text(_ sql: String) throws -> String? {
        try withDatabase { db in try db.connection.query(sql) { $0.optionalText(0) }.first ?? nil }
    }
}

/// Overwrites 4 big-endian bytes of the database header (60: user_version, 68: application_id).
func patchHeader(_ path: String, offset: UInt64, value: UInt32) throws {
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    let be = value.bigEndian
    try handle.write(contentsOf: withUnsafeBytes(of: be) { Data($0) })
}


/// Failures collected from several threads.
final class Outcomes: Sendable {
    private let state = Mutex<(failures: [String], count: Int)>(([], 0))

    /// Records one outcome; nil is a success.
    func record(_ failure: String?) {
        state.withLock {
            $0.count += 1
            if let failure { $0.failures.append(failure) }
        }
    }

    var failures: [String] { state.withLock { $0.failures } }
    var count: Int { state.withLock { $0.count } }
}

/// A fixed-seed generator (splitmix64): the same sequence on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The model version of the label-join tests.
let fraudStream = ModelVersion(model: "fraud", version: "3")

/// A batch of predictions of `fraudStream` (predicted "fraud", no value, window group 1).
func predictionRows(_ rows: [(id: String, t: Int64, score: Double)]) -> PredictionRows {
    var p = PredictionRows()
    p.streamNames = [fraudStream]
    for r in rows {
        p.ids.append(r.id)
        p.timestamps.append(r.t)
        p.streams.append(0)
        p.predictedLabels.append("fraud")
        p.scores.append(r.score)
        p.values.append(.nan)
        p.windowGroups.append(1)
    }
    return p
}

/// A batch of labels "fraud" (no value).
func labelBatch(_ rows: [(String, Int64)]) -> LabelBatch {
    var b = LabelBatch()
    for (id, t) in rows { b.append(id: id, timestamp: t, label: "fraud", value: .nan) }
    return b
}
