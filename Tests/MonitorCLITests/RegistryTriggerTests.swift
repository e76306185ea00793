import Foundation
import MonitorCore
import MonitorStore
import Testing

/// Simulated data whose `amount` drifts from 2026-11-01T12:00Z, and a rule that asks for a
/// retraining when its PSI passes 0.2: exactly one firing (the alert keeps firing afterwards).
func writeTriggerScenario(_ dir: TempDir, registry: String, schema: String = "") async throws -> String {
    let sim = try await runMonitorAsync([
        "simulate", "--out", dir.path("data"), "--rows", "12000", "--reference-rows", "6000", "--seed", "71",
        "--duration", "1d", "--drift-start", "2026-11-01T12:00:00Z", "--drift", "amount:shift=1.0",
    ])
    #expect(sim.code == 0, "\(sim.stderr)")
    _ = try dir.write("retrain.yaml", """
        groups:
          - name: retraining
            rules:
              - alert: AmountDrift
                expr: psi{feature="amount"} > 0.2
                labels: {severity: ticket}
                annotations:
                  summary: "amount drifted (PSI {{ $value }})"
                actions: [retrain]
        """)
    return try dir.write("monitor.yaml", """
        sources:
          - name: predictions
            path: data/predictions.jsonl
        reference: {file: data/reference.jsonl}
        windows:
          - {name: 1h, size: 1h}
        allowed_lateness: 1m
        store: {path: monitor.db, checkpoint_interval: 100ms}
        rules: [retrain.yaml]
        http: {listen: ""}
        \(schema)
        registry:
        \(registry)
        """)
}

/// The registry block of an MLflow sink at `url` for registered model `name`.
func mlflowRegistry(url: String, name: String, extra: String = "") -> String {
    """
      mlflow:
        tracking_uri: \(url)
        models: {fraud: \(name)}
        alias: retrain-requested
        allowlist: [127.0.0.0/8]
        timeout: 5s
    \(extra)
    """
}

func storedTriggers(_ dir: TempDir) throws -> [TriggerRecord] {
    let store = try SQLiteStore(path: dir.path("monitor.db"))
    defer { store.close() }
    return try store.triggers(model: nil)
}

func triggerOutbox(_ dir: TempDir) throws -> [OutboxEntry] {
    let store = try SQLiteStore(path: dir.path("monitor.db"))
    defer { store.close() }
    return try store.outboxEntries(state: nil).filter { $0.notification.receiver == TriggerOutbox.receiver }
}

