import Benchmark
import MonitorCore
import MonitorRules

/// A deterministic stream of doubles in [0, 1) (splitmix64), so every run sees the same data.
struct SplitMix {
    var state: UInt64
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) * 0x1.0p-53
    }
}

/// A rule file with `count` rules in groups of 50, cycling through the expression shapes rules
/// use: filters joined by `and`, `unless` with `on(...)`, aggregations, arithmetic, each with a
/// label and a templated annotation.
func ruleFileText(rules count: Int) -> String {
    var out = "groups:\n"
    for i in 0..<count {
        if i % 50 == 0 { out += "  - name: group-\(i / 50)\n    rules:\n" }
        let expr: String
        switch i % 5 {
        case 0: expr = #"psi{model="fraud", feature!~"prediction[.].*"} > \#(0.2 + 0.001 * Double(i)) and ks_pvalue < 0.05"#
        case 1: expr = #"missing_rate{model="fraud"} > \#(0.02 + 0.001 * Double(i % 10))"#
        case 2: expr = "drift == 1 unless on(model, version, window, feature) out_of_range_rate > 0.9"
        case 3: expr = "max by (model, version, window) (psi) > 0.3"
        default: expr = "psi * 2 > 0.5 and on(model, version, window, feature) ks_pvalue < 0.05"
        }
        out += """
              - alert: Rule\(i)
                expr: '\(expr)'
                for: \(i % 2 == 0 ? "0" : "1h")
                labels: {severity: ticket}
                annotations:
                  summary: '{{ $labels.feature }} at {{ $value | printf "%.3f" }}'

        """
    }
    return out
}

/// One window's samples: `features` features × 5 series (psi, ks_pvalue, missing_rate,
/// out_of_range_rate, drift) for one model, version and window, at `time`. A share `drifting`
/// of the features (chosen afresh per seed) drifted: high PSI, low p-value, more missing values.
func windowSamples(features: Int, time: Int64, seed: UInt64, drifting: Double) -> [Sample] {
    var rng = SplitMix(state: seed)
    var out: [Sample] = []
    out.reserveCapacity(features * 5)
    let t = Timestamp(milliseconds: time)
    for f in 0..<features {
        let labels: Labels = ["model": "fraud", "version": "3", "window": "1h", "feature": "f\(f)"]
        let drifted = rng.next() < drifting
        out.append(Sample(metric: "psi", labels: labels, value: drifted ? 0.3 + 0.3 * rng.next() : 0.1 * rng.next(), timestamp: t))
        out.append(Sample(metric: "ks_pvalue", labels: labels, value: drifted ? 0.01 * rng.next() : 0.1 + 0.9 * rng.next(), timestamp: t))
        out.append(Sample(metric: "missing_rate", labels: labels, value: drifted ? 0.05 + 0.1 * rng.next() : 0.01 * rng.next(), timestamp: t))
        out.append(Sample(metric: "out_of_range_rate", labels: labels, value: rng.next(), timestamp: t))
        out.append(Sample(metric: "drift", labels: labels, value: drifted ? 1 : 0, timestamp: t))
    }
    return out
}

let hour: Int64 = 3_600_000

/// Evaluates `rules` rules over `features` × 5 series once per iteration, one window apart,
/// with fresh samples each window (so alerts move between states).
func evaluationBenchmark(_ benchmark: Benchmark, rules: Int, features: Int, drifting: Double) {
    let (set, diagnostics) = RuleSet.load([("bench.yaml", ruleFileText(rules: rules))])
    precondition(diagnostics.isEmpty, "benchmark rules do not parse: \(diagnostics)")
    var ruleSet = set!
    var latest = LatestSamples()
    var t: Int64 = 0
    var transitions = 0
    for i in benchmark.scaledIterations {
        t += hour
        latest.add(windowSamples(features: features, time: t, seed: UInt64(i % 8), drifting: drifting), validFor: hour)
        benchmark.startMeasurement()
        let outcome = ruleSet.evaluate(at: Timestamp(milliseconds: t), source: latest)
        benchmark.stopMeasurement()
        transitions += outcome.transitions.count
    }
    blackHole(transitions)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        maxDuration: .seconds(5),
        maxIterations: 200
    )

    // Target (issue): 200 rules over 100 features x 5 series in < 50 ms per evaluation.
    // Typical: 5% of the features drift, ~900 alert instances.
    Benchmark("Rules: 200 rules, 100 features x 5 series, 5% drifting") { benchmark in
        evaluationBenchmark(benchmark, rules: 200, features: 100, drifting: 0.05)
    }

    // Stress: half the features drift in every window, ~8000 alert instances, thousands of
    // transitions per evaluation.
    Benchmark("Rules: 200 rules, 100 features x 5 series, 50% drifting") { benchmark in
        evaluationBenchmark(benchmark, rules: 200, features: 100, drifting: 0.5)
    }

    // DESIGN: rule evaluation per 1e3 series.
    Benchmark("Rules: 200 rules, 1000 series (200 features x 5), 5% drifting") { benchmark in
        evaluationBenchmark(benchmark, rules: 200, features: 200, drifting: 0.05)
    }

    Benchmark("Rules: parse a 200-rule file") { benchmark in
        let text = ruleFileText(rules: 200)
        for _ in benchmark.scaledIterations {
            blackHole(RuleFile.parse(text, path: "bench.yaml"))
        }
    }
}
