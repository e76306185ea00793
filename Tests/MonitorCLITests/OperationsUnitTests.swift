import Foundation
import Logging
import MonitorCore
@testable import MonitorService
import Testing

@Suite("Operations: logging, tokens, config keys")
struct OperationsUnitTests {
    static let date = Date(timeIntervalSince1970: 1_794_000_000.123)

    @Test("JSON log lines: fixed fields first, metadata sorted, secrets redacted, escaping")
    func jsonLine() throws {
        let line = StructuredLogHandler.render(
            format: .json, date: Self.date, level: .warning, label: "monitor", message: "alert \"firing\"\nnext",
            metadata: ["rule.name": "FeatureDrift", "api_token": "s3cr3t", "webhook.secret": "whsec_x", "count": "3"])
        #expect(line.hasSuffix("}\n"))
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(o["level"] == "warning" && o["logger"] == "monitor" && o["msg"] == "alert \"firing\"\nnext")
        #expect(o["ts"] == "2026-11-06T21:20:00.123Z")
        #expect(o["rule.name"] == "FeatureDrift" && o["count"] == "3")
        #expect(o["api_token"] == "<redacted>" && o["webhook.secret"] == "<redacted>")
        #expect(!line.contains("s3cr3t") && !line.contains("whsec_x"))
        #expect(line.hasPrefix("{\"ts\":"))
    }

    @Test("logfmt lines: bare values, quoted values with escapes, redaction")
    func logfmtLine() {
        let line = StructuredLogHandler.render(
            format: .logfmt, date: Self.date, level: .info, label: "monitor", message: "window closed",
            metadata: ["window": "1h", "path": "a b=\"c\"", "password": "hunter2", "empty": ""])
        #expect(line == "ts=2026-11-06T21:20:00.123Z level=info logger=monitor msg=\"window closed\" empty=\"\" password=<redacted> path=\"a b=\\\"c\\\"\" window=1h\n")
    }

    @Test("levels below the shared level are dropped, and a reload can change it")
    func levels() {
        final class Lines: @unchecked Sendable { var all: [String] = [] }
        let lines = Lines()
        let shared = SharedLogLevel()
        shared.level = .warning
        var logger = Logger(label: "t") { label in
            StructuredLogHandler(label: label, format: .logfmt, shared: shared, now: { Self.date }, write: { lines.all.append($0) })
        }
        logger.info("hidden")
        logger.warning("shown")
        shared.level = .debug  // what a reload of logging.level does
        logger.debug("shown too")
        #expect(lines.all.count == 2)
        #expect(lines.all.first?.contains("msg=shown") == true)
        logger.logLevel = .error
        #expect(shared.level == .error)
    }

    @Test("constant-time comparison and bearer parsing")
    func token() {
        #expect(ConstantTime.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!ConstantTime.equal([], Array("a".utf8)))
        let t = APIToken(Array("0123456789abcdef".utf8))
        #expect(t.authorizes(authorizationHeader: "Bearer 0123456789abcdef"))
        #expect(t.authorizes(authorizationHeader: "bearer 0123456789abcdef"))
        for bad in [nil, "", "Bearer", "Bearer ", "Basic 0123456789abcdef", "Bearer 0123456789abcdeF", "Bearer 0123456789abcde",
                    "0123456789abcdef"] {
            #expect(!t.authorizes(authorizationHeader: bad), "\(bad ?? "nil")")
        }
        // No token configured: everything is allowed.
        #expect(APIToken(nil).authorizes(authorizationHeader: nil))
    }

    @Test("http.api_token, logging and shutdown keys parse; inline tokens are rejected with a position")
    func configKeys() throws {
        let good = """
            http: {listen: "0.0.0.0:9464", api_token: "${MONITOR_API_TOKEN}"}
            logging: {format: logfmt, level: debug}
            shutdown: {delivery_deadline: 3s}
            """
        let (config, diags) = MonitorConfig.parse(good, path: "m.yaml")
        #expect(diags.isEmpty, "\(diags)")
        let c = try #require(config)
        #expect(c.http.apiToken == .environment("MONITOR_API_TOKEN"))
        #expect(c.logging.format == .logfmt && c.logging.level == .debug)
        #expect(c.shutdown.deliveryDeadline == 3000)
        #expect(MonitorConfig.parse("", path: "m.yaml").0?.shutdown.deliveryDeadline == 10_000)

        let (bad, badDiags) = MonitorConfig.parse("""
            http:
              api_token: hunter2hunter2hunter2
            logging: {format: xml}
            shutdown: {delivery_deadline: 1h}
            """, path: "m.yaml")
        #expect(bad == nil)
        let text = badDiags.map(\.description).joined(separator: "\n")
        #expect(text.contains("m.yaml:2:14: http.api_token: must be an environment reference"), "\(text)")
        #expect(!text.contains("hunter2"), "the inline token is echoed: \(text)")
        #expect(text.contains("m.yaml:3:19: logging.format"), "\(text)")
        #expect(text.contains("m.yaml:4:31: shutdown.delivery_deadline: must be between 0s and 10m"), "\(text)")
    }

