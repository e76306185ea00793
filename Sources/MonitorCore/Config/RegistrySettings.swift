import Yams

/// `registry:` in the config: where retraining triggers go, and the policy that limits them
/// (DESIGN §9). Every sink is optional; triggers are recorded (and listed by
/// `monitor triggers list`) even without one.
///
/// ```yaml
/// registry:
///   cooldown: 24h                 # per model, in event time
///   max_open_triggers: 1          # per model; a trigger is open until its alert resolves
///   mlflow:
///     tracking_uri: https://mlflow.internal:5000
///     models: {fraud: fraud-detector}   # monitored model → registered model (default: same name)
///     version_alias: champion     # the version to tag when events carry no version label
///     alias: retrain-requested    # optional: point this alias at the affected version
///     token: ${MLFLOW_TOKEN}      # or token_file, or username + password / password_file
///   webhook:
///     url: https://pipelines.internal/hooks/retrain
///     secret: ${TRIGGER_SECRET}   # Standard Webhooks signing, as for notifications
///   kafka:
///     brokers: [kafka-1:9093]
///     topic: retrain-triggers
///   file: {path: triggers.jsonl}  # one JSON line per trigger (no registry needed)
/// ```
public struct RegistrySettings: Sendable, Hashable {
    /// Minimum event time between two emitted triggers of one model, ms.
    public var cooldown: Int64 = TriggerPolicy.defaultCooldown
    /// Open triggers allowed per model.
    public var maxOpenTriggers = TriggerPolicy.defaultMaxOpen
    public var mlflow: MLflow?
    public var webhook: Webhook?
    public var kafka: Kafka?
    /// A JSONL file, relative to the config file.
    public var file: Positioned<String>?

    public init() {}

    /// The configured sinks' names, in a fixed order (`mlflow`, `webhook`, `kafka`, `file`).
    public var sinkNames: [String] {
        var out: [String] = []
        if mlflow != nil { out.append("mlflow") }
        if webhook != nil { out.append("webhook") }
        if kafka != nil { out.append("kafka") }
        if file != nil { out.append("file") }
        return out
    }

    /// What HTTP sinks share: limits and the destination policy (as for webhooks in alert files).
    public struct HTTPOptions: Sendable, Hashable {
        /// Per-request timeout, ms.
        public var timeout: Int64 = 10_000
        public var maxAttempts = 10
        public var allowPrivate = false
        public var allowlist: [IPNetwork] = []
        public init() {}
    }

    /// The MLflow sink: tags on the model version and the registered model through MLflow's REST
    /// API (`/api/2.0/mlflow/...`).
    public struct MLflow: Sendable, Hashable {
        /// Base URL of the tracking server, e.g. `http://127.0.0.1:5000`.
        public var trackingURI: Positioned<String>
        /// Monitored model name → registered model name (unlisted models keep their name).
        public var models: [String: String] = [:]
        /// Alias resolving the version when an event carries no `version` label.
        public var versionAlias: String?
        /// Alias pointed at the affected version (MLflow's own webhooks fan it out).
        public var alias: String?
        public var token: AlertsFile.SecretReference?
        public var username: String?
        public var password: AlertsFile.SecretReference?
        public var http = HTTPOptions()

        public init(trackingURI: Positioned<String>) { self.trackingURI = trackingURI }
    }

    /// A signed POST of the trigger's JSON to a pipeline's endpoint.
    public struct Webhook: Sendable, Hashable {
        public var url: Positioned<String>
        /// Standard Webhooks secrets (two during a rotation).
        public var secrets: [AlertsFile.SecretReference] = []
        public var http = HTTPOptions()

        public init(url: Positioned<String>) { self.url = url }
    }

    /// A message per trigger on a Kafka topic (idempotent producer, key = model).
    public struct Kafka: Sendable, Hashable {
        public var brokers: [String] = []
        public var topic = ""
        /// librdkafka properties (values may reference secrets).
        public var properties: [String: SecretValue] = [:]
        /// Delivery timeout per attempt, ms.
        public var timeout: Int64 = 10_000
        public var maxAttempts = 10
        public init() {}
    }
}

extension MonitorConfig {
    static func parseRegistry(_ node: Node, _ r: inout YAMLReader) -> RegistrySettings {
        var s = RegistrySettings()
        for (key, keyNode, v) in r.mapping(node, "registry", allowed: ["cooldown", "max_open_triggers", "mlflow", "webhook", "kafka", "file"]) {
            let ctx = "registry.\(key)"
            switch key {
            case "cooldown": if let d = r.duration(v, ctx) { s.cooldown = d }
            case "max_open_triggers": if let n = r.int(v, ctx, range: 1...1000) { s.maxOpenTriggers = n }
            case "mlflow": s.mlflow = parseMLflow(v, ctx, keyNode, &r)
            case "webhook": s.webhook = parseTriggerWebhook(v, ctx, keyNode, &r)
            case "kafka": s.kafka = parseTriggerKafka(v, ctx, &r)
            case "file":
                var found = false
                for (fk, _, fv) in r.mapping(v, ctx, allowed: ["path"]) where fk == "path" {
                    found = true
                    if let p = r.string(fv, ctx + ".path"), !p.isEmpty { s.file = positioned(fv, p, r) }
                    else { r.error(fv, ctx + ".path", "cannot be empty") }
                }
                if !found, case .mapping = v { r.error(v, ctx, "missing \"path\"") }
            default: break
            }
        }
        return s
    }

