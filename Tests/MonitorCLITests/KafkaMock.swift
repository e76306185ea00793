import Foundation
import MonitorCore
import MonitorStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The `monitor-kafka-mock` helper (librdkafka's mock cluster in its own process, built by
/// SwiftPM from Sources/monitor-kafka-mock): real Kafka protocol on loopback, fault injection
/// through commands on its stdin. It exits when the test drops it (its stdin closes).
final class KafkaMock {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered: [UInt8] = []
    /// `bootstrap.servers` of the cluster.
    private(set) var bootstrap = ""

    static let binary: URL = MonitorProcess.binary.deletingLastPathComponent().appendingPathComponent("monitor-kafka-mock")

    init(brokers: Int = 3) throws {
        process.executableURL = Self.binary
        process.arguments = ["\(brokers)"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let first = readLine()
        guard first.hasPrefix("bootstrap ") else { throw MockError(message: "monitor-kafka-mock did not start: \(first)") }
        bootstrap = String(first.dropFirst("bootstrap ".count))
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    struct MockError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private func readLine() -> String {
        while true {
            if let nl = buffered.firstIndex(of: 0x0A) {
                let line = String(decoding: buffered[..<nl], as: UTF8.self)
                buffered.removeFirst(nl + 1)
                return line
            }
            let d = output.fileHandleForReading.availableData
            if d.isEmpty { return "" }
            buffered += d
        }
    }

    /// Sends one command; returns the text after "ok", or throws with the helper's error.
    @discardableResult
    func send(_ command: String) throws -> String {
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
        let reply = readLine()
        guard reply.hasPrefix("ok") else { throw MockError(message: "\(command): \(reply)") }
        return String(reply.dropFirst(2)).trimmingCharacters(in: .whitespaces)
    }

    /// Produces every line of a file as one message. Returns the count.
    @discardableResult
    func produce(topic: String, file: String, mode: String = "roundrobin") throws -> Int {
        Int(try send("produce \(topic) \(file) \(mode)")) ?? -1
    }

    /// (low, high) watermark per partition.
    func watermarks(_ topic: String) throws -> [Int: (Int64, Int64)] {
        var out: [Int: (Int64, Int64)] = [:]
        for item in try send("watermarks \(topic)").split(separator: " ") {
            let f = item.split(separator: ":").compactMap { Int64($0) }
            if f.count == 3 { out[Int(f[0])] = (f[1], f[2]) }
        }
        return out
    }
}

/// A config for a Kafka prediction source on the mock; windows of 1h and an allowed lateness
/// wider than the data (partitions are consumed at different paces, so events of one partition
/// can run ahead of another's; the tests compare with a file read in order, see README "Kafka").
func writeKafkaConfig(_ dir: TempDir, name: String = "monitor.yaml", store: String = "monitor.db", bootstrap: String, group: String = "monitor",
                      topic: String = "predictions", deadLetterTopic: String? = nil, listen: String = "", properties: String = "") throws -> String {
    let root = MonitorProcess.packageRoot.path
    _ = try dir.write("alerts.yaml", """
        route: {receiver: file}
        receivers:
          - name: file
            file_configs:
              - path: notifications.jsonl
        """)
    let dlq = deadLetterTopic.map { "\n      dead_letter_topic: \($0)" } ?? ""
    return try dir.write(name, """
        sources:
          - name: predictions
            type: kafka
            kafka:
              brokers: \(bootstrap)
              group: \(group)
              topics: [\(topic)]\(dlq)
              properties: {session.timeout.ms: 6000, heartbeat.interval.ms: 500, statistics.interval.ms: 500\(properties)}
        reference: {file: data/reference.jsonl}
        windows:
          - {name: 1h, size: 1h}
        allowed_lateness: 3d
        store: {path: \(store), checkpoint_interval: 200ms}
        rules: [\(root)/rules/*.yaml]
        alerts: [alerts.yaml]
        http: {listen: "\(listen)"}
        """)
}

/// The same monitor reading the same events from a file, uninterrupted: the expected results.
func fileRunResults(_ dir: TempDir, data: String = "data/predictions.jsonl") throws -> [WindowResult] {
    let ref = try TempDir()
    try FileManager.default.copyItem(atPath: dir.path("data"), toPath: ref.path("data"))
    let config = try writeRunConfig(ref, source: data, lateness: "3d", reference: "file: data/reference.jsonl")
    let run = try MonitorProcess.run(["run", "--config", config, "--once"])
    #expect(run.code == 0, "\(run.stderr)")
    let store = try SQLiteStore(path: ref.path("monitor.db"))
    defer { store.close() }
    return try store.windowResults(model: nil, from: nil, to: nil)
}

/// Window results of a store.
func storedResults(_ path: String) throws -> [WindowResult] {
    let store = try SQLiteStore(path: path)
    defer { store.close() }
    return try store.windowResults(model: nil, from: nil, to: nil)
}

/// Compares window results: same windows and counts, every sample equal to 1e-12 relative
/// (events from several partitions arrive in another order than in the file; sums of the
/// same values in another order may differ in the last bits).
func expectSameResults(_ expected: [WindowResult], _ got: [WindowResult], _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(expected.count == got.count, "\(context): \(got.count) windows, expected \(expected.count)", sourceLocation: sourceLocation)
    var differences = 0
    for (a, b) in zip(expected, got) {
        guard a.key.storageKey == b.key.storageKey, a.eventCount == b.eventCount else {
            Issue.record("\(context): window \(b.key.storageKey) n=\(b.eventCount), expected \(a.key.storageKey) n=\(a.eventCount)", sourceLocation: sourceLocation)
            differences += 1
            if differences > 3 { return }
            continue
        }
        let sa = Dictionary(a.samples.map { ("\($0.metric)\($0.labels)", $0.value) }, uniquingKeysWith: { x, _ in x })
        let sb = Dictionary(b.samples.map { ("\($0.metric)\($0.labels)", $0.value) }, uniquingKeysWith: { x, _ in x })
        if Set(sa.keys) != Set(sb.keys) {
            Issue.record("\(context): window \(a.key.storageKey): series differ", sourceLocation: sourceLocation)
            differences += 1
            continue
        }
        for (k, x) in sa {
            let y = sb[k]!
            if x.isNaN && y.isNaN { continue }
            if abs(x - y) > 1e-12 * max(1, abs(x)) {
                Issue.record("\(context): window \(a.key.storageKey) \(k): \(y), expected \(x)", sourceLocation: sourceLocation)
                differences += 1
                if differences > 3 { return }
            }
        }
    }
}

/// Simulated fleet logs under `dir/data` (predictions.jsonl, reference.jsonl).
func simulate(_ dir: TempDir, rows: Int, seed: Int) throws {
    let sim = try MonitorProcess.run([
        "simulate", "--out", dir.path("data"), "--rows", "\(rows)", "--reference-rows", "4000", "--seed", "\(seed)",
        "--duration", "2d", "--drift-start", "2026-11-02T00:00:00Z", "--drift", "amount:shift=0.8,country:new-category=0.2",
    ])
    #expect(sim.code == 0, "\(sim.stderr)")
}

/// Splits a JSONL file into `parts` files of whole lines; returns their paths.
func splitLines(_ dir: TempDir, _ path: String, parts: Int) throws -> [String] {
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
    var out: [String] = []
    let per = (lines.count + parts - 1) / parts
    for i in 0..<parts {
        let slice = lines[min(lines.count, i * per)..<min(lines.count, (i + 1) * per)]
        out.append(try dir.write("part-\(i).jsonl", slice.joined(separator: "\n") + "\n"))
    }
    return out
}

/// The next offsets the store holds for a topic's partitions (sum over partitions).
func storedOffsetTotal(_ path: String, topic: String = "predictions") -> Int64 {
    guard let store = try? SQLiteStore(path: path) else { return -1 }
    defer { store.close() }
    return ((try? store.loadCheckpoint().positions) ?? []).filter { $0.key.hasPrefix("kafka:\(topic):") }.reduce(0) { $0 + $1.offset }
}

/// The value of a metric line in a `/metrics` body (`name{labels} value`), summed over matches.
func metricValue(_ body: String, _ prefix: String) -> Double? {
    var total: Double?
    for line in body.split(separator: "\n") where line.hasPrefix(prefix) {
        if let v = line.split(separator: " ").last.flatMap({ Double($0) }) { total = (total ?? 0) + v }
    }
    return total
}
