import Foundation
public import MonitorCore

/// Alertmanager's aggregation groups as a value type: alert transitions go in, notifications
/// come out when a group's timer is due. Time is a parameter (event time: the evaluation times
/// and the watermark), so the whole pipeline is testable by stepping time, and the state is
/// checkpointed with the transitions (``encoded()``) so that a restart neither repeats nor loses
/// a group's notifications.
///
/// Timing, per route: a new group waits `group_wait` before its first notification; after each
/// flush the next is due `group_interval` later; a flush notifies only when the dedup decision
/// (``NotificationPolicy``) says so — new firing alerts, resolutions, or `repeat_interval`
/// elapsed since the last notification. Resolved alerts leave their group after the flush that
/// reported them; an empty group is removed.
///
/// Invariants: every group's alerts have distinct fingerprints; `nextFlush` is set for every
/// group; a group's `lastSent` only names alerts that were notified.
public struct AlertGrouper: Sendable {
    /// One alert in a group.
    struct GroupedAlert: Codable, Sendable, Hashable {
        var fingerprint: String
        var labels: [String: String]
        var annotations: [String: String]
        var status: String
        var startsAt: Int64
        var endsAt: Int64?
        var value: Double?
        var rule: String
        var ruleGroup: String
    }

    /// One aggregation group.
    struct Group: Codable, Sendable, Hashable {
        var key: String
        var routeKey: String
        var receiver: String
        var groupLabels: [String: String]
        var alerts: [String: GroupedAlert]
        var nextFlush: Int64
        var groupInterval: Int64
        var repeatInterval: Int64
        var lastSent: NotificationRecord?
        /// Fingerprints muted at the last flush (a change is logged once, not at every flush).
        var lastMuted: [String]
    }

    struct State: Codable, Sendable, Hashable {
        var version = 1
        var groups: [String: Group] = [:]
    }

    private var state = State()

    /// Why the encoded state could not be read.
    public struct DecodingError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public init() {}

    /// Restores a checkpointed state (nil or empty: no groups).
    public init(encoded: [UInt8]?) throws(DecodingError) {
        guard let encoded, !encoded.isEmpty else { return }
        do {
            state = try JSONDecoder().decode(State.self, from: Data(encoded))
        } catch {
            throw DecodingError(description: "the checkpointed alert groups cannot be read: \(error)")
        }
        guard state.version == 1 else { throw DecodingError(description: "alert group state version \(state.version) is unknown") }
    }

