import Foundation
import MonitorCore
import MonitorStore
import Testing

/// Stores for the report tests, built once per test process from `monitor simulate` data (fixed
/// seed) run through `monitor run --once`, as a user would.
enum ReportFixture {
    /// The golden store lives at a fixed path: the config version's hash covers the effective
    /// config text, which names the config and rule files by path.
    static let goldenDir = "/tmp/monitor-report-golden"

    /// Drift rules without actions and no receivers: everything in this store is a function of
    /// the simulated data except the reference profile's `created_at` (the wall clock of
    /// `monitor run`'s start), which the golden comparison masks (with the `profiles` chain head,
    /// which covers it).
    static let golden: Result<String, any Error> = Result { try build(dir: goldenDir, notifications: false) }

    /// The same data with a file receiver and a `retrain` action: fills the outbox, delivery
    /// attempts, notification log and triggers (whose rows hold wall-clock times).
    static let audited: Result<String, any Error> = Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("monitor-report-audited-\(UUID().uuidString)").path
        return try build(dir: dir, notifications: true)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func build(dir: String, notifications: Bool) throws -> String {
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir + "/data", "--rows", "6000", "--reference-rows", "4000", "--seed", "7", "--start", "2026-11-01",
            "--duration", "1d", "--drift-start", "2026-11-01T12:00:00Z", "--drift", "amount:shift=0.8,country:new-category=0.2",
            "--degrade", "0.3",
        ])
        guard sim.code == 0 else { throw Failure(description: "simulate: \(sim.stderr)") }
        let actions = notifications ? "\n        actions: [retrain]" : ""
        try """
            groups:
              - name: report-drift
                rules:
                  - alert: FeatureDrift
                    expr: psi > 0.2 and ks_pvalue < 0.01
                    for: 1h
                    labels: {severity: ticket}
                    annotations: {summary: "{{ $labels.feature }} drifted"}\(actions)
              - name: report-performance
                rules:
                  - alert: AccuracyLow
                    expr: accuracy < 0.8
                    labels: {severity: ticket}\(actions)

            """.write(toFile: dir + "/rules.yaml", atomically: true, encoding: .utf8)
        var extra = ""
        if notifications {
            try """
                route: {receiver: file, group_by: [alertname], group_wait: 0s, group_interval: 1m, repeat_interval: 1d}
                receivers:
                  - name: file
                    file_configs:
                      - path: notifications.jsonl

                """.write(toFile: dir + "/alerts.yaml", atomically: true, encoding: .utf8)
            extra = "alerts: [alerts.yaml]\nregistry:\n  file: {path: triggers.jsonl}\n"
        }
        // The audited store gets two baseline revisions and two config versions (a second run,
        // with nothing new to read, records the edited config). (`run --once` closes every window
        // at the end of its input, so a second run cannot add windows.)
        let reference = notifications ? "profile: fraud-train" : "file: data/reference.jsonl"
        var config = """
            sources:
              - name: predictions
                path: data/predictions.jsonl
              - name: labels
                kind: labels
                path: data/labels.jsonl
            reference: {\(reference)}
            labels: {horizon: 2d, min_coverage: 0.9, positive_class: fraud}
            windows:
              - {name: 1h, size: 1h}
            allowed_lateness: 5m
            store: {path: monitor.db}
            rules: [rules.yaml]
            http: {listen: ""}
            \(extra)
            """
        try config.write(toFile: dir + "/monitor.yaml", atomically: true, encoding: .utf8)
        if notifications {
            for _ in 0..<2 {
                let b = try MonitorProcess.run(["baseline", "--config", dir + "/monitor.yaml", "--data", dir + "/data/reference.jsonl", "--name", "fraud-train"])
                guard b.code == 0 else { throw Failure(description: "baseline: \(b.stderr)") }
            }
        }
        if notifications {
            // A silence (from now: silences cannot start in the past), listed by reports whose
            // period overlaps it.
            let silence = try MonitorProcess.run([
                "silence", "add", "--store", dir + "/monitor.db", "feature=country", "--duration", "1d",
                "--author", "auditor", "--comment", "known change of the country mix",
            ])
            guard silence.code == 0 else { throw Failure(description: "silence add: \(silence.stderr)") }
        }
        var run = try MonitorProcess.run(["run", "--config", dir + "/monitor.yaml", "--once"])
        guard run.code == 0 else { throw Failure(description: "run --once: \(run.stderr.suffix(3000))") }
        if notifications {
            config += "# second config version\n"
            try config.write(toFile: dir + "/monitor.yaml", atomically: true, encoding: .utf8)
            run = try MonitorProcess.run(["run", "--config", dir + "/monitor.yaml", "--once"])
            guard run.code == 0 else { throw Failure(description: "second run --once: \(run.stderr.suffix(3000))") }
        }
        return dir + "/monitor.db"
    }

    /// A private copy of a fixture store (tamper tests change it).
    static func copy(_ path: String, into dir: TempDir) throws -> String {
        let target = dir.path("monitor.db")
        try FileManager.default.copyItem(atPath: path, toPath: target)
        return target
    }

    /// Runs SQL on a store with Python's sqlite3 module: an outside writer, as a tamperer would be.
    static func sql(_ db: String, _ script: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", db, script]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Failure(description: "sql failed: \(String(decoding: e, as: UTF8.self))") }
    }

    static func scalar(_ db: String, _ query: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])", db, query]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: o, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite("monitor report", .serialized)
