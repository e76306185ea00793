import Foundation
import MonitorAlerting
import MonitorCore
import Testing

func json(_ bytes: [UInt8]) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
}

@Suite("Payload formats")
struct PayloadFormatTests {
    let firing = try! NotificationPayload.decode(sampleNotification().payload)
    let resolved = try! NotificationPayload.decode(sampleNotification(id: "msg_r", status: "resolved").payload)

    @Test("alertmanager: webhook JSON version 4 with Alertmanager's fields")
    func alertmanager() throws {
        let r = PayloadRenderer.render(firing, format: .alertmanager, options: .init(externalURL: "http://monitor:9464"))
        let o = try json(r.body)
        #expect(o["version"] as? String == "4")
        #expect(o["status"] as? String == "firing")
        #expect(o["receiver"] as? String == "team")
        #expect(o["groupKey"] as? String == #"{}:{model="fraud"}"#)
        #expect(o["truncatedAlerts"] as? Int == 0)
        #expect((o["groupLabels"] as? [String: String]) == ["model": "fraud"])
        #expect(o["externalURL"] as? String == "http://monitor:9464")
        let alert = try #require((o["alerts"] as? [[String: Any]])?.first)
        #expect(Set(alert.keys) == ["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"])
        #expect(alert["endsAt"] as? String == "0001-01-01T00:00:00Z")
        let res = try json(PayloadRenderer.render(resolved, format: .alertmanager).body)
        #expect(((res["alerts"] as? [[String: Any]])?.first?["endsAt"] as? String) == "2026-11-04T16:00:00.000Z")
    }

    @Test("pagerduty: trigger then resolve with one dedup_key per group; the routing key only in the body")
    func pagerduty() throws {
        let t = try json(PayloadRenderer.render(firing, format: .pagerduty, options: .init(routingKey: "R0UT1NG")).body)
        let r = try json(PayloadRenderer.render(resolved, format: .pagerduty, options: .init(routingKey: "R0UT1NG")).body)
        #expect(t["event_action"] as? String == "trigger")
        #expect(r["event_action"] as? String == "resolve")
        #expect(t["routing_key"] as? String == "R0UT1NG")
        #expect(t["dedup_key"] as? String == r["dedup_key"] as? String)
        #expect((t["dedup_key"] as? String)?.count == 40)
        let payload = try #require(t["payload"] as? [String: Any])
        #expect(payload["severity"] as? String == "critical")  // severity="page"
        #expect(payload["summary"] as? String == "[FIRING:1] fraud")
        #expect(r["payload"] == nil)
        // Another group, another incident.
        #expect(PayloadRenderer.pagerDutyDedupKey(receiver: "team", groupKey: "{}:{model=\"credit\"}") != t["dedup_key"] as? String)
    }

    @Test("slack: a readable text message, escaped")
    func slack() throws {
        var p = firing
        p.summary = "- a <b> & c"
        let o = try json(PayloadRenderer.render(p, format: .slack).body)
        #expect(o["text"] as? String == "*[FIRING:1] fraud*\n- a &lt;b&gt; &amp; c")
    }

    @Test("generic is the stored payload; alertmanager_api posts alerts to /api/v2/alerts")
    func genericAndAPI() throws {
        #expect(PayloadRenderer.render(firing, format: .generic).body == Array(firing.json().utf8))
        let api = PayloadRenderer.render(resolved, format: .alertmanagerAPI)
        #expect(api.pathSuffix == "/api/v2/alerts")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(api.body)) as? [[String: Any]])
        #expect(list.first?["endsAt"] as? String == "2026-11-04T16:00:00.000Z")
        let fire = try #require(try JSONSerialization.jsonObject(with: Data(PayloadRenderer.render(firing, format: .alertmanagerAPI).body)) as? [[String: Any]])
        #expect(fire.first?["endsAt"] == nil)
    }

