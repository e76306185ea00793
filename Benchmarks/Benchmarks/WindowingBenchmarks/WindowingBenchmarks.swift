import Benchmark
import MonitorCore
import MonitorWindowing

#if canImport(Glibc)
    import Glibc
#endif

/// The shape of the targets: 20 numerical and 5 categorical features, plus the prediction score
/// and label (27 accumulated columns), 1% missing values, 8 categories per feature.
let numericalCount = 20
let categoricalCount = 5
let batchRows = 100_000
/// 2025-11-22T10:00:00Z: a multiple of an hour, so a 100k-row batch 36 ms apart fills one hour.
let hourStart: Int64 = 1_763_805_600_000

/// SplitMix64 + Box–Muller, fixed seeds (as scipy's benchmarks).
struct RNG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    mutating func normal(_ shift: Double) -> Double {
        shift + (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform())
    }
}

/// A decoded batch as the JSONL decoder would hand it over (codes of append-only dictionaries).
func makeBatch(rows: Int, shift: Double, seed: UInt64) -> Batch {
    var rng = RNG(state: seed)
    var b = Batch()
    b.count = rows
    b.numericalNames = (0..<numericalCount).map { "n\($0)" }
    b.categoricalNames = (0..<categoricalCount).map { "c\($0)" }
    b.numerical = (0..<numericalCount).map { _ in (0..<rows).map { _ in rng.next() % 100 == 0 ? .nan : rng.normal(shift) } }
    let levels = ["DE", "FR", "GB", "IT", "NL", "PL", "ES", "SE"]
    var dictionary = CategoryDictionary()
    for l in levels { _ = dictionary.code(for: l) }
    b.categorical = (0..<categoricalCount).map { _ in
        (0..<rows).map { _ in rng.next() % 100 == 0 ? CategoryDictionary.missingCode : UInt32(rng.next() % UInt64(levels.count)) }
    }
    b.categoricalDictionaries = Array(repeating: dictionary, count: categoricalCount)
    b.timestamps = (0..<rows).map { hourStart + Int64($0) * 3_600_000 / Int64(rows) }
    b.scores = (0..<rows).map { _ in rng.uniform() }
    b.values = Array(repeating: .nan, count: rows)
    var labels = CategoryDictionary()
    _ = labels.code(for: "ok")
    _ = labels.code(for: "fraud")
    b.predictedLabels = (0..<rows).map { _ in rng.next() % 10 == 0 ? 1 : 0 }
    b.labelDictionary = labels
    var models = CategoryDictionary()
    _ = models.code(for: "fraud")
    var versions = CategoryDictionary()
    _ = versions.code(for: "3")
    b.models = Array(repeating: 0, count: rows)
    b.versions = Array(repeating: 0, count: rows)
    b.modelDictionary = models
    b.versionDictionary = versions
    return b
}

let features = (0..<numericalCount).map { FeatureSpec(name: "n\($0)", kind: .numerical) }
    + (0..<categoricalCount).map { FeatureSpec(name: "c\($0)", kind: .categorical) }

func makeManager(_ profile: ReferenceProfile, specs: [WindowSpec] = [WindowSpec(name: "1h", size: 3_600_000)]) -> WindowManager {
    try! WindowManager(
        specs: specs, allowedLateness: 0, settings: DriftSettings(),
        resolver: .constant(ResolvedProfile(profile: profile, id: 1, name: "bench")))
}

/// Peak resident set size of this process, from /proc (Linux), in MB.
func peakRSSMegabytes() -> Double {
    #if os(Linux)
        guard let f = fopen("/proc/self/status", "r") else { return .nan }
        defer { fclose(f) }
        var bytes = [UInt8](repeating: 0, count: 8192)
        let n = fread(&bytes, 1, bytes.count, f)
        let text = String(decoding: bytes[0..<n], as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) } ?? .nan
            return kb / 1024
        }
    #endif
    return .nan
}

