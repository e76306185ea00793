public import MonitorCore

/// The alert instances of one rule and the rules by which they change state, as a value type
/// whose evaluation returns the transitions (nothing is delivered from here).
///
/// Prometheus's alerting semantics (`rules/alerting.go`), evaluated at explicit times:
///
/// - **Identity.** Each sample of the expression's result is one instance, identified by the
///   sample's labels (the metric name is never part of them) plus the rule's `labels`
///   (templated per sample; the rule's value wins) plus `alertname`. Two samples with the same
///   identity make the evaluation fail and leave the state unchanged.
/// - **inactive → pending.** A new identity becomes `pending` with `activeAt = T`.
/// - **pending → firing** when `T - activeAt >= holdDuration` (`for:`); with `for: 0` a new
///   identity goes straight to `firing` (one transition, from `inactive`).
/// - **pending → inactive.** A pending identity missing from the result is dropped: the
///   condition did not hold for `for:` (flapping restarts the timer).
/// - **firing → resolved.** A firing identity missing from the result resolves at `T` — unless
///   `keepFiringFor > 0` and `T - lastSeenAt < keepFiringFor`, in which case it keeps firing
///   (with its last value and annotations). Note: Prometheus counts `keep_firing_for` from the
///   first evaluation where the result was missing; here it counts from the last evaluation
///   where it was present (`lastSeenAt`), which the persisted `Alert` records, so a restart
///   continues the same clock.
/// - **resolved.** Kept for `resolvedRetention` after `resolvedAt` so that the resolution can be
///   delivered and shown; then forgotten without a transition. An identity that returns while
///   resolved starts over as a new `pending` (or `firing` with `for: 0`).
/// - **Every evaluation** refreshes `value`, `annotations` and `lastSeenAt` of the instances
///   present in the result (no transition for that).
/// - **Out-of-order time.** An evaluation at a time earlier than the previous evaluation of this
///   rule is ignored (`RuleEvaluation.skipped`); re-evaluating at the same time is allowed.
/// - **Actions.** Transitions to `firing` carry the rule's actions (e.g. `retrain`); other
///   transitions carry none.
///
/// NaN values are ordinary values here, as in Prometheus: `psi > 0.2` drops a NaN sample, and a
/// rule whose expression returns NaN samples alerts with `value` NaN (rendered `NaN`).
///
/// Invariants: every stored alert has `state` pending, firing or resolved, and its labels
/// contain `alertname` = the rule name; `lastEvaluation` never decreases.
public struct AlertStateMachine: Sendable {
    /// The rule this machine evaluates.
    public let rule: AlertRule
    private var instances: [Labels: Alert] = [:]
    /// The time of the last evaluation that was not skipped (or restored), nil before the first.
    public private(set) var lastEvaluation: Timestamp?

    /// How long a resolved alert is kept (15 minutes, Prometheus's `resolvedRetention`): long
    /// enough for the notification pipeline to pick up and re-send the resolution, short enough
    /// that a flapping identity does not accumulate history here (the store keeps that).
    public static let resolvedRetention: Int64 = 15 * 60 * 1000

    /// Creates a machine with no alerts.
    /// - Parameter rule: The rule.
    public init(rule: AlertRule) { self.rule = rule }

    /// Every stored instance (pending, firing and recently resolved), sorted by labels.
    public var alerts: [Alert] { instances.values.sorted { $0.labels < $1.labels } }

    /// Pending and firing instances, sorted by labels.
    public var activeAlerts: [Alert] { alerts.filter { $0.state == .pending || $0.state == .firing } }

    /// Takes over persisted instances of this rule (matched by group and rule name), so that a
    /// restart or reload continues `for:` timers, keeps firing alerts firing without a second
    /// notification and keeps resolved ones for their retention.
    /// - Parameters:
    ///   - alerts: Persisted alerts; those of other rules and inactive ones are ignored.
    ///   - lastEvaluation: The rule's last evaluation time, when known; otherwise the latest
    ///     `lastSeenAt`/`resolvedAt` of the restored alerts is used, so that replayed windows
    ///     older than that are ignored.
    public mutating func restore(_ alerts: [Alert], lastEvaluation: Timestamp? = nil) {
        var latest = self.lastEvaluation
        for a in alerts where a.group == rule.group && a.rule == rule.name && a.state != .inactive {
            var a = a
            a.labels = a.labels.setting(LabelName.alertname, to: rule.name)
            instances[a.labels] = a
            for t in [a.lastSeenAt, a.resolvedAt].compactMap({ $0 }) where latest == nil || t > latest! { latest = t }
        }
        if let lastEvaluation { latest = max(latest ?? lastEvaluation, lastEvaluation) }
        self.lastEvaluation = latest
    }

