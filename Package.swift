// swift-tools-version: 6.1
//
// ModelMonitor — streaming drift detection and model monitoring.
//
// Layering (see shared DESIGN §2): pure targets (MonitorStats, MonitorCore, MonitorWindowing,
// MonitorRules) do no I/O and never read the clock; adapters (MonitorIngest, MonitorAlerting,
// MonitorRegistry, MonitorStore) never import each other; MonitorService wires them; the
// `monitor` executable only parses arguments (through MonitorCLI).
import PackageDescription

// ---- Settings applied to every target. Do not edit per target: change them here. ----
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]
// ---- end of shared settings ----

let package = Package(
    name: "ModelMonitor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "monitor", targets: ["monitor"]),
        .library(name: "MonitorStats", targets: ["MonitorStats"]),
        .library(name: "MonitorCore", targets: ["MonitorCore"]),
        .library(name: "MonitorWindowing", targets: ["MonitorWindowing"]),
        .library(name: "MonitorIngest", targets: ["MonitorIngest"]),
        .library(name: "MonitorRules", targets: ["MonitorRules"]),
        .library(name: "MonitorStore", targets: ["MonitorStore"]),
        .library(name: "MonitorAlerting", targets: ["MonitorAlerting"]),
        .library(name: "MonitorRegistry", targets: ["MonitorRegistry"]),
        .library(name: "MonitorReport", targets: ["MonitorReport"]),
        .library(name: "MonitorService", targets: ["MonitorService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics.git", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // Service: HTTP (/metrics, /healthz, /readyz), Prometheus exposition, structured logs.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Notifications: webhook delivery (HTTP client) and Standard Webhooks signatures (HMAC-SHA256).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // layer 0: numerics only, the leaf.
        .target(
            name: "MonitorStats",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: swiftSettings + [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        // layer 0: vocabulary, config model, diagnostics, port protocols.
        .target(
            name: "MonitorCore",
            dependencies: ["MonitorStats", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // layer 1: reference profiles, accumulators, per-feature drift comparison.
        .target(
            name: "MonitorWindowing",
            dependencies: ["MonitorCore", "MonitorStats"],
            swiftSettings: swiftSettings
        ),
        // layer 1: rule files, the expression language, the alert state machine, rule unit tests.
        .target(
            name: "MonitorRules",
            dependencies: ["MonitorCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // layer 1: the audit report: its model built from store records, and its renderers (JSON,
        // Markdown, HTML with inline SVG). Pure: no I/O, no clock.
        .target(name: "MonitorReport", dependencies: ["MonitorCore"], swiftSettings: swiftSettings),
        // System SQLite (Debian libsqlite3-dev, installed by scripts/setup).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // layer 2 adapter: the SQLite store (C API: prepared statements, one transaction per checkpoint).
        .target(
            name: "MonitorStore",
            dependencies: ["MonitorCore", "CSQLite"],
            swiftSettings: swiftSettings
        ),
        // System librdkafka (Debian librdkafka-dev, installed by scripts/setup), with a shim for
        // the macros Swift does not import.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // layer 2 adapter: decoders and sources (files, Kafka).
        .target(
            name: "MonitorIngest",
            dependencies: ["MonitorCore", "CRdKafka"],
            swiftSettings: swiftSettings
        ),
        // layer 2 adapter: routing tree, grouping, silences, inhibition, payload formats, signing,
        // outbox delivery.
        .target(
            name: "MonitorAlerting",
            dependencies: [
                "MonitorCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // layer 2 adapter: retraining-trigger sinks (MLflow REST, signed webhook, Kafka, file).
        .target(
            name: "MonitorRegistry",
            dependencies: [
                "MonitorCore", "CRdKafka",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // layer 3: composition root.
        .target(
            name: "MonitorService",
            dependencies: [
                "MonitorCore", "MonitorStats", "MonitorWindowing", "MonitorIngest", "MonitorRules", "MonitorStore",
                "MonitorAlerting", "MonitorRegistry", "MonitorReport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MonitorCLI",
            dependencies: [
                "MonitorService", "MonitorCore", "MonitorRules", "MonitorReport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // layer 4: one file.
        .executableTarget(name: "monitor", dependencies: ["MonitorCLI"], swiftSettings: swiftSettings),
        // Test helper (C): librdkafka's mock cluster in its own process, with fault injection on stdin.
        .executableTarget(name: "monitor-kafka-mock", dependencies: ["CRdKafka"]),

        .testTarget(name: "MonitorStatsTests", dependencies: ["MonitorStats"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "MonitorCoreTests", dependencies: ["MonitorCore"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "MonitorRulesTests", dependencies: ["MonitorRules", "MonitorCore"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "MonitorStoreTests", dependencies: ["MonitorStore", "MonitorCore"], swiftSettings: swiftSettings),
        .testTarget(name: "MonitorReportTests", dependencies: ["MonitorReport", "MonitorCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MonitorIngestTests",
            dependencies: ["MonitorIngest", "MonitorCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonitorWindowingTests",
            dependencies: ["MonitorWindowing", "MonitorCore", "MonitorStats"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonitorAlertingTests",
            dependencies: [
                "MonitorAlerting", "MonitorCore", "MonitorStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonitorRegistryTests",
            dependencies: ["MonitorRegistry", "MonitorCore", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MonitorCLITests",
            dependencies: [
                "MonitorCLI", "MonitorService", "MonitorCore", "MonitorWindowing", "MonitorStore", "MonitorReport", "monitor",
                "monitor-kafka-mock",
                // Reads docs/openapi.yaml in the API tests.
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)