/// Shared inputs, built on first use (each benchmark runs in its own process).
final class Inputs: @unchecked Sendable {
    static let shared = Inputs()
    lazy var profile = ReferenceProfile(
        reference: makeBatch(rows: batchRows, shift: 0, seed: 1), features: features, settings: DriftSettings(), fingerprint: "bench")
    lazy var current = makeBatch(rows: batchRows, shift: 0.05, seed: 2)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        maxDuration: .seconds(5),
        maxIterations: 30
    )

    // Target: ≥ 2M events/s per core, i.e. p50 ≤ 50 ms for 100k events.
    Benchmark("Ingest 100k events x 25 features (+score, label), tumbling 1h") { benchmark in
        let inputs = Inputs.shared
        for _ in benchmark.scaledIterations {
            var m = makeManager(inputs.profile)
            benchmark.startMeasurement()
            blackHole(m.ingest(inputs.current))
            benchmark.stopMeasurement()
            blackHole(m.openPaneCount)
        }
    }

    // Three configurations at once: tumbling 1h, sliding 1h by 15m, tumbling 1d (two slide
    // groups; each event goes into two panes).
    Benchmark("Ingest 100k events x 25 features, 1h + 1h/15m + 1d windows") { benchmark in
        let inputs = Inputs.shared
        let specs = [WindowSpec(name: "1h", size: 3_600_000), WindowSpec(name: "1h/15m", size: 3_600_000, slide: 900_000),
                     WindowSpec(name: "1d", size: 86_400_000)]
        for _ in benchmark.scaledIterations {
            var m = makeManager(inputs.profile, specs: specs)
            benchmark.startMeasurement()
            blackHole(m.ingest(inputs.current))
            benchmark.stopMeasurement()
            blackHole(m.openPaneCount)
        }
    }

    // Closing one window of 100k events: sort each numerical sample, KS + Wasserstein, PSI, JS,
    // chi-square, decisions and ~340 samples.
    Benchmark("Close 1 window, 100k events x 25 features (exact)") { benchmark in
        let inputs = Inputs.shared
        var prepared = makeManager(inputs.profile)
        prepared.ingest(inputs.current)
        for _ in benchmark.scaledIterations {
            var m = prepared
            benchmark.startMeasurement()
            blackHole(m.closeAll())
            benchmark.stopMeasurement()
        }
    }

    // Beyond exact_limit (here 50k of 100k): KS and Wasserstein from the sketches.
    Benchmark("Close 1 window, 100k events x 25 features (sketch, exact_limit 50k)") { benchmark in
        let inputs = Inputs.shared
        var settings = DriftSettings()
        settings.exactLimit = 50_000
        var prepared = try! WindowManager(
            specs: [WindowSpec(name: "1h", size: 3_600_000)], allowedLateness: 0, settings: settings,
            resolver: .constant(ResolvedProfile(profile: inputs.profile, id: 1, name: "bench")))
        prepared.ingest(inputs.current)
        for _ in benchmark.scaledIterations {
            var m = prepared
            benchmark.startMeasurement()
            blackHole(m.closeAll())
            benchmark.stopMeasurement()
        }
    }

    // Memory bound: 10M events in one window with the default exact_limit (1M): each
    // numerical feature keeps 1M values, then switches to its sketch. Target < 300 MB RSS.
    Benchmark(
        "Memory: 10M events x 25 features into one window, then close",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .seconds, maxDuration: .seconds(120), maxIterations: 1)
    ) { benchmark in
        let inputs = Inputs.shared
        var m = makeManager(inputs.profile)
        var peakDuring = 0.0
        benchmark.startMeasurement()
        for _ in 0..<100 {
            m.ingest(inputs.current)
            peakDuring = max(peakDuring, peakRSSMegabytes())
        }
        let closed = m.closeAll()
        benchmark.stopMeasurement()
        print("memory check: \(closed.first?.result.eventCount ?? 0) events, methods \(Set(closed.first?.features.map(\.method) ?? [])), peak RSS \(peakRSSMegabytes()) MB (during ingest \(peakDuring) MB)")
    }
}
