import Foundation
public import MonitorCore

/// A request body in one of the webhook formats, rendered from the stored generic payload.
public struct RenderedRequest: Sendable, Hashable {
    public var body: [UInt8]
    public var contentType: String
    /// Appended to the configured URL's path (`/api/v2/alerts` for `alertmanager_api`).
    public var pathSuffix: String
}

/// Renders the webhook formats (pure).
public enum PayloadRenderer {
    /// What a format needs besides the payload.
    public struct Options: Sendable {
        /// PagerDuty's integration key (resolved secret; goes into the body only, never stored).
        public var routingKey: String?
        /// `externalURL` of the Alertmanager format and `generatorURL`s: where the monitor runs.
        public var externalURL: String

        public init(routingKey: String? = nil, externalURL: String = "") {
            self.routingKey = routingKey
            self.externalURL = externalURL
        }
    }

    public static func render(_ p: NotificationPayload, format: AlertsFile.WebhookFormat, options: Options = Options()) -> RenderedRequest {
        switch format {
        case .generic:
            return RenderedRequest(body: Array(p.json().utf8), contentType: "application/json", pathSuffix: "")
        case .alertmanager:
            return RenderedRequest(body: encode(alertmanager(p, options)), contentType: "application/json", pathSuffix: "")
        case .slack:
            return RenderedRequest(body: encode(slack(p)), contentType: "application/json", pathSuffix: "")
        case .pagerduty:
            return RenderedRequest(body: encode(pagerduty(p, options)), contentType: "application/json", pathSuffix: "")
        case .alertmanagerAPI:
            return RenderedRequest(body: encode(alertmanagerAPI(p, options)), contentType: "application/json", pathSuffix: "/api/v2/alerts")
        }
    }

    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    /// Alertmanager's "zero" time, which its webhook uses for the `endsAt` of firing alerts.
    static let zeroTime = "0001-01-01T00:00:00Z"

    // MARK: Alertmanager webhook, version 4

    struct AMAlert: Encodable {
        var status: String
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String
        var generatorURL: String
        var fingerprint: String
    }

    struct AMMessage: Encodable {
        var version = "4"
        var groupKey: String
        var truncatedAlerts = 0
        var status: String
        var receiver: String
        var groupLabels: [String: String]
        var commonLabels: [String: String]
        var commonAnnotations: [String: String]
        var externalURL: String
        var alerts: [AMAlert]
    }

    static func alertmanager(_ p: NotificationPayload, _ o: Options) -> AMMessage {
        AMMessage(
            groupKey: p.groupKey, status: p.status, receiver: p.receiver, groupLabels: p.groupLabels, commonLabels: p.commonLabels,
            commonAnnotations: p.commonAnnotations, externalURL: o.externalURL,
            alerts: p.alerts.map {
                AMAlert(status: $0.status, labels: $0.labels, annotations: $0.annotations, startsAt: $0.startsAt,
                        endsAt: $0.endsAt ?? zeroTime, generatorURL: o.externalURL, fingerprint: $0.fingerprint)
            })
    }

    // MARK: Alertmanager API (POST /api/v2/alerts)

    struct PostableAlert: Encodable {
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String?
        var generatorURL: String?
    }

    /// Firing alerts go without `endsAt` (Alertmanager resolves them after its
    /// `resolve_timeout` unless they are sent again, hence a short `repeat_interval` for such
    /// receivers); resolved ones carry their resolution time, which resolves them at once.
    static func alertmanagerAPI(_ p: NotificationPayload, _ o: Options) -> [PostableAlert] {
        p.alerts.map {
            PostableAlert(labels: $0.labels, annotations: $0.annotations, startsAt: $0.startsAt, endsAt: $0.endsAt,
                          generatorURL: o.externalURL.isEmpty ? nil : o.externalURL)
        }
    }

    // MARK: Slack incoming webhook

    struct SlackMessage: Encodable {
        var text: String
    }

    /// `*title*` then one line per alert (Slack's mrkdwn, `&`, `<`, `>` escaped).
    static func slack(_ p: NotificationPayload) -> SlackMessage {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        return SlackMessage(text: "*\(escape(p.title))*\n\(escape(p.summary))")
    }

    // MARK: PagerDuty Events API v2

    struct PDPayload: Encodable {
        var summary: String
        var source: String
        var severity: String
        var timestamp: String
        var group: String?
        var custom_details: [String: String]
    }

    struct PDEvent: Encodable {
        var routing_key: String
        var event_action: String
        var dedup_key: String
        var payload: PDPayload?
        var client = "ModelMonitor"
    }

    /// `dedup_key`: SHA-256 of receiver and group key, so every notification of a group —
    /// triggers, repeats and the resolve — addresses one PagerDuty incident.
    public static func pagerDutyDedupKey(receiver: String, groupKey: String) -> String {
        String(SHA256.hex(receiver + "\n" + groupKey).prefix(40))
    }

    /// PagerDuty severities from the alerts' common `severity` label: `critical`, `error`,
    /// `warning` and `info` pass through, `page` is `critical`, `ticket` is `warning`, anything
    /// else is `error`.
    static func pagerDutySeverity(_ label: String?) -> String {
        switch label?.lowercased() {
        case "critical", "error", "warning", "info": return label!.lowercased()
        case "page": return "critical"
        case "ticket": return "warning"
        default: return "error"
        }
    }

    static func pagerduty(_ p: NotificationPayload, _ o: Options) -> PDEvent {
        let resolve = p.status == "resolved"
        var details: [String: String] = ["firing": String(p.alerts("firing").count), "resolved": String(p.alerts("resolved").count),
                                         "alerts": p.summary]
        for (k, v) in p.commonLabels { details["label." + k] = v }
        // PagerDuty limits the summary to 1024 characters.
        let summary = String((p.title.isEmpty ? p.summary : p.title).prefix(1024))
        return PDEvent(
            routing_key: o.routingKey ?? "", event_action: resolve ? "resolve" : "trigger",
            dedup_key: pagerDutyDedupKey(receiver: p.receiver, groupKey: p.groupKey),
            payload: resolve ? nil : PDPayload(summary: summary, source: "modelmonitor", severity: pagerDutySeverity(p.commonLabels["severity"]),
                                               timestamp: p.at, group: p.commonLabels["model"], custom_details: details))
    }
}
