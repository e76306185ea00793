import Foundation
import MonitorAlerting
import MonitorCore
import Testing

/// Builds a plan from alerts-file YAML (the real parser, so the tests also pin the file format).
func plan(_ yaml: String) throws -> AlertingPlan {
    let (file, diags) = AlertsFile.parse(yaml, path: "t.yaml")
    let parsed = try #require(file, "\(diags.map(\.description))")
    return AlertingPlan(parsed)
}

func ms(_ s: Int64) -> Timestamp { Timestamp(milliseconds: s * 1000) }

/// A firing or resolved transition of an alert with these labels at second `at`.
func transition(_ labels: Labels, _ to: AlertState, at: Int64, firedAt: Int64? = nil) -> AlertTransition {
    let alert = Alert(group: "g", rule: labels["alertname"] ?? "A", labels: labels, annotations: ["summary": "about \(labels)"],
                      state: to, value: 0.5, activeAt: ms(firedAt ?? at), firedAt: ms(firedAt ?? at),
                      resolvedAt: to == .resolved ? ms(at) : nil, lastSeenAt: ms(at))
    return AlertTransition(alert: alert, from: to == .firing ? .pending : .firing, to: to, at: ms(at))
}

/// A grouper driven by stepped (manual) event time.
struct Harness {
    var grouper = AlertGrouper()
    let plan: AlertingPlan
    var mute = AlertGrouper.MuteContext()

    init(_ plan: AlertingPlan) { self.plan = plan }

    mutating func add(_ t: [AlertTransition]) { grouper.ingest(t, plan: plan) }

    /// Flushes at second `t`; returns (receiver, integration, status, alert names) per notification.
    mutating func flush(at t: Int64, force: Bool = false) -> [String] {
        let out = grouper.flush(at: ms(t), plan: plan, mute: mute, enqueuedAt: ms(t), force: force)
        return out.notifications.map { n in
            let p = try! NotificationPayload.decode(n.payload)
            let names = p.alerts.map { "\($0.labels["alertname"] ?? "?")\($0.status == "resolved" ? "✓" : "")" }.sorted()
            return "\(n.receiver)/\(n.integration) \(n.status) \(names.joined(separator: ","))"
        }
    }
}

let basic = """
    route:
      receiver: team
      group_by: [model]
      group_wait: 30s
      group_interval: 5m
      repeat_interval: 1h
    receivers:
      - name: team
        webhook_configs: [{url: "http://127.0.0.1:9/hook", allowlist: [127.0.0.0/8]}]
    """

@Suite("Grouping and timing (stepped event time)")
struct GroupingTests {
    @Test("group_wait holds the first notification and collects alerts of the same group")
    func groupWait() throws {
        var h = Harness(try plan(basic))
        h.add([transition(["alertname": "A", "model": "fraud"], .firing, at: 0)])
        #expect(h.flush(at: 0).isEmpty)
        #expect(h.flush(at: 29).isEmpty)  // 1 s before group_wait
        h.add([transition(["alertname": "B", "model": "fraud"], .firing, at: 29)])
        #expect(h.flush(at: 30) == ["team/webhook[0] firing A,B"])  // exactly group_wait: both in one
    }

    @Test("group_interval: new alerts of a notified group wait for the next interval")
    func groupInterval() throws {
        var h = Harness(try plan(basic))
        h.add([transition(["alertname": "A", "model": "fraud"], .firing, at: 0)])
        #expect(h.flush(at: 30) == ["team/webhook[0] firing A"])
        h.add([transition(["alertname": "B", "model": "fraud"], .firing, at: 40)])
        #expect(h.flush(at: 329).isEmpty)  // 30 s + 5 min − 1 s
        #expect(h.flush(at: 330) == ["team/webhook[0] firing A,B"])
        // Nothing new: nothing sent at the next intervals.
        #expect(h.flush(at: 630).isEmpty)
    }

    @Test("repeat_interval: an unchanged firing group is notified again after it, not before")
    func repeatInterval() throws {
        var h = Harness(try plan(basic))
        h.add([transition(["alertname": "A", "model": "fraud"], .firing, at: 0)])
        #expect(h.flush(at: 30) == ["team/webhook[0] firing A"])
        var t: Int64 = 30
        var sent: [Int64] = []
        while t < 30 + 3 * 3600 {
            t += 300
            if !h.flush(at: t).isEmpty { sent.append(t) }
        }
        // Flushes every 5 min; the first one at or past 1 h after the last notification repeats.
        let expected: [Int64] = [3630, 7230, 10830]
        #expect(sent == expected)
    }

