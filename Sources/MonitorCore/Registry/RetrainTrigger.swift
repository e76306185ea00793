/// A request to retrain a model, emitted when an alert of a rule with `actions: [retrain]`
/// starts firing (DESIGN §9).
///
/// Its JSON encoding (``Codable``, snake_case keys) is the payload every sink receives and the
/// text stored in the `triggers` table and in the outbox.
///
/// Invariants: `id` is deterministic — a hash of the rule's group and name, the alert's labels and
/// the evaluation time at which it fired — so the same firing, recomputed after a crash, yields
/// the same id (the store keeps the first row) and every redelivery carries it.
public struct RetrainTrigger: Hashable, Sendable, Codable {
    /// `trg_` + 32 lowercase hex digits.
    public var id: String
    /// The model (the alert's `model` label; `""` when the alert has none).
    public var model: String
    /// The model version (the alert's `version` label), nil when the alert carries none: sinks
    /// then resolve it (MLflow: from an alias such as `champion`).
    public var version: String?
    /// The rule's group and alert name.
    public var group: String
    public var rule: String
    /// The rule's expression, as written.
    public var expression: String
    /// The alert instance's labels.
    public var labels: [String: String]
    /// The expression's value for this alert when it fired (nil when not finite).
    public var value: Double?
    /// The series behind the alert at the evaluation: samples of the metrics the expression
    /// reads whose labels agree with the alert's.
    public var series: [SeriesValue]
    /// The window the alert was evaluated on.
    public var window: TriggerWindow
    /// The reference profile in force for the model and version (its name), if any.
    public var reference: String?
    /// A sentence for people: what fired, for which model, on which value.
    public var reason: String
    /// Event time at which the alert started firing (the window end), RFC 3339.
    public var firedAt: String
    /// Milliseconds form of `firedAt` (for ordering and the cooldown).
    public var firedAtMilliseconds: Int64

    /// One series value behind a trigger.
    public struct SeriesValue: Hashable, Sendable, Codable {
        public var metric: String
        public var labels: [String: String]
        /// nil when not finite.
        public var value: Double?

        public init(metric: String, labels: [String: String], value: Double?) {
            self.metric = metric
            self.labels = labels
            self.value = value
        }
    }

    /// The window of a trigger: its configuration name (the `window` label) and bounds.
    public struct TriggerWindow: Hashable, Sendable, Codable {
        public var name: String?
        /// RFC 3339; nil when the window configuration is unknown.
        public var start: String?
        public var end: String

        public init(name: String?, start: Timestamp?, end: Timestamp) {
            self.name = name
            self.start = start?.rfc3339
            self.end = end.rfc3339
        }
    }

    enum CodingKeys: String, CodingKey {
        case id = "trigger_id", model, version, group, rule, expression, labels, value, series, window, reference, reason
        case firedAt = "fired_at", firedAtMilliseconds = "fired_at_ms"
    }

    /// Builds a trigger from the transition of an alert to `firing`.
    ///
    /// - Parameters:
    ///   - transition: The transition (to `firing`).
    ///   - expression: The rule's expression text.
    ///   - series: The samples behind the alert.
    ///   - windowStart: The start of the evaluated window, when known.
    ///   - reference: The reference profile in force.
    public init(firing transition: AlertTransition, expression: String, series: [SeriesValue], windowStart: Timestamp?,
                reference: String?) {
        let a = transition.alert
        let labels = a.labels.dictionary
        id = Self.id(group: a.group, rule: a.rule, labels: a.labels, firedAt: transition.at)
        model = labels["model"] ?? ""
        let v = labels["version"] ?? ""
        version = v.isEmpty ? nil : v
        group = a.group
        rule = a.rule
        self.expression = expression
        self.labels = labels
        value = a.value.isFinite ? a.value : nil
        self.series = series
        window = TriggerWindow(name: labels["window"], start: windowStart, end: transition.at)
        self.reference = reference
        firedAt = transition.at.rfc3339
        firedAtMilliseconds = transition.at.milliseconds
        var what = "\(a.rule) fired for model \"\(model)\""
        if let version { what += " version \"\(version)\"" }
        if let f = labels["feature"] { what += ", feature \"\(f)\"" }
        let shown = a.value.isFinite ? Self.format(a.value) : "\(a.value)"
        // One line: a multi-line expression (YAML `|`) is folded.
        let folded = expression.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        reason = "\(what) at \(firedAt): \(folded) returned \(shown)"
        if let summary = a.annotations.dictionary["summary"], !summary.isEmpty { reason += " (\(summary))" }
    }

    /// The deterministic id of a firing.
    public static func id(group: String, rule: String, labels: Labels, firedAt: Timestamp) -> String {
        let digest = SHA256.hex("retrain\u{0}\(group)\u{0}\(rule)\u{0}\(labels.description)\u{0}\(firedAt.milliseconds)")
        return "trg_" + digest.prefix(32)
    }

    /// A short decimal rendering for the reason sentence: integers as integers, otherwise
    /// rounded to 4 decimals (6 below 1, where drift statistics live); the exact value is in
    /// `value`.
    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        guard abs(x) < 1e15 else { return String(x) }
        let scale = abs(x) >= 1 ? 10_000.0 : 1_000_000.0
        let r = (x * scale).rounded() / scale
        return r == 0 ? String(x) : String(r)
    }
}

/// What became of a trigger when it was emitted.
public enum TriggerStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Written to the outbox for every configured sink.
    case emitted
    /// Stopped by the policy (cooldown or max open triggers); kept with the reason.
    case suppressed
    /// Covered by a silence; kept with the silence's id.
    case silenced
}

/// A trigger as recorded in the store: the trigger, what the policy did with it and why, and
/// whether it is still open (its alert has not resolved).
public struct TriggerRecord: Hashable, Sendable {
    public var trigger: RetrainTrigger
    public var status: TriggerStatus
    /// Why it was suppressed or silenced (nil when emitted).
    public var statusReason: String?
    /// The alert instance's key (group, rule, labels): open triggers are closed by it.
    public var alertKey: String
    /// Wall-clock time it was recorded.
    public var createdAt: Timestamp
    /// Event time its alert resolved (an emitted trigger is open until then).
    public var closedAt: Timestamp?
    /// The trigger's JSON (``RetrainTrigger`` encoded), as stored and sent.
    public var payload: String

    public init(trigger: RetrainTrigger, status: TriggerStatus, statusReason: String? = nil, alertKey: String, createdAt: Timestamp,
                closedAt: Timestamp? = nil, payload: String) {
        self.trigger = trigger
        self.status = status
        self.statusReason = statusReason
        self.alertKey = alertKey
        self.createdAt = createdAt
        self.closedAt = closedAt
        self.payload = payload
    }

    /// The key of an alert instance: group, rule and labels.
    public static func alertKey(_ alert: Alert) -> String { "\(alert.group)/\(alert.rule)\(alert.labels.description)" }
}

/// An open trigger whose alert resolved (committed with the checkpoint).
public struct TriggerClosure: Hashable, Sendable {
    public var triggerID: String
    /// Event time of the resolution.
    public var at: Timestamp

    public init(triggerID: String, at: Timestamp) {
        self.triggerID = triggerID
        self.at = at
    }
}

/// The outbox conventions of triggers: one row per (trigger, sink), delivered by the same
/// dispatcher as notifications.
public enum TriggerOutbox {
    /// The `receiver` of trigger rows (alerts-file receiver names cannot start with `@`).
    public static let receiver = "@registry"

    /// The outbox id of a trigger's delivery to one sink.
    public static func rowID(trigger: String, sink: String) -> String { "\(trigger)@\(sink)" }
}
