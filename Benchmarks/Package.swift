// swift-tools-version: 6.1
//
// Performance targets for ModelMonitor, measured with ordo-one `benchmark`:
//
//   cd Benchmarks && swift package benchmark                  # run all
//   swift package benchmark --filter 'KS.*'                     # some
//   swift package benchmark baseline update main                # record thresholds
//   swift package benchmark baseline check main                 # compare with them
//
// Kept out of the main package so that building and testing ModelMonitor never builds the
// benchmark tooling.
import PackageDescription

let package = Package(
    name: "ModelMonitorBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ModelMonitor", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "StatsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MonitorStats", package: "ModelMonitor"),
                .product(name: "MonitorCore", package: "ModelMonitor"),
                .product(name: "MonitorIngest", package: "ModelMonitor"),
                .product(name: "MonitorService", package: "ModelMonitor"),
            ],
            path: "Benchmarks/StatsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MonitorCore", package: "ModelMonitor"),
                .product(name: "MonitorStore", package: "ModelMonitor"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RulesBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MonitorCore", package: "ModelMonitor"),
                .product(name: "MonitorRules", package: "ModelMonitor"),
            ],
            path: "Benchmarks/RulesBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The delayed-label join through the store: labels/s with 1M predictions pending.
        .executableTarget(
            name: "LabelJoinBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MonitorCore", package: "ModelMonitor"),
                .product(name: "MonitorStore", package: "ModelMonitor"),
            ],
            path: "Benchmarks/LabelJoinBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // `monitor report` on 30 days of hourly windows × 50 features: open, read, build, render.
        .executableTarget(
            name: "ReportBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MonitorCore", package: "ModelMonitor"),
                .product(name: "MonitorStore", package: "ModelMonitor"),
                .product(name: "MonitorReport", package: "ModelMonitor"),
                .product(name: "MonitorService", package: "ModelMonitor"),
                .product(name: "MonitorWindowing", package: "ModelMonitor"),
            ],
            path: "Benchmarks/ReportBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Streaming windows: ingest throughput, window close, memory of a 10M-event window.
        .executableTarget(
            name: "WindowingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MonitorCore", package: "ModelMonitor"),
                .product(name: "MonitorWindowing", package: "ModelMonitor"),
            ],
            path: "Benchmarks/WindowingBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
