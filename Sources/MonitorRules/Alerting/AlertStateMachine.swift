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
        // The identities the result asks for; the index doubles as the duplicate check.
        var identities: [Labels] = []
        identities.reserveCapacity(result.count)
        var present: [Labels: Int] = [:]
        present.reserveCapacity(result.count)
        for (k, s) in result.enumerated() {
            let labels = identity(of: s)
            if present.updateValue(k, forKey: labels) != nil {
                return RuleEvaluation(group: rule.group, rule: rule.name, time: time,
                                      error: ExpressionError(.evaluation, offset: 0,
                                                             "the result contains two samples with the labels \(labels) after applying the rule's labels"))
            }
            identities.append(labels)
        }
        lastEvaluation = time
        var transitions: [AlertTransition] = []
        // Refresh the instances that are present; start new ones as pending (from inactive, or
        // from resolved when a resolved identity returns).
        for (k, s) in result.enumerated() {
            let labels = identities[k]
            let annotations = Labels(rule.annotations.map { ($0.name, $0.template.render(labels: s.labels, value: s.value)) })
            if let i = instances.index(forKey: labels), instances.values[i].state == .pending || instances.values[i].state == .firing {
                instances.values[i].value = s.value
                instances.values[i].annotations = annotations
                instances.values[i].lastSeenAt = time
                if instances.values[i].state == .pending { promoteIfDue(at: i, time: time, from: .pending, into: &transitions) }
            } else {
                let from = instances[labels]?.state ?? .inactive
                instances[labels] = Alert(group: rule.group, rule: rule.name, labels: labels, annotations: annotations,
                                          state: .pending, value: s.value, activeAt: time, lastSeenAt: time)
                let i = instances.index(forKey: labels)!
                if !promoteIfDue(at: i, time: time, from: from, into: &transitions) {
                    transitions.append(transition(instances.values[i], from: from, to: .pending, at: time))
                }
            }
        }
        // Instances missing from the result. (Resolutions are applied after the scan: mutating
        // while iterating `indices`, which shares the storage, would copy the dictionary.)
        var removed: [Labels] = []
        var resolving: [Dictionary<Labels, Alert>.Index] = []
        for i in instances.indices where present[instances.keys[i]] == nil {
            switch instances.values[i].state {
            case .pending:
                removed.append(instances.keys[i])
                var gone = instances.values[i]
                gone.state = .inactive
                transitions.append(transition(gone, from: .pending, to: .inactive, at: time))
            case .firing:
                if rule.keepFiringFor > 0, time.milliseconds - instances.values[i].lastSeenAt.milliseconds < rule.keepFiringFor { continue }
                resolving.append(i)
            case .resolved:
                if let r = instances.values[i].resolvedAt, time.milliseconds - r.milliseconds > AlertStateMachine.resolvedRetention {
                    removed.append(instances.keys[i])
                }
            case .inactive:
                removed.append(instances.keys[i])
            }
        }
        for i in resolving {
            instances.values[i].state = .resolved
            instances.values[i].resolvedAt = time
            transitions.append(transition(instances.values[i], from: .firing, to: .resolved, at: time))
        }
        for labels in removed { instances[labels] = nil }
        if transitions.count > 1 { transitions.sort { $0.alert.labels < $1.alert.labels } }
        return RuleEvaluation(group: rule.group, rule: rule.name, time: time, transitions: transitions)
    }

    /// The instance identity of a result sample: its labels, the rule's labels (which win), and
    /// `alertname`. Empty values remove a label.
    private func identity(of s: VectorSample) -> Labels {
        // Both lists are sorted by name: merge them, the rule's values winning, so that Labels
        // receives sorted unique pairs (its fast path).
        var extra: [(String, String)] = []
        extra.reserveCapacity(rule.labels.count + 1)
        var alertnameAdded = false
        for l in rule.labels {
            if !alertnameAdded, !l.name.utf8.lexicographicallyPrecedes(LabelName.alertname.utf8) {
                extra.append((LabelName.alertname, rule.name))
                alertnameAdded = true
            }
            extra.append((l.name, l.template.render(labels: s.labels, value: s.value)))
        }
        if !alertnameAdded { extra.append((LabelName.alertname, rule.name)) }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(s.labels.count + extra.count)
        var i = s.labels.pairs.startIndex
        for (name, value) in extra {
            while i < s.labels.pairs.endIndex, s.labels.pairs[i].name.utf8.lexicographicallyPrecedes(name.utf8) {
                pairs.append((s.labels.pairs[i].name, s.labels.pairs[i].value))
                i += 1
            }
            if i < s.labels.pairs.endIndex, s.labels.pairs[i].name == name { i += 1 }
            if !value.isEmpty { pairs.append((name, value)) }
        }
        while i < s.labels.pairs.endIndex {
            pairs.append((s.labels.pairs[i].name, s.labels.pairs[i].value))
            i += 1
        }
        return Labels(pairs)
    }

    /// Moves a pending instance to firing when `for:` has elapsed; returns whether it did.
    @discardableResult
    private mutating func promoteIfDue(at i: Dictionary<Labels, Alert>.Index, time: Timestamp, from: AlertState,
                                       into transitions: inout [AlertTransition]) -> Bool {
        guard time.milliseconds - instances.values[i].activeAt.milliseconds >= rule.holdDuration else { return false }
        instances.values[i].state = .firing
        instances.values[i].firedAt = time
        transitions.append(transition(instances.values[i], from: from, to: .firing, at: time))
        return true
    }

    private func transition(_ a: Alert, from: AlertState, to: AlertState, at time: Timestamp) -> AlertTransition {
        AlertTransition(alert: a, from: from, to: to, at: time, actions: to == .firing ? rule.actions.map(\.rawValue) : [])
    }
}
