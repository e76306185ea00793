import Foundation
import MonitorCore
import MonitorStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `monitor run` with a Kafka source against librdkafka's mock cluster (real Kafka protocol on
/// loopback, in the `monitor-kafka-mock` helper process), under faults. Every test compares
/// with the same events read from a file by an uninterrupted run: the same windows, the same
/// counts, the same statistics — nothing lost, nothing counted twice.
@Suite("Kafka source", .serialized)
struct KafkaTests {
    @Test("Kafka in gives the same window results as the same events from a file")
    func kafkaEqualsFile() throws {
        let dir = try TempDir()
        try simulate(dir, rows: 20_000, seed: 31)
        let mock = try KafkaMock()
        try mock.send("topic predictions 8")
        #expect(try mock.produce(topic: "predictions", file: dir.path("data/predictions.jsonl")) == 20_000)
        let config = try writeKafkaConfig(dir, bootstrap: mock.bootstrap)
        let run = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("events: 20000"), "\(run.stdout)")
        #expect(run.stderr.contains("auto_offset_reset applies"), "the first assignment has no offset anywhere: logged")
        expectSameResults(try fileRunResults(dir), try storedResults(dir.path("monitor.db")), "kafka --once")

        // A second run starts at the stored offsets: nothing new, nothing twice.
        let again = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(again.code == 0, "\(again.stderr.suffix(2000))")
        #expect(again.stdout.contains("events: 0"), "\(again.stdout)")
        #expect(again.stderr.contains("from=stored offset"))
        #expect(try storedResults(dir.path("monitor.db")).count == 48)
    }

    /// The events arrive in ten pieces while the service runs; it is killed with SIGKILL at
    /// random moments (10 times) and restarted; a final `--once` run closes the last windows.
    @Test("10 x kill -9 during consumption: every event in exactly one window")
    func killNineDuringConsumption() throws {
        let dir = try TempDir()
        try simulate(dir, rows: 30_000, seed: 41)
        let mock = try KafkaMock()
        try mock.send("topic predictions 12")
        let parts = try splitLines(dir, dir.path("data/predictions.jsonl"), parts: 10)
        let config = try writeKafkaConfig(dir, bootstrap: mock.bootstrap)
        var rng = SystemRandomNumberGenerator()
        var service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        var kills = 0
        var atKill: [Int64] = []
        var produced = 0
        var behind = 0
        for part in parts {
            // Once the restarted service is back in the group (the killed member's session has
            // to time out first), produce a piece and kill the service at a random moment of its
            // consumption: before, between or after checkpoints (every 200 ms).
            _ = waitUntil(seconds: 30) { service.log.components(separatedBy: "monitor run started").last?.contains("kafka partition") ?? false }
            let storedBefore = storedOffsetTotal(dir.path("monitor.db"))
            produced += try mock.produce(topic: "predictions", file: part)
            // Kill points cycle through: a random moment soon after the piece was produced
            // (usually before its first checkpoint), right after the first checkpoint that
            // covers part of it, and a random moment after that. Tied to progress, not only to
            // time, so that a loaded machine still gets kills in the middle of consumption.
            switch kills % 3 {
            case 0:
                usleep(UInt32.random(in: 0...300_000, using: &rng))
            case 1:
                _ = waitUntil(seconds: 30) { storedOffsetTotal(dir.path("monitor.db")) > storedBefore }
            default:
                _ = waitUntil(seconds: 30) { storedOffsetTotal(dir.path("monitor.db")) > storedBefore }
                usleep(UInt32.random(in: 0...700_000, using: &rng))
            }
            service.kill9()
            let stored = storedOffsetTotal(dir.path("monitor.db"))
            atKill.append(stored)
            if stored < Int64(produced) { behind += 1 }
            kills += 1
            service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        }
        #expect(produced == 30_000)
        #expect(kills == 10)
        // The kills hit a consuming service: the stored offsets moved between most of them, and
        // several kills came before the piece was checkpointed.
        let moved = zip(atKill, atKill.dropFirst()).filter { $0 < $1 }.count
        #expect(moved >= 5, "stored offsets at each kill: \(atKill)")
        #expect(behind >= 3, "stored offsets at each kill: \(atKill)")
        print("kill -9 test: stored offsets at each kill \(atKill)")
        let caughtUp = waitUntil(seconds: 90) { storedOffsetTotal(dir.path("monitor.db")) == 30_000 }
        #expect(caughtUp, "stored offsets: \(storedOffsetTotal(dir.path("monitor.db"))) of 30000\n\(service.log.suffix(3000))")
        // The last instance is up (it rejoined the group) before it is asked to stop.
        let started = service.log.components(separatedBy: "monitor run started").count
        #expect(waitUntil(seconds: 30) { service.log.components(separatedBy: "monitor run started").last?.contains("kafka partition") ?? false },
                "\(started) starts\n\(service.log.suffix(2000))")
        #expect(service.terminate() == 0, "\(service.log.suffix(2000))")
        let final = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(final.code == 0, "\(final.stderr.suffix(2000))")
        let results = try storedResults(dir.path("monitor.db"))
        #expect(results.reduce(0) { $0 + $1.eventCount } == 30_000)
        expectSameResults(try fileRunResults(dir), results, "after \(kills) kills")
    }

    @Test("all brokers down for 30 s: /readyz degraded, no crash, resumes, nothing lost")
    func brokersDown() throws {
        let dir = try TempDir()
        try simulate(dir, rows: 12_000, seed: 51)
        let mock = try KafkaMock()
        try mock.send("topic predictions 6")
        let parts = try splitLines(dir, dir.path("data/predictions.jsonl"), parts: 2)
        let port = freeLoopbackPort()
        let config = try writeKafkaConfig(dir, bootstrap: mock.bootstrap, listen: "127.0.0.1:\(port)")
        let service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        defer { if service.process.isRunning { service.kill9() } }
        try mock.produce(topic: "predictions", file: parts[0])
        #expect(waitUntil(seconds: 60) { storedOffsetTotal(dir.path("monitor.db")) == 6_000 }, "\(service.log.suffix(2000))")
        #expect(httpGet("http://127.0.0.1:\(port)/readyz")?.0 == 200)

        try mock.send("down -1")
        let downAt = Date()
        let degraded = waitUntil(seconds: 30) {
            guard let (code, body) = httpGet("http://127.0.0.1:\(port)/readyz", timeout: 2) else { return false }
            return code == 503 && body.contains("kafka")
        }
        #expect(degraded, "/readyz did not report the brokers within 30 s: \(String(describing: httpGet("http://127.0.0.1:\(port)/readyz")))")
        let degradedAfter = Date().timeIntervalSince(downAt)
        usleep(UInt32(max(0, 30 - Date().timeIntervalSince(downAt)) * 1_000_000))
        #expect(service.process.isRunning, "the service died while the brokers were down\n\(service.log.suffix(2000))")
        try mock.send("up -1")
        let upAt = Date()
        try mock.produce(topic: "predictions", file: parts[1])
        let resumed = waitUntil(seconds: 30) { storedOffsetTotal(dir.path("monitor.db")) == 12_000 }
        #expect(resumed, "consumption did not resume within 30 s of the brokers returning: \(storedOffsetTotal(dir.path("monitor.db")))")
        let resumedAfter = Date().timeIntervalSince(upAt)
        #expect(waitUntil(seconds: 15) { httpGet("http://127.0.0.1:\(port)/readyz")?.0 == 200 })
        let metrics = httpGet("http://127.0.0.1:\(port)/metrics")?.1 ?? ""
        #expect((metricValue(metrics, "monitor_kafka_errors_total{") ?? 0) > 0, "errors counted by code")
        #expect(service.terminate() == 0, "\(service.log.suffix(2000))")
        let final = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(final.code == 0, "\(final.stderr.suffix(2000))")
        expectSameResults(try fileRunResults(dir), try storedResults(dir.path("monitor.db")), "brokers down")
        print("brokers down: degraded after \(String(format: "%.1f", degradedAfter)) s, caught up \(String(format: "%.1f", resumedAfter)) s after the brokers returned")
    }

    @Test("offset-commit errors, a coordinator change and leader changes lose nothing")
    func commitErrorsAndCoordinatorChange() throws {
        let dir = try TempDir()
        try simulate(dir, rows: 16_000, seed: 61)
        let mock = try KafkaMock()
        try mock.send("topic predictions 8")
        let parts = try splitLines(dir, dir.path("data/predictions.jsonl"), parts: 4)
        let port = freeLoopbackPort()
        let config = try writeKafkaConfig(dir, bootstrap: mock.bootstrap, listen: "127.0.0.1:\(port)")
        var service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        defer { if service.process.isRunning { service.kill9() } }
        try mock.produce(topic: "predictions", file: parts[0])
        #expect(waitUntil(seconds: 60) { storedOffsetTotal(dir.path("monitor.db")) == 4_000 }, "\(service.log.suffix(2000))")
        // OffsetCommit (API key 8) fails: NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE and
        // REQUEST_TIMED_OUT (librdkafka retries these), OFFSET_METADATA_TOO_LARGE (reported to
        // the commit callback) and ILLEGAL_GENERATION (the member rejoins: a rebalance).
        try mock.send("errors 8 16,15,7,12,12,22")
        try mock.produce(topic: "predictions", file: parts[1])
        #expect(waitUntil(seconds: 60) { storedOffsetTotal(dir.path("monitor.db")) == 8_000 }, "\(service.log.suffix(2000))")
        #expect(waitUntil(seconds: 15) {
            (metricValue(httpGet("http://127.0.0.1:\(port)/metrics")?.1 ?? "", "monitor_kafka_errors_total{") ?? 0) > 0
        }, "commit errors counted")
        // The group's coordinator moves to another broker, two partition leaders move, and every
        // broker answers 20 ms slower.
        try mock.send("coordinator monitor 3")
        try mock.send("leader predictions 0 2")
        try mock.send("leader predictions 5 3")
        try mock.send("rtt -1 20")
        try mock.produce(topic: "predictions", file: parts[2])
        #expect(waitUntil(seconds: 60) { storedOffsetTotal(dir.path("monitor.db")) == 12_000 }, "\(service.log.suffix(2000))")
        // A crash now resumes from the store's offsets, whatever the group's commits did.
        service.kill9()
        try mock.send("rtt -1 0")
        try mock.send("coordinator monitor 1")
        service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        try mock.produce(topic: "predictions", file: parts[3])
        #expect(waitUntil(seconds: 60) { storedOffsetTotal(dir.path("monitor.db")) == 16_000 }, "\(service.log.suffix(2000))")
        #expect(service.terminate() == 0, "\(service.log.suffix(2000))")
        let final = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(final.code == 0, "\(final.stderr.suffix(2000))")
        expectSameResults(try fileRunResults(dir), try storedResults(dir.path("monitor.db")), "commit errors")
    }

    /// Instance B joins the group during consumption and leaves again (SIGTERM); each instance
    /// has its own store. Per window, A's and B's event counts add up to the file run's: no
    /// event lost, none counted by both.
    @Test("a second instance joins and leaves during consumption: no loss, no duplicates")
    func secondInstanceJoinsAndLeaves() throws {
        let dir = try TempDir()
        try simulate(dir, rows: 24_000, seed: 71)
        let mock = try KafkaMock()
        try mock.send("topic predictions 8")
        let parts = try splitLines(dir, dir.path("data/predictions.jsonl"), parts: 4)
        let configA = try writeKafkaConfig(dir, name: "a.yaml", store: "a.db", bootstrap: mock.bootstrap)
        let configB = try writeKafkaConfig(dir, name: "b.yaml", store: "b.db", bootstrap: mock.bootstrap)
        let a = try ServiceProcess(config: configA, logPath: dir.path("a.log"))
        defer { if a.process.isRunning { a.kill9() } }
        try mock.produce(topic: "predictions", file: parts[0])
        #expect(waitUntil(seconds: 60) { storedOffsetTotal(dir.path("a.db")) == 6_000 }, "\(a.log.suffix(2000))")

        let b = try ServiceProcess(config: configB, logPath: dir.path("b.log"))
        defer { if b.process.isRunning { b.kill9() } }
        #expect(waitUntil(seconds: 60) { b.log.contains("kafka partition") }, "B never got partitions\n\(b.log.suffix(2000))")
        try mock.produce(topic: "predictions", file: parts[1])
        try mock.produce(topic: "predictions", file: parts[2])
        // The same model on partitions owned by two instances is reported.
        let split = waitUntil(seconds: 45) { a.log.contains("partition-by-model violated") || b.log.contains("partition-by-model violated") }
        #expect(split, "no instance reported the model split across owners")
        #expect(b.terminate() == 0, "\(b.log.suffix(2000))")
        try mock.produce(topic: "predictions", file: parts[3])
        #expect(waitUntil(seconds: 60) { storedOffsetTotal(dir.path("a.db")) == 24_000 }, "A: \(storedOffsetTotal(dir.path("a.db")))\n\(a.log.suffix(3000))")
        // Source events are logged at most four times a second, so the line may follow the
        // checkpoint that the wait above saw.
        #expect(waitUntil(seconds: 10) { a.log.contains("the previous owner's window state is not transferred") },
                "A took B's partitions back from their committed offsets\n\(a.log.suffix(2000))")
        #expect(a.terminate() == 0, "\(a.log.suffix(2000))")
        // Close the open windows of both (B first: it finds nothing new beyond A's commits).
        let finalA = try MonitorProcess.run(["run", "--config", configA, "--once"])
        #expect(finalA.code == 0, "\(finalA.stderr.suffix(2000))")
        let finalB = try MonitorProcess.run(["run", "--config", configB, "--once"])
        #expect(finalB.code == 0, "\(finalB.stderr.suffix(2000))")
        #expect(finalB.stdout.contains("events: 0"), "\(finalB.stdout)")

        let expected = try fileRunResults(dir)
        var counts: [String: Int] = [:]
        let ra = try storedResults(dir.path("a.db"))
        let rb = try storedResults(dir.path("b.db"))
        for r in ra + rb { counts[r.key.storageKey, default: 0] += r.eventCount }
        #expect(!rb.isEmpty, "B counted events while it owned partitions")
        #expect(counts.values.reduce(0, +) == 24_000)
        for r in expected where counts[r.key.storageKey] != r.eventCount {
            Issue.record("window \(r.key.storageKey): A + B counted \(counts[r.key.storageKey] ?? 0), expected \(r.eventCount)")
        }
    }

    @Test("one malformed message among 10,000: counted, dead-lettered, the partition's lag reaches 0")
    func poisonMessage() throws {
        let dir = try TempDir()
        try simulate(dir, rows: 10_000, seed: 81)
        let mock = try KafkaMock()
        try mock.send("topic predictions 4")
        try mock.send("topic predictions-dlq 1")
        let parts = try splitLines(dir, dir.path("data/predictions.jsonl"), parts: 2)
        try mock.produce(topic: "predictions", file: parts[0])
        try mock.send(#"message predictions 2 {"id":"p-poison","ts":"2026-11-01T10:00:00Z","model":"fraud","features":{"amount":"#)
        try mock.produce(topic: "predictions", file: parts[1])
        let port = freeLoopbackPort()
        let config = try writeKafkaConfig(dir, bootstrap: mock.bootstrap, deadLetterTopic: "predictions-dlq", listen: "127.0.0.1:\(port)")
        let service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        defer { if service.process.isRunning { service.kill9() } }
        var metrics = ""
        let drained = waitUntil(seconds: 60) {
            metrics = httpGet("http://127.0.0.1:\(port)/metrics")?.1 ?? ""
            let lags = (0..<4).map { metricValue(metrics, "monitor_consumer_lag{topic=\"predictions\",partition=\"\($0)\"}") }
            return lags.allSatisfy { $0 == 0 } && metricValue(metrics, "monitor_events_total{") == 10_000
        }
        #expect(drained, "lag did not reach 0:\n\(metrics.split(separator: "\n").filter { $0.contains("lag") || $0.contains("events_total") })\n\(service.log.suffix(2000))")
        #expect(metricValue(metrics, "monitor_decode_errors_total{source=\"predictions\",reason=\"malformed_json\"}") == 1)
        #expect(waitUntil(seconds: 10) {
            metricValue(httpGet("http://127.0.0.1:\(port)/metrics")?.1 ?? "", "monitor_dead_letters_total{") == 1
        })
        let dlq = try mock.watermarks("predictions-dlq")
        #expect(dlq[0]?.1 == 1, "dead-letter topic: \(dlq)")
        #expect(service.log.contains("poison messages skipped"))
        #expect(service.log.contains("predictions/2@"), "the log names the partition and offset")
        #expect(service.terminate() == 0, "\(service.log.suffix(2000))")
        // The partition's offset moved past the poison message.
        let wm = try mock.watermarks("predictions")
        #expect(storedOffsetTotal(dir.path("monitor.db")) == wm.values.reduce(0) { $0 + $1.1 })
    }

    @Test("secrets come from the environment or a file, and appear in no output")
    func secrets() throws {
        let dir = try TempDir()
        try simulate(dir, rows: 2_000, seed: 91)
        let mock = try KafkaMock(brokers: 1)
        try mock.send("topic predictions 2")
        try mock.produce(topic: "predictions", file: dir.path("data/predictions.jsonl"))
        let secret = "s3cr3t-\(UInt32.random(in: 0...UInt32.max))"
        _ = try dir.write("key-password", secret + "\n")
        let config = try writeKafkaConfig(dir, bootstrap: mock.bootstrap, properties: """
            , sasl.username: monitor, sasl.password: "${MONITOR_TEST_KAFKA_PASSWORD}", ssl.key.password: {file: key-password}
            """)
        // Unset: a start-up error naming the variable.
        let missing = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(missing.code == 1)
        #expect(missing.stderr.contains("environment variable MONITOR_TEST_KAFKA_PASSWORD is not set"), "\(missing.stderr)")
        // Set: the run works and neither secret is printed or stored.
        setenv("MONITOR_TEST_KAFKA_PASSWORD", secret + "-env", 1)
        defer { unsetenv("MONITOR_TEST_KAFKA_PASSWORD") }
        let run = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(2000))")
        #expect(run.stdout.contains("events: 2000"), "\(run.stdout)")
        #expect(!(run.stdout + run.stderr).contains(secret))
        for file in ["monitor.db", "monitor.db-wal"] {
            guard let db = FileManager.default.contents(atPath: dir.path(file)) else { continue }
            #expect(db.range(of: Data(secret.utf8)) == nil, "a secret was written to \(file)")
        }
    }

    /// Predictions and labels each on their own topic (4 partitions, so labels arrive out of
    /// time order), both consumed through Kafka: the join's counters and every window's final
    /// performance equal the run over the same two files. The horizon (60d) is longer than every
    /// label delay of the data (up to ~33 days), so no prediction expires and the order of
    /// arrival cannot change what joins. (With a shorter horizon the join clock, the latest
    /// label time, can run ahead on one partition and expire predictions whose labels wait on
    /// another: the README's caveat on skew between label partitions.)
    @Test("labels from a Kafka topic join as labels from a file")
    func labelsFromKafka() throws {
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "8000", "--reference-rows", "4000", "--seed", "53",
            "--duration", "2d", "--degrade", "0.2", "--degrade-start", "2026-11-02T00:00:00Z",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let settings = "horizon: 60d, min_coverage: 0.9, positive_class: fraud"
        let refDir = try TempDir()
        try FileManager.default.copyItem(atPath: dir.path("data"), toPath: refDir.path("data"))
        let refConfig = try writeLabelConfig(refDir, predictions: "data/predictions.jsonl", labels: "data/labels.jsonl", window: "6h",
                                             labelSettings: settings, reference: "file: data/reference.jsonl", follow: false)
        let refRun = try MonitorProcess.run(["run", "--config", refConfig, "--once"])
        #expect(refRun.code == 0, "\(refRun.stderr.suffix(2000))")

        let mock = try KafkaMock()
        try mock.send("topic predictions 4")
        try mock.send("topic labels 4")
        let labelLines = try String(contentsOfFile: dir.path("data/labels.jsonl"), encoding: .utf8).split(separator: "\n").count
        #expect(try mock.produce(topic: "predictions", file: dir.path("data/predictions.jsonl")) == 8000)
        #expect(try mock.produce(topic: "labels", file: dir.path("data/labels.jsonl")) == labelLines)
        let root = MonitorProcess.packageRoot.path
        let properties = "{session.timeout.ms: 6000, heartbeat.interval.ms: 500}"
        let config = try dir.write("monitor.yaml", """
            sources:
              - name: predictions
                type: kafka
                kafka: {brokers: "\(mock.bootstrap)", group: monitor, topics: [predictions], properties: \(properties)}
              - name: labels
                kind: labels
                type: kafka
                kafka: {brokers: "\(mock.bootstrap)", group: monitor-labels, topics: [labels], properties: \(properties)}
            reference: {file: data/reference.jsonl}
            windows:
              - {name: 6h, size: 6h}
            allowed_lateness: 3d
            store: {path: monitor.db, checkpoint_interval: 200ms}
            labels: {\(settings)}
            rules: [\(root)/rules/*.yaml]
            http: {listen: ""}
            """)
        let run = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(3000))")
        func counters(_ out: String) -> String? {
            out.split(separator: "\n").first { $0.hasPrefix("labels: ") }.map(String.init)
        }
        #expect(counters(run.stdout) != nil && counters(refRun.stdout) == counters(run.stdout), "\(refRun.stdout)\n---\n\(run.stdout)")
        let a = try SQLiteStore(path: refDir.path("monitor.db"))
        let b = try SQLiteStore(path: dir.path("monitor.db"))
        defer {
            a.close()
            b.close()
        }
        #expect(try a.labelJoinCounts() == b.labelJoinCounts())
        let fa = try finalFigures(a)
        let fb = try finalFigures(b)
        #expect(fa.count == 8)
        #expect(fa.count == fb.count)
        for (x, y) in zip(fa, fb) where x != y {
            Issue.record("window differs:\n  files: \(x.prefix(400))\n  kafka: \(y.prefix(400))")
            break
        }
        // The label topic's offsets are checkpointed with the join.
        #expect(storedOffsetTotal(dir.path("monitor.db"), topic: "labels") == Int64(labelLines))
    }
}