    /// `${NAME}` only: a literal secret would be recorded with the config text.
    static func secretReference(_ node: Node, _ ctx: String, _ r: inout YAMLReader) -> AlertsFile.SecretReference? {
        guard let s = r.string(node, ctx) else { return nil }
        let body = s.dropFirst(2).dropLast()
        guard s.hasPrefix("${"), s.hasSuffix("}"), !body.isEmpty,
              body.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !(body.first?.isNumber ?? true) else {
            r.error(node, ctx, "must be an environment reference like ${MLFLOW_TOKEN} (secrets are never written inline; or use the *_file key)")
            return nil
        }
        return .environment(String(body))
    }

    static func parseHTTPOption(_ key: String, _ v: Node, _ ctx: String, into h: inout RegistrySettings.HTTPOptions, _ r: inout YAMLReader) {
        switch key {
        case "timeout":
            if let d = r.duration(v, ctx) {
                if d < 100 || d > 300_000 { r.error(v, ctx, "must be between 100ms and 5m") } else { h.timeout = d }
            }
        case "max_attempts": if let n = r.int(v, ctx, range: 1...1000) { h.maxAttempts = n }
        case "allow_private": h.allowPrivate = r.bool(v, ctx) ?? false
        case "allowlist":
            for (i, item) in r.sequence(v, ctx).enumerated() {
                guard let s = r.string(item, "\(ctx)[\(i)]") else { continue }
                if let n = IPNetwork(parsing: s) { h.allowlist.append(n) } else {
                    r.error(item, "\(ctx)[\(i)]", "\"\(s)\" is not an address range (e.g. 10.0.0.0/8 or 127.0.0.1/32)")
                }
            }
        default: break
        }
    }

    static let httpOptionKeys = ["timeout", "max_attempts", "allow_private", "allowlist"]

    static func checkURL(_ node: Node, _ ctx: String, _ r: inout YAMLReader) -> Positioned<String>? {
        guard let s = r.string(node, ctx) else { return nil }
        do { _ = try WebhookURL(parsing: s) } catch {
            r.error(node, ctx, "\(error)")
            return nil
        }
        return positioned(node, s, r)
    }

    static func parseMLflow(_ node: Node, _ ctx: String, _ keyNode: Node, _ r: inout YAMLReader) -> RegistrySettings.MLflow? {
        let keys = ["tracking_uri", "models", "version_alias", "alias", "token", "token_file", "username", "password", "password_file"]
            + httpOptionKeys
        let entries = r.mapping(node, ctx, allowed: keys)
        guard case .mapping = node else { return nil }
        guard let uriEntry = entries.first(where: { $0.key == "tracking_uri" }) else {
            r.error(node, ctx, "missing \"tracking_uri\" (e.g. http://127.0.0.1:5000)")
            return nil
        }
        guard let uri = checkURL(uriEntry.value, ctx + ".tracking_uri", &r) else { return nil }
        var m = RegistrySettings.MLflow(trackingURI: uri)
        func aliasName(_ v: Node, _ c: String, _ r: inout YAMLReader) -> String? {
            guard let s = r.string(v, c) else { return nil }
            // MLflow aliases: letters, digits, '_' and '-'; `v<digits>` and `latest` are reserved.
            let ok = !s.isEmpty && s.count <= 255 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            if !ok { r.error(v, c, "an MLflow alias uses letters, digits, '_' and '-' only"); return nil }
            if s.lowercased() == "latest" || (s.lowercased().hasPrefix("v") && s.dropFirst().allSatisfy(\.isNumber) && s.count > 1) {
                r.error(v, c, "\"\(s)\" is reserved by MLflow"); return nil
            }
            return s
        }
        for (key, _, v) in entries {
            let kctx = "\(ctx).\(key)"
            switch key {
            case "models":
                for (name, _, mv) in r.mapping(v, kctx) {
                    if let s = r.string(mv, "\(kctx).\(name)") {
                        if s.isEmpty { r.error(mv, "\(kctx).\(name)", "cannot be empty") } else { m.models[name] = s }
                    }
                }
            case "version_alias": m.versionAlias = aliasName(v, kctx, &r)
            case "alias": m.alias = aliasName(v, kctx, &r)
            case "token": m.token = secretReference(v, kctx, &r)
            case "token_file": if let p = r.string(v, kctx), !p.isEmpty { m.token = .file(p) }
            case "username": if let u = r.string(v, kctx), !u.isEmpty { m.username = u }
            case "password": m.password = secretReference(v, kctx, &r)
            case "password_file": if let p = r.string(v, kctx), !p.isEmpty { m.password = .file(p) }
            default: parseHTTPOption(key, v, kctx, into: &m.http, &r)
            }
        }
        let has = Set(entries.map(\.key))
        if has.contains("token") && has.contains("token_file") { r.error(node, ctx, "give either \"token\" or \"token_file\", not both") }
        if has.contains("password") && has.contains("password_file") {
            r.error(node, ctx, "give either \"password\" or \"password_file\", not both")
        }
        if m.token != nil, m.username != nil { r.error(node, ctx, "give a bearer token or a username and password, not both") }
        if (m.username == nil) != (m.password == nil) { r.error(node, ctx, "basic auth needs both \"username\" and \"password\" (or \"password_file\")") }
        return m
    }