    /// Evaluates the rule's expression at `time` and applies the result.
    /// - Parameters:
    ///   - time: The evaluation time (a window end).
    ///   - source: The samples visible at `time`.
    /// - Returns: The transitions, or the error (state unchanged), or `skipped`.
    public mutating func evaluate(at time: Timestamp, source: some SampleSource) -> RuleEvaluation {
        if let last = lastEvaluation, time < last {
            return RuleEvaluation(group: rule.group, rule: rule.name, time: time, skipped: true)
        }
        let value: ExpressionValue
        do {
            value = try rule.expression.evaluate(at: time, source: source)
        } catch {
            let e = (error as? ExpressionError) ?? ExpressionError(.evaluation, offset: 0, "\(error)")
            return RuleEvaluation(group: rule.group, rule: rule.name, time: time, error: e)
        }
        guard case .vector(let samples) = value else {
            preconditionFailure("AlertRule guarantees a vector expression")
        }
        return apply(samples, at: time)
    }

    /// Applies an expression result at `time`: the state machine without the expression (the
    /// step `evaluate` takes after querying). Useful to drive the machine in tests.
    /// - Parameters:
    ///   - result: The expression's samples at `time`.
    ///   - time: The evaluation time.
    /// - Returns: The transitions, an error for duplicate identities (state unchanged), or
    ///   `skipped` when `time` is earlier than the last evaluation.
    public mutating func apply(_ result: [VectorSample], at time: Timestamp) -> RuleEvaluation {
        if let last = lastEvaluation, time < last {
            return RuleEvaluation(group: rule.group, rule: rule.name, time: time, skipped: true)
        }
        // The instances the result asks for.
        var current: [Labels: (value: Double, annotations: Labels)] = [:]
        current.reserveCapacity(result.count)
        for s in result {
            // One Labels build: later pairs win, empty values drop the label.
            var pairs = s.labels.map { ($0.name, $0.value) }
            for l in rule.labels {
                pairs.append((l.name, l.template.isConstant ? l.template.text : l.template.render(labels: s.labels, value: s.value)))
            }
            pairs.append((LabelName.alertname, rule.name))
            let labels = Labels(pairs)
            if current[labels] != nil {
                return RuleEvaluation(group: rule.group, rule: rule.name, time: time,
                                      error: ExpressionError(.evaluation, offset: 0,
                                                             "the result contains two samples with the labels \(labels) after applying the rule's labels"))
            }
            let annotations = Labels(rule.annotations.map { ($0.name, $0.template.render(labels: s.labels, value: s.value)) })
            current[labels] = (s.value, annotations)
        }
        lastEvaluation = time
        var transitions: [AlertTransition] = []
        var created: [Labels: AlertState] = [:]
        for (labels, r) in current {
            if var a = instances[labels], a.state == .pending || a.state == .firing {
                a.value = r.value
                a.annotations = r.annotations
                a.lastSeenAt = time
                instances[labels] = a
            } else {
                created[labels] = instances[labels]?.state ?? .inactive
                instances[labels] = Alert(group: rule.group, rule: rule.name, labels: labels, annotations: r.annotations,
                                          state: .pending, value: r.value, activeAt: time, lastSeenAt: time)
            }
        }
        for labels in instances.keys.sorted(by: <) {
            var a = instances[labels]!
            if current[labels] == nil {
                switch a.state {
                case .pending:
                    instances[labels] = nil
                    a.state = .inactive
                    transitions.append(transition(a, from: .pending, to: .inactive, at: time))
                case .firing:
                    if rule.keepFiringFor > 0, time.milliseconds - a.lastSeenAt.milliseconds < rule.keepFiringFor { continue }
                    a.state = .resolved
                    a.resolvedAt = time
                    instances[labels] = a
                    transitions.append(transition(a, from: .firing, to: .resolved, at: time))
                case .resolved:
                    if let r = a.resolvedAt, time.milliseconds - r.milliseconds > AlertStateMachine.resolvedRetention {
                        instances[labels] = nil
                    }
                case .inactive:
                    instances[labels] = nil
                }
                continue
            }
            let from = created[labels]
            if a.state == .pending, time.milliseconds - a.activeAt.milliseconds >= rule.holdDuration {
                a.state = .firing
                a.firedAt = time
                instances[labels] = a
                transitions.append(transition(a, from: from ?? .pending, to: .firing, at: time))
            } else if let from {
                transitions.append(transition(a, from: from, to: .pending, at: time))
            }
        }
        return RuleEvaluation(group: rule.group, rule: rule.name, time: time, transitions: transitions)
    }

    private func transition(_ a: Alert, from: AlertState, to: AlertState, at time: Timestamp) -> AlertTransition {
        AlertTransition(alert: a, from: from, to: to, at: time, actions: to == .firing ? rule.actions.map(\.rawValue) : [])
    }
}