    @Test("templates override title and summary")
    func templates() throws {
        let p = try plan("""
            route: {receiver: r, group_by: [model], group_wait: 0s}
            templates:
              title: '{{ .StatusUpper }} {{ .GroupLabels.model }} ({{ .NumFiring }})'
            receivers:
              - name: r
                webhook_configs:
                  - url: http://127.0.0.1:1/x
                    summary: '{{ .CommonAnnotations.summary }} / {{ .Receiver }}'
                file_configs: [{path: f.jsonl}]
            """)
        var h = Harness(p)
        h.add([transition(["alertname": "A", "model": "fraud"], .firing, at: 0)])
        let out = h.grouper.flush(at: ms(0), plan: p, mute: .init(), enqueuedAt: ms(0))
        let payloads = try out.notifications.map { try NotificationPayload.decode($0.payload) }
        #expect(payloads.map(\.title) == ["FIRING fraud (1)", "FIRING fraud (1)"])
        #expect(payloads[0].summary == #"about {alertname="A", model="fraud"} / r"#)
        #expect(payloads[1].summary == #"- about {alertname="A", model="fraud"}"#)  // the file has no override
    }

    @Test("Retry-After: seconds and HTTP dates")
    func retryAfter() {
        let now = Timestamp(milliseconds: 784_111_777_000 - 10_000)  // 10 s before Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(DeliveryOutcome.classify(status: 429, retryAfter: .seconds(3)) == .retryable("HTTP 429", status: 429, retryAfter: .seconds(3)))
        #expect(DeliveryOutcome.classify(status: 301, retryAfter: nil) == .permanent("HTTP 301 (redirects are not followed)", status: 301))
        #expect(DeliveryOutcome.classify(status: 204, retryAfter: nil) == .delivered(status: 204))
        #expect(DeliveryOutcome.classify(status: 400, retryAfter: nil) == .permanent("HTTP 400", status: 400))
        #expect(DeliveryOutcome.classify(status: 599, retryAfter: nil) == .retryable("HTTP 599", status: 599, retryAfter: nil))
    }

    @Test("backoff doubles, is capped, jittered, and respects Retry-After")
    func backoff() {
        var rng = SystemRandomNumberGenerator()
        let s = RetrySchedule(base: .seconds(1), cap: .seconds(8), jitter: 0.5)
        for attempt in 1...6 {
            let nominal = min(Double(1 << (attempt - 1)), 8)
            for _ in 0..<50 {
                let d = s.delay(after: attempt, using: &rng)
                #expect(d >= .seconds(nominal / 2) && d <= .seconds(nominal), "attempt \(attempt): \(d)")
            }
        }
        #expect(s.delay(after: 1, retryAfter: .seconds(30), using: &rng) == .seconds(30))
        #expect(RetrySchedule(jitter: 0).delay(after: 3, using: &rng) == .seconds(4))
    }
}

@Suite("Silences and inhibition")
struct MuteTests {
    static let yaml = """
        route: {receiver: r, group_by: ['...'], group_wait: 0s, group_interval: 1m}
        receivers:
          - name: r
            file_configs: [{path: f.jsonl}]
        inhibit_rules:
          - source_matchers: ['alertname="SchemaBreak"']
            target_matchers: ['alertname=~"FeatureDrift|MissingValuesHigh"']
            equal: [model]
        """

    @Test("feature-drift alerts are muted while a schema-break alert fires for the same model; recorded, not sent")
    func inhibition() throws {
        let p = try plan(Self.yaml)
        var h = Harness(p)
        let schema: Labels = ["alertname": "SchemaBreak", "model": "fraud"]
        let drift: Labels = ["alertname": "FeatureDrift", "model": "fraud", "feature": "amount"]
        let otherModel: Labels = ["alertname": "FeatureDrift", "model": "credit", "feature": "amount"]
        h.add([transition(schema, .firing, at: 0), transition(drift, .firing, at: 0), transition(otherModel, .firing, at: 0)])
        h.mute.firing = [schema, drift, otherModel]
        let out = h.grouper.flush(at: ms(0), plan: p, mute: h.mute, enqueuedAt: ms(0))
        let sent = try out.notifications.map { try NotificationPayload.decode($0.payload).alerts.map(\.labels) }.flatMap { $0 }
        #expect(Set(sent) == [schema.dictionary, otherModel.dictionary])
        let muted = out.log.filter { $0.reason.hasPrefix("inhibited") }
        #expect(muted.count == 1 && muted[0].firing == [AlertFingerprint.of(drift)] && muted[0].notificationID == nil)
        #expect(muted[0].reason == "inhibited by inhibit_rules[0]")
        // Still inhibited at the next flush: not logged again.
        let again = h.grouper.flush(at: ms(60), plan: p, mute: h.mute, enqueuedAt: ms(60))
        #expect(again.log.isEmpty && again.notifications.isEmpty)
        // The schema break resolves: the drift alert is notified.
        h.add([transition(schema, .resolved, at: 100, firedAt: 0)])
        h.mute.firing = [drift, otherModel]
        let after = h.grouper.flush(at: ms(120), plan: p, mute: h.mute, enqueuedAt: ms(120))
        let names = try after.notifications.map { try NotificationPayload.decode($0.payload) }.map { "\($0.status) \($0.alerts[0].labels["alertname"]!)" }
        #expect(Set(names) == ["firing FeatureDrift", "resolved SchemaBreak"])
    }

