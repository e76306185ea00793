import Foundation
import MonitorCore
import MonitorStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Secrets stay secret", .serialized)
struct SecretLeakTests {
    /// A run with a signing secret from the environment, a second one from a file (rotation) and a
    /// PagerDuty routing key from a file, at trace log level, scraped, then stopped: no secret, in
    /// any encoding we use, is in the log, in /metrics or in the store's files. The receiver
    /// verifies the signatures, so the secrets were used.
    @Test("no secret in logs, /metrics or the store")
    func grepForSecrets() throws {
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "6000", "--reference-rows", "4000", "--seed", "8",
            "--duration", "1d", "--drift-start", "2026-11-01T06:00:00Z", "--drift", "amount:shift=1.0,country:new-category=0.3",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let keyA = Data((0..<32).map { UInt8(($0 * 7 + 3) & 0xff) })
        let keyB = Data((0..<32).map { UInt8(($0 * 11 + 5) & 0xff) })
        let secretA = "whsec_" + keyA.base64EncodedString()
        let secretB = "whsec_" + keyB.base64EncodedString()
        let routingKey = "R0UTINGKEYc0ffee1234567890abcdef"
        _ = try dir.write("secret-b", secretB + "\n")
        _ = try dir.write("pd-key", routingKey + "\n")
        let python = MonitorProcess.packageRoot.appendingPathComponent(".venv-webhooks/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run scripts/setup: \(python) is missing")
        let receiver = try WebhookReceiverProcess(dir: dir, secret: secretB, python: python)
        try #require(receiver.port > 0)
        let port = freeLoopbackPort()
        let config = try writeRunConfig(dir, source: "data/predictions.jsonl", reference: "file: data/reference.jsonl")
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "http: {listen: \"\"}", with: "http: {listen: \"127.0.0.1:\(port)\"}")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        _ = try dir.write("alerts.yaml", """
            route: {receiver: hook, group_by: ['...'], group_wait: 0s, repeat_interval: 1h}
            receivers:
              - name: hook
                webhook_configs:
                  - url: http://127.0.0.1:\(receiver.port)/hook
                    format: alertmanager
                    secret: ${MONITOR_TEST_WEBHOOK_SECRET}
                    secret_file: secret-b
                    allowlist: [127.0.0.0/8]
                  - url: http://127.0.0.1:\(receiver.port)/pagerduty
                    format: pagerduty
                    routing_key_file: pd-key
                    secret_file: secret-b
                    allowlist: [127.0.0.0/8]
            """)
        let p = Process()
        p.executableURL = MonitorProcess.binary
        p.arguments = ["run", "--config", config, "--log-level", "trace"]
        p.environment = ProcessInfo.processInfo.environment.merging(["MONITOR_TEST_WEBHOOK_SECRET": secretA]) { $1 }
        let logPath = dir.path("run.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        p.standardError = log
        p.standardOutput = log
        try p.run()
        // Until the receiver got notifications of both formats and /metrics answers.
        #expect(waitUntil(seconds: 60) {
            let reqs = receiver.requests
            return reqs.contains { $0.headers["content-type"] != nil && $0.body.contains("\"version\":\"4\"") }
                && reqs.contains { $0.body.contains("routing_key") }
        })
        var metrics = ""
        #expect(waitUntil(seconds: 10) {
            guard let (status, body) = httpGet("http://127.0.0.1:\(port)/metrics") else { return false }
            metrics = body
            return status == 200 && body.contains("monitor_outbox_pending")
        })
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        try log.close()

        // The secrets were used: Alertmanager-format requests verify with the file secret.
        let signed = receiver.requests.filter { $0.headers["webhook-signature"] != nil }
        #expect(!signed.isEmpty)
        #expect(signed.contains { ($0.headers["webhook-signature"] ?? "").split(separator: " ").count == 2 })  // rotation: two
        #expect(signed.count == receiver.requests.count)
        #expect(metrics.contains("monitor_notifications_total{receiver=\"hook\",status=\"delivered\"}"))

        // Every form a secret could take: the secret strings, their key bytes in base64 and hex.
        var needles = [secretA, secretB, keyA.base64EncodedString(), keyB.base64EncodedString(), routingKey]
        needles += [keyA, keyB].map { $0.map { String(format: "%02x", $0) }.joined() }
        var haystacks: [(String, Data)] = [("log", try Data(contentsOf: URL(fileURLWithPath: logPath))), ("metrics", Data(metrics.utf8))]
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path("")) where f.hasPrefix("monitor.db") {
            haystacks.append((f, try Data(contentsOf: URL(fileURLWithPath: dir.path(f)))))
        }
        #expect(haystacks.count >= 3)
        for (name, data) in haystacks {
            for needle in needles {
                #expect(data.range(of: Data(needle.utf8)) == nil, "a secret is in \(name)")
            }
        }
        // And the store did record the run (so the grep looked at real content).
        let store = try SQLiteStore(path: dir.path("monitor.db"))
        defer { store.close() }
        #expect(try store.outboxEntries(state: .delivered).count >= 2)
        // The receiver answers 401 to a signature it cannot verify, which would leave rows dead.
        #expect(try store.outboxEntries(state: .dead).isEmpty)
        #expect(try store.deliveryAttempts(notificationID: nil).count >= 2)
    }
}