    /// The state for the checkpoint (deterministic bytes).
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(state)) ?? Data())
    }

    /// Keys of the current groups, sorted.
    public var groupKeys: [String] { state.groups.keys.sorted() }

    /// When the next group is due (nil without groups).
    public var nextFlush: Timestamp? { state.groups.values.map(\.nextFlush).min().map(Timestamp.init(milliseconds:)) }

    /// Adds firing and resolved transitions to the groups of the routes that take them; other
    /// transitions (pending, dropped) are not notified, as in Prometheus.
    public mutating func ingest(_ transitions: [AlertTransition], plan: AlertingPlan) {
        for t in transitions where t.to == .firing || t.to == .resolved {
            let a = t.alert
            let fingerprint = AlertFingerprint.of(a.labels)
            for route in plan.routes.match(a.labels) {
                let groupLabels = route.groupLabels(a.labels)
                let key = "\(route.key):\(groupLabels)"
                var group = state.groups[key] ?? Group(
                    key: key, routeKey: route.key, receiver: route.receiver, groupLabels: groupLabels.dictionary, alerts: [:],
                    nextFlush: t.at.milliseconds.addingReportingOverflow(route.groupWait).overflow ? Int64.max : t.at.milliseconds + route.groupWait, groupInterval: route.groupInterval,
                    repeatInterval: route.repeatInterval, lastSent: nil, lastMuted: [])
                if t.to == .resolved, group.alerts[fingerprint] == nil {
                    // A resolution for an alert this group never held (e.g. routing changed):
                    // nothing was notified about it, so there is nothing to resolve.
                    continue
                }
                let value = a.value.isFinite ? a.value : nil
                group.alerts[fingerprint] = GroupedAlert(
                    fingerprint: fingerprint, labels: a.labels.dictionary, annotations: a.annotations.dictionary,
                    status: t.to == .firing ? "firing" : "resolved", startsAt: (a.firedAt ?? a.activeAt).milliseconds,
                    endsAt: t.to == .resolved ? (a.resolvedAt ?? t.at).milliseconds : nil, value: value, rule: a.rule,
                    ruleGroup: a.group)
                state.groups[key] = group
            }
        }
    }

    /// What muting needs at flush time.
    public struct MuteContext: Sendable {
        /// Label sets of the alerts firing now (inhibition sources).
        public var firing: [Labels]
        public var silences: [Silence]
        /// Wall-clock time silences are checked at.
        public var wallNow: Timestamp

        public init(firing: [Labels] = [], silences: [Silence] = [], wallNow: Timestamp = Timestamp(milliseconds: 0)) {
            self.firing = firing
            self.silences = silences
            self.wallNow = wallNow
        }
    }

    /// What a flush produced.
    public struct FlushOutput: Sendable {
        public var notifications: [OutboxNotification] = []
        public var log: [NotificationLogEntry] = []
        /// Decisions by reason (also the unlogged `unchanged` ones), for metrics and tests.
        public var reasons: [NotifyReason] = []
    }

    /// Flushes every group whose timer is due at `now` (all groups when `force`, e.g. at the
    /// end of a `--once` run).
    ///
    /// - Parameters:
    ///   - now: Event time of the flush; the notifications' time and their id's basis.
    ///   - plan: Receivers and templates (the groups keep their route's timings).
    ///   - mute: Inhibition sources and silences.
    ///   - enqueuedAt: Wall-clock time stamped on the notifications (first attempt due then).
    ///   - force: Flush groups whose timer is not due yet.
    public mutating func flush(at now: Timestamp, plan: AlertingPlan, mute: MuteContext, enqueuedAt: Timestamp,
                               force: Bool = false) -> FlushOutput {
        var out = FlushOutput()
        for key in state.groups.keys.sorted() {
            guard var group = state.groups[key], force || group.nextFlush <= now.milliseconds else { continue }
            group.nextFlush = now.milliseconds.addingReportingOverflow(group.groupInterval).overflow ? Int64.max : now.milliseconds + group.groupInterval
            flush(&group, now: now, plan: plan, mute: mute, enqueuedAt: enqueuedAt, into: &out)
            group.alerts = group.alerts.filter { $0.value.status == "firing" }
            state.groups[key] = group.alerts.isEmpty ? nil : group
        }
        return out
    }

    private func flush(_ group: inout Group, now: Timestamp, plan: AlertingPlan, mute: MuteContext, enqueuedAt: Timestamp,
                       into out: inout FlushOutput) {
        let alerts = group.alerts.values.sorted { $0.fingerprint < $1.fingerprint }
        var kept: [GroupedAlert] = []
        var muted: [(GroupedAlert, String)] = []
        for a in alerts {
            let labels = Labels(a.labels.map { ($0.key, $0.value) })
            if let s = mute.silences.first(where: { $0.mutes(labels, at: mute.wallNow) }) {
                muted.append((a, "silenced by \(s.id)"))
            } else if a.status == "firing", let rule = plan.inhibitor.inhibitingRule(for: labels, firing: mute.firing) {
                muted.append((a, "inhibited by inhibit_rules[\(rule)]"))
            } else {
                kept.append(a)
            }
        }
        let mutedKeys = muted.map { "\($0.0.fingerprint) \($0.1)" }
        if mutedKeys != group.lastMuted {
            for (a, reason) in muted where !group.lastMuted.contains("\(a.fingerprint) \(reason)") {
                out.log.append(NotificationLogEntry(
                    at: now, receiver: group.receiver, groupKey: group.key, reason: reason,
                    firing: a.status == "firing" ? [a.fingerprint] : [], resolved: a.status == "resolved" ? [a.fingerprint] : []))
            }
            group.lastMuted = mutedKeys
        }
        let firing = kept.filter { $0.status == "firing" }
        let resolved = kept.filter { $0.status == "resolved" }
        let integrations = plan.receivers[group.receiver] ?? []
        let sendResolved = integrations.contains { $0.sendResolved }
        let reason = NotificationPolicy.decide(
            previous: group.lastSent, firing: Set(firing.map(\.fingerprint)), resolved: Set(resolved.map(\.fingerprint)),
            sendResolved: sendResolved, repeatInterval: group.repeatInterval, now: now.milliseconds)
        out.reasons.append(reason)
        guard reason.sends else { return }
        let record = NotificationRecord(firing: firing.map(\.fingerprint), resolved: resolved.map(\.fingerprint), at: now.milliseconds)
        group.lastSent = record
        var logged = false
        for integration in integrations {
            let included = integration.sendResolved ? firing + resolved : firing
            guard !included.isEmpty else { continue }
            let status = firing.isEmpty ? "resolved" : "firing"
            let id = Self.notificationID(receiver: group.receiver, integration: integration.name, groupKey: group.key, at: now,
                                         firing: firing.map(\.fingerprint), resolved: integration.sendResolved ? resolved.map(\.fingerprint) : [])
            let payload = Self.payload(id: id, group: group, alerts: included, status: status, at: now, plan: plan, integration: integration)
            out.notifications.append(OutboxNotification(
                id: id, receiver: group.receiver, integration: integration.name, groupKey: group.key, status: status,
                payload: payload.json(), createdAt: now, enqueuedAt: enqueuedAt))
            out.log.append(NotificationLogEntry(
                at: now, receiver: group.receiver, groupKey: group.key, reason: reason.rawValue, notificationID: id,
                firing: record.firing, resolved: record.resolved))
            logged = true
        }
        if !logged {
            out.log.append(NotificationLogEntry(
                at: now, receiver: group.receiver, groupKey: group.key, reason: reason.rawValue + " (no integration wants it)",
                firing: record.firing, resolved: record.resolved))
        }
    }

    /// `msg_` + 32 hex digits of SHA-256 over receiver, integration, group key, flush time and the
    /// alert sets: the same notification always gets the same id.
    static func notificationID(receiver: String, integration: String, groupKey: String, at: Timestamp, firing: [String],
                               resolved: [String]) -> String {
        let text = [receiver, integration, groupKey, String(at.milliseconds), "F:" + firing.sorted().joined(separator: ","),
                    "R:" + resolved.sorted().joined(separator: ",")].joined(separator: "\n")
        return "msg_" + SHA256.hex(text).prefix(32)
    }

    static func payload(id: String, group: Group, alerts: [GroupedAlert], status: String, at: Timestamp, plan: AlertingPlan,
                        integration: AlertingPlan.Integration) -> NotificationPayload {
        func common(_ maps: [[String: String]]) -> [String: String] {
            guard var result = maps.first else { return [:] }
            for m in maps.dropFirst() { result = result.filter { m[$0.key] == $0.value } }
            return result
        }
        let commonLabels = common(alerts.map(\.labels))
        let commonAnnotations = common(alerts.map(\.annotations))
        let numFiring = alerts.filter { $0.status == "firing" }.count
        let numResolved = alerts.count - numFiring
        func field(_ f: NotificationTemplate.Field) -> String {
            switch f {
            case .status: return status
            case .statusUpper: return status.uppercased()
            case .receiver: return group.receiver
            case .numFiring: return String(numFiring)
            case .numResolved: return String(numResolved)
            case .groupKey: return group.key
            case .groupLabel(let n): return group.groupLabels[n] ?? ""
            case .commonLabel(let n): return commonLabels[n] ?? ""
            case .commonAnnotation(let n): return commonAnnotations[n] ?? ""
            }
        }
        let title: String
        if let t = integration.title ?? plan.title {
            title = t.render(field)
        } else {
            // The group labels' values; without them the alert names (at most three).
            var subject = group.groupLabels.keys.sorted().map { group.groupLabels[$0]! }.joined(separator: " ")
            if subject.isEmpty {
                let names = Array(Set(alerts.compactMap { $0.labels["alertname"] })).sorted()
                subject = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
            }
            if let model = commonLabels["model"], group.groupLabels["model"] == nil { subject += " (model \(model))" }
            title = "[\(status.uppercased())\(status == "firing" ? ":\(numFiring)" : "")] \(subject)"
        }
        let summary: String
        if let t = integration.summary ?? plan.summary {
            summary = t.render(field)
        } else {
            summary = alerts.map { a in
                let text = a.annotations["summary"] ?? Labels(a.labels.map { ($0.key, $0.value) }).description
                return "- " + text + (a.status == "resolved" ? " (resolved)" : "")
            }.joined(separator: "\n")
        }
        return NotificationPayload(
            id: id, receiver: group.receiver, status: status, groupKey: group.key, groupLabels: group.groupLabels,
            commonLabels: commonLabels, commonAnnotations: commonAnnotations, title: title, summary: summary, at: at.rfc3339,
            alerts: alerts.map { a in
                NotificationPayload.Alert(
                    status: a.status, labels: a.labels, annotations: a.annotations,
                    startsAt: Timestamp(milliseconds: a.startsAt).rfc3339, endsAt: a.endsAt.map { Timestamp(milliseconds: $0).rfc3339 },
                    value: a.value, fingerprint: a.fingerprint, rule: a.rule, ruleGroup: a.ruleGroup)
            })
    }
}