    @Test("an alert does not inhibit itself; equal labels must agree")
    func inhibitorRules() throws {
        var rule = AlertsFile.InhibitRule()
        rule.sourceMatchers = [try AlertMatcher(parsing: "severity=page")]
        rule.targetMatchers = [try AlertMatcher(parsing: "severity=~page|ticket")]
        rule.equal = ["model", "cluster"]
        let i = Inhibitor(rules: [rule])
        let page: Labels = ["severity": "page", "model": "m"]
        #expect(i.inhibits(page, firing: [page]) == false)
        #expect(i.inhibits(["severity": "ticket", "model": "m"], firing: [page]) == true)  // cluster absent on both: equal
        #expect(i.inhibits(["severity": "ticket", "model": "m", "cluster": "eu"], firing: [page]) == false)
        #expect(i.inhibits(["severity": "ticket", "model": "n"], firing: [page]) == false)
    }

    @Test("silences mute matching alerts between start and end (wall clock); recorded, not sent")
    func silences() throws {
        let p = try plan(Self.yaml)
        var h = Harness(p)
        let a: Labels = ["alertname": "FeatureDrift", "model": "fraud"]
        let b: Labels = ["alertname": "FeatureDrift", "model": "credit"]
        h.add([transition(a, .firing, at: 0), transition(b, .firing, at: 0)])
        let silence = Silence(id: "sil_1", matchers: [try AlertMatcher(parsing: #"model="fraud""#)], startsAt: ms(1000), endsAt: ms(2000),
                              createdBy: "ann", comment: "retraining", createdAt: ms(900))
        h.mute = .init(firing: [a, b], silences: [silence], wallNow: ms(1500))
        let out = h.grouper.flush(at: ms(0), plan: p, mute: h.mute, enqueuedAt: ms(0))
        #expect(out.notifications.count == 1)
        #expect(try NotificationPayload.decode(out.notifications[0].payload).alerts[0].labels["model"] == "credit")
        #expect(out.log.contains { $0.reason == "silenced by sil_1" && $0.firing == [AlertFingerprint.of(a)] })
        // After the silence ends, the alert is notified.
        h.mute.wallNow = ms(2000)
        let later = h.grouper.flush(at: ms(60), plan: p, mute: h.mute, enqueuedAt: ms(60))
        #expect(try later.notifications.map { try NotificationPayload.decode($0.payload).alerts[0].labels["model"] } == ["fraud"])
    }

    @Test("matchers: syntax, anchoring, missing labels")
    func matchers() throws {
        #expect(try AlertMatcher(parsing: #"team=~"ml|data""#).matches(["team": "ml"]))
        #expect(try AlertMatcher(parsing: #"team=~"ml|data""#).matches(["team": "mlx"]) == false)
        #expect(try AlertMatcher(parsing: "team!=ml").matches([:]))
        #expect(try AlertMatcher(parsing: #"team="""#).matches([:]))
        #expect(try AlertMatcher(parsing: #" a = "x \"y\"" "#).value == #"x "y""#)
        #expect(try AlertMatcher(parsing: #"a!~"b.*""#).description == #"a!~"b.*""#)
        #expect(throws: AlertMatcher.ParseError.self) { try AlertMatcher(parsing: "1a=b") }
        #expect(throws: AlertMatcher.ParseError.self) { try AlertMatcher(parsing: "a=~(") }
        #expect(throws: AlertMatcher.ParseError.self) { try AlertMatcher(parsing: "a==b") }
        #expect(throws: AlertMatcher.ParseError.self) { try AlertMatcher(parsing: #"a="b"c"#) }
    }
}
