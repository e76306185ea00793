public import MonitorCore
import Yams

/// A rule file (`rules/*.yaml`), shaped like a Prometheus rule file:
///
/// ```yaml
/// groups:
///   - name: fraud-drift
///     rules:
///       - alert: FeatureDrift
///         expr: psi{model="fraud"} > 0.2 and ks_pvalue{model="fraud"} < 0.01
///         for: 1h
///         keep_firing_for: 2h
///         labels: {severity: page}
///         annotations:
///           summary: "{{ $labels.feature }} drifted (PSI {{ $value }})"
///         actions: [retrain]
/// ```
///
/// Only alerting rules exist (no `record:`). Keys are strict; group names are unique within a
/// file and alert names within a group; `for`/`keep_firing_for` are Prometheus durations;
/// expressions and templates are parsed and type-checked at load time, and their errors point
/// at the offending token's line and column in the file.
public struct RuleFile: Sendable {
    /// The path the file was loaded from, as the user named it.
    public var path: String
    /// The groups, in file order.
    public var groups: [RuleGroup]

    /// Creates a rule file from groups.
    /// - Parameters:
    ///   - path: The path.
    ///   - groups: The groups.
    public init(path: String, groups: [RuleGroup]) {
        self.path = path
        self.groups = groups
    }

    /// All rules of all groups, in file order.
    public var rules: [AlertRule] { groups.flatMap(\.rules) }

    /// Parses a rule file. Pure: the caller reads the file.
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - path: The file's path, for diagnostics (`path:line:column: context: message`).
    ///   - knownMetrics: Metric names selectors may use (default: every series windows emit).
    /// - Returns: The file when there were no errors (an empty document is an empty file), and
    ///   every diagnostic, sorted by position.
    public static func parse(_ text: String, path: String,
                             knownMetrics: Set<String> = SeriesName.all) -> (RuleFile?, [ConfigDiagnostic]) {
        var parser = RuleFileParser(text: text, path: path, knownMetrics: knownMetrics)
        let file = parser.parse()
        let diagnostics = parser.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        let hasErrors = diagnostics.contains { $0.severity == .error }
        return (hasErrors ? nil : file, diagnostics)
    }
}
