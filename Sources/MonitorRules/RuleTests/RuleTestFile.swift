import MonitorCore
import Yams

/// A rule unit-test file, in the spirit of `promtool test rules`:
///
/// ```yaml
/// rule_files: [../drift.yaml]        # relative to the test file
/// evaluation_interval: 1h            # default 1h (one window)
/// tests:
///   - name: psi above threshold fires after two windows
///     interval: 1h                   # spacing of input values (default: evaluation_interval)
///     input_series:
///       - series: 'psi{model="fraud", feature="amount", window="1h"}'
///         values: '0.1 0.3 0.3 _ 0.05x3 0+0.1x4'
///     alert_rule_test:
///       - eval_time: 2h
///         alertname: FeatureDrift
///         exp_alerts:
///           - exp_labels: {severity: page, model: fraud, feature: amount, window: 1h}
///             exp_annotations: {summary: "amount drifted (PSI 0.3)"}
///             exp_state: firing      # firing (default) or pending
/// ```
struct RuleTestFile {
    struct Series {
        var metric: String
        var labels: Labels
        var values: [Double?]
    }
    struct ExpectedAlert {
        var labels: Labels
        /// nil: annotations are not compared.
        var annotations: Labels?
        var state: AlertState
    }
    struct AlertCheck {
        var evalTime: Int64
        var alertname: String
        var expected: [ExpectedAlert]
        var line: Int
    }
    struct TestCase {
        var name: String
        var interval: Int64
        var series: [Series]
        var checks: [AlertCheck]
    }
    enum ExpectedState: String, CaseIterable {
        case firing, pending
    }

    var ruleFiles: [(path: String, line: Int, column: Int)] = []
    var evaluationInterval: Int64 = 3_600_000
    var tests: [TestCase] = []
    /// alertname → where it is used, checked once the rule files are loaded.
    var alertnameUses: [(name: String, line: Int, column: Int)] = []

    static func parse(_ text: String, path: String) -> (RuleTestFile?, [ConfigDiagnostic]) {
        var p = Parser(text: text, path: path)
        let file = p.parse()
        let diagnostics = p.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        return (diagnostics.contains { $0.severity == .error } ? nil : file, diagnostics)
    }

    private struct Parser {
        var reader: YAMLReader
        var positioned: [ConfigDiagnostic] = []
        let source: SourceText
        let text: String
        let path: String
        var diagnostics: [ConfigDiagnostic] { reader.diagnostics + positioned }

        init(text: String, path: String) {
            self.text = text
            self.path = path
            source = SourceText(text)
            reader = YAMLReader(path: path)
        }

        mutating func error(in node: Node, offset: Int, _ context: String, _ message: String) {
            let (line, column) = source.position(ofOffset: offset, in: node)
            positioned.append(ConfigDiagnostic(path: path, line: line, column: column, context: context, message: message))
        }

        mutating func parse() -> RuleTestFile? {
            guard let root = reader.compose(text) else {
                if reader.diagnostics.isEmpty {
                    positioned.append(ConfigDiagnostic(path: path, line: 0, column: 0, message: "the test file is empty"))
                }
                return nil
            }
            var file = RuleTestFile()
            let entries = reader.mapping(root, "", allowed: ["rule_files", "evaluation_interval", "tests"])
            guard case .mapping = root else { return nil }
            if let n = entries.first(where: { $0.key == "evaluation_interval" })?.value,
               let d = reader.duration(n, "evaluation_interval") {
                if d <= 0 { reader.error(n, "evaluation_interval", "must be positive") } else { file.evaluationInterval = d }
            }
            if let n = entries.first(where: { $0.key == "rule_files" })?.value {
                for f in reader.sequence(n, "rule_files") {
                    if let p = reader.string(f, "rule_files") {
                        file.ruleFiles.append((p, f.mark?.line ?? 0, f.mark?.column ?? 0))
                    }
                }
            } else {
                reader.error(root, "", "missing \"rule_files\"")
            }
            if let n = entries.first(where: { $0.key == "tests" })?.value {
                for (i, t) in reader.sequence(n, "tests").enumerated() {
                    if let tc = parseTest(t, index: i, file: &file) { file.tests.append(tc) }
                }
            } else {
                reader.error(root, "", "missing \"tests\"")
            }
            return file
        }

