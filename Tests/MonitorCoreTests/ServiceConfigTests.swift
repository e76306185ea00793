import Foundation
import MonitorCore
import Testing

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/config")

@Suite("Service config sections")
struct ServiceConfigTests {
    @Test("sources, reference, windows, store, rules, alerts and http are read")
    func fullServiceConfig() throws {
        let text = try String(contentsOf: fixtures.appendingPathComponent("service.good.yaml"), encoding: .utf8)
        let (config, diags) = MonitorConfig.parse(text, path: "service.good.yaml")
        #expect(diags.isEmpty, "\(diags)")
        let c = try #require(config)
        #expect(c.sources.map(\.name) == ["predictions", "labels"])
        #expect(c.sources[0].path.value == "logs/predictions-*.jsonl")
        #expect(c.sources[0].path.line == 3 && c.sources[0].path.column == 11)
        #expect(c.sources[0].follow == false)
        #expect(c.sources[0].startAt == .end)
        #expect(c.sources[0].pollInterval == 250)
        #expect(c.sources[0].deadLetter == "out/dead.jsonl")
        #expect(c.sources[1].kind == .labels)
        #expect(c.sources[1].follow == true)
        #expect(c.reference.default?.profile == "fraud-train")
        #expect(c.reference.choice(model: "fraud", version: "4")?.file?.value == "data/fraud-v4.jsonl")
        #expect(c.reference.choice(model: "fraud", version: "3")?.profile == "fraud-train")
        #expect(c.windows == [WindowSpec(name: "hourly", size: 3_600_000), WindowSpec(name: "1d", size: 86_400_000, slide: 3_600_000)])
        #expect(c.allowedLateness == 300_000)
        #expect(c.store.path == "state/monitor.db")
        #expect(c.store.checkpointInterval == 10_000)
        #expect(c.store.synchronous == .full)
        #expect(c.ruleFiles.map(\.value) == ["rules/*.yaml", "extra.yaml"])
        #expect(c.alertFiles.map(\.value) == ["alerts/*.yaml"])
        #expect(c.http.host == "::1" && c.http.port == 9999 && c.http.enabled)
    }

    @Test("defaults: one hourly tumbling window, 1m lateness, monitor.db, 127.0.0.1:9464")
    func defaults() throws {
        let c = try #require(MonitorConfig.parse("", path: "x").0)
        #expect(c.windows == [WindowSpec(name: "1h", size: 3_600_000)])
        #expect(c.allowedLateness == 60_000)
        #expect(c.store.path == "monitor.db")
        #expect(c.http.port == 9464 && c.http.host == "127.0.0.1")
        #expect(c.sources.isEmpty && c.ruleFiles.isEmpty)
    }

    @Test("every problem of the service sections is reported, in file order")
    func manyServiceProblems() throws {
        let text = try String(contentsOf: fixtures.appendingPathComponent("service-many.bad.yaml"), encoding: .utf8)
        let (config, diags) = MonitorConfig.parse(text, path: "s.yaml")
        #expect(config == nil)
        let rendered = diags.map(\.description)
        let expected = [
            "s.yaml:4:11: source \"a\".kind: \"prediction\" is not one of predictions, labels",
            "s.yaml:5:11: sources[1].name: duplicate source name \"a\"",
            "s.yaml:7:5: sources[2]: missing \"name\"",
            "s.yaml:9:3: reference: give either \"profile\" or \"file\", not both",
            "s.yaml:12:21: windows[0]: size (1h) must be a multiple of slide (7m)",
            "s.yaml:13:12: windows[1].size: a window must be at least 1s",
            "s.yaml:14:19: allowed_lateness: expected a duration like 30s, 5m, 1h or 7d, found \"soon\"",
            "s.yaml:15:30: store.checkpoint_interval: must be at least 100ms",
            "s.yaml:16:16: http.listen: expected host:port, e.g. 127.0.0.1:9464 (\"\" turns the listener off)",
        ]
        #expect(rendered == expected)
    }

    @Test("alerts files: route and file receivers; an unknown receiver is positioned")
    func alertsFile() throws {
        let good = "route: {receiver: log}\nreceivers:\n  - name: log\n    file_configs:\n      - path: out/a.jsonl\n"
        let (file, diags) = AlertsFile.parse(good, path: "a.yaml")
        #expect(diags.isEmpty)
        #expect(file?.routeReceiver == "log")
        #expect(file?.receivers.first?.files.map(\.value) == ["out/a.jsonl"])

        let bad = "route: {receiver: pager}\nreceivers:\n  - name: log\n    file_config: []\n"
        let (none, errs) = AlertsFile.parse(bad, path: "b.yaml")
        #expect(none == nil)
        #expect(errs.map(\.description) == [
            "b.yaml:1:19: route.receiver: no receiver named \"pager\"; defined: log",
            "b.yaml:4:5: receivers[0]: unknown key \"file_config\" (did you mean \"file_configs\"?); allowed: name, webhook_configs, file_configs",
        ])
    }
}