struct ReportTests {
    static let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/report")

    /// Masks the values that come from the wall clock when the fixture was built (see
    /// ``ReportFixture/golden``): the profile's `created_at` and the `profiles` chain head.
    func masked(_ text: String, store: String) throws -> String {
        let s = try SQLiteStore(path: store)
        defer { s.close() }
        var out = text
        for p in try s.listProfiles() {
            let t = p.createdAt.rfc3339
            out = out.replacingOccurrences(of: t.hasSuffix(".000Z") ? String(t.dropLast(5)) + "Z" : t, with: "<profile created_at>")
        }
        for c in try s.auditChains(verify: false) where c.table == "profiles" {
            if let h = c.head { out = out.replacingOccurrences(of: h, with: "<profiles chain head>") }
        }
        return out
    }

    @Test("md and json match the golden files", arguments: ["md", "json"])
    func golden(format: String) throws {
        let store = try ReportFixture.golden.get()
        let r = try MonitorProcess.run(["report", "--store", store, "--format", format])
        #expect(r.code == 0, "\(r.stderr)")
        let text = try masked(r.stdout, store: store)
        let file = Self.goldenDir.appendingPathComponent("golden.\(format)")
        if ProcessInfo.processInfo.environment["MONITOR_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("golden.\(format) rewritten; unset MONITOR_UPDATE_GOLDEN and rerun")
            return
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(text == golden, "the \(format) report differs from Fixtures/report/golden.\(format)")
    }

    @Test("the golden report shows drift, alerts with decision traces, performance and the chain heads")
    func goldenContent() throws {
        let store = try ReportFixture.golden.get()
        let r = try MonitorProcess.run(["report", "--store", store, "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["schema"] as? String == "modelmonitor.report/v1")
        let summary = try #require((obj["summary"] as? [[String: Any]])?.first)
        #expect(summary["windows"] as? Int == 24)
        #expect((summary["alerts_fired"] as? Int ?? 0) > 0)
        let features = try #require(obj["features"] as? [[String: Any]])
        let amount = try #require(features.first { $0["feature"] as? String == "amount" })
        #expect(!((amount["drifted_windows"] as? [Any]) ?? []).isEmpty, "amount drifts from 12:00")
        let psi = try #require((amount["series"] as? [String: Any])?["psi"] as? [String: Any])
        let thresholds = try #require(psi["thresholds"] as? [[String: Any]])
        #expect(thresholds.contains { $0["op"] as? String == ">" && $0["value"] as? Double == 0.2 })
        let alerts = try #require(obj["alerts"] as? [[String: Any]])
        let drift = try #require(alerts.first { $0["alert"] as? String == "FeatureDrift" })
        #expect((drift["expr"] as? String)?.contains("psi > 0.2") == true)
        let states = ((drift["transitions"] as? [[String: Any]]) ?? []).map { "\($0["from"]!)→\($0["to"]!)" }
        #expect(states.contains("inactive→pending") && states.contains("pending→firing"), "\(states)")
        let integrity = try #require(obj["integrity"] as? [String: Any])
        let chains = try #require(integrity["chains"] as? [[String: Any]])
        let windows = try #require(chains.first { $0["table"] as? String == "window_results" })
        #expect(windows["rows"] as? Int == 24 && windows["links"] as? Int == 24)
        #expect((windows["head"] as? String)?.count == 64)
    }

    @Test("same store and arguments give byte-identical output", arguments: ["md", "json", "html"])
    func deterministic(format: String) throws {
        let store = try ReportFixture.audited.get()
        let a = try MonitorProcess.run(["report", "--store", store, "--format", format, "--verify"])
        let b = try MonitorProcess.run(["report", "--store", store, "--format", format, "--verify"])
        #expect(a.code == 0, "\(a.stderr)")
        #expect(!a.stdout.isEmpty && a.stdout == b.stdout)
    }

    @Test("decision traces carry the notifications sent for an alert, their delivery attempts and its retraining triggers")
    func tracesWithNotifications() throws {
        let store = try ReportFixture.audited.get()
        let r = try MonitorProcess.run(["report", "--store", store, "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let alerts = try #require(obj["alerts"] as? [[String: Any]])
        let notified = alerts.filter { !(($0["notifications"] as? [Any]) ?? []).isEmpty }
        #expect(!notified.isEmpty)
        let first = try #require((notified.first?["notifications"] as? [[String: Any]])?.first)
        #expect(first["receiver"] as? String == "file")
        let delivery = try #require((first["deliveries"] as? [[String: Any]])?.first)
        #expect(delivery["state"] as? String == "delivered")
        let attempt = try #require((delivery["attempts"] as? [[String: Any]])?.first)
        #expect(attempt["outcome"] as? String == "delivered" && attempt["attempt"] as? Int == 1)
        let triggers = alerts.flatMap { ($0["triggers"] as? [[String: Any]]) ?? [] }
        #expect(triggers.contains { $0["status"] as? String == "emitted" })
        let summary = try #require((obj["summary"] as? [[String: Any]])?.first)
        #expect(((summary["notifications"] as? [String: Any])?["delivered"] as? Int ?? 0) > 0)
        #expect(((summary["triggers"] as? [String: Any])?["emitted"] as? Int ?? 0) > 0)
        let silences = try #require(obj["silences"] as? [[String: Any]])
        #expect(silences.count == 1 && silences.first?["created_by"] as? String == "auditor", "\(silences)")
        #expect(silences.first?["matchers"] as? String == "{feature=\"country\"}")
        // Two config versions: the second shows the added line as its diff.
        let configs = try #require(obj["configs"] as? [[String: Any]])
        #expect(configs.count == 2)
        #expect((configs.last?["diff"] as? [String]) == ["+ # second config version"], "\(configs.last?["diff"] ?? "")")
    }

    @Test("--verify passes on an untouched store, and updates of the documented mutable columns keep it intact")
    func verifyIntact() throws {
        let dir = try TempDir()
        let db = try ReportFixture.copy(try ReportFixture.audited.get(), into: dir)
        var r = try MonitorProcess.run(["report", "--store", db, "--verify", "--format", "json", "--out", dir.path("r.json")])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stderr.contains("verified: 10 audit hash chains intact"), "\(r.stderr)")
        // Every audited table has rows in this fixture, so every tamper case below bites.
        for table in ["configs", "profiles", "window_results", "performance_results", "alert_transitions", "notification_log", "outbox",
                      "delivery_attempts", "triggers"] {
            #expect(Int(try ReportFixture.scalar(db, "SELECT count(*) FROM \(table)")) ?? 0 >= 2, "\(table) has fewer than 2 rows")
        }
        try ReportFixture.sql(db, """
            UPDATE alert_transitions SET delivered_at = coalesce(delivered_at, 0) + 1;
            UPDATE outbox SET state = 'dead', attempts = attempts + 7, last_error = 'x', finished_at = 1;
            UPDATE triggers SET closed_at = 42;
            """)
        r = try MonitorProcess.run(["report", "--store", db, "--verify", "--format", "md"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Verified: every audit hash chain is intact."))
    }

    /// (table, tamper SQL with `$ROW` for the victim rowid, expected kind). The victim is the
    /// table's second row, so deletes and inserts fall inside the chain, not at its end.
    static let tamperCases: [(String, String, String)] = [
        // Updates of chained content.
        ("configs", "UPDATE configs SET text = text || ' ' WHERE rowid = $ROW", "modified"),
        ("profiles", "UPDATE profiles SET row_count = row_count + 1 WHERE rowid = $ROW", "modified"),
        ("window_results", "UPDATE window_results SET event_count = event_count + 1 WHERE rowid = $ROW", "modified"),
        // A figure of a window, not the window row itself.
        ("window_results", "UPDATE series_values SET value = 0.123 WHERE result_id = $ROW AND ordinal = 3", "modified"),
        ("performance_results", "UPDATE performance_values SET value = 0.99 WHERE result_id = $ROW AND ordinal = 0", "modified"),
        ("alert_transitions", "UPDATE alert_transitions SET to_state = 'inactive' WHERE rowid = $ROW", "modified"),
        ("notification_log", "UPDATE notification_log SET reason = 'tampered' WHERE rowid = $ROW", "modified"),
        ("outbox", "UPDATE outbox SET payload = payload || ' ' WHERE rowid = $ROW", "modified"),
        ("delivery_attempts", "UPDATE delivery_attempts SET outcome = 'permanent' WHERE rowid = $ROW", "modified"),
        ("triggers", "UPDATE triggers SET status = CASE status WHEN 'suppressed' THEN 'emitted' ELSE 'suppressed' END WHERE rowid = $ROW", "modified"),
        // Deletes.
        ("configs", "DELETE FROM configs WHERE rowid = $ROW", "deleted"),
        ("profiles", "DELETE FROM profiles WHERE rowid = $ROW", "deleted"),
        ("window_results", "DELETE FROM window_results WHERE rowid = $ROW", "deleted"),
        ("performance_results", "DELETE FROM performance_results WHERE rowid = $ROW", "deleted"),
        ("alert_transitions", "DELETE FROM alert_transitions WHERE rowid = $ROW", "deleted"),
        ("notification_log", "DELETE FROM notification_log WHERE rowid = $ROW", "deleted"),
        ("outbox", "DELETE FROM outbox WHERE rowid = $ROW", "deleted"),
        ("delivery_attempts", "DELETE FROM delivery_attempts WHERE rowid = $ROW", "deleted"),
        ("triggers", "DELETE FROM triggers WHERE rowid = $ROW", "deleted"),
        // Inserts: a copy of the victim under a new key, at the end of the table.
        ("configs", "INSERT INTO configs SELECT 'f00d' || hash, text, first_seen FROM configs WHERE rowid = $ROW", "inserted"),
        ("profiles", "INSERT INTO profiles (name, revision, model, model_version, fingerprint, row_count, created_at, payload) SELECT name, revision + 100, model, model_version, fingerprint, row_count, created_at, payload FROM profiles WHERE rowid = $ROW", "inserted"),
        ("window_results", "INSERT INTO window_results (model, version, window_name, start_ms, end_ms, profile_id, profile_name, event_count, config_hash) SELECT model, version, window_name, start_ms - 1, end_ms, profile_id, profile_name, event_count, config_hash FROM window_results WHERE rowid = $ROW", "inserted"),
        ("performance_results", "INSERT INTO performance_results (model, version, window_name, start_ms, end_ms, revision, computed_at, prediction_count, labeled_count, config_hash) SELECT model, version, window_name, start_ms, end_ms, revision + 100, computed_at, prediction_count, labeled_count, config_hash FROM performance_results WHERE rowid = $ROW", "inserted"),
        ("alert_transitions", "INSERT INTO alert_transitions (at, group_name, rule, labels, annotations, state, from_state, to_state, value, active_at, fired_at, resolved_at, last_seen_at, actions, config_hash) SELECT at, group_name, rule, labels, annotations, state, from_state, to_state, value, active_at, fired_at, resolved_at, last_seen_at, actions, config_hash FROM alert_transitions WHERE rowid = $ROW", "inserted"),
        ("notification_log", "INSERT INTO notification_log (at, receiver, group_key, reason, notification_id, firing, resolved) SELECT at, receiver, group_key, reason, notification_id, firing, resolved FROM notification_log WHERE rowid = $ROW", "inserted"),
        ("outbox", "INSERT INTO outbox SELECT 'msg_tampered', receiver, integration, group_key, status, payload, created_at, enqueued_at, state, attempts, next_attempt_at, last_error, finished_at FROM outbox WHERE rowid = $ROW", "inserted"),
        ("delivery_attempts", "INSERT INTO delivery_attempts (notification_id, attempt, started_at, duration_ms, outcome, status_code, error) SELECT notification_id, attempt + 1, started_at, duration_ms, outcome, status_code, error FROM delivery_attempts WHERE rowid = $ROW", "inserted"),
        ("triggers", "INSERT INTO triggers SELECT 'trg_tampered', model, version, group_name, rule, alert_key, status, status_reason, fired_at, created_at, closed_at, payload FROM triggers WHERE rowid = $ROW", "inserted"),
    ]

    @Test("tampering with an audited row makes --verify exit 1 and name the table and row", arguments: tamperCases)
    func tamper(table: String, sql: String, kind: String) throws {
        let dir = try TempDir()
        let db = try ReportFixture.copy(try ReportFixture.audited.get(), into: dir)
        let victim = try ReportFixture.scalar(db, "SELECT rowid FROM \(table) ORDER BY rowid LIMIT 1 OFFSET 1")
        // Breaks name rows by primary key (a config's hash, else the id).
        let key = table == "configs" ? "hash" : "id"
        var expectedRow = try ReportFixture.scalar(db, "SELECT CAST(\(key) AS TEXT) FROM \(table) WHERE rowid = \(victim)")
        try ReportFixture.sql(db, sql.replacingOccurrences(of: "$ROW", with: victim))
        if kind == "inserted" {
            expectedRow = try ReportFixture.scalar(db, "SELECT CAST(\(key) AS TEXT) FROM \(table) ORDER BY rowid DESC LIMIT 1")
        }
        let r = try MonitorProcess.run(["report", "--store", db, "--verify", "--format", "json", "--out", dir.path("r.json")])
        #expect(r.code == 1, "\(r.stderr)")
        #expect(r.stderr.contains("verification failed: \(table) row \(expectedRow): \(kind)"), "\(r.stderr)")
        // The report is still written and shows the break.
        let json = try String(contentsOfFile: dir.path("r.json"), encoding: .utf8)
        #expect(json.contains("\"kind\": \"\(kind)\"") && json.contains("\"ok\": false"))
        // Without --verify the report is written and the exit code is 0 (heads only).
        let plain = try MonitorProcess.run(["report", "--store", db, "--format", "md"])
        #expect(plain.code == 0)
    }

    @Test("VACUUM and renumbered rowids keep --verify passing; a tamper afterwards still fails and names the row by key")
    func vacuum() throws {
        let dir = try TempDir()
        let db = try ReportFixture.copy(try ReportFixture.audited.get(), into: dir)
        let before = try MonitorProcess.run(["report", "--store", db, "--verify", "--format", "json"])
        #expect(before.code == 0, "\(before.stderr)")
        // VACUUM, then what it may do to the tables without an INTEGER PRIMARY KEY: new rowids,
        // same order.
        try ReportFixture.sql(db, """
            VACUUM;
            UPDATE configs SET rowid = rowid + 1000;
            UPDATE outbox SET rowid = rowid + 1000;
            UPDATE triggers SET rowid = rowid + 1000;
            """)
        #expect(try ReportFixture.scalar(db, "SELECT min(rowid) FROM outbox") == "1001")
        let after = try MonitorProcess.run(["report", "--store", db, "--verify", "--format", "json"])
        #expect(after.code == 0, "\(after.stderr)")
        #expect(after.stdout == before.stdout, "the report, chain heads included, is unchanged")
        let id = try ReportFixture.scalar(db, "SELECT id FROM outbox ORDER BY rowid LIMIT 1 OFFSET 1")
        try ReportFixture.sql(db, "UPDATE outbox SET payload = payload || ' ' WHERE id = '\(id)'")
        let tampered = try MonitorProcess.run(["report", "--store", db, "--verify", "--format", "md"])
        #expect(tampered.code == 1)
        #expect(tampered.stderr.contains("verification failed: outbox row \(id): modified"), "\(tampered.stderr)")
    }

    @Test("late and rejected events are stored with the checkpoints and summed by reason in the report")
    func eventCounts() throws {
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "2000", "--reference-rows", "1000", "--seed", "3", "--start", "2026-11-01",
            "--duration", "6h",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        // After the data: 3 malformed lines (not JSON, a truncated array, a truncated object) and
        // 4 copies of the first event (its hour closed long ago: late).
        let predictions = dir.path("data/predictions.jsonl")
        let first = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n").first.map(String.init) ?? ""
        let bad = ["{not json", "[1,2", "{\"id\": \"x\", \"ts\": "] + Array(repeating: first, count: 4)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: predictions))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((bad.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        try """
            sources:
              - name: predictions
                path: data/predictions.jsonl
            reference: {file: data/reference.jsonl}
            windows:
              - {name: 1h, size: 1h}
            allowed_lateness: 5m
            store: {path: monitor.db}
            http: {listen: ""}

            """.write(toFile: dir.path("monitor.yaml"), atomically: true, encoding: .utf8)
        let run = try MonitorProcess.run(["run", "--config", dir.path("monitor.yaml"), "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(2000))")
        let r = try MonitorProcess.run(["report", "--store", dir.path("monitor.db"), "--format", "json", "--verify"])
        #expect(r.code == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let counts = try #require(obj["event_counts"] as? [[String: Any]])
        var byReason: [String: Int] = [:]
        for c in counts where c["source"] as? String == "predictions" { byReason[c["reason"] as? String ?? "", default: 0] += c["count"] as? Int ?? 0 }
        #expect(byReason["malformed_json"] == 3, "\(counts)")
        #expect(byReason["late"] == 4, "\(counts)")
        let md = try MonitorProcess.run(["report", "--store", dir.path("monitor.db"), "--format", "md"])
        #expect(md.stdout.contains("| predictions | late | 4 |") && md.stdout.contains("| predictions | malformed_json | 3 |"), "\(md.stdout.prefix(3000))")
        // A period before the data has none.
        let early = try MonitorProcess.run(["report", "--store", dir.path("monitor.db"), "--format", "json", "--until", "2026-11-01T02:00:00Z"])
        #expect(early.code == 0, "\(early.stderr)")
        let earlyObj = try #require(try JSONSerialization.jsonObject(with: Data(early.stdout.utf8)) as? [String: Any])
        #expect((earlyObj["event_counts"] as? [Any])?.isEmpty == true, "\(early.stdout.prefix(2000))")
    }

    @Test("a schema-4 store migrates: its existing audit rows are chained and verify")
    func migrationChainsExistingRows() throws {
        let dir = try TempDir()
        let db = try ReportFixture.copy(try ReportFixture.audited.get(), into: dir)
        let rows = try ReportFixture.scalar(db, "SELECT count(*) FROM window_results")
        // Schema 4's shape: no audit tables, the label join's id index (dropped by migration 6),
        // no label blocks (migration 7), the time index of its predictions (dropped by migration 8).
        try ReportFixture.sql(db, """
            DROP TABLE audit_chain; DROP TABLE window_histograms; DROP TABLE event_counts; DROP TABLE label_blocks;
            CREATE INDEX label_predictions_by_id ON label_predictions (id, ts_ms, stream, groups);
            CREATE INDEX label_predictions_by_time ON label_predictions (ts_ms);
            PRAGMA user_version = 4;
            """)
        let r = try MonitorProcess.run(["report", "--store", db, "--verify", "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(try ReportFixture.scalar(db, "PRAGMA user_version") == "\(SQLiteStore.schemaVersion)")
        #expect(try ReportFixture.scalar(db, "SELECT count(*) FROM audit_chain WHERE table_name = 'window_results'") == rows)
    }

    @Test("empty store, unknown model, period without data, bad arguments: messages and exit codes")
    func edgeCases() throws {
        let dir = try TempDir()
        let missing = try MonitorProcess.run(["report", "--store", dir.path("nope.db")])
        #expect(missing.code == 1 && missing.stderr.contains("nope.db: no such store"), "\(missing.stderr)")

        let emptyPath = dir.path("empty.db")
        try SQLiteStore(path: emptyPath).close()
        let empty = try MonitorProcess.run(["report", "--store", emptyPath])
        #expect(empty.code == 1, "\(empty.stderr)")
        #expect(empty.stderr.contains("the store holds no window results yet: nothing to report"), "\(empty.stderr)")

        let store = try ReportFixture.golden.get()
        let model = try MonitorProcess.run(["report", "--store", store, "--model", "credit"])
        #expect(model.code == 1)
        #expect(model.stderr.contains("model 'credit' has no window results (models in the store: fraud)"), "\(model.stderr)")

        let period = try MonitorProcess.run(["report", "--store", store, "--since", "2030-01-01"])
        #expect(period.code == 1)
        #expect(period.stderr.contains("no window of any model ends between 2030-01-01T00:00:00.000Z and the end (its windows span"), "\(period.stderr)")

        let order = try MonitorProcess.run(["report", "--store", store, "--since", "2026-11-02", "--until", "2026-11-01"])
        #expect(order.code == 2 && order.stderr.contains("is not before --until"), "\(order.stderr)")
        let format = try MonitorProcess.run(["report", "--store", store, "--format", "pdf"])
        #expect(format.code == 2 && format.stderr.contains("not one of html, md, json"), "\(format.stderr)")
        let time = try MonitorProcess.run(["report", "--store", store, "--since", "yesterday"])
        #expect(time.code == 2, "\(time.stderr)")
        let noStore = try MonitorProcess.run(["report"])
        #expect(noStore.code == 2, "\(noStore.stderr)")

        // A period inside the data: only its windows.
        let part = try MonitorProcess.run(["report", "--store", store, "--since", "2026-11-01T06:00:00Z", "--until", "2026-11-01T12:00:00Z", "--format", "json"])
        #expect(part.code == 0, "\(part.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(part.stdout.utf8)) as? [String: Any])
        #expect((obj["summary"] as? [[String: Any]])?.first?["windows"] as? Int == 6)
    }
}

/// The HTML report in a real browser: Debian's `chromium`, headless (installed by scripts/setup).
@Suite("monitor report --format html in headless Chromium", .serialized)
struct ReportHTMLTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func chromium(_ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.chromium!)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-dev-shm-usage"] + args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test("the HTML renders to a non-blank PNG and the DOM holds every chart")
    func renders() throws {
        guard Self.chromium != nil else {
            // Loud, never a silent pass: scripts/setup installs chromium.
            Issue.record("chromium is not installed (run scripts/setup): the HTML rendering test cannot run")
            return
        }
        let dir = try TempDir()
        let store = try ReportFixture.golden.get()
        let html = dir.path("report.html")
        let r = try MonitorProcess.run(["report", "--store", store, "--out", html])
        #expect(r.code == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(!text.contains("<script") && !text.contains(" src=") && !text.contains("<link"))

        let dom = try chromium(["--dump-dom", "file://" + html])
        #expect(dom.0 == 0, "\(dom.2.suffix(2000))")
        // Expected chart counts from the report itself: a line chart per feature statistic and
        // per performance series, a bar chart per feature with reference bins.
        let json = try MonitorProcess.run(["report", "--store", store, "--format", "json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let features = try #require(obj["features"] as? [[String: Any]])
        let perf = try #require(obj["performance"] as? [[String: Any]])
        let lineCharts = features.reduce(0) { $0 + (($1["series"] as? [String: Any])?.count ?? 0) } + perf.count
        func count(_ needle: String) -> Int { dom.1.components(separatedBy: needle).count - 1 }
        #expect(lineCharts > 20)
        #expect(count("<svg") >= lineCharts, "\(count("<svg")) svg elements for \(lineCharts) line charts")
        #expect(count("class=\"series\"") == lineCharts)
        #expect(count("class=\"line\"") >= lineCharts)
        #expect(count("class=\"threshold\"") > 0)
        #expect(count("class=\"drifted\"") > 0)
        // Reference vs latest: one grouped bar chart per feature with a distribution, two bars
        // (reference, latest) per bin.
        let distributions = features.compactMap { $0["distribution"] as? [String: Any] }
        let bins = distributions.reduce(0) { $0 + (($1["bins"] as? [Any])?.count ?? 0) }
        #expect(distributions.count == features.count, "every feature of the golden store has a latest-window histogram")
        #expect(count("class=\"distribution\"") == distributions.count)
        #expect(count("class=\"bar reference\"") == bins && count("class=\"bar latest\"") == bins && bins > 2 * distributions.count)

        let png = dir.path("report.png")
        let shot = try chromium(["--screenshot=" + png, "--window-size=1280,3000", "file://" + html])
        #expect(shot.0 == 0, "\(shot.2.suffix(2000))")
        #expect(FileManager.default.fileExists(atPath: png))
        // Pixel statistics with a PNG decoder in Python's standard library (zlib + filters).
        let stats = try pngStats(png)
        #expect(stats.colors > 20, "\(stats)")
        #expect(stats.nonWhite > 0.02 && stats.nonWhite < 0.9, "\(stats)")
        #expect(stats.blue > 50, "chart lines (#1f5fbf) are drawn: \(stats)")
    }

    func pngStats(_ path: String) throws -> (colors: Int, nonWhite: Double, blue: Int) {
        let script = #"""
        import sys, zlib, struct
        d = open(sys.argv[1], 'rb').read()
        assert d[:8] == b'\x89PNG\r\n\x1a\n'
        i = 8; idat = b''; w = h = 0
        while i < len(d):
            n, t = struct.unpack('>I4s', d[i:i+8]); c = d[i+8:i+8+n]; i += 12 + n
            if t == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', c[:10]); bpp = {2: 3, 6: 4}[ct]
            elif t == b'IDAT': idat += c
        raw = zlib.decompress(idat); stride = w * bpp; prev = bytearray(stride); pos = 0
        colors = set(); nonwhite = 0; blue = 0
        for y in range(h):
            f = raw[pos]; line = bytearray(raw[pos+1:pos+1+stride]); pos += 1 + stride
            for x in range(stride):
                a = line[x-bpp] if x >= bpp else 0; b = prev[x]; cc = prev[x-bpp] if x >= bpp else 0
                if f == 1: line[x] = (line[x] + a) & 255
                elif f == 2: line[x] = (line[x] + b) & 255
                elif f == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
                elif f == 4:
                    p = a + b - cc; pa = abs(p - a); pb = abs(p - b); pc = abs(p - cc)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else cc)) & 255
            prev = line
            for x in range(0, stride, bpp * 2):
                r, g, bl = line[x], line[x+1], line[x+2]
                colors.add((r, g, bl))
                if (r, g, bl) != (255, 255, 255): nonwhite += 1
                if bl > 150 and r < 80 and g < 130: blue += 1
        print(len(colors), nonwhite / (w * h / 2), blue)
        """#
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let parts = o.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard p.terminationStatus == 0, parts.count == 3, let c = Int(parts[0]), let n = Double(parts[1]), let b = Int(parts[2]) else {
            throw ReportFixture.Failure(description: "PNG decode failed: \(e)")
        }
        return (c, n, b)
    }
}
