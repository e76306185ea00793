import MonitorCore
import Testing

@testable import MonitorRules

@Suite("Alert state machine")
struct AlertStateMachineTests {
    static let base: Int64 = 1_800_000_000_000
    static let interval: Int64 = hour

    static func rule(for hold: Int64 = hour, keepFiringFor: Int64 = 0, actions: [RuleAction] = []) -> AlertRule {
        AlertRule(group: "g", name: "FeatureDrift", expression: try! Expression("psi > 0.2"), holdDuration: hold,
                  keepFiringFor: keepFiringFor, labels: [TemplatedLabel(name: "severity", template: try! Template("page"))],
                  annotations: [TemplatedLabel(name: "summary", template: try! Template("{{ $labels.feature }} at {{ $value }}"))],
                  actions: actions)
    }

    static let amount: Labels = ["feature": "amount", "model": "fraud"]
    static let amountAlert: Labels = ["alertname": "FeatureDrift", "feature": "amount", "model": "fraud", "severity": "page"]

    /// Steps `machine` through `values` (nil: the series is absent) at `base + i·interval` and
    /// returns, per step, the state of the amount alert (`-` when not stored) and the
    /// transitions as `from>to`.
    static func run(_ machine: inout AlertStateMachine, _ values: [Double?], start: Int = 0) -> [String] {
        var out: [String] = []
        for (i, v) in values.enumerated() {
            let t = ts(base + Int64(start + i) * interval)
            var source = LatestSamples()
            if let v {
                source.add([Sample(metric: "psi", labels: amount, value: v, timestamp: t)], validFor: interval)
            }
            let e = machine.evaluate(at: t, source: source)
            let state = machine.alerts.first { $0.labels == amountAlert }?.state.rawValue ?? "-"
            let transitions = e.transitions.map { "\($0.from.rawValue)>\($0.to.rawValue)" }
            out.append(transitions.isEmpty ? state : "\(state) (\(transitions.joined(separator: ",")))")
        }
        return out
    }

