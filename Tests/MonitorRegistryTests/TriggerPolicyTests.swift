import MonitorCore
import Testing

/// The trigger policy with time stepped by hand (event time is an input; nothing reads a clock).
@Suite("Retraining trigger policy: cooldown and max open triggers")
struct TriggerPolicyTests {
    static let hour: Int64 = 3_600_000
    static let base = Timestamp(milliseconds: 1_793_000_000_000)

    static func at(_ hours: Double) -> Timestamp { Timestamp(milliseconds: base.milliseconds + Int64(hours * Double(hour))) }

    /// One step of a scenario: a firing (or a resolution) of an alert of a model at a time, and
    /// what the policy must say.
    struct Step: CustomStringConvertible, Sendable {
        enum Kind: Sendable { case fire, resolve }
        var kind: Kind
        var hours: Double
        var model: String
        var alert: String
        /// For `fire`: emitted (nil) or the start of the suppression reason.
        var expect: String?
        var description: String { "\(kind) \(model)/\(alert) at +\(hours)h" }
    }

    /// Runs the steps against a policy, emitting when it says so (as the pipeline does).
    static func run(_ policy: inout TriggerPolicy, _ steps: [Step]) {
        for (i, s) in steps.enumerated() {
            switch s.kind {
            case .fire:
                let d = policy.decide(model: s.model, at: at(s.hours))
                switch (d, s.expect) {
                case (.emit, nil):
                    policy.recordEmitted(model: s.model, id: "trg_\(i)", alertKey: s.alert, at: at(s.hours))
                case (.suppress(let reason), let expected?):
                    #expect(reason.hasPrefix(expected), "step \(i) \(s): \(reason)")
                default:
                    Issue.record("step \(i) \(s): got \(d), expected \(s.expect ?? "emit")")
                }
            case .resolve:
                _ = policy.close(alertKey: s.alert, model: s.model)
            }
        }
    }

    @Test("the cooldown counts from the last emitted trigger; boundary rows either side of 24h")
    func cooldownBoundaries() {
        var policy = TriggerPolicy(cooldown: 24 * Self.hour, maxOpen: 10)
        Self.run(&policy, [
            Step(kind: .fire, hours: 0, model: "fraud", alert: "a", expect: nil),  // first trigger: emitted
            Step(kind: .resolve, hours: 1, model: "fraud", alert: "a"),
            Step(kind: .fire, hours: 23.99, model: "fraud", alert: "a", expect: "cooldown"),  // 1 ms-ish before: suppressed
            Step(kind: .fire, hours: 24, model: "fraud", alert: "a", expect: nil),  // exactly 24h later: allowed
            Step(kind: .fire, hours: 25, model: "fraud", alert: "b", expect: "cooldown"),  // counts from +24h now
            Step(kind: .fire, hours: 25, model: "churn", alert: "c", expect: nil),  // per model: another model is free
        ])
    }

    @Test("one millisecond either side of the cooldown")
    func cooldownMilliseconds() {
        var policy = TriggerPolicy(cooldown: 1000, maxOpen: 5)
        policy.recordEmitted(model: "m", id: "trg_1", alertKey: "k", at: Timestamp(milliseconds: 0))
        #expect(policy.decide(model: "m", at: Timestamp(milliseconds: 999)) != .emit)
        #expect(policy.decide(model: "m", at: Timestamp(milliseconds: 1000)) == .emit)
    }

    @Test("max open triggers: suppressed while the first trigger's alert fires, free once it resolves")
    func maxOpen() {
        var policy = TriggerPolicy(cooldown: 0, maxOpen: 2)
        Self.run(&policy, [
            Step(kind: .fire, hours: 0, model: "fraud", alert: "a", expect: nil),
            Step(kind: .fire, hours: 1, model: "fraud", alert: "b", expect: nil),  // 2 open: at the limit
            Step(kind: .fire, hours: 2, model: "fraud", alert: "c", expect: "max open triggers"),  // a third: suppressed
            Step(kind: .resolve, hours: 3, model: "fraud", alert: "a"),  // one resolves
            Step(kind: .fire, hours: 4, model: "fraud", alert: "c", expect: nil),  // room again
            Step(kind: .fire, hours: 4, model: "other", alert: "x", expect: nil),  // per model
        ])
        #expect(policy.open["fraud"]?.count == 2)
    }

    @Test("defaults: 24h cooldown and one open trigger per model")
    func defaults() {
        let p = TriggerPolicy()
        #expect(p.cooldown == 86_400_000)
        #expect(p.maxOpen == 1)
        var policy = p
        policy.recordEmitted(model: "fraud", id: "trg_1", alertKey: "a", at: Self.at(0))
        guard case .suppress(let why) = policy.decide(model: "fraud", at: Self.at(48)) else {
            Issue.record("a second open trigger must be suppressed")
            return
        }
        #expect(why.contains("trg_1") && why.contains("max_open_triggers is 1"), "\(why)")
        _ = policy.close(alertKey: "a", model: "fraud")
        #expect(policy.decide(model: "fraud", at: Self.at(48)) == .emit)
        guard case .suppress(let cool) = policy.decide(model: "fraud", at: Self.at(12)) else {
            Issue.record("within 24h: suppressed")
            return
        }
        #expect(cool.contains("next allowed at \(Self.at(24))"), "\(cool)")
    }

