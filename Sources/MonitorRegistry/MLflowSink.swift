public import AsyncHTTPClient
import Foundation
public import MonitorCore
import NIOHTTP1

/// Delivers triggers to an MLflow model registry through its REST API (`/api/2.0/mlflow/...`):
///
/// 1. resolves the version — the trigger's `version` (the events' `version` label), or the
///    version an alias such as `champion` points at (`GET registered-models/alias`);
/// 2. sets tags on that model version (`POST model-versions/set-tag`):
///    `monitor.retrain.requested_at` (when the alert fired, RFC 3339), `monitor.retrain.reason`,
///    `monitor.retrain.trigger_id`, `monitor.retrain.rule`;
/// 3. sets tags on the registered model (`POST registered-models/set-tag`):
///    `monitor.retrain.requested_version` and `monitor.retrain.trigger_id`;
/// 4. optionally points an alias (e.g. `retrain-requested`) at the version
///    (`POST registered-models/alias`), so MLflow's own webhooks and pipelines polling the alias
///    see the request.
///
/// Every call is idempotent (setting a tag to the value it has changes nothing), so the
/// at-least-once outbox may redeliver freely; tag values derive from the trigger only, never
/// from the time of the attempt.
public struct MLflowSink: ModelRegistryClient {
    /// Resolved settings (secrets read by the service).
    public struct Configuration: Sendable {
        /// e.g. `http://127.0.0.1:5000` (no trailing slash needed).
        public var trackingURI: WebhookURL
        /// Monitored model → registered model.
        public var models: [String: String]
        public var versionAlias: String?
        public var alias: String?
        /// The `Authorization` header value (`Bearer …` or `Basic …`); never logged.
        public var authorization: String?
        public var timeout: Duration
        public var maxAttempts: Int

        public init(trackingURI: WebhookURL, models: [String: String] = [:], versionAlias: String? = nil, alias: String? = nil,
                    authorization: String? = nil, timeout: Duration = .seconds(10), maxAttempts: Int = 10) {
            self.trackingURI = trackingURI
            self.models = models
            self.versionAlias = versionAlias
            self.alias = alias
            self.authorization = authorization
            self.timeout = timeout
            self.maxAttempts = maxAttempts
        }

        /// A bearer token's header value.
        public static func bearer(_ token: String) -> String { "Bearer " + token }
        /// Basic auth's header value.
        public static func basic(username: String, password: String) -> String {
            "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        }
    }

    /// Tag keys set on the model version.
    public enum Tag {
        public static let requestedAt = "monitor.retrain.requested_at"
        public static let reason = "monitor.retrain.reason"
        public static let triggerID = "monitor.retrain.trigger_id"
        public static let rule = "monitor.retrain.rule"
        /// On the registered model.
        public static let requestedVersion = "monitor.retrain.requested_version"
    }

    /// MLflow limits tag values (5000 characters for model-version tags); longer reasons are cut.
    static let maxTagValue = 4000

    public let name = "mlflow"
    public let configuration: Configuration
    let http: RegistryHTTP
    let destination: DestinationCheck

    public var maxAttempts: Int { configuration.maxAttempts }

    /// - Parameters:
    ///   - configuration: Where and how.
    ///   - client: The HTTP client (no redirects; shared with other sinks).
    ///   - destination: The address check run before each attempt.
    public init(configuration: Configuration, client: HTTPClient, destination: @escaping DestinationCheck) {
        self.configuration = configuration
        http = RegistryHTTP(client: client, timeout: configuration.timeout)
        self.destination = destination
    }

    /// The registered model a monitored model maps to.
    public func registeredModel(for model: String) -> String { configuration.models[model] ?? model }

    public func deliver(_ trigger: RetrainTrigger, payload: String, now: Timestamp) async -> SinkOutcome {
        if let refused = destination(configuration.trackingURI) { return refused }
        guard !trigger.model.isEmpty else {
            return .permanent("the alert has no model label: no registered model to tag", status: nil)
        }
        let modelName = registeredModel(for: trigger.model)
        var version = trigger.version
        if version == nil {
            guard let alias = configuration.versionAlias else {
                return .permanent("the alert has no version label and registry.mlflow.version_alias is not set", status: nil)
            }
            switch await resolveAlias(modelName, alias, now: now) {
            case .success(let v): version = v
            case .failure(let f): return f.outcome
            }
        }
        guard let version else { preconditionFailure("version resolved above") }
        var reason = trigger.reason
        if reason.count > Self.maxTagValue { reason = String(reason.prefix(Self.maxTagValue - 1)) + "…" }
        let versionTags = [(Tag.requestedAt, trigger.firedAt), (Tag.reason, reason), (Tag.triggerID, trigger.id), (Tag.rule, trigger.rule)]
        for (key, value) in versionTags {
            let r = await call(.POST, "model-versions/set-tag", ["name": modelName, "version": version, "key": key, "value": value], now: now)
            if case .failure(let f) = r { return f.outcome }
        }
        for (key, value) in [(Tag.requestedVersion, version), (Tag.triggerID, trigger.id)] {
            let r = await call(.POST, "registered-models/set-tag", ["name": modelName, "key": key, "value": value], now: now)
            if case .failure(let f) = r { return f.outcome }
        }
        if let alias = configuration.alias {
            let r = await call(.POST, "registered-models/alias", ["name": modelName, "alias": alias, "version": version], now: now)
            if case .failure(let f) = r { return f.outcome }
        }
        return .delivered(status: 200)
    }

    /// The version an alias points at.
    func resolveAlias(_ model: String, _ alias: String, now: Timestamp) async -> Result<String, RegistryHTTP.Failure> {
        var q = URLComponents()
        q.queryItems = [URLQueryItem(name: "name", value: model), URLQueryItem(name: "alias", value: alias)]
        let query = q.percentEncodedQuery ?? ""
        switch await call(.GET, "registered-models/alias?" + query, nil, now: now) {
        case .failure(let f): return .failure(f)
        case .success(let body):
            guard let o = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                  let mv = o["model_version"] as? [String: Any], let v = mv["version"] else {
                return .failure(.init(outcome: .permanent("MLflow's answer to the alias lookup has no model_version.version", status: 200)))
            }
            return .success("\(v)")
        }
    }

    /// One REST call; the body on 2xx, else the classified failure (with MLflow's error code).
    func call(_ method: HTTPMethod, _ endpoint: String, _ body: [String: String]?, now: Timestamp) async
        -> Result<[UInt8], RegistryHTTP.Failure>
    {
        var base = configuration.trackingURI.canonical
        while base.hasSuffix("/") { base.removeLast() }
        let url = base + "/api/2.0/mlflow/" + endpoint
        var headers: [(String, String)] = []
        if let auth = configuration.authorization { headers.append(("Authorization", auth)) }
        let bytes = body.map { b in (try? JSONSerialization.data(withJSONObject: b, options: [.sortedKeys])).map(Array.init) ?? [] }
        switch await http.send(method: method, url: url, headers: headers, body: bytes, now: now) {
        case .failure(let f): return .failure(f)
        case .success(let r):
            if (200..<300).contains(r.status) { return .success(r.body) }
            var detail = "\(method.rawValue) \(endpoint.split(separator: "?").first ?? "")"
            if let o = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] {
                if let code = o["error_code"] as? String { detail += " \(code)" }
                if let message = o["message"] as? String { detail += ": " + String(message.prefix(300)) }
            }
            return .failure(.init(outcome: SinkOutcome.classify(status: r.status, retryAfter: r.retryAfter, detail: detail)))
        }
    }
}
