public import MonitorCore

/// Runs a rule unit-test file (see the format in the `RuleTestResult` docs and `rules/tests/`),
/// like `promtool test rules`, without doing any I/O itself.
///
/// For each test, input series are expanded (sample `i` at time `i·interval`, from 0) and fed to
/// a `LatestSamples` with validity `interval`; a fresh `RuleSet` over the rule files is stepped at
/// `0, evaluation_interval, 2·evaluation_interval, …` up to the last `eval_time`. An
/// `alert_rule_test` at `eval_time` is checked against the state after the step `t` with
/// `t <= eval_time < t + evaluation_interval` (promtool's rule). The pending and firing alerts
/// named `alertname` must equal `exp_alerts` as a set: labels exactly (`alertname` is added),
/// state (`exp_state`, default firing) and, when `exp_annotations` is given, annotations exactly.
/// Deviation from promtool, which compares firing alerts only: pending alerts are compared too,
/// so a test can say "pending, not yet firing".
public enum RuleTestRunner {
    /// The most evaluation steps one test may take (eval_time / evaluation_interval).
    public static let maxSteps = 1_000_000

    /// Runs a test file.
    /// - Parameters:
    ///   - text: The test file's contents.
    ///   - path: The test file's path (rule files are resolved relative to its directory).
    ///   - loadRuleFile: Reads a rule file by its resolved path; a thrown error becomes a
    ///     diagnostic.
    /// - Returns: Per-test outcomes, every diagnostic, and a promtool-like report.
    public static func run(_ text: String, path: String, loadRuleFile: (String) throws -> String) -> RuleTestResult {
        var result = RuleTestResult(path: path)
        let (parsed, diagnostics) = RuleTestFile.parse(text, path: path)
        result.diagnostics = diagnostics
        guard let file = parsed else { return result }

        var ruleFiles: [RuleFile] = []
        for ref in file.ruleFiles {
            let resolved = resolve(ref.path, relativeTo: path)
            let ruleText: String
            do {
                ruleText = try loadRuleFile(resolved)
            } catch {
                result.diagnostics.append(ConfigDiagnostic(path: path, line: ref.line, column: ref.column, context: "rule_files",
                                                           message: "cannot read \(resolved): \(error)"))
                continue
            }
            let (rf, d) = RuleFile.parse(ruleText, path: resolved)
            result.diagnostics += d
            if let rf { ruleFiles.append(rf) }
        }
        let names = Set(ruleFiles.flatMap { $0.rules.map(\.name) })
        for use in file.alertnameUses where !names.contains(use.name) && !ruleFiles.isEmpty {
            result.diagnostics.append(ConfigDiagnostic(path: path, line: use.line, column: use.column, context: "alertname",
                                                       message: "no rule \"\(use.name)\" in the rule files\(Identifiers.didYouMean(use.name, in: names))"))
        }
        for tc in file.tests {
            if let last = tc.checks.map(\.evalTime).max(), last / file.evaluationInterval > Int64(maxSteps) {
                result.diagnostics.append(ConfigDiagnostic(path: path, line: tc.checks.first?.line ?? 0, column: 0, context: "test \"\(tc.name)\"",
                                                           message: "eval_time \(PrometheusDuration.format(last)) needs more than \(maxSteps) evaluation steps"))
            }
        }
        guard !result.diagnostics.contains(where: { $0.severity == .error }) else { return result }
        for tc in file.tests {
            result.cases.append(run(tc, rules: ruleFiles, evaluationInterval: file.evaluationInterval))
        }
        return result
    }

    /// Resolves a rule file named in a test file: absolute paths stay, relative ones are taken
    /// from the test file's directory; `.` and `..` segments are folded lexically.
    /// - Parameters:
    ///   - ruleFile: The path as written in `rule_files`.
    ///   - testPath: The test file's path.
    /// - Returns: The path to load.
    public static func resolve(_ ruleFile: String, relativeTo testPath: String) -> String {
        if ruleFile.hasPrefix("/") { return normalize(ruleFile) }
        guard let slash = testPath.lastIndex(of: "/") else { return normalize(ruleFile) }
        return normalize(String(testPath[...slash]) + ruleFile)
    }

