/// One problem found in a configuration, rule or alert file, with its position.
///
/// Rendered as `file:line:column: context: message`, e.g.
/// `monitor.yaml:14:9: schema.features.amount: unknown kind "numeric" (expected numerical or categorical)`.
/// Parsers return every diagnostic they find, never only the first (cf. Prometheus `rulefmt`).
public struct ConfigDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }
    /// The file the problem is in, as the user named it.
    public var path: String
    /// 1-based line; 0 when the problem has no position (e.g. an unreadable file).
    public var line: Int
    /// 1-based column; 0 when unknown.
    public var column: Int
    /// Where in the document, e.g. `drift.alpha` or `group "fraud", rule 2, "AgePSIHigh"`.
    public var context: String
    public var message: String
    public var severity: Severity

    public init(path: String, line: Int, column: Int, context: String = "", message: String, severity: Severity = .error) {
        self.path = path
        self.line = line
        self.column = column
        self.context = context
        self.message = message
        self.severity = severity
    }

    public var description: String {
        var s = path
        if line > 0 { s += ":\(line):\(column)" }
        s += ": "
        if severity == .warning { s += "warning: " }
        if !context.isEmpty { s += context + ": " }
        return s + message
    }
}
