import Benchmark
import MonitorCore
import MonitorIngest
import MonitorService
import MonitorStats

#if canImport(Glibc)
    import Glibc
#endif

/// Deterministic standard normals (splitmix64 + Box–Muller), like scipy's seeded benchmarks.
func normals(_ n: Int, shift: Double = 0, seed: UInt64) -> [Double] {
    var x = seed
    func u() -> Double {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) * 0x1.0p-53
    }
    return (0..<n).map { _ in shift + (-2 * log(max(u(), 1e-300))).squareRoot() * cos(2 * .pi * u()) }
}

/// Simulated prediction lines in the bench's shape (ModelMonitor's simulator: 12 features).
func simulatedLines(rows: Int) -> [UInt8] {
    var spec = SimulationSpec()
    spec.rows = rows
    spec.referenceRows = 0
    var bytes: [UInt8] = []
    let sim = try! Simulator(spec: spec)
    _ = try! sim.generate { name, chunk in if name == "predictions.jsonl" { bytes += chunk } }
    return bytes
}

let million = 1_000_000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        maxDuration: .seconds(5),
        maxIterations: 20
    )
    let a = normals(million, seed: 1)
    let b = normals(million, shift: 0.05, seed: 2)
    var sa = a
    var sb = b
    RadixSort.sort(&sa)
    RadixSort.sort(&sb)

    // Sorting: the exact KS path must not be dominated by Array.sort (~12x numpy's sort here).
    Benchmark("RadixSort 1M doubles") { benchmark in
        for _ in benchmark.scaledIterations {
            var c = a
            benchmark.startMeasurement()
            RadixSort.sort(&c)
            benchmark.stopMeasurement()
            blackHole(c)
        }
    }
    Benchmark("Array.sort 1M doubles (for comparison)") { benchmark in
        for _ in benchmark.scaledIterations {
            var c = a
            benchmark.startMeasurement()
            c.sort()
            benchmark.stopMeasurement()
            blackHole(c)
        }
    }

    // Binning: target ≤ 3 ns/value (1M values ≤ 3 ms).
    let edges = try! BinEdges(sortedReference: sa, bins: 10)
    Benchmark("Histogram 1M values, 10 reference-quantile bins") { benchmark in
        var counts = [Int](repeating: 0, count: edges.binCount)
        for _ in benchmark.scaledIterations {
            a.withUnsafeBufferPointer { blackHole(edges.histogram($0, into: &counts)) }
        }
    }

    Benchmark("KS exact statistic + asymptotic p, 1M vs 1M sorted") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! kolmogorovSmirnov(sorted: sa.withUnsafeBufferPointer { $0 }, sorted: sb.withUnsafeBufferPointer { $0 }))
        }
    }

    Benchmark("KS from unsorted 1M vs 1M (radix sort included)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! kolmogorovSmirnov(a, b))
        }
    }

    Benchmark("Wasserstein 1M vs 1M sorted") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! wassersteinDistance(sorted: sa, sorted: sb))
        }
    }

    Benchmark("PSI from 1M-value histograms") { benchmark in
        let rc = edges.histogram(sorted: sa).counts
        let cc = edges.histogram(sorted: sb).counts
        for _ in benchmark.scaledIterations {
            blackHole(try! populationStabilityIndex(referenceCounts: rc, currentCounts: cc))
        }
    }

    Benchmark("KLL sketch add 1M values") { benchmark in
        for _ in benchmark.scaledIterations {
            var s = KLLSketch()
            a.withUnsafeBufferPointer { s.add(contentsOf: $0) }
            blackHole(s)
        }
    }

    // Decoder: target ≥ 1M events/s on one core (the bench rows have 25 features; these 12).
    let lines = simulatedLines(rows: 100_000)
    let features = try! {
        let path = "/tmp/monitor-bench-decode.jsonl"
        let f = fopen(path, "wb")!
        lines.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
        return try JSONLFile.inferFeatures(path: path, schema: EventSchema())
    }()
    Benchmark("Decode 100k JSONL events, one thread") { benchmark in
        for _ in benchmark.scaledIterations {
            var decoder = JSONLDecoder(schema: EventSchema(), features: features, dictionaries: [:], options: DecodeOptions())
            var batch = Batch()
            var report = DecodeReport()
            lines.withUnsafeBytes { decoder.decode($0, firstLineNumber: 1, into: &batch, report: &report) }
            blackHole(batch)
        }
    }
}
