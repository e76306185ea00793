public import AsyncHTTPClient
import Foundation
public import MonitorCore
import NIOHTTP1

/// POSTs each trigger's JSON to a pipeline's endpoint (a CI job, Airflow, Argo, Kubeflow…),
/// signed with Standard Webhooks headers when a secret is configured — the same signing as
/// notification webhooks. `webhook-id` is the trigger id, so receivers drop redeliveries.
public struct WebhookTriggerSink: ModelRegistryClient {
    public let name = "webhook"
    public let url: WebhookURL
    public let maxAttempts: Int
    let http: RegistryHTTP
    let signer: RequestSigner?
    let destination: DestinationCheck

    /// - Parameters:
    ///   - url: The endpoint.
    ///   - client: The HTTP client (no redirects).
    ///   - signer: Standard Webhooks signing, or nil to send `webhook-id` alone.
    ///   - timeout: Per request.
    ///   - maxAttempts: Before giving up.
    ///   - destination: The address check run before each attempt.
    public init(url: WebhookURL, client: HTTPClient, signer: RequestSigner?, timeout: Duration = .seconds(10), maxAttempts: Int = 10,
                destination: @escaping DestinationCheck) {
        self.url = url
        self.maxAttempts = maxAttempts
        http = RegistryHTTP(client: client, timeout: timeout)
        self.signer = signer
        self.destination = destination
    }

    public func deliver(_ trigger: RetrainTrigger, payload: String, now: Timestamp) async -> SinkOutcome {
        if let refused = destination(url) { return refused }
        let body = Array(payload.utf8)
        var headers: [(String, String)] = [("webhook-event", "retrain_trigger")]
        if let signer { headers += signer(trigger.id, now.milliseconds / 1000, body) } else { headers.append(("webhook-id", trigger.id)) }
        switch await http.send(method: .POST, url: url.canonical, headers: headers, body: body, now: now) {
        case .failure(let f): return f.outcome
        case .success(let r): return SinkOutcome.classify(status: r.status, retryAfter: r.retryAfter)
        }
    }
}