    @Test("a reload names the sections only a restart applies")
    func restartRequired() throws {
        let a = try #require(MonitorConfig.parse("windows: [{name: 1h, size: 1h}]\nrules: [a.yaml]", path: "m.yaml").0)
        let b = try #require(MonitorConfig.parse("windows: [{name: 1h, size: 2h}]\nrules: [b.yaml]\nlogging: {level: debug}", path: "m.yaml").0)
        #expect(ConfigReloader.restartRequired(old: a, new: a).isEmpty)
        // Rule files and the log level apply at once; the window size needs a restart.
        #expect(ConfigReloader.restartRequired(old: a, new: b) == ["windows"])
    }

    @Test("the exported metric list covers what /metrics can show, and the Grafana dashboard uses only those names")
    func dashboardMetricNames() throws {
        let names = SelfMetrics.exportedNames
        #expect(names.contains("monitor_config_last_reload_successful"))
        #expect(names.contains("psi") && names.contains("monitor_checkpoint_duration_seconds_bucket"))
        let path = MonitorProcess.packageRoot.appendingPathComponent("deploy/grafana/modelmonitor.json").path
        let used = try GrafanaDashboard.metricNames(path: path)
        #expect(used.count >= 10, "\(used)")
        #expect(used.subtracting(names).isEmpty, "the dashboard queries metrics the service does not export: \(used.subtracting(names).sorted())")
        // The dashboard covers what the issue asks for: drift per feature, alerts, lag, notifications.
        for required in ["psi", "ALERTS", "monitor_alerts", "monitor_consumer_lag", "monitor_watermark_seconds",
                         "monitor_notifications_total", "monitor_outbox_pending"] {
            #expect(used.contains(required), "the dashboard has no panel over \(required)")
        }
        // The extraction itself finds a name that is not exported.
        #expect(GrafanaDashboard.names(inExpression: "rate(monitor_bogus_total[5m]) / on(model) psi{a=\"b\"}") == ["monitor_bogus_total", "psi"])
    }
}

/// Metric names used by a Grafana dashboard's PromQL expressions.
enum GrafanaDashboard {
    static func metricNames(path: String) throws -> Set<String> {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let root = try JSONSerialization.jsonObject(with: data)
        var out: Set<String> = []
        func walk(_ v: Any) {
            if let o = v as? [String: Any] {
                for (k, x) in o {
                    if k == "expr", let e = x as? String { out.formUnion(names(inExpression: e)) } else { walk(x) }
                }
            } else if let a = v as? [Any] {
                a.forEach(walk)
            }
        }
        walk(root)
        return out
    }

    /// Identifiers in a PromQL expression that name metrics: not functions, keywords, label
    /// names inside `{...}` / `by (...)` / `on (...)`, strings, durations or Grafana variables.
    static func names(inExpression e: String) -> Set<String> {
        let keywords: Set<String> = [
            "sum", "min", "max", "avg", "count", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "rate", "increase", "irate", "histogram_quantile", "time", "absent", "le", "bool", "offset", "topk",
            "bottomk", "label_values", "delta", "deriv", "clamp_min", "clamp_max", "vector", "scalar",
        ]
        var out: Set<String> = []
        let chars = Array(e)
        var i = 0
        var depthBraces = 0
        var inGrouping = false
        while i < chars.count {
            let c = chars[i]
            if c == "\"" {
                i += 1
                while i < chars.count, chars[i] != "\"" { i += chars[i] == "\\" ? 2 : 1 }
                i += 1
                continue
            }
            if c == "{" { depthBraces += 1 }
            if c == "}" { depthBraces -= 1 }
            if c == "[" {  // a range: skip to ]
                while i < chars.count, chars[i] != "]" { i += 1 }
                i += 1
                continue
            }
            if c == "$" {  // a Grafana variable
                i += 1
                while i < chars.count, chars[i].isLetter || chars[i] == "_" { i += 1 }
                continue
            }
            if c == ")" { inGrouping = false }
            if c.isLetter || c == "_" || c == ":" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == ":" { j += 1 }
                let word = String(chars[i..<j])
                var k = j
                while k < chars.count, chars[k] == " " { k += 1 }
                let next = k < chars.count ? chars[k] : " "
                if ["by", "without", "on", "ignoring", "group_left", "group_right"].contains(word) { inGrouping = true }
                else if depthBraces == 0, !inGrouping, !keywords.contains(word), next != "(" { out.insert(word) }
                i = j
                continue
            }
            i += 1
        }
        return out
    }
}