    private static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for seg in path.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if seg == "..", absolute { continue }
            parts.append(seg)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    private static func run(_ tc: RuleTestFile.TestCase, rules ruleFiles: [RuleFile], evaluationInterval: Int64) -> RuleTestCaseResult {
        var outcome = RuleTestCaseResult(name: tc.name)
        guard let last = tc.checks.map(\.evalTime).max() else { return outcome }
        var rules = RuleSet(files: ruleFiles)
        var latest = LatestSamples()
        var next = [Int](repeating: 0, count: tc.series.count)
        let checks = tc.checks.enumerated().sorted { ($0.element.evalTime, $0.offset) < ($1.element.evalTime, $1.offset) }.map(\.element)
        var c = 0
        var t: Int64 = 0
        while t <= last {
            for (k, s) in tc.series.enumerated() {
                var batch: [Sample] = []
                while next[k] < s.values.count, Int64(next[k]) * tc.interval <= t {
                    if let v = s.values[next[k]] {
                        batch.append(Sample(metric: s.metric, labels: s.labels, value: v, timestamp: Timestamp(milliseconds: Int64(next[k]) * tc.interval)))
                    }
                    next[k] += 1
                }
                if !batch.isEmpty { latest.add(batch, validFor: tc.interval) }
            }
            let evaluation = rules.evaluate(at: Timestamp(milliseconds: t), source: latest)
            for e in evaluation.errors {
                outcome.failures.append("    evaluating \(e.rule) at \(PrometheusDuration.format(t)) failed: \(e.error.message)")
            }
            while c < checks.count, checks[c].evalTime < t + evaluationInterval {
                if let failure = compare(checks[c], rules.activeAlerts) { outcome.failures.append(failure) }
                c += 1
            }
            t += evaluationInterval
        }
        return outcome
    }

    private static func compare(_ check: RuleTestFile.AlertCheck, _ active: [Alert]) -> String? {
        let got = active.filter { $0.rule == check.alertname }.sorted { ($0.labels, $0.state.rawValue) < ($1.labels, $1.state.rawValue) }
        let expected = check.expected.sorted { ($0.labels, $0.state.rawValue) < ($1.labels, $1.state.rawValue) }
        var unmatched = got
        var ok = got.count == expected.count
        if ok {
            for e in expected {
                guard let i = unmatched.firstIndex(where: { $0.labels == e.labels && $0.state == e.state
                        && (e.annotations == nil || e.annotations == $0.annotations) }) else {
                    ok = false
                    break
                }
                unmatched.remove(at: i)
            }
        }
        if ok { return nil }
        var lines = ["    alertname: \(check.alertname), time: \(PrometheusDuration.format(check.evalTime)),"]
        lines.append("        exp: [")
        for (i, e) in expected.enumerated() {
            lines.append("            \(i): \(e.state.rawValue) \(e.labels)")
            if let a = e.annotations { lines.append("               annotations: \(a)") }
        }
        lines.append("        ],")
        lines.append("        got: [")
        for (i, a) in got.enumerated() {
            lines.append("            \(i): \(a.state.rawValue) \(a.labels)")
            lines.append("               annotations: \(a.annotations)")
        }
        lines.append("        ]")
        return lines.joined(separator: "\n")
    }
}

/// The outcome of one rule unit-test file.
public struct RuleTestResult: Sendable {
    /// The test file's path.
    public var path: String
    /// Problems with the test file or its rule files (nothing was run when one is an error).
    public var diagnostics: [ConfigDiagnostic] = []
    /// One outcome per test, in file order.
    public var cases: [RuleTestCaseResult] = []

    /// Creates an empty result.
    /// - Parameter path: The test file's path.
    public init(path: String) { self.path = path }

    /// True when the file was valid and every test passed.
    public var passed: Bool {
        !diagnostics.contains { $0.severity == .error } && cases.allSatisfy(\.passed)
    }

    /// A promtool-like report: `Unit testing <path>`, then `SUCCESS` or each diagnostic and
    /// each failed test with its expected and actual alerts.
    public var report: String {
        var lines = ["Unit testing \(path)"]
        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            lines.append("  FAILED:")
            lines += diagnostics.map { "    \($0)" }
        }
        for c in cases where !c.passed {
            lines.append("  FAILED: test \"\(c.name)\":")
            lines += c.failures
        }
        if passed { lines.append("  SUCCESS") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The outcome of one test of a rule unit-test file.
public struct RuleTestCaseResult: Sendable {
    /// The test's `name`.
    public var name: String
    /// One message per failed check or rule evaluation error (empty when it passed).
    public var failures: [String] = []

    /// Creates a passing result.
    /// - Parameter name: The test's name.
    public init(name: String) { self.name = name }

    /// True when nothing failed.
    public var passed: Bool { failures.isEmpty }
}