    static func parseTriggerWebhook(_ node: Node, _ ctx: String, _ keyNode: Node, _ r: inout YAMLReader) -> RegistrySettings.Webhook? {
        let entries = r.mapping(node, ctx, allowed: ["url", "secret", "secret_file"] + httpOptionKeys)
        guard case .mapping = node else { return nil }
        guard let urlEntry = entries.first(where: { $0.key == "url" }) else {
            r.error(node, ctx, "missing \"url\"")
            return nil
        }
        guard let url = checkURL(urlEntry.value, ctx + ".url", &r) else { return nil }
        var w = RegistrySettings.Webhook(url: url)
        for (key, _, v) in entries {
            let kctx = "\(ctx).\(key)"
            switch key {
            case "url": break
            case "secret":
                let items: [Node] = { if case .sequence = v { return r.sequence(v, kctx) } else { return [v] } }()
                for item in items { if let s = secretReference(item, kctx, &r) { w.secrets.append(s) } }
            case "secret_file":
                let items: [Node] = { if case .sequence = v { return r.sequence(v, kctx) } else { return [v] } }()
                for item in items { if let p = r.string(item, kctx), !p.isEmpty { w.secrets.append(.file(p)) } }
            default: parseHTTPOption(key, v, kctx, into: &w.http, &r)
            }
        }
        return w
    }

    static func parseTriggerKafka(_ node: Node, _ ctx: String, _ r: inout YAMLReader) -> RegistrySettings.Kafka? {
        var k = RegistrySettings.Kafka()
        let entries = r.mapping(node, ctx, allowed: ["brokers", "topic", "properties", "timeout", "max_attempts"])
        guard case .mapping = node else { return nil }
        var ok = true
        for (key, _, v) in entries {
            let kctx = "\(ctx).\(key)"
            switch key {
            case "brokers":
                if case .scalar(let s) = v {
                    k.brokers = s.string.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
                } else {
                    k.brokers = r.sequence(v, kctx).compactMap { r.string($0, kctx) }.filter { !$0.isEmpty }
                }
                if k.brokers.isEmpty { r.error(v, kctx, "at least one broker (host:port) is needed"); ok = false }
                for b in k.brokers where !b.contains(":") { r.error(v, kctx, "\"\(b)\" is not host:port"); ok = false }
            case "topic":
                if let s = r.string(v, kctx), !s.isEmpty { k.topic = s } else { r.error(v, kctx, "cannot be empty"); ok = false }
            case "timeout":
                if let d = r.duration(v, kctx) {
                    if d < 100 || d > 300_000 { r.error(v, kctx, "must be between 100ms and 5m"); ok = false } else { k.timeout = d }
                }
            case "max_attempts": if let n = r.int(v, kctx, range: 1...1000) { k.maxAttempts = n }
            case "properties":
                for (name, nameNode, pv) in r.mapping(v, kctx) {
                    let pctx = "\(kctx).\(name)"
                    if ["enable.idempotence", "acks", "bootstrap.servers", "dr_msg_cb"].contains(name) {
                        r.error(nameNode, pctx, "cannot be set here: the trigger producer is idempotent (enable.idempotence=true, acks=all) and uses brokers")
                        ok = false
                        continue
                    }
                    switch pv {
                    case .scalar(let s): k.properties[name] = .text(s.string)
                    case .mapping:
                        for (fk, _, fv) in r.mapping(pv, pctx, allowed: ["file"]) where fk == "file" {
                            if let p = r.string(fv, pctx + ".file"), !p.isEmpty { k.properties[name] = .file(positioned(fv, p, r)) }
                        }
                    default: r.error(pv, pctx, "expected a value, ${ENV_VAR} or {file: path}"); ok = false
                    }
                }
            default: break
            }
        }
        if !entries.contains(where: { $0.key == "brokers" }) { r.error(node, ctx, "missing \"brokers\" (host:port list)"); ok = false }
        if !entries.contains(where: { $0.key == "topic" }) { r.error(node, ctx, "missing \"topic\""); ok = false }
        return ok ? k : nil
    }
}