    @Test("resolved: sent at the next flush, then the group is gone; a quick fire+resolve is not news")
    func resolved() throws {
        var h = Harness(try plan(basic))
        let a: Labels = ["alertname": "A", "model": "fraud"]
        h.add([transition(a, .firing, at: 0)])
        #expect(h.flush(at: 30) == ["team/webhook[0] firing A"])
        h.add([transition(a, .resolved, at: 100, firedAt: 0)])
        #expect(h.flush(at: 329).isEmpty)
        #expect(h.flush(at: 330) == ["team/webhook[0] resolved A✓"])
        #expect(h.grouper.groupKeys.isEmpty)
        // Fires and resolves within group_wait: never notified, so no resolution either.
        let b: Labels = ["alertname": "B", "model": "credit"]
        h.add([transition(b, .firing, at: 1000), transition(b, .resolved, at: 1010, firedAt: 1000)])
        #expect(h.flush(at: 1030).isEmpty)
        #expect(h.grouper.groupKeys.isEmpty)
    }

    @Test("one alert resolving while another fires: both in the notification when send_resolved")
    func partialResolve() throws {
        var h = Harness(try plan(basic))
        h.add([transition(["alertname": "A", "model": "m"], .firing, at: 0), transition(["alertname": "B", "model": "m"], .firing, at: 0)])
        #expect(h.flush(at: 30) == ["team/webhook[0] firing A,B"])
        h.add([transition(["alertname": "A", "model": "m"], .resolved, at: 60, firedAt: 0)])
        #expect(h.flush(at: 330) == ["team/webhook[0] firing A✓,B"])
        #expect(h.flush(at: 630).isEmpty)
    }

    @Test("group_by splits groups; each group has its own timer")
    func groupBy() throws {
        var h = Harness(try plan(basic))
        h.add([transition(["alertname": "A", "model": "fraud"], .firing, at: 0)])
        h.add([transition(["alertname": "A", "model": "credit"], .firing, at: 20)])
        #expect(h.flush(at: 30) == ["team/webhook[0] firing A"])
        #expect(h.flush(at: 50) == ["team/webhook[0] firing A"])
        #expect(h.grouper.groupKeys == [#"{}:{model="credit"}"#, #"{}:{model="fraud"}"#])
    }

    static let tree = """
        route:
          receiver: default
          group_wait: 10s
          routes:
            - matchers: ['severity="page"']
              receiver: pager
              continue: true
            - matchers: ['severity=~"page|ticket"']
              receiver: tickets
              group_wait: 1m
            - matchers: ['team="ml"']
              receiver: ml
        receivers:
          - name: default
            file_configs: [{path: d.jsonl}]
          - name: pager
            file_configs: [{path: p.jsonl}]
          - name: tickets
            file_configs: [{path: t.jsonl}]
          - name: ml
            file_configs: [{path: m.jsonl}]
        """

    @Test("continue: a page goes to pager and on to tickets; without continue the first match wins")
    func continueRoutes() throws {
        let p = try plan(Self.tree)
        func receivers(_ l: Labels) -> [String] { p.routes.match(l).map(\.receiver) }
        #expect(receivers(["severity": "page", "team": "ml"]) == ["pager", "tickets"])  // tickets has no continue: ml not reached
        #expect(receivers(["severity": "ticket", "team": "ml"]) == ["tickets"])
        #expect(receivers(["team": "ml"]) == ["ml"])
        #expect(receivers(["severity": "info"]) == ["default"])

        var h = Harness(p)
        h.add([transition(["alertname": "A", "severity": "page"], .firing, at: 0)])
        // Inherited group_wait 10s for pager, 1m for tickets.
        #expect(h.flush(at: 10) == ["pager/file[0] firing A"])
        #expect(h.flush(at: 59).isEmpty)
        #expect(h.flush(at: 60) == ["tickets/file[0] firing A"])
    }

    @Test("force flush at the end of input sends groups still in group_wait")
    func forceFlush() throws {
        var h = Harness(try plan(basic))
        h.add([transition(["alertname": "A", "model": "fraud"], .firing, at: 0)])
        #expect(h.flush(at: 1).isEmpty)
        #expect(h.flush(at: 1, force: true) == ["team/webhook[0] firing A"])
    }

