import Foundation
import MonitorCore
import MonitorStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The webhook, Kafka and file trigger sinks end to end (no MLflow needed), and the
/// visibility of triggers: `monitor triggers list` and `/metrics`-style counts.
@Suite("Retraining trigger sinks: webhook, Kafka, file", .serialized)
struct TriggerSinkTests {
    /// A Standard Webhooks secret (16 random-looking bytes, base64): test-only.
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    @Test("webhook: a signed POST whose signature the independent standardwebhooks package verifies; webhook-id is the trigger id")
    func signedWebhook() async throws {
        let dir = try TempDir()
        let python = MonitorProcess.packageRoot.appendingPathComponent(".venv-webhooks/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run scripts/setup: \(python) is missing")
        let receiver = try WebhookReceiverProcess(dir: dir, secret: Self.secret, python: python)
        try #require(receiver.port > 0, "the receiver did not start")
        let config = try await writeTriggerScenario(dir, registry: """
              webhook:
                url: http://127.0.0.1:\(receiver.port)/retrain
                secret: ${TRIGGER_SECRET}
                allowlist: [127.0.0.0/8]
            """)
        let run = try await runMonitorAsync(["run", "--config", config, "--once"], environment: ["TRIGGER_SECRET": Self.secret])
        #expect(run.code == 0, "\(run.stderr.suffix(3000))")
        let t = try #require(try storedTriggers(dir).first)
        #expect(await waitUntilAsync(seconds: 10) { !receiver.requests.isEmpty })
        let requests = receiver.requests
        try #require(requests.count == 1, "\(requests.map(\.id))")
        #expect(requests[0].id == t.trigger.id)
        #expect(requests[0].body == t.payload, "the stored payload is sent byte for byte")
        #expect(requests[0].headers["webhook-signature"]?.hasPrefix("v1,") == true)
        let log = try String(contentsOfFile: receiver.log, encoding: .utf8)
        #expect(log.contains("\"verified\": true"), "\(log)")
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(t.payload.utf8)) as? [String: Any])
        for key in ["trigger_id", "model", "version", "rule", "expression", "series", "window", "reason", "fired_at", "labels", "reference"] {
            #expect(payload[key] != nil, "payload lacks \(key): \(t.payload)")
        }
    }

    @Test("an unsigned secret reference that is not set fails the start with a clear error")
    func missingSecret() async throws {
        let dir = try TempDir()
        let config = try await writeTriggerScenario(dir, registry: """
              webhook:
                url: http://127.0.0.1:9/retrain
                secret: ${NO_SUCH_TRIGGER_SECRET}
            """)
        let run = try await runMonitorAsync(["run", "--config", config, "--once"])
        #expect(run.code == 1)
        #expect(run.stderr.contains("registry.webhook.secret: environment variable NO_SUCH_TRIGGER_SECRET is not set"), "\(run.stderr)")
    }

    @Test("kafka: the trigger is produced (idempotent producer) and a test consumer reads it from the mock cluster")
    func kafka() async throws {
        let mock = try KafkaMock(brokers: 3)
        try mock.send("topic retrain-triggers 3")
        let dir = try TempDir()
        let config = try await writeTriggerScenario(dir, registry: """
              kafka:
                brokers: \(mock.bootstrap)
                topic: retrain-triggers
                timeout: 10s
            """)
        let run = try await runMonitorAsync(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(3000))")
        let t = try #require(try storedTriggers(dir).first)
        #expect(try triggerOutbox(dir).map(\.state) == [.delivered])
        let out = dir.path("consumed.jsonl")
        #expect(try mock.send("consume retrain-triggers \(out)") == "1")
        let line = try String(contentsOfFile: out, encoding: .utf8).trimmingCharacters(in: .newlines)
        let message = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        #expect(message["key"] as? String == "fraud")
        #expect((message["headers"] as? [String: String])?["trigger-id"] == t.trigger.id)
        let value = try #require(message["value"] as? [String: Any])
        #expect(value["trigger_id"] as? String == t.trigger.id && value["model"] as? String == "fraud")
    }

    @Test("file sink, cooldown and list: one trigger delivered, later firings suppressed with the reason")
    func fileSinkAndPolicy() async throws {
        let dir = try TempDir()
        // A cooldown of 2h and room for 5 open triggers: the alert on amount fires once per
        // window of a second rule too, so the policy has something to suppress.
        let config = try await writeTriggerScenario(dir, registry: """
              cooldown: 2h
              max_open_triggers: 5
              file: {path: triggers.jsonl}
            """)
        try writeTwoRetrainRules(dir)
        let run = try await runMonitorAsync(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(3000))")
        let records = try storedTriggers(dir)
        let emitted = records.filter { $0.status == .emitted }
        let suppressed = records.filter { $0.status == .suppressed }
        let summary = records.map { ($0.trigger.rule, $0.trigger.firedAt, $0.status, $0.statusReason ?? "") }
        try #require(!emitted.isEmpty && !suppressed.isEmpty, "\(summary)")
        // Replay the decisions: emitted ones are at least 2h apart (the first is free); each
        // suppressed one is within 2h of the last emitted one before it, and says so.
        let cooldown: Int64 = 2 * 3_600_000
        var last: TriggerRecord?
        for r in records {
            let at = r.trigger.firedAtMilliseconds
            switch r.status {
            case .emitted:
                if let l = last { #expect(at - l.trigger.firedAtMilliseconds >= cooldown, "\(summary)") }
                last = r
            case .suppressed:
                let l = try #require(last, "suppressed before any emitted: \(summary)")
                #expect(at - l.trigger.firedAtMilliseconds < cooldown, "\(summary)")
                #expect((r.statusReason ?? "").hasPrefix("cooldown: model \"fraud\" had trigger \(l.trigger.id)"), "\(summary)")
            case .silenced:
                Issue.record("no silence here: \(summary)")
            }
        }
        let lines = try String(contentsOfFile: dir.path("triggers.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == emitted.count && zip(lines, emitted).allSatisfy { $0.contains($1.trigger.id) })

        let list = try await runMonitorAsync(["triggers", "list", "--config", config, "--model", "fraud"])
        #expect(list.code == 0, "\(list.stderr)")
        #expect(list.stdout.contains("suppressed") && list.stdout.contains("reason: cooldown"), "\(list.stdout)")
        #expect(list.stdout.contains("file: delivered"), "\(list.stdout)")
        let none = try await runMonitorAsync(["triggers", "list", "--config", config, "--model", "churn"])
        #expect(none.stdout == "no retraining triggers\n")
        let json = try await runMonitorAsync(["triggers", "list", "--store", dir.path("monitor.db"), "--format", "json"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == records.count)
        #expect(items.contains { $0["status"] as? String == "emitted" && $0["state"] as? String == "delivered" })
    }

    @Test("/metrics counts triggers by model, sink and status, and passes promtool check metrics")
    func metrics() async throws {
        let dir = try TempDir()
        let port = freeLoopbackPort()
        var config = try await writeTriggerScenario(dir, registry: "  cooldown: 2h\n  max_open_triggers: 5\n  file: {path: triggers.jsonl}")
        try writeTwoRetrainRules(dir)
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "http: {listen: \"\"}", with: "http: {listen: \"127.0.0.1:\(port)\"}")
        config = try dir.write("monitor.yaml", text)
        let service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        defer { _ = service.terminate() }
        let base = "http://127.0.0.1:\(port)"
        let delivered = #"monitor_retrain_triggers_total{model="fraud",sink="file",status="delivered"}"#
        #expect(await waitUntilAsync(seconds: 90) { httpGet(base + "/metrics")?.1.contains(delivered) == true }, "\(service.log.suffix(3000))")
        // The service keeps following the file, so there is no "done": triggers are decided as
        // windows close, and a second one may be emitted after the first was delivered. The
        // property is that the counters agree with the store once everything is read and
        // delivered — checked on one snapshot (store read between two identical scrapes), so
        // a trigger decided between the reads cannot make it look wrong or right.
        let counter = { (body: String, status: String) in
            metricValue(body, "monitor_retrain_triggers_total{model=\"fraud\",sink=\"file\",status=\"\(status)\"}") ?? 0
        }
        var body = ""
        var records: [TriggerRecord] = []
        let agreed = await waitUntilAsync(seconds: 90) {
            guard let before = httpGet(base + "/metrics")?.1 else { return false }
            records = (try? storedTriggers(dir)) ?? []
            guard let after = httpGet(base + "/metrics")?.1 else { return false }
            body = after
            let samples = { (b: String) in b.split(separator: "\n").filter { $0.hasPrefix("monitor_retrain_triggers_total") || $0.hasPrefix("monitor_events_total") } }
            guard samples(before) == samples(after), metricValue(after, #"monitor_events_total{source="predictions"}"#) == 12000 else { return false }
            let emitted = Double(records.filter { $0.status == .emitted }.count)
            let suppressed = Double(records.filter { $0.status == .suppressed }.count)
            return emitted > 0 && counter(after, "enqueued") == emitted && counter(after, "delivered") == emitted
                && counter(after, "suppressed") == suppressed
        }
        let emitted = records.filter { $0.status == .emitted }.count
        let suppressed = records.filter { $0.status == .suppressed }.count
        #expect(agreed, "store: \(emitted) emitted, \(suppressed) suppressed; /metrics:\n\(body)")
        #expect(!body.contains("receiver=\"@registry\""), "trigger rows are not counted as notifications")
        let promtool = try #require(try runTool("/usr/bin/promtool", ["check", "metrics"], stdin: body), "promtool is not installed")
        #expect(promtool.0 == 0, "promtool check metrics:\n\(promtool.1)")
        #expect(service.terminate() == 0)
    }

    @Test("a silence covering the alert silences the trigger (recorded, not sent)")
    func silenced() async throws {
        let dir = try TempDir()
        let config = try await writeTriggerScenario(dir, registry: "  file: {path: triggers.jsonl}")
        let add = try await runMonitorAsync(["silence", "add", "--config", config, "alertname=AmountDrift", "--duration", "1h",
                                          "--comment", "retraining already running"])
        #expect(add.code == 0, "\(add.stderr)")
        let run = try await runMonitorAsync(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(3000))")
        let records = try storedTriggers(dir)
        try #require(records.count == 1)
        #expect(records[0].status == .silenced)
        #expect(records[0].statusReason?.contains("retraining already running") == true, "\(records[0].statusReason ?? "")")
        #expect(try triggerOutbox(dir).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.path("triggers.jsonl")))
    }
}

/// Replaces the scenario's rules with two retrain rules on the same feature, so that the
/// second firing meets the cooldown.
private func writeTwoRetrainRules(_ dir: TempDir) throws {
    _ = try dir.write("retrain.yaml", """
        groups:
          - name: retraining
            rules:
              - alert: AmountDrift
                expr: psi{feature="amount"} > 0.2
                actions: [retrain]
              - alert: AmountShift
                expr: wasserstein_normed{feature="amount"} > 0.1
                actions: [retrain]
        """)
}
