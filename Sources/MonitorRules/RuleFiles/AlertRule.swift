/// What a rule asks for, besides a notification, when one of its alerts starts firing.
public enum RuleAction: String, Sendable, Hashable, CaseIterable {
    /// Emit a retraining trigger for the alert's model and version (DESIGN §9).
    case retrain
}

/// A label or annotation whose value is a template (`summary: "{{ $labels.feature }} drifted"`).
public struct TemplatedLabel: Sendable, Hashable {
    /// The label or annotation name.
    public var name: String
    /// The value template.
    public var template: Template

    /// Creates a templated label.
    /// - Parameters:
    ///   - name: The name.
    ///   - template: The value template.
    public init(name: String, template: Template) {
        self.name = name
        self.template = template
    }
}

/// One alerting rule, as loaded from a rule file (Prometheus's alerting-rule fields).
///
/// Invariants: `name` is a metric-style identifier, unique within its group; `expression`
/// yields a vector; `holdDuration` and `keepFiringFor` are ≥ 0; `labels` and `annotations` are
/// sorted by name and contain neither `alertname` nor `__`-prefixed names.
public struct AlertRule: Sendable {
    /// The group's name.
    public var group: String
    /// The alert name (`alert:`), also the `alertname` label of its instances.
    public var name: String
    /// The condition: every sample it returns is an active alert instance.
    public var expression: Expression
    /// `for:` in milliseconds: how long an instance stays pending before it fires (0 fires at once).
    public var holdDuration: Int64
    /// `keep_firing_for:` in milliseconds: a firing instance whose result disappeared keeps
    /// firing while `T - lastSeenAt < keepFiringFor` (0 resolves at once).
    public var keepFiringFor: Int64
    /// Labels added to every instance (templates, rendered per instance).
    public var labels: [TemplatedLabel]
    /// Annotations of every instance (templates, rendered at each evaluation).
    public var annotations: [TemplatedLabel]
    /// Actions requested when an instance starts firing.
    public var actions: [RuleAction]
    /// The rule file the rule came from.
    public var path: String
    /// The line of the rule in its file (0 when built in code).
    public var line: Int

    /// Creates a rule (rule files create them through `RuleFile.parse`).
    /// - Parameters:
    ///   - group: The group name.
    ///   - name: The alert name.
    ///   - expression: The condition (must yield a vector).
    ///   - holdDuration: `for`, in milliseconds.
    ///   - keepFiringFor: `keep_firing_for`, in milliseconds.
    ///   - labels: Extra labels.
    ///   - annotations: Annotations.
    ///   - actions: Actions on firing.
    ///   - path: The rule file.
    ///   - line: The rule's line.
    public init(group: String, name: String, expression: Expression, holdDuration: Int64 = 0, keepFiringFor: Int64 = 0,
                labels: [TemplatedLabel] = [], annotations: [TemplatedLabel] = [], actions: [RuleAction] = [],
                path: String = "", line: Int = 0) {
        precondition(expression.type == .vector, "AlertRule \(name): the expression must yield a vector")
        self.group = group
        self.name = name
        self.expression = expression
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels.sorted { $0.name < $1.name }
        self.annotations = annotations.sorted { $0.name < $1.name }
        self.actions = actions
        self.path = path
        self.line = line
    }
}

/// A named group of alerting rules.
public struct RuleGroup: Sendable {
    /// The group name, unique within its file.
    public var name: String
    /// The rules, in file order.
    public var rules: [AlertRule]
    /// The line of the group's `name:` in its file (0 when built in code).
    public var line: Int

    /// Creates a group.
    /// - Parameters:
    ///   - name: The group name.
    ///   - rules: Its rules.
    ///   - line: The line of its name in the rule file.
    public init(name: String, rules: [AlertRule], line: Int = 0) {
        self.name = name
        self.rules = rules
        self.line = line
    }
}