    @Test("the state survives encoding: a restored grouper continues identically")
    func checkpointRoundTrip() throws {
        let p = try plan(basic)
        var a = Harness(p)
        a.add([transition(["alertname": "A", "model": "fraud"], .firing, at: 0)])
        _ = a.flush(at: 30)
        a.add([transition(["alertname": "B", "model": "fraud"], .firing, at: 40)])
        var b = Harness(p)
        b.grouper = try AlertGrouper(encoded: a.grouper.encoded())
        #expect(b.grouper.encoded() == a.grouper.encoded())
        let x = a.grouper.flush(at: ms(330), plan: p, mute: .init(), enqueuedAt: ms(330))
        let y = b.grouper.flush(at: ms(330), plan: p, mute: .init(), enqueuedAt: ms(330))
        #expect(x.notifications == y.notifications)
        #expect(x.notifications.count == 1)
        #expect(throws: AlertGrouper.DecodingError.self) { try AlertGrouper(encoded: Array("{oops".utf8)) }
    }

    @Test("notification ids are deterministic and differ per integration, time and content")
    func ids() throws {
        let p = try plan(basic.replacingOccurrences(of: "webhook_configs: [{url: \"http://127.0.0.1:9/hook\", allowlist: [127.0.0.0/8]}]",
                                                    with: "webhook_configs: [{url: \"http://127.0.0.1:9/hook\", allowlist: [127.0.0.0/8]}]\n    file_configs: [{path: x.jsonl}]"))
        func run() -> [String] {
            var h = Harness(p)
            h.add([transition(["alertname": "A", "model": "fraud"], .firing, at: 0)])
            return h.grouper.flush(at: ms(30), plan: p, mute: .init(), enqueuedAt: ms(99)).notifications.map(\.id)
        }
        let first = run()
        #expect(first.count == 2)
        #expect(first == run())
        #expect(Set(first).count == 2)
        #expect(first.allSatisfy { $0.hasPrefix("msg_") && $0.count == 36 })
    }
}

@Suite("Dedup decision (NotificationPolicy)")
struct NotificationPolicyTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var intent: String
        var previous: NotificationRecord?
        var firing: Set<String>
        var resolved: Set<String>
        var sendResolved = true
        var now: Int64
        var expected: NotifyReason
        var testDescription: String { intent }
    }

    static let hour: Int64 = 3_600_000
    static let rows: [Row] = [
        Row(intent: "never notified, firing: send", previous: nil, firing: ["a"], resolved: [], now: 0, expected: .firstNotification),
        Row(intent: "never notified, only resolved: nothing to say", previous: nil, firing: [], resolved: ["a"], now: 0, expected: .nothingFiring),
        Row(intent: "a new firing alert", previous: .init(firing: ["a"], resolved: [], at: 0), firing: ["a", "b"], resolved: [], now: 1,
            expected: .newFiring),
        Row(intent: "fewer firing, nothing resolved, before repeat", previous: .init(firing: ["a", "b"], resolved: [], at: 0), firing: ["a"],
            resolved: [], now: 1, expected: .unchanged),
        Row(intent: "all resolved: sent", previous: .init(firing: ["a"], resolved: [], at: 0), firing: [], resolved: ["a"], now: 1,
            expected: .allResolved),
        Row(intent: "all resolved even without send_resolved (clears the log)", previous: .init(firing: ["a"], resolved: [], at: 0), firing: [],
            resolved: ["a"], sendResolved: false, now: 1, expected: .allResolved),
        Row(intent: "one of two resolved, send_resolved", previous: .init(firing: ["a", "b"], resolved: [], at: 0), firing: ["a"],
            resolved: ["b"], now: 1, expected: .newlyResolved),
        Row(intent: "one of two resolved, no send_resolved", previous: .init(firing: ["a", "b"], resolved: [], at: 0), firing: ["a"],
            resolved: ["b"], sendResolved: false, now: 1, expected: .unchanged),
        Row(intent: "repeat: 1 ms before the interval", previous: .init(firing: ["a"], resolved: [], at: 0), firing: ["a"], resolved: [],
            now: hour - 1, expected: .unchanged),
        Row(intent: "repeat: exactly the interval", previous: .init(firing: ["a"], resolved: [], at: 0), firing: ["a"], resolved: [],
            now: hour, expected: .repeatInterval),
        Row(intent: "previous had nothing firing, still nothing", previous: .init(firing: [], resolved: ["a"], at: 0), firing: [],
            resolved: ["b"], now: 1, expected: .nothingFiring),
    ]

    @Test("decisions", arguments: rows)
    func decide(_ row: Row) {
        #expect(NotificationPolicy.decide(previous: row.previous, firing: row.firing, resolved: row.resolved, sendResolved: row.sendResolved,
                                          repeatInterval: Self.hour, now: row.now) == row.expected)
    }
}