        private mutating func parseTest(_ node: Node, index: Int, file: inout RuleTestFile) -> TestCase? {
            // The name first, so that every message about this test names it.
            let name = node.mapping?["name"]?.scalar?.string
            let context = name.map { "test \"\($0)\"" } ?? "test \(index + 1)"
            let entries = reader.mapping(node, context, allowed: ["name", "interval", "input_series", "alert_rule_test"])
            guard case .mapping = node else { return nil }
            var tc = TestCase(name: name ?? "test \(index + 1)", interval: file.evaluationInterval, series: [], checks: [])
            if let n = entries.first(where: { $0.key == "name" })?.value { _ = reader.string(n, context) }
            if let n = entries.first(where: { $0.key == "interval" })?.value, let d = reader.duration(n, context + ": interval") {
                if d <= 0 { reader.error(n, context, "interval must be positive") } else { tc.interval = d }
            }
            var seen = Set<String>()
            for e in entries where e.key == "input_series" {
                for (i, s) in reader.sequence(e.value, context + ": input_series").enumerated() {
                    let sctx = "\(context), input_series \(i + 1)"
                    let fields = reader.mapping(s, sctx, allowed: ["series", "values"])
                    guard case .mapping = s else { continue }
                    guard let seriesNode = fields.first(where: { $0.key == "series" })?.value else {
                        reader.error(s, sctx, "missing \"series\"")
                        continue
                    }
                    let valuesNode = fields.first(where: { $0.key == "values" })?.value
                    if valuesNode == nil { reader.error(s, sctx, "missing \"values\"") }
                    let series = parseSeries(seriesNode, sctx)
                    var values: [Double?]?
                    if let valuesNode, let text = reader.string(valuesNode, sctx) {
                        let (v, errors) = SeriesValues.parse(text)
                        for err in errors { error(in: valuesNode, offset: err.offset, sctx, err.message) }
                        if errors.isEmpty { values = v }
                    }
                    guard let series, let values else { continue }
                    let key = "\(series.metric)\(series.labels)"
                    if !seen.insert(key).inserted {
                        reader.error(seriesNode, sctx, "series \(key) is listed twice")
                        continue
                    }
                    tc.series.append(Series(metric: series.metric, labels: series.labels, values: values))
                }
            }
            for e in entries where e.key == "alert_rule_test" {
                for (i, c) in reader.sequence(e.value, context + ": alert_rule_test").enumerated() {
                    if let check = parseCheck(c, "\(context), alert_rule_test \(i + 1)", file: &file) { tc.checks.append(check) }
                }
            }
            return tc
        }

        /// `metric{label="value", …}` with equality matchers only.
        private mutating func parseSeries(_ node: Node, _ context: String) -> (metric: String, labels: Labels)? {
            guard let text = reader.string(node, context) else { return nil }
            let (node2, errors) = MonitorRules.Parser.parse(text, knownMetrics: nil)
            for e in errors { error(in: node, offset: e.offset, context, e.message) }
            guard let parsed = node2 else { return nil }
            guard case .selector(let sel) = parsed, let metric = sel.metric, sel.nameMatchers.isEmpty,
                  sel.matchers.allSatisfy({ $0.op == .equal }) else {
                error(in: node, offset: 0, context, "a series is written metric{label=\"value\", …} with = matchers only")
                return nil
            }
            return (metric, Labels(sel.matchers.map { ($0.name, $0.value) }))
        }

        private mutating func parseCheck(_ node: Node, _ context: String, file: inout RuleTestFile) -> AlertCheck? {
            let entries = reader.mapping(node, context, allowed: ["eval_time", "alertname", "exp_alerts"])
            guard case .mapping = node else { return nil }
            var check = AlertCheck(evalTime: 0, alertname: "", expected: [], line: node.mark?.line ?? 0)
            var ok = true
            if let n = entries.first(where: { $0.key == "eval_time" })?.value {
                if let d = reader.duration(n, context + ": eval_time") { check.evalTime = d } else { ok = false }
            } else {
                reader.error(node, context, "missing \"eval_time\"")
                ok = false
            }
            if let n = entries.first(where: { $0.key == "alertname" })?.value, let name = reader.string(n, context) {
                check.alertname = name
                file.alertnameUses.append((name, n.mark?.line ?? 0, n.mark?.column ?? 0))
            } else {
                if entries.first(where: { $0.key == "alertname" }) == nil { reader.error(node, context, "missing \"alertname\"") }
                ok = false
            }
            if let n = entries.first(where: { $0.key == "exp_alerts" })?.value {
                for (i, a) in reader.sequence(n, context + ": exp_alerts").enumerated() {
                    let actx = "\(context), exp_alerts \(i + 1)"
                    let fields = reader.mapping(a, actx, allowed: ["exp_labels", "exp_annotations", "exp_state"])
                    guard case .mapping = a else {
                        ok = false
                        continue
                    }
                    var expected = ExpectedAlert(labels: Labels(), annotations: nil, state: .firing)
                    var pairs: [(String, String)] = []
                    if let l = fields.first(where: { $0.key == "exp_labels" })?.value {
                        for (k, kn, v) in reader.mapping(l, actx + ": exp_labels") {
                            if !Identifiers.isLabelName(k) { reader.error(kn, actx, "invalid label name \"\(k)\"") }
                            if let s = reader.string(v, actx + ": exp_labels") { pairs.append((k, s)) }
                        }
                    }
                    pairs.append((LabelName.alertname, check.alertname))
                    expected.labels = Labels(pairs)
                    if let l = fields.first(where: { $0.key == "exp_annotations" })?.value {
                        var ann: [(String, String)] = []
                        for (k, _, v) in reader.mapping(l, actx + ": exp_annotations") {
                            if let s = reader.string(v, actx + ": exp_annotations") { ann.append((k, s)) }
                        }
                        expected.annotations = Labels(ann)
                    }
                    if let s = fields.first(where: { $0.key == "exp_state" })?.value,
                       let st = reader.choice(s, actx + ": exp_state", ExpectedState.self) {
                        expected.state = st == .firing ? .firing : .pending
                    }
                    check.expected.append(expected)
                }
            }
            return ok ? check : nil
        }
    }
}
