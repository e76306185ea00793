import Foundation
import MonitorCore
import MonitorWindowing
import Testing

/// SplitMix64: deterministic test data.
struct TestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func normal(_ mean: Double = 0, _ sd: Double = 1) -> Double {
        let u = max(uniform(), 1e-300)
        let v = uniform()
        return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

/// A decoder-like batch builder: dictionaries grow append-only as names are met, like the
/// JSONL decoder's, and are handed to every batch it builds.
struct BatchBuilder {
    var numericalNames: [String]
    var categoricalNames: [String]
    var dictionaries: [CategoryDictionary]
    var labels = CategoryDictionary()
    var models = CategoryDictionary()
    var versions = CategoryDictionary()

    init(numerical: [String], categorical: [String]) {
        numericalNames = numerical
        categoricalNames = categorical
        dictionaries = categorical.map { _ in CategoryDictionary() }
    }

    /// One record.
    struct Row {
        var time: Int64
        var model: String? = "fraud"
        var version: String? = "3"
        var numerical: [Double]
        var categorical: [String?]
        var score: Double = .nan
        var label: String? = nil
    }

    mutating func batch(_ rows: [Row]) -> Batch {
        var b = Batch()
        b.count = rows.count
        b.numericalNames = numericalNames
        b.categoricalNames = categoricalNames
        b.numerical = numericalNames.indices.map { j in rows.map { $0.numerical[j] } }
        b.categorical = categoricalNames.indices.map { j in
            rows.map { r in r.categorical[j].map { dictionaries[j].code(for: $0) } ?? CategoryDictionary.missingCode }
        }
        b.timestamps = rows.map(\.time)
        b.scores = rows.map(\.score)
        b.values = rows.map { _ in .nan }
        b.predictedLabels = rows.map { r in r.label.map { labels.code(for: $0) } ?? CategoryDictionary.missingCode }
        b.models = rows.map { r in r.model.map { models.code(for: $0) } ?? CategoryDictionary.missingCode }
        b.versions = rows.map { r in r.version.map { versions.code(for: $0) } ?? CategoryDictionary.missingCode }
        b.categoricalDictionaries = dictionaries
        b.labelDictionary = labels
        b.modelDictionary = models
        b.versionDictionary = versions
        return b
    }
}

/// Generated prediction rows: `numerical` normal features (with a few NaN), `categorical`
/// features over a small alphabet (with missing values and, when `newCategories`, unseen ones),
/// a score and a label; times step by `step` ms from `start`, shuffled by up to `jitter` ms.
func generateRows(
    _ n: Int, numerical: Int = 3, categorical: Int = 2, start: Int64 = 1_763_805_600_000, step: Int64 = 1000, jitter: Int64 = 0,
    shift: Double = 0, newCategories: Bool = false, models: [String] = ["fraud"], seed: UInt64
) -> [BatchBuilder.Row] {
    var rng = TestRNG(seed: seed)
    let alphabet = ["DE", "FR", "GB", "IT", "NL", "PL"]
    let fresh = ["AT", "BE", "CH"]
    return (0..<n).map { i in
        let t = start + Int64(i) * step + (jitter > 0 ? Int64(rng.below(Int(2 * jitter + 1))) - jitter : 0)
        let nums = (0..<numerical).map { j -> Double in
            rng.below(50) == 0 ? .nan : rng.normal(shift * Double(j + 1), 1 + 0.1 * Double(j))
        }
        let cats = (0..<categorical).map { j -> String? in
            if rng.below(40) == 0 { return nil }
            if newCategories && rng.below(10) == 0 { return fresh[rng.below(fresh.count)] + "\(j)" }
            let skew = shift > 0 ? min(rng.below(alphabet.count), rng.below(alphabet.count)) : rng.below(alphabet.count)
            return alphabet[skew]
        }
        let score = rng.uniform()
        return BatchBuilder.Row(
            time: t, model: models[rng.below(models.count)], numerical: nums, categorical: cats,
            score: rng.below(30) == 0 ? .nan : min(1, score + shift / 4), label: score > 0.7 ? "fraud" : "ok")
    }
}

func featureSpecs(numerical: Int = 3, categorical: Int = 2) -> [FeatureSpec] {
    (0..<numerical).map { FeatureSpec(name: "n\($0)", kind: .numerical) }
        + (0..<categorical).map { FeatureSpec(name: "c\($0)", kind: .categorical) }
}

func builder(numerical: Int = 3, categorical: Int = 2) -> BatchBuilder {
    BatchBuilder(numerical: (0..<numerical).map { "n\($0)" }, categorical: (0..<categorical).map { "c\($0)" })
}

/// A reference profile from generated rows.
func referenceProfile(rows: Int = 2000, numerical: Int = 3, categorical: Int = 2, settings: DriftSettings = DriftSettings(), seed: UInt64 = 7) -> ReferenceProfile {
    var b = builder(numerical: numerical, categorical: categorical)
    let batch = b.batch(generateRows(rows, numerical: numerical, categorical: categorical, seed: seed))
    return ReferenceProfile(reference: batch, features: featureSpecs(numerical: numerical, categorical: categorical), settings: settings, fingerprint: "sha256:test")
}

/// An in-memory stand-in for the store's window-state table: summaries replaced, chunks appended.
struct InMemoryWindowState {
    var records: [String: WindowStateRecord] = [:]

    mutating func apply(_ delta: (upserts: [WindowStateRecord], deletes: [String])) {
        for key in delta.deletes { records[key] = nil }
        for u in delta.upserts {
            var r = records[u.key] ?? WindowStateRecord(key: u.key, summary: [])
            r.summary = u.summary
            r.chunks += u.chunks
            records[u.key] = r
        }
    }

    var all: [WindowStateRecord] { records.values.sorted { $0.key < $1.key } }
}

/// Every sample of the results as text with exact bit patterns (for bit-for-bit comparisons).
func fingerprint(_ windows: [ClosedWindow]) -> [String] {
    windows.flatMap { w in
        ["\(w.result.key.storageKey) n=\(w.result.eventCount) p=\(w.result.profileID)"]
            + w.result.samples.map { "\($0.metric)\($0.labels) \(String($0.value.bitPattern, radix: 16)) @\($0.timestamp.milliseconds)" }
    }
}

/// Expects two runs to have closed the same windows with the same samples, bit for bit,
/// reporting the first difference only.
func expectSameWindows(_ got: [ClosedWindow], _ expected: [ClosedWindow], sourceLocation: SourceLocation = #_sourceLocation) {
    let a = fingerprint(got)
    let b = fingerprint(expected)
    #expect(a.count == b.count, "\(a.count) vs \(b.count) lines", sourceLocation: sourceLocation)
    if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
        Issue.record("line \(i): \(a[i]) ≠ expected \(b[i])", sourceLocation: sourceLocation)
    }
}
