public import MonitorCore

/// How one delivery attempt of a trigger to a sink ended. Transport outcomes are data: the
/// outbox dispatcher (wired by `MonitorService`) owns retries and backoff.
///
/// This mirrors `MonitorAlerting`'s `DeliveryOutcome` — adapters do not import each other
/// (DESIGN §2), so the service maps one onto the other.
public enum SinkOutcome: Sendable, Hashable {
    /// Accepted: every registry call succeeded, the message was acknowledged, the line was written.
    case delivered(status: Int?)
    /// Worth another attempt: 5xx, 429, 408, a timeout, a connection failure, a broker outage.
    case retryable(String, status: Int?, retryAfter: Duration?)
    /// Will not succeed as it is: 4xx (an unknown registered model or version, bad credentials),
    /// a refused destination, a payload that cannot be decoded.
    case permanent(String, status: Int?)

    /// The class of an HTTP status, in one place (2xx ok; 408, 429, 5xx retryable; others
    /// permanent — redirects are not followed).
    public static func classify(status: Int, retryAfter: Duration? = nil, detail: String = "") -> SinkOutcome {
        let suffix = detail.isEmpty ? "" : ": \(detail)"
        switch status {
        case 200..<300: return .delivered(status: status)
        case 408, 429, 500..<600: return .retryable("HTTP \(status)\(suffix)", status: status, retryAfter: retryAfter)
        case 300..<400: return .permanent("HTTP \(status) (redirects are not followed)\(suffix)", status: status)
        default: return .permanent("HTTP \(status)\(suffix)", status: status)
        }
    }
}

/// Delivers retraining triggers to one place (a model registry, a pipeline's webhook, a topic).
///
/// Requirements: ``deliver(_:payload:now:)`` never throws (every failure is an outcome) and is
/// idempotent — the outbox delivers at least once, so a redelivery of the same trigger (same
/// id) must leave the destination as one delivery would.
public protocol ModelRegistryClient: Sendable {
    /// The sink's name in the config (`mlflow`, `webhook`, `kafka`, `file`).
    var name: String { get }
    /// Attempts before the trigger's delivery to this sink is given up.
    var maxAttempts: Int { get }
    /// One attempt.
    ///
    /// - Parameters:
    ///   - trigger: The trigger.
    ///   - payload: Its JSON as stored (what HTTP and Kafka sinks send, byte for byte).
    ///   - now: Wall-clock time of the attempt.
    func deliver(_ trigger: RetrainTrigger, payload: String, now: Timestamp) async -> SinkOutcome
}

/// Checks a destination before a request: nil when it may be contacted, else the outcome to
/// report (a refused address is permanent; a name that does not resolve is retryable). The
/// service builds it from the same destination policy as notification webhooks.
public typealias DestinationCheck = @Sendable (WebhookURL) -> SinkOutcome?

/// Standard Webhooks headers for a body (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`), built by the service from the same signer as notifications.
public typealias RequestSigner = @Sendable (_ id: String, _ timestamp: Int64, _ body: [UInt8]) -> [(String, String)]
