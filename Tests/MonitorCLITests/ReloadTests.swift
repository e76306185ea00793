import Foundation
import MonitorCore
import MonitorStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every alert label set in a firing alert of a notification file (generic JSON lines).
func firingLabels(inNotificationFile path: String) -> (lines: [String], firing: Set<[String: String]>) {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    let lines = text.split(separator: "\n").map(String.init)
    var out: Set<[String: String]> = []
    for line in lines {
        let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        for a in o?["alerts"] as? [[String: Any]] ?? [] where a["status"] as? String == "firing" {
            out.insert(a["labels"] as? [String: String] ?? [:])
        }
    }
    return (lines, out)
}

@Suite("Hot reload", .serialized)
struct ReloadTests {
    /// Writes a config whose rules and alerts live in the test's directory, so the test can
    /// change them. Returns the config path.
    static func writeConfig(_ dir: TempDir, port: Int, source: String, extra: String = "") throws -> String {
        try FileManager.default.createDirectory(atPath: dir.path("rules"), withIntermediateDirectories: true)
        let rulesDir = MonitorProcess.packageRoot.appendingPathComponent("rules").path
        for f in try FileManager.default.contentsOfDirectory(atPath: rulesDir) where f.hasSuffix(".yaml") {
            let target = dir.path("rules/\(f)")
            if !FileManager.default.fileExists(atPath: target) {
                try FileManager.default.copyItem(atPath: rulesDir + "/" + f, toPath: target)
            }
        }
        _ = try dir.write("alerts.yaml", """
            route: {receiver: file, group_by: ['...'], group_wait: 0s, group_interval: 1m, repeat_interval: 1d}
            receivers:
              - name: file
                file_configs:
                  - path: notifications.jsonl
            """)
        return try dir.write("monitor.yaml", """
            sources:
              - name: predictions
                path: \(source)
                poll_interval: 20ms
            reference: {file: data/reference.jsonl}
            windows:
              - {name: 1h, size: 1h}
            allowed_lateness: 1m
            store: {path: monitor.db, checkpoint_interval: 100ms}
            rules: [rules/*.yaml]
            alerts: [alerts.yaml]
            http: {listen: "127.0.0.1:\(port)", api_token: "${MONITOR_API_TOKEN}"}
            \(extra)
            """)
    }