/// Against a real MLflow server (pip-installed, SQLite backend, loopback): the monitor runs on
/// simulated data whose rule fires, and the tags and alias are read back through MLflow's REST
/// API. Skipped — loudly — only when scripts/setup could not install MLflow.
@Suite("Retraining triggers reach a real MLflow registry", .serialized, .enabled(if: MLflowServer.installable, "MLflow could not be installed (see .venv-mlflow.failed)"))
struct MLflowTriggerTests {
    @Test("a firing retrain rule tags the model version and the registered model, and sets the alias")
    func endToEnd() async throws {
        let mlflow = try await MLflowServer.require()
        let name = "fraud-e2e"
        try mlflow.createModel(name, versions: 3)
        let dir = try TempDir()
        let config = try await writeTriggerScenario(dir, registry: mlflowRegistry(url: mlflow.base, name: name))
        let run = try await runMonitorAsync(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("retraining triggers: 1 emitted"), "\(run.stdout)")

        let triggers = try storedTriggers(dir)
        try #require(triggers.count == 1, "\(triggers.map(\.trigger.id))")
        let t = triggers[0].trigger
        #expect(t.model == "fraud" && t.version == "3" && t.rule == "AmountDrift")
        #expect(t.expression == #"psi{feature="amount"} > 0.2"#)
        #expect(t.series.contains { $0.metric == "psi" && $0.labels["feature"] == "amount" && ($0.value ?? 0) > 0.2 }, "\(t.series)")
        #expect(t.window.name == "1h" && t.window.start != nil)
        #expect(t.reference?.hasPrefix("file:") == true, "\(t.reference ?? "nil")")
        #expect(try #require(Timestamp.parse(t.firedAt)) > (try #require(Timestamp.parse("2026-11-01T12:00:00Z"))))

        // Read back through MLflow's REST API.
        let tags = try mlflow.versionTags(name, "3")
        #expect(tags["monitor.retrain.trigger_id"] == t.id, "\(tags)")
        #expect(tags["monitor.retrain.requested_at"] == t.firedAt)
        #expect(tags["monitor.retrain.rule"] == "AmountDrift")
        #expect(tags["monitor.retrain.reason"] == t.reason)
        #expect(try mlflow.versionTags(name, "2")["monitor.retrain.trigger_id"] == nil, "only the affected version is tagged")
        let (modelTags, aliases) = try mlflow.modelTagsAndAliases(name)
        #expect(modelTags["monitor.retrain.requested_version"] == "3", "\(modelTags)")
        #expect(modelTags["monitor.retrain.trigger_id"] == t.id)
        #expect(aliases["retrain-requested"] == "3", "\(aliases)")

        let outbox = try triggerOutbox(dir)
        #expect(outbox.map(\.state) == [.delivered], "\(outbox)")
        let list = try await runMonitorAsync(["triggers", "list", "--config", config])
        #expect(list.code == 0, "\(list.stderr)")
        #expect(list.stdout.contains(t.id) && list.stdout.contains("delivered") && list.stdout.contains("mlflow: delivered, 1 attempt(s)"),
                "\(list.stdout)")
    }

    @Test("without a version label the version comes from the version_alias (champion)")
    func versionFromAlias() async throws {
        let mlflow = try await MLflowServer.require()
        let name = "fraud-alias"
        try mlflow.createModel(name, versions: 3, aliases: ["champion": "2"])
        let dir = try TempDir()
        // The events' version field is read from a path they do not have: no version label.
        let config = try await writeTriggerScenario(dir, registry: mlflowRegistry(url: mlflow.base, name: name, extra: "    version_alias: champion"),
                                              schema: "schema: {version: no_such_field}")
        let run = try await runMonitorAsync(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr.suffix(3000))")
        let t = try #require(try storedTriggers(dir).first).trigger
        #expect(t.version == nil)
        #expect(try mlflow.versionTags(name, "2")["monitor.retrain.trigger_id"] == t.id)
        #expect(try mlflow.versionTags(name, "3")["monitor.retrain.trigger_id"] == nil)
        #expect(try mlflow.modelTagsAndAliases(name).aliases["retrain-requested"] == "2")
    }

    @Test("credentials: a bearer token from the environment, basic auth with the password from a file")
    func credentials() async throws {
        let mlflow = try await MLflowServer.require()
        for (name, auth, env, expected) in [
            ("fraud-bearer", "    token: ${MLFLOW_TEST_TOKEN}", ["MLFLOW_TEST_TOKEN": "t0k3n"], "Bearer t0k3n"),
            ("fraud-basic", "    username: monitor\n    password_file: mlflow-password", [:],
             "Basic " + Data("monitor:s3cret pw".utf8).base64EncodedString()),
        ] {
            try mlflow.createModel(name, versions: 3)
            let dir = try TempDir()
            _ = try dir.write("mlflow-password", "s3cret pw\n")
            let proxy = try FlakyProxy(dir: dir, upstream: mlflow.base, fail: 0)
            let config = try await writeTriggerScenario(dir, registry: mlflowRegistry(url: "http://127.0.0.1:\(proxy.port)", name: name, extra: auth))
            let run = try await runMonitorAsync(["run", "--config", config, "--once"], environment: env)
            #expect(run.code == 0, "\(run.stderr.suffix(3000))")
            #expect(!run.stderr.contains("t0k3n") && !run.stderr.contains("s3cret"), "a secret reached the log")
            let requests = proxy.requests
            #expect(!requests.isEmpty && requests.allSatisfy { $0.authorization == expected }, "\(requests.map(\.authorization))")
            #expect(try mlflow.versionTags(name, "3")["monitor.retrain.trigger_id"] != nil)
        }
    }

    @Test("MLflow answering 500, then back: the trigger is delivered once it returns")
    func serverErrorsThenBack() async throws {
        let mlflow = try await MLflowServer.require()
        let name = "fraud-500"
        try mlflow.createModel(name, versions: 3)
        let dir = try TempDir()
        let proxy = try FlakyProxy(dir: dir, upstream: mlflow.base, fail: 3, status: 500)
        try #require(proxy.port > 0)
        let config = try await writeTriggerScenario(dir, registry: mlflowRegistry(url: "http://127.0.0.1:\(proxy.port)", name: name))
        let run = try await runMonitorAsync(["run", "--config", config, "--once", "--delivery-deadline", "60s"])
        #expect(run.code == 0, "\(run.stderr.suffix(3000))")
        let t = try #require(try storedTriggers(dir).first).trigger
        let store = try SQLiteStore(path: dir.path("monitor.db"))
        defer { store.close() }
        let attempts = try store.deliveryAttempts(notificationID: TriggerOutbox.rowID(trigger: t.id, sink: "mlflow"))
        #expect(attempts.map(\.outcome) == [.retryable, .retryable, .retryable, .delivered], "\(attempts)")
        #expect(attempts.prefix(3).allSatisfy { $0.statusCode == 500 && ($0.error ?? "").contains("INTERNAL_ERROR") }, "\(attempts)")
        #expect(try mlflow.versionTags(name, "3")["monitor.retrain.trigger_id"] == t.id)
    }

    @Test("MLflow down, then back: the trigger waits in the outbox and the next run delivers it")
    func downThenBack() async throws {
        let mlflow = try await MLflowServer.require()
        let name = "fraud-down"
        try mlflow.createModel(name, versions: 3)
        let dir = try TempDir()
        let port = freeLoopbackPort()
        let config = try await writeTriggerScenario(dir, registry: mlflowRegistry(url: "http://127.0.0.1:\(port)", name: name))
        // Nothing listens: connection refused at every attempt until the deadline.
        let down = try await runMonitorAsync(["run", "--config", config, "--once", "--delivery-deadline", "3s"])
        #expect(down.code == 0, "\(down.stderr.suffix(3000))")
        #expect(down.stdout.contains("still pending (sent by the next run): 1"), "\(down.stdout)")
        let t = try #require(try storedTriggers(dir).first).trigger
        #expect(try triggerOutbox(dir).map(\.state) == [.pending])
        #expect(try mlflow.versionTags(name, "3")["monitor.retrain.trigger_id"] == nil)
        let pending = try await runMonitorAsync(["triggers", "list", "--config", config])
        #expect(pending.stdout.contains("pending") && pending.stdout.contains("last error"), "\(pending.stdout)")

        // MLflow comes back on that address; the next run delivers what waited.
        let proxy = try FlakyProxy(dir: dir, upstream: mlflow.base, fail: 0, port: port)
        try #require(proxy.port == port)
        let back = try await runMonitorAsync(["run", "--config", config, "--once", "--delivery-deadline", "120s"])
        #expect(back.code == 0, "\(back.stderr.suffix(3000))")
        #expect(try triggerOutbox(dir).map(\.state) == [.delivered])
        #expect(try storedTriggers(dir).map(\.trigger.id) == [t.id], "no second trigger: the firing was not replayed")
        #expect(try mlflow.versionTags(name, "3")["monitor.retrain.trigger_id"] == t.id)
    }

    @Test("kill -9 between commit and delivery: delivered after restart, same trigger id, tags set once")
    func killBetweenCommitAndDelivery() async throws {
        let mlflow = try await MLflowServer.require()
        let name = "fraud-kill"
        try mlflow.createModel(name, versions: 3)
        let dir = try TempDir()
        let proxy = try FlakyProxy(dir: dir, upstream: mlflow.base, fail: 0)
        try #require(proxy.port > 0)
        let config = try await writeTriggerScenario(dir, registry: mlflowRegistry(url: "http://127.0.0.1:\(proxy.port)", name: name))
        // The process kills itself right after the checkpoint that wrote the trigger's outbox row.
        let crashed = try await runMonitorAsync(["run", "--config", config, "--once"], environment: ["MONITOR_FAULT_INJECTION": "after-commit:1"])
        #expect(crashed.code == -SIGKILL, "expected a SIGKILL, got \(crashed.code): \(crashed.stderr.suffix(2000))")
        let before = try storedTriggers(dir)
        try #require(before.count == 1)
        #expect(try triggerOutbox(dir).map(\.state) == [.pending], "committed, not yet delivered")
        #expect(proxy.requests.isEmpty, "nothing was sent before the kill: \(proxy.requests.map(\.path))")

        let restarted = try await runMonitorAsync(["run", "--config", config, "--once"])
        #expect(restarted.code == 0, "\(restarted.stderr.suffix(3000))")
        let after = try storedTriggers(dir)
        #expect(after.map(\.trigger.id) == before.map(\.trigger.id), "the replay yields the same trigger, once")
        #expect(try triggerOutbox(dir).map(\.state) == [.delivered])
        let id = before[0].trigger.id
        let tagCalls = proxy.requests.filter { $0.path.hasSuffix("model-versions/set-tag") && $0.body.contains("monitor.retrain.trigger_id") }
        #expect(tagCalls.count == 1, "tags set once: \(tagCalls.map(\.body))")
        #expect(tagCalls.allSatisfy { $0.body.contains(id) })
        #expect(try mlflow.versionTags(name, "3")["monitor.retrain.trigger_id"] == id)
    }

    @Test("kill -9 after MLflow answered, before the delivery was recorded: redelivered with the same trigger id")
    func killAfterSend() async throws {
        let mlflow = try await MLflowServer.require()
        let name = "fraud-resend"
        try mlflow.createModel(name, versions: 3)
        let dir = try TempDir()
        let proxy = try FlakyProxy(dir: dir, upstream: mlflow.base, fail: 0)
        let config = try await writeTriggerScenario(dir, registry: mlflowRegistry(url: "http://127.0.0.1:\(proxy.port)", name: name))
        let crashed = try await runMonitorAsync(["run", "--config", config, "--once"], environment: ["MONITOR_FAULT_INJECTION": "after-send:1"])
        #expect(crashed.code == -SIGKILL, "\(crashed.stderr.suffix(2000))")
        #expect(try triggerOutbox(dir).map(\.state) == [.pending])
        let restarted = try await runMonitorAsync(["run", "--config", config, "--once"])
        #expect(restarted.code == 0, "\(restarted.stderr.suffix(3000))")
        let id = try #require(try storedTriggers(dir).first).trigger.id
        #expect(try storedTriggers(dir).count == 1)
        let tagCalls = proxy.requests.filter { $0.path.hasSuffix("model-versions/set-tag") && $0.body.contains("monitor.retrain.trigger_id") }
        // At least once: the tags were set twice, to the same values, carrying the same id.
        #expect(tagCalls.count == 2 && tagCalls.allSatisfy { $0.body.contains(id) }, "\(tagCalls.map(\.body))")
        #expect(try mlflow.versionTags(name, "3")["monitor.retrain.trigger_id"] == id)
        #expect(try triggerOutbox(dir).map(\.state) == [.delivered])
    }
}