    @Test func forHoldsPendingThenFires() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 2 * hour))
        let steps = AlertStateMachineTests.run(&m, [0.1, 0.3, 0.3, 0.3, 0.3])
        #expect(steps == ["-", "pending (inactive>pending)", "pending", "firing (pending>firing)", "firing"])
        let a = m.alerts[0]
        #expect(a.activeAt == ts(AlertStateMachineTests.base + hour))
        #expect(a.firedAt == ts(AlertStateMachineTests.base + 3 * hour))
        #expect(a.lastSeenAt == ts(AlertStateMachineTests.base + 4 * hour))
    }

    @Test func forZeroFiresAtOnceWithOneTransition() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 0, actions: [.retrain]))
        var source = LatestSamples()
        source.add([Sample(metric: "psi", labels: AlertStateMachineTests.amount, value: 0.5, timestamp: ts(0))], validFor: hour)
        let e = m.evaluate(at: ts(0), source: source)
        #expect(e.transitions.count == 1)
        #expect(e.transitions.first?.from == .inactive)
        #expect(e.transitions.first?.to == .firing)
        #expect(e.transitions.first?.actions == ["retrain"])
        #expect(e.transitions.first?.alert.annotations == ["summary": "amount at 0.5"])
    }

    @Test func pendingThatDisappearsIsDroppedAndFlappingRestartsTheTimer() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: hour))
        let steps = AlertStateMachineTests.run(&m, [0.3, nil, 0.3, 0.1, 0.3, 0.3])
        #expect(steps == [
            "pending (inactive>pending)", "- (pending>inactive)", "pending (inactive>pending)", "- (pending>inactive)",
            "pending (inactive>pending)", "firing (pending>firing)",
        ])
    }

    @Test func firingResolvesAndIsKeptForRetention() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 0))
        let steps = AlertStateMachineTests.run(&m, [0.3, nil])
        #expect(steps == ["firing (inactive>firing)", "resolved (firing>resolved)"])
        #expect(m.alerts.first?.resolvedAt == ts(AlertStateMachineTests.base + hour))
        #expect(m.activeAlerts.isEmpty)
        // Still stored exactly at the retention boundary, gone just after it.
        let resolvedAt = AlertStateMachineTests.base + hour
        _ = m.evaluate(at: ts(resolvedAt + AlertStateMachine.resolvedRetention), source: LatestSamples())
        #expect(m.alerts.count == 1)
        let e = m.evaluate(at: ts(resolvedAt + AlertStateMachine.resolvedRetention + 1), source: LatestSamples())
        #expect(m.alerts.isEmpty)
        #expect(e.transitions.isEmpty)
    }

    @Test func resolvedIdentityThatReturnsStartsANewPending() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: hour))
        let steps = AlertStateMachineTests.run(&m, [0.3, 0.3, nil, 0.3, 0.3])
        #expect(steps == [
            "pending (inactive>pending)", "firing (pending>firing)", "resolved (firing>resolved)",
            "pending (resolved>pending)", "firing (pending>firing)",
        ])
        #expect(m.alerts.first?.activeAt == ts(AlertStateMachineTests.base + 3 * hour))
        #expect(m.alerts.first?.resolvedAt == nil)
    }

    /// Cf. Prometheus `TestKeepFiringFor`: the alert keeps firing while T - lastSeenAt < keep_firing_for.
    @Test func keepFiringForRidesOutMissingEvaluations() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 0, keepFiringFor: 2 * hour))
        let steps = AlertStateMachineTests.run(&m, [0.3, 0.4, nil])
        #expect(steps == ["firing (inactive>firing)", "firing", "firing"])  // 1h since last seen < 2h
        // Kept firing with its last value and annotations.
        #expect(m.alerts.first?.value == 0.4)
        #expect(m.alerts.first?.lastSeenAt == ts(AlertStateMachineTests.base + hour))
        let later = AlertStateMachineTests.run(&m, [nil, nil], start: 3)
        // 2h since last seen is not < 2h: resolved; an hour later the 15m retention has passed.
        #expect(later == ["resolved (firing>resolved)", "-"])
    }

    @Test func keepFiringForResetsWhenTheResultReturns() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 0, keepFiringFor: 2 * hour))
        let steps = AlertStateMachineTests.run(&m, [0.3, nil, 0.3, nil, nil])
        #expect(steps == ["firing (inactive>firing)", "firing", "firing", "firing", "resolved (firing>resolved)"])
    }

    @Test func keepFiringForDoesNotApplyToPending() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 2 * hour, keepFiringFor: 5 * hour))
        let steps = AlertStateMachineTests.run(&m, [0.3, nil])
        #expect(steps == ["pending (inactive>pending)", "- (pending>inactive)"])
    }

    @Test func valueAndAnnotationsRefreshEveryEvaluation() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: hour))
        _ = AlertStateMachineTests.run(&m, [0.3, 0.5])
        #expect(m.alerts.first?.value == 0.5)
        #expect(m.alerts.first?.annotations == ["summary": "amount at 0.5"])
        #expect(m.alerts.first?.state == .firing)
    }

    @Test func restoreAfterRestartContinuesTheForTimer() {
        var first = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 2 * hour))
        _ = AlertStateMachineTests.run(&first, [0.3, 0.3])  // pending since base
        let persisted = first.alerts
        #expect(persisted.first?.state == .pending)

        var restarted = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 2 * hour))
        restarted.restore(persisted)
        #expect(restarted.lastEvaluation == ts(AlertStateMachineTests.base + hour))
        let steps = AlertStateMachineTests.run(&restarted, [0.3], start: 2)
        #expect(steps == ["firing (pending>firing)"])
        #expect(restarted.alerts.first?.activeAt == ts(AlertStateMachineTests.base))
    }

    @Test func restoreKeepsFiringAlertsFiringWithoutANewTransition() {
        var first = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 0))
        _ = AlertStateMachineTests.run(&first, [0.3])
        var restarted = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 0))
        restarted.restore(first.alerts + [Alert(group: "other", rule: "FeatureDrift", labels: ["alertname": "FeatureDrift"],
                                                annotations: [:], state: .firing, value: 1, activeAt: ts(0), lastSeenAt: ts(0))])
        #expect(restarted.alerts.count == 1)
        let steps = AlertStateMachineTests.run(&restarted, [0.3, nil], start: 1)
        #expect(steps == ["firing", "resolved (firing>resolved)"])
    }

    @Test func evaluationsEarlierThanTheLastAreIgnored() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 0))
        _ = AlertStateMachineTests.run(&m, [0.3], start: 5)
        let e = m.evaluate(at: ts(AlertStateMachineTests.base + 4 * hour), source: LatestSamples())
        #expect(e.skipped)
        #expect(e.transitions.isEmpty)
        #expect(m.alerts.first?.state == .firing)
        #expect(m.lastEvaluation == ts(AlertStateMachineTests.base + 5 * hour))
        // The same time again is allowed.
        let again = m.evaluate(at: ts(AlertStateMachineTests.base + 5 * hour), source: LatestSamples())
        #expect(!again.skipped)
    }

    @Test func instanceIdentityDropsTheMetricNameAndAddsRuleLabels() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 0))
        let e = m.apply([VectorSample(metric: "psi", labels: ["feature": "a", "severity": "low"], value: 1)], at: ts(0))
        // The rule's severity wins over the sample's.
        #expect(e.transitions.first?.alert.labels == ["alertname": "FeatureDrift", "feature": "a", "severity": "page"])
    }

    @Test func duplicateIdentitiesAreAnErrorAndLeaveStateUnchanged() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: 0))
        _ = m.apply([VectorSample(metric: nil, labels: ["feature": "a"], value: 1)], at: ts(0))
        // Both samples become {alertname, feature="a", severity="page"} once the rule's severity is set.
        let e = m.apply([VectorSample(metric: nil, labels: ["feature": "a", "severity": "x"], value: 1),
                         VectorSample(metric: nil, labels: ["feature": "a"], value: 2)], at: ts(hour))
        #expect(e.error?.message.contains("two samples with the labels") == true)
        #expect(m.alerts.count == 1)
        #expect(m.lastEvaluation == ts(0))
    }

    @Test func transitionsAreSortedByLabelsAndOnlyFiringCarriesActions() {
        var m = AlertStateMachine(rule: AlertStateMachineTests.rule(for: hour, actions: [.retrain]))
        let samples = ["z", "b", "m"].map { VectorSample(metric: "psi", labels: ["feature": $0], value: 1) }
        let first = m.apply(samples, at: ts(0))
        #expect(first.transitions.map { $0.alert.labels["feature"] ?? "" } == ["b", "m", "z"])
        #expect(first.transitions.allSatisfy { $0.actions.isEmpty })
        let second = m.apply(samples, at: ts(hour))
        #expect(second.transitions.allSatisfy { $0.to == .firing && $0.actions == ["retrain"] })
    }

    @Test func ruleLabelTemplatesAreRenderedPerSample() throws {
        let rule = AlertRule(group: "g", name: "R", expression: try Expression("psi"),
                             labels: [TemplatedLabel(name: "team", template: try Template("{{ $labels.model }}-oncall"))])
        var m = AlertStateMachine(rule: rule)
        let e = m.apply([VectorSample(metric: "psi", labels: ["model": "fraud"], value: 1)], at: ts(0))
        #expect(e.transitions.first?.alert.labels["team"] == "fraud-oncall")
    }
}

