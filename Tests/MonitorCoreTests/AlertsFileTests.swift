import Foundation
import MonitorCore
import Testing

@Suite("Alerts files (route tree, receivers, inhibit rules, templates)")
struct AlertsFileTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/alerts")

    func load(_ name: String) throws -> (AlertsFile?, [ConfigDiagnostic]) {
        let text = try String(contentsOf: Self.dir.appendingPathComponent(name), encoding: .utf8)
        return AlertsFile.parse(text, path: name)
    }

    @Test("every key parses into the model")
    func full() throws {
        let (file, diags) = try load("full.good.yaml")
        #expect(diags.isEmpty, "\(diags.map(\.description))")
        let f = try #require(file)
        #expect(f.route.receiver == "team")
        #expect(f.route.groupBy == ["alertname", "model"])
        #expect(f.route.groupWait == 30_000 && f.route.groupInterval == 300_000 && f.route.repeatInterval == 14_400_000)
        #expect(f.route.routes.count == 2)
        let pager = f.route.routes[0]
        #expect(pager.matchers.map(\.description) == [#"severity="page""#, #"model=~"fraud|credit""#])
        #expect(pager.continue && pager.groupWait == 10_000 && pager.groupBy == nil)
        #expect(f.route.routes[1].groupBy == ["..."])
        #expect(f.route.routes[1].routes[0].repeatInterval == 86_400_000)
        #expect(f.receivers.map(\.name) == ["team", "pager", "chat"])
        let team = f.receivers[0]
        #expect(team.webhooks.count == 2 && team.files.map(\.value) == ["../out/team.jsonl"])
        #expect(team.webhooks[0].secrets == [.environment("WEBHOOK_SECRET_OLD"), .environment("WEBHOOK_SECRET")])
        #expect(team.webhooks[0].timeout == 5000 && team.webhooks[0].maxAttempts == 8 && !team.webhooks[0].sendResolved)
        #expect(team.webhooks[0].format == .generic)
        #expect(team.webhooks[1].format == .alertmanagerAPI)
        #expect(team.webhooks[1].allowlist.map(\.description) == ["127.0.0.0/8", "::1/128"])
        #expect(f.receivers[1].webhooks[0].routingKey == .environment("PD_ROUTING_KEY"))
        #expect(f.receivers[1].webhooks[0].secrets == [.file("secrets/pager.whsec")])
        #expect(f.receivers[2].webhooks[0].allowPrivate)
        #expect(f.receivers[2].webhooks[0].title?.source == "{{ .StatusUpper }}: {{ .GroupLabels.alertname }}")
        #expect(f.inhibitRules.count == 1 && f.inhibitRules[0].equal == ["model", "version"])
        #expect(f.titleTemplate != nil && f.summaryTemplate != nil)
        // The default format is Alertmanager's webhook JSON.
        let (minimal, _) = AlertsFile.parse("route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'https://x.example/h'}]}]", path: "m.yaml")
        #expect(minimal?.receivers[0].webhooks[0].format == .alertmanager)
    }

    @Test("every problem is reported at its position, and no secret is echoed")
    func many() throws {
        let (file, diags) = try load("many.bad.yaml")
        #expect(file == nil)
        let rendered = diags.map(\.description)
        let expected = [
            "many.bad.yaml:3:3: route.matchers: the root route matches every alert and takes no matchers",
            "many.bad.yaml:4:15: route.group_wait: expected a duration like 30s, 5m, 1h or 7d, found \"soon\"",
            "many.bad.yaml:6:18: route.routes[0].matchers[0]: \"1bad\" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)",
            "many.bad.yaml:7:17: route.routes[0].receiver: no receiver named \"nobody\"; defined: team, team",
            "many.bad.yaml:8:17: route.routes[0].continue: expected true or false, found \"maybe\"",
            "many.bad.yaml:12:14: receiver \"team\".webhook_configs[0].url: scheme \"ftp\" is not allowed (http or https only)",
            "many.bad.yaml:13:17: receiver \"team\".webhook_configs[0].format: \"teams\" is not one of alertmanager, slack, pagerduty, generic, alertmanager_api",
            "many.bad.yaml:14:17: receiver \"team\".webhook_configs[0].secret: must be an environment reference like ${WEBHOOK_SECRET} (secrets are never written inline; or use a *_file: key)",
            "many.bad.yaml:15:18: receiver \"team\".webhook_configs[0].timeout: must be between 100ms and 5m",
            "many.bad.yaml:16:14: receiver \"team\".webhook_configs[1].url: userinfo (user@host) is not allowed; put credentials in a secret header instead",
            "many.bad.yaml:17:9: receiver \"team\".webhook_configs[1]: routing_key is for format pagerduty only",
            "many.bad.yaml:18:21: receiver \"team\".webhook_configs[1].allowlist[0]: \"10.0.0.1/8\" is not an address or a CIDR range (e.g. 127.0.0.0/8, ::1/128)",
            "many.bad.yaml:19:9: receiver \"team\".webhook_configs[2]: format pagerduty needs routing_key: ${ENV_VAR} or routing_key_file:",
            "many.bad.yaml:21:9: receiver \"team\".webhook_configs[3]: missing \"url\"",
            "many.bad.yaml:22:5: receivers[1].name: duplicate receiver \"team\"",
            "many.bad.yaml:24:5: inhibit_rules[0]: missing \"source_matchers\"",
            "many.bad.yaml:25:13: inhibit_rules[0].equal[0]: \"not-a-label\" is not a label name",
            "many.bad.yaml:27:10: templates.title: unknown field {{ .Nope }}; known: .Status, .StatusUpper, .Receiver, .NumFiring, .NumResolved, .GroupKey, .GroupLabels.NAME, .CommonLabels.NAME, .CommonAnnotations.NAME",
            "many.bad.yaml:28:3: templates: unknown key \"body\"; allowed: title, summary",
        ]
        for e in expected where !rendered.contains(e) { Issue.record("missing: \(e)\n got:\n\(rendered.joined(separator: "\n"))") }
        #expect(rendered.count == expected.count + 1, "\(rendered.joined(separator: "\n"))")  // + the bad regex
        #expect(rendered.contains { $0.hasPrefix("many.bad.yaml:6:30: route.routes[0].matchers[1]: invalid regular expression") })
        #expect(!rendered.joined().contains("hunter2"))
    }
}