    /// 20 reloads while `monitor run` follows a growing file: even ones valid (the project's
    /// rules, then the same plus a rule that never fires, alternately), odd ones invalid (a rule
    /// with a syntax error, or a config with an unknown key), triggered alternately by SIGHUP
    /// and `POST /-/reload`. `monitor_config_last_reload_successful` must follow each one;
    /// an invalid reload must report its errors with file:line:col and leave the running rules
    /// in force. At the end, the alert transitions must equal those of one `--once` run over
    /// the same data with the same rules, and every alert that fired must have reached the file
    /// receiver, each notification exactly once.
    @Test("20 reloads alternating valid and invalid lose no alert or notification")
    func twentyReloads() throws {
        let token = "reload-token-0123456789abcdef"
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "12000", "--reference-rows", "6000", "--seed", "21",
            "--duration", "2d", "--drift-start", "2026-11-01T10:00:00Z",
            "--drift", "amount:shift=0.8,country:new-category=0.2,credit_utilization:missing=0.2",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let data = try Array(Data(contentsOf: URL(fileURLWithPath: dir.path("data/predictions.jsonl"))))
        try FileManager.default.createDirectory(atPath: dir.path("live"), withIntermediateDirectories: true)
        let port = freeLoopbackPort()
        let config = try Self.writeConfig(dir, port: port, source: "live/pred.jsonl")
        let validConfig = try String(contentsOfFile: config, encoding: .utf8)
        let base = "http://127.0.0.1:\(port)"
        let service = try ServiceProcess(config: config, logPath: dir.path("service.log"), environment: ["MONITOR_API_TOKEN": token])
        defer { if service.process.isRunning { service.kill9() } }
        #expect(waitUntil(seconds: 120) { service.log.contains("pipeline running") }, "\(service.log.suffix(2000))")
        #expect(waitUntil(seconds: 30) { httpGet(base + "/healthz")?.0 == 200 })

        let live = dir.path("live/pred.jsonl")
        let extraRule = dir.path("rules/zz-extra.yaml")
        var offset = 0
        let pieces = 20
        for i in 0..<pieces {
            // A piece of the data (whole lines).
            var end = min(data.count, (i + 1) * data.count / pieces)
            while end < data.count, data[end - 1] != UInt8(ascii: "\n") { end += 1 }
            append(live, data[offset..<end])
            offset = end

            let valid = i % 2 == 0
            if valid {
                try? FileManager.default.removeItem(atPath: extraRule)
                try validConfig.write(toFile: config, atomically: true, encoding: .utf8)
                if i % 4 == 2 {
                    _ = try dir.write("rules/zz-extra.yaml", """
                        groups:
                          - name: never
                            rules:
                              - alert: NeverFires
                                expr: psi > 1e300
                        """)
                }
            } else if i % 4 == 1 {
                _ = try dir.write("rules/zz-extra.yaml", "groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: psi >\n")
            } else {
                try (validConfig + "\nunknown_key: 1\n").write(toFile: config, atomically: true, encoding: .utf8)
            }
            let viaHTTP = (i / 2) % 2 == 1
            if viaHTTP {
                let r = try #require(httpRequest("POST", base + "/-/reload", headers: ["Authorization": "Bearer \(token)"]))
                #expect(r.status == (valid ? 200 : 400), "reload \(i): \(r.status) \(r.body)")
                if !valid {
                    // Positioned errors: path:line:col.
                    #expect(r.body.range(of: #"\.yaml:[0-9]+:[0-9]+: "#, options: .regularExpression) != nil, "reload \(i): \(r.body)")
                }
            } else {
                kill(service.process.processIdentifier, SIGHUP)
            }
            let expected: Double = valid ? 1 : 0
            let tracked = waitUntil(seconds: 20) {
                httpGet(base + "/metrics").flatMap { metricValue($0.1, "monitor_config_last_reload_successful") } == expected
            }
            #expect(tracked, "reload \(i) (\(valid ? "valid" : "invalid"), \(viaHTTP ? "HTTP" : "SIGHUP")): metric is not \(expected)")
            if valid {
                // Applied at the next step: the status shows the new config's hash.
                let status = httpGet(base + "/api/v1/status")?.1 ?? ""
                #expect(status.contains("\"lastReloadSuccessful\":true"), "reload \(i): \(status.prefix(400))")
            }
            usleep(200_000)
        }
        #expect(service.process.isRunning, "the service died during the reloads: \(service.log.suffix(3000))")
        let metrics = httpGet(base + "/metrics")?.1 ?? ""
        #expect(metricValue(metrics, "monitor_config_reloads_total{result=\"success\"}") == 10, "\(metrics.split(separator: "\n").filter { $0.contains("reload") })")
        #expect(metricValue(metrics, "monitor_config_reloads_total{result=\"failure\"}") == 10)
        #expect(service.log.contains("config reload rejected"), "no rejection logged")
        #expect(service.log.contains("config reload applied"), "no reload applied")

        // Back to the project's rules; catch up, stop, and close the last windows with --once.
        try? FileManager.default.removeItem(atPath: extraRule)
        try validConfig.write(toFile: config, atomically: true, encoding: .utf8)
        let storePath = dir.path("monitor.db")
        #expect(waitUntil(seconds: 90) {
            guard let store = try? SQLiteStore(path: storePath) else { return false }
            defer { store.close() }
            return ((try? store.loadCheckpoint().positions) ?? []).contains { $0.offset == Int64(data.count) }
        }, "the service did not catch up with the file")
        #expect(service.terminate() == 0, "\(service.log.suffix(2000))")
        let final = try MonitorProcess.run(["run", "--config", config, "--once"], environment: ["MONITOR_API_TOKEN": token])
        #expect(final.code == 0, "\(final.stderr.suffix(2000))")

        // The same data in one --once run with the same rules.
        let refDir = try TempDir()
        try FileManager.default.createDirectory(atPath: refDir.path("data"), withIntermediateDirectories: true)
        for f in ["predictions.jsonl", "reference.jsonl"] {
            try FileManager.default.copyItem(atPath: dir.path("data/\(f)"), toPath: refDir.path("data/\(f)"))
        }
        let refConfig = try Self.writeConfig(refDir, port: freeLoopbackPort(), source: "data/predictions.jsonl")
        let ref = try MonitorProcess.run(["run", "--config", refConfig, "--once"], environment: ["MONITOR_API_TOKEN": token])
        #expect(ref.code == 0, "\(ref.stderr.suffix(2000))")

        let store = try SQLiteStore(path: storePath)
        defer { store.close() }
        let refStore = try SQLiteStore(path: refDir.path("monitor.db"))
        defer { refStore.close() }
        let got = try transitionsFingerprint(store)
        let want = try transitionsFingerprint(refStore)
        #expect(!want.isEmpty && want.contains { $0.contains("->firing") }, "the reference run fired nothing")
        #expect(got == want, "transitions differ: missing \(Set(want).subtracting(got).sorted().prefix(5)), extra \(Set(got).subtracting(want).sorted().prefix(5))")

        // Notifications: all delivered, each exactly once in the file, every fired alert notified.
        let outbox = try store.outboxEntries(state: nil)
        #expect(!outbox.isEmpty)
        #expect(outbox.allSatisfy { $0.state == .delivered }, "\(outbox.filter { $0.state != .delivered }.map(\.notification.id))")
        let (lines, notified) = firingLabels(inNotificationFile: dir.path("notifications.jsonl"))
        #expect(lines.count == outbox.count, "\(lines.count) lines for \(outbox.count) notifications")
        #expect(Set(lines) == Set(outbox.map(\.notification.payload)))
        let fired = try store.transitions(since: nil).map(\.transition).filter { $0.to == .firing }
        for t in fired { #expect(notified.contains(t.alert.labels.dictionary), "never notified: \(t.alert.labels)") }
        let (_, refNotified) = firingLabels(inNotificationFile: refDir.path("notifications.jsonl"))
        #expect(notified == refNotified, "firing alerts notified differ from the reference run")

        // Every applied config version is in the store: the valid variants (with and without the
        // extra rule), never an invalid one.
        let configs = try store.configTexts()
        #expect(configs.count >= 2, "\(configs.count) configs recorded")
        #expect(configs.contains { $0.contains("NeverFires") })
        #expect(!configs.contains { $0.contains("unknown_key") || $0.contains("alert: Broken") })
    }
}