@Suite("Rule set")
struct RuleSetTests {
    @Test func evaluatesEveryRuleAndReportsErrors() throws {
        let text = """
        groups:
          - name: a
            rules:
              - alert: High
                expr: psi > 0.2
              - alert: Broken
                expr: count + on(model) psi
        """
        let (file, d) = RuleFile.parse(text, path: "r.yaml")
        #expect(d.isEmpty)
        var set = RuleSet(files: [try #require(file)])
        let source = makeSource([("psi", ["model": "m", "feature": "f"], 0.5), ("psi", ["model": "m", "feature": "g"], 0.1),
                                 ("count", ["model": "m"], 10)])
        let outcome = set.evaluate(at: ts(0), source: source)
        #expect(outcome.transitions.map(\.alert.rule) == ["High"])
        #expect(outcome.errors.map(\.rule) == ["Broken"])
        #expect(outcome.errors.first?.description.hasPrefix("r.yaml:6: group \"a\", rule \"Broken\": many-to-many matching not allowed") == true)
        #expect(set.activeAlerts.count == 1)
        #expect(set.alertSamples(at: ts(0)).map(\.labels) == [["alertname": "High", "alertstate": "firing", "feature": "f", "model": "m"]])
    }

    @Test func restoreAcrossReloadKeepsStateByGroupAndName() throws {
        let v1 = "groups: [{name: a, rules: [{alert: High, expr: psi > 0.2, for: 2h}]}]"
        let v2 = "groups: [{name: a, rules: [{alert: High, expr: psi > 0.3, for: 1h}]}]"
        var set = try #require(RuleSet.load([("r.yaml", v1)]).0)
        let source = makeSource([("psi", ["feature": "f"], 0.5)], validFor: 10 * hour)
        _ = set.evaluate(at: ts(0), source: source)
        var reloaded = try #require(RuleSet.load([("r.yaml", v2)]).0)
        reloaded.restore(set.alerts)
        let outcome = reloaded.evaluate(at: ts(hour), source: source)
        #expect(outcome.transitions.map { "\($0.from.rawValue)>\($0.to.rawValue)" } == ["pending>firing"])
    }

    @Test func loadRejectsDuplicateGroupNamesAcrossFiles() {
        let f = "groups: [{name: a, rules: [{alert: High, expr: psi > 0.2}]}]"
        let (set, d) = RuleSet.load([("one.yaml", f), ("two.yaml", f)])
        #expect(set == nil)
        #expect(d.map(\.description) == ["two.yaml:1:0: group \"a\": group \"a\" is also defined in one.yaml; group names must be unique across rule files"])
    }
}
