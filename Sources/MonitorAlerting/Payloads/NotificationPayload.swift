import Foundation
public import MonitorCore

/// A notification in ModelMonitor's `generic` JSON format — what the outbox stores and what the
/// `generic` webhook format and the `file` receiver send. Every other format is rendered from it.
///
/// ```json
/// {"version":"1","id":"msg_…","receiver":"on-call","status":"firing",
///  "groupKey":"{}:{alertname=\"FeatureDrift\"}","groupLabels":{"alertname":"FeatureDrift"},
///  "commonLabels":{…},"commonAnnotations":{…},"title":"[FIRING:2] FeatureDrift","summary":"…",
///  "at":"2026-11-04T14:00:00.000Z","alerts":[{"status":"firing","labels":{…},"annotations":{…},
///  "startsAt":"2026-11-04T14:00:00.000Z","value":0.261,"fingerprint":"1b2c…","rule":"FeatureDrift",
///  "ruleGroup":"feature-drift"}]}
/// ```
public struct NotificationPayload: Codable, Sendable, Hashable {
    /// One alert of the notification.
    public struct Alert: Codable, Sendable, Hashable {
        /// `firing` or `resolved`.
        public var status: String
        public var labels: [String: String]
        public var annotations: [String: String]
        /// RFC 3339: when it started firing.
        public var startsAt: String
        /// RFC 3339: when it resolved (absent while firing).
        public var endsAt: String?
        /// The expression's value at the last evaluation (absent when not finite).
        public var value: Double?
        /// Alertmanager-compatible fingerprint of the labels.
        public var fingerprint: String
        public var rule: String
        public var ruleGroup: String

        public init(status: String, labels: [String: String], annotations: [String: String], startsAt: String, endsAt: String?,
                    value: Double?, fingerprint: String, rule: String, ruleGroup: String) {
            self.status = status
            self.labels = labels
            self.annotations = annotations
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.value = value
            self.fingerprint = fingerprint
            self.rule = rule
            self.ruleGroup = ruleGroup
        }
    }

    /// Format version of this JSON.
    public var version = "1"
    /// The notification id (`webhook-id`).
    public var id: String
    public var receiver: String
    /// `firing` when any alert fires, else `resolved`.
    public var status: String
    public var groupKey: String
    public var groupLabels: [String: String]
    /// Labels and annotations all alerts share.
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var title: String
    public var summary: String
    /// RFC 3339: the flush time (event time).
    public var at: String
    public var alerts: [Alert]

    public init(id: String, receiver: String, status: String, groupKey: String, groupLabels: [String: String],
                commonLabels: [String: String], commonAnnotations: [String: String], title: String, summary: String, at: String,
                alerts: [Alert]) {
        self.id = id
        self.receiver = receiver
        self.status = status
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.title = title
        self.summary = summary
        self.at = at
        self.alerts = alerts
    }

    /// Canonical JSON (sorted keys, no whitespace): the same payload always gives the same bytes.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Cannot fail: strings and finite doubles only.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes a stored payload.
    public static func decode(_ text: String) throws -> NotificationPayload {
        try JSONDecoder().decode(NotificationPayload.self, from: Data(text.utf8))
    }

    /// Alerts with this status.
    public func alerts(_ status: String) -> [Alert] { alerts.filter { $0.status == status } }
}
