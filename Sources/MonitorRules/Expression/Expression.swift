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

extension Expression {
    /// The metric names the expression's selectors may read, among `candidates`: a selector
    /// with a name reads that name; one selecting by `__name__` matchers reads every candidate
    /// they match.
    /// - Parameter candidates: the names to consider (e.g. `SeriesName.all`).
    /// - Returns: the names that may be read.
    public func selectedMetrics(among candidates: Set<String> = SeriesName.all) -> Set<String> {
        var out = Set<String>()
        func walk(_ node: ExprNode) {
            switch node {
            case .number: break
            case .selector(let s):
                if let m = s.metric {
                    out.insert(m)
                } else {
                    for c in candidates where s.nameMatchers.allSatisfy({ $0.matches(c) }) { out.insert(c) }
                }
            case .unary(_, let e, _), .paren(let e, _): walk(e)
            case .binary(let b):
                walk(b.lhs)
                walk(b.rhs)
            case .aggregate(let a): walk(a.operand)
            }
        }
        walk(root)
        return out
    }
}

extension AlertRule {
    /// Whether the rule reads series emitted when a window's performance matures
    /// (`SeriesName.maturity`: accuracy, label coverage, reference performance, …): such rules
    /// are evaluated at maturity, with the matured window's end as the evaluation time, instead
    /// of at window close.
    public var readsMaturitySeries: Bool {
        !expression.selectedMetrics().isDisjoint(with: SeriesName.maturity)
    }
}