    @Test("a policy restored from stored triggers decides as the one that emitted them")
    func restore() {
        func record(_ id: String, _ hours: Double, _ status: TriggerStatus, closed: Bool, alert: String) -> TriggerRecord {
            let t = Alert(group: "g", rule: "R", labels: ["alertname": "R", "model": "fraud", "feature": .init(alert)], annotations: [:],
                          state: .firing, value: 1, activeAt: Self.at(hours), firedAt: Self.at(hours), lastSeenAt: Self.at(hours))
            var trigger = RetrainTrigger(firing: AlertTransition(alert: t, from: .pending, to: .firing, at: Self.at(hours), actions: ["retrain"]),
                                         expression: "x > 1", series: [], windowStart: nil, reference: nil)
            trigger.id = id
            return TriggerRecord(trigger: trigger, status: status, alertKey: alert, createdAt: Self.at(hours),
                                 closedAt: closed ? Self.at(hours + 1) : nil, payload: "{}")
        }
        let stored = [
            record("trg_a", 0, .emitted, closed: true, alert: "a"),
            record("trg_b", 30, .emitted, closed: false, alert: "b"),
            record("trg_c", 31, .suppressed, closed: false, alert: "c"),  // suppressed ones do not count
        ]
        let policy = TriggerPolicy(cooldown: 24 * Self.hour, maxOpen: 2, restoring: stored.reversed())
        #expect(policy.lastEmitted["fraud"]?.id == "trg_b")
        #expect(policy.open["fraud"] == ["b": "trg_b"])
        guard case .suppress(let why) = policy.decide(model: "fraud", at: Self.at(40)) else {
            Issue.record("within the cooldown of trg_b")
            return
        }
        #expect(why.hasPrefix("cooldown") && why.contains("trg_b"))
        #expect(policy.decide(model: "fraud", at: Self.at(54)) == .emit)
    }

    @Test("trigger ids are deterministic: same firing, same id; another time or label set, another id")
    func deterministicID() {
        let labels: Labels = ["alertname": "R", "model": "fraud", "version": "3"]
        let a = RetrainTrigger.id(group: "g", rule: "R", labels: labels, firedAt: Self.at(1))
        #expect(a == RetrainTrigger.id(group: "g", rule: "R", labels: labels, firedAt: Self.at(1)))
        #expect(a != RetrainTrigger.id(group: "g", rule: "R", labels: labels, firedAt: Self.at(2)))
        #expect(a != RetrainTrigger.id(group: "g", rule: "R", labels: labels.setting("version", to: "4"), firedAt: Self.at(1)))
        #expect(a.hasPrefix("trg_") && a.count == 36)
    }

    /// The value as the reason shows it (the exact value is in `value`).
    @Test("the reason rounds the value: integers stay integers, 4 decimals from 1, 6 below", arguments: [
        (3.0, "returned 3"), (1.23456789, "returned 1.2346"), (0.123456789, "returned 0.123457"), (250.5, "returned 250.5"),
        (1e-9, "returned 1e-09"),  // would round to 0: shown as is
    ])
    func reasonValue(_ value: Double, _ expected: String) {
        let alert = Alert(group: "g", rule: "R", labels: ["alertname": "R", "model": "m"], annotations: [:], state: .firing, value: value,
                          activeAt: Self.at(0), lastSeenAt: Self.at(0))
        let t = RetrainTrigger(firing: AlertTransition(alert: alert, from: .pending, to: .firing, at: Self.at(0)), expression: "x",
                               series: [], windowStart: nil, reference: nil)
        #expect(t.reason.hasSuffix(expected), "\(t.reason)")
        #expect(t.value == value)
    }

    @Test("the trigger carries model, version, window and a reason naming rule, model and value")
    func triggerFields() {
        let alert = Alert(group: "g", rule: "DatasetDrift", labels: ["alertname": "DatasetDrift", "model": "fraud", "version": "3", "window": "1h"],
                          annotations: ["summary": "fraud drifted"], state: .firing, value: 0.4, activeAt: Self.at(0), firedAt: Self.at(1),
                          lastSeenAt: Self.at(1))
        let t = RetrainTrigger(firing: AlertTransition(alert: alert, from: .pending, to: .firing, at: Self.at(1), actions: ["retrain"]),
                               expression: "drifted_feature_share > 0.3",
                               series: [.init(metric: "drifted_feature_share", labels: ["model": "fraud"], value: 0.4)],
                               windowStart: Self.at(0), reference: "fraud-train")
        #expect(t.model == "fraud" && t.version == "3" && t.rule == "DatasetDrift")
        #expect(t.window.name == "1h" && t.window.start == Self.at(0).rfc3339 && t.window.end == Self.at(1).rfc3339)
        #expect(t.reason.contains("DatasetDrift fired for model \"fraud\" version \"3\""), "\(t.reason)")
        #expect(t.reason.contains("drifted_feature_share > 0.3 returned 0.4") && t.reason.contains("fraud drifted"), "\(t.reason)")
        let noVersion = RetrainTrigger(
            firing: AlertTransition(alert: Alert(group: "g", rule: "R", labels: ["alertname": "R", "model": "m"], annotations: [:],
                                                 state: .firing, value: .nan, activeAt: Self.at(0), lastSeenAt: Self.at(0)),
                                    from: .pending, to: .firing, at: Self.at(0)),
            expression: "x", series: [], windowStart: nil, reference: nil)
        #expect(noVersion.version == nil && noVersion.value == nil)
        let multiLine = RetrainTrigger(
            firing: AlertTransition(alert: alert, from: .pending, to: .firing, at: Self.at(1)),
            expression: "accuracy < 0.9\n  and on(model) labeled_count > 500\n", series: [], windowStart: nil, reference: nil)
        #expect(multiLine.reason.contains("accuracy < 0.9 and on(model) labeled_count > 500 returned 0.4"), "\(multiLine.reason)")
        #expect(multiLine.expression.contains("\n"), "the expression itself is kept as written")
    }
}
