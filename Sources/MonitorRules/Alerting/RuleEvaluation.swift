public import MonitorCore

/// What one evaluation of one rule produced.
public struct RuleEvaluation: Sendable {
    /// The rule's group.
    public var group: String
    /// The rule's alert name.
    public var rule: String
    /// The evaluation time.
    public var time: Timestamp
    /// State changes, sorted by instance labels. Empty when nothing changed, when the
    /// evaluation was skipped, or on error.
    public var transitions: [AlertTransition]
    /// Why the evaluation failed (many-to-many matching, duplicate label sets after adding the
    /// rule's labels). When set, the rule's alerts are unchanged, as in Prometheus.
    public var error: ExpressionError?
    /// True when `time` was earlier than the rule's last evaluation and nothing was done.
    public var skipped: Bool

    /// Creates an evaluation outcome.
    /// - Parameters:
    ///   - group: The group name.
    ///   - rule: The rule name.
    ///   - time: The evaluation time.
    ///   - transitions: The state changes.
    ///   - error: The failure, if any.
    ///   - skipped: Whether the evaluation was ignored as out of order.
    public init(group: String, rule: String, time: Timestamp, transitions: [AlertTransition] = [],
                error: ExpressionError? = nil, skipped: Bool = false) {
        self.group = group
        self.rule = rule
        self.time = time
        self.transitions = transitions
        self.error = error
        self.skipped = skipped
    }
}
