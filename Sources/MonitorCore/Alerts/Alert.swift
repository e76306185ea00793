/// Where an alert instance stands (Prometheus's states; `resolved` is a firing alert that
/// stopped and is kept briefly so that its resolution is delivered).
public enum AlertState: String, Sendable, Hashable, Codable, CaseIterable {
    case inactive, pending, firing, resolved
}

/// One alert instance: a rule's result for one label set (Prometheus `rules.Alert`).
///
/// Invariants: `labels` contains `alertname`; `firedAt` is set iff the alert has been firing;
/// `resolvedAt` is set iff `state == .resolved`.
public struct Alert: Hashable, Sendable {
    /// The group and rule this instance belongs to.
    public var group: String
    public var rule: String
    /// The instance's identity: the expression result's labels plus the rule's `labels`, plus
    /// `alertname`.
    public var labels: Labels
    /// Annotations, templated at the last evaluation.
    public var annotations: Labels
    public var state: AlertState
    /// The value of the expression's sample at the last evaluation that returned it.
    public var value: Double
    /// When the expression first returned this label set (start of `pending`).
    public var activeAt: Timestamp
    /// When it moved to `firing`.
    public var firedAt: Timestamp?
    /// When it resolved.
    public var resolvedAt: Timestamp?
    /// The last evaluation at which the expression returned this label set (for `keep_firing_for`).
    public var lastSeenAt: Timestamp

    public init(group: String, rule: String, labels: Labels, annotations: Labels, state: AlertState, value: Double,
                activeAt: Timestamp, firedAt: Timestamp? = nil, resolvedAt: Timestamp? = nil, lastSeenAt: Timestamp) {
        self.group = group
        self.rule = rule
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.value = value
        self.activeAt = activeAt
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.lastSeenAt = lastSeenAt
    }
}

/// A change of an alert instance's state, produced by rule evaluation and delivered by a
/// separate component (the rules never do I/O).
public struct AlertTransition: Hashable, Sendable {
    /// The alert after the transition.
    public var alert: Alert
    public var from: AlertState
    public var to: AlertState
    /// The evaluation time (the window end) at which it happened.
    public var at: Timestamp
    /// Actions the rule asks for when it starts firing (e.g. `retrain`).
    public var actions: [String]

    public init(alert: Alert, from: AlertState, to: AlertState, at: Timestamp, actions: [String] = []) {
        self.alert = alert
        self.from = from
        self.to = to
        self.at = at
        self.actions = actions
    }
}
