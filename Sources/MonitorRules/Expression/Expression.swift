public import MonitorCore

/// A parsed expression of the rule language: a small PromQL.
///
/// Selectors with `=`, `!=`, `=~`, `!~` matchers (regexes fully anchored); number literals
/// (`0.2`, `1e-3`, `0x1F`, `Inf`, `NaN`); arithmetic `+ - * / % ^`; comparisons
/// `== != > < >= <=` as filters or with `bool`; set operators `and`, `or`, `unless`; vector
/// matching with `on(…)`/`ignoring(…)`; aggregations `sum`, `min`, `max`, `avg`, `count` with
/// `by (…)`/`without (…)`; parentheses. Precedence, highest first: `^` (right-associative),
/// unary minus, `* / %`, `+ -`, comparisons, `and unless`, `or`.
///
/// ```swift
/// let (expr, errors) = Expression.parse(#"psi{model="fraud"} > 0.2 and ks_pvalue < 0.01"#)
/// // errors == [], expr!.type == .vector
/// let value = try expr!.evaluate(at: now, source: latest)
/// ```
public struct Expression: Sendable, CustomStringConvertible {
    /// The text as written.
    public let text: String
    let root: ExprNode

    /// Parses an expression, reporting every type error and unknown metric (but only the
    /// first syntax error, after which nothing can be trusted).
    /// - Parameters:
    ///   - text: The expression.
    ///   - knownMetrics: Metric names selectors may use; nil accepts any name.
    /// - Returns: The expression when there was no error, and the errors sorted by offset.
    public static func parse(_ text: String, knownMetrics: Set<String>? = SeriesName.all) -> (Expression?, [ExpressionError]) {
        let (node, errors) = Parser.parse(text, knownMetrics: knownMetrics)
        guard let node, errors.isEmpty else { return (nil, errors) }
        return (Expression(text: text, root: node), [])
    }

    /// Parses an expression.
    /// - Parameters:
    ///   - text: The expression.
    ///   - knownMetrics: Metric names selectors may use; nil accepts any name.
    /// - Throws: The first `ExpressionError`.
    public init(_ text: String, knownMetrics: Set<String>? = SeriesName.all) throws {
        let (e, errors) = Expression.parse(text, knownMetrics: knownMetrics)
        guard let e else { throw errors[0] }
        self = e
    }

    init(text: String, root: ExprNode) {
        self.text = text
        self.root = root
    }

    /// Whether the expression yields a scalar or a vector (alert rules need a vector).
    public var type: ExpressionType { root.type }

    /// A fully parenthesised rendering showing how the text was grouped, e.g.
    /// `((psi > 0.2) and (ks_pvalue < 0.01))`. For diagnostics and tests.
    public var structure: String { root.structure }

    /// The text as written.
    public var description: String { text }

    /// Evaluates the expression at one instant.
    /// - Parameters:
    ///   - time: The evaluation time, passed to the source.
    ///   - source: Where selectors read samples; it decides visibility.
    /// - Returns: A scalar or a vector (in a deterministic order).
    /// - Throws: `ExpressionError` with code `.evaluation` for many-to-many matches and
    ///   duplicate label sets in a result.
    public func evaluate(at time: Timestamp, source: some SampleSource) throws -> ExpressionValue {
        try Evaluator(source: source, time: time).evaluate(root)
    }
}
