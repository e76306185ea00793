import MonitorCore
import Testing

@Suite("registry: config")
struct RegistryConfigTests {
    @Test("every key is read; sinks in a fixed order")
    func full() throws {
        let text = """
            registry:
              cooldown: 6h
              max_open_triggers: 3
              mlflow:
                tracking_uri: http://127.0.0.1:5000
                models: {fraud: fraud-detector}
                version_alias: champion
                alias: retrain-requested
                username: monitor
                password_file: secrets/mlflow
                timeout: 5s
                max_attempts: 4
                allowlist: [127.0.0.0/8]
              webhook:
                url: https://ci.example.com/hooks/retrain
                secret: ["${A}", "${B}"]
              kafka:
                brokers: [k1:9092, k2:9092]
                topic: retrain
                properties: {linger.ms: "5"}
              file: {path: triggers.jsonl}
            """
        let (config, diags) = MonitorConfig.parse(text, path: "m.yaml")
        #expect(diags.isEmpty, "\(diags)")
        let r = try #require(config).registry
        #expect(r.cooldown == 6 * 3_600_000 && r.maxOpenTriggers == 3)
        #expect(r.sinkNames == ["mlflow", "webhook", "kafka", "file"])
        let m = try #require(r.mlflow)
        #expect(m.models == ["fraud": "fraud-detector"] && m.versionAlias == "champion" && m.alias == "retrain-requested")
        #expect(m.username == "monitor" && m.password == .file("secrets/mlflow") && m.token == nil)
        #expect(m.http.timeout == 5000 && m.http.maxAttempts == 4 && m.http.allowlist.count == 1)
        #expect(r.webhook?.secrets == [.environment("A"), .environment("B")])
        #expect(r.kafka?.brokers == ["k1:9092", "k2:9092"] && r.kafka?.topic == "retrain")
        #expect(r.file?.value == "triggers.jsonl")
    }

    @Test("defaults: 24h cooldown, one open trigger, no sink")
    func defaults() throws {
        let (config, diags) = MonitorConfig.parse("windows: [{name: 1h, size: 1h}]", path: "m.yaml")
        #expect(diags.isEmpty)
        let r = try #require(config).registry
        #expect(r.cooldown == 86_400_000 && r.maxOpenTriggers == 1 && r.sinkNames.isEmpty)
    }

    /// Each bad config and the message (with its position) it must produce.
    @Test("errors name the line and column, all at once", arguments: [
        // An inline secret would be recorded with the config text.
        ("registry:\n  mlflow:\n    tracking_uri: http://x:5000\n    token: abc\n", "m.yaml:4:12: registry.mlflow.token: must be an environment reference"),
        // Unknown keys are errors.
        ("registry:\n  mlflow:\n    tracking_url: http://x\n", "m.yaml:3:5: registry.mlflow: unknown key \"tracking_url\""),
        ("registry:\n  mlflow: {alias: champion}\n", "registry.mlflow: missing \"tracking_uri\""),
        ("registry:\n  mlflow: {tracking_uri: ftp://x}\n", "registry.mlflow.tracking_uri:"),
        ("registry:\n  mlflow: {tracking_uri: http://x, alias: latest}\n", "\"latest\" is reserved by MLflow"),
        ("registry:\n  mlflow: {tracking_uri: http://x, username: u}\n", "basic auth needs both \"username\" and \"password\""),
        ("registry:\n  mlflow: {tracking_uri: http://x, token: \"${T}\", username: u, password: \"${P}\"}\n", "a bearer token or a username and password, not both"),
        ("registry:\n  kafka: {brokers: [k:9092], topic: t, properties: {enable.idempotence: \"false\"}}\n", "the trigger producer is idempotent"),
        ("registry:\n  kafka: {brokers: [k:9092]}\n", "registry.kafka: missing \"topic\""),
        ("registry:\n  webhook: {secret: \"${S}\"}\n", "registry.webhook: missing \"url\""),
        ("registry:\n  max_open_triggers: 0\n", "m.yaml:2:22: registry.max_open_triggers:"),
        ("registry:\n  cooldown: soon\n", "m.yaml:2:13: registry.cooldown:"),
        ("registry:\n  file: {}\n", "registry.file: missing \"path\""),
    ])
    func errors(_ text: String, _ expected: String) {
        let (config, diags) = MonitorConfig.parse(text, path: "m.yaml")
        #expect(config == nil)
        #expect(diags.contains { $0.description.contains(expected) }, "\(diags.map(\.description))")
    }
}
