import MonitorCore

/// The syntax tree of an expression. Every node remembers where it came from (`Span`, in
/// Unicode scalars of the expression text) so that type and evaluation errors can point at it.
indirect enum ExprNode: Sendable {
    case number(Double, Span)
    case selector(VectorSelector)
    case unary(UnaryOperator, ExprNode, Span)
    case binary(BinaryExpression)
    case aggregate(Aggregation)
    case paren(ExprNode, Span)

    /// The value type this node evaluates to.
    var type: ExpressionType {
        switch self {
        case .number: return .scalar
        case .selector, .aggregate: return .vector
        case .unary(_, let e, _), .paren(let e, _): return e.type
        case .binary(let b): return b.lhs.type == .scalar && b.rhs.type == .scalar ? .scalar : .vector
        }
    }

    /// From the first to one past the last scalar of the node's text.
    var span: Span {
        switch self {
        case .number(_, let s), .paren(_, let s): return s
        case .selector(let v): return v.span
        case .unary(_, let e, let s): return Span(s.start, e.span.end)
        case .binary(let b): return Span(b.lhs.span.start, b.rhs.span.end)
        case .aggregate(let a): return a.span
        }
    }

    /// A fully parenthesised rendering that shows how the text was grouped:
    /// `a + b * c` is `(a + (b * c))`.
    var structure: String {
        switch self {
        case .number(let v, _): return ValueFormatter.shortest(v)
        case .selector(let v): return v.description
        case .unary(let op, let e, _): return "(\(op.rawValue)\(e.structure))"
        case .paren(let e, _): return e.structure
        case .binary(let b):
            var op = b.op.rawValue
            if b.returnBool { op += " bool" }
            switch b.matching {
            case .none: break
            case .on(let l): op += " on(\(l.joined(separator: ", ")))"
            case .ignoring(let l): op += " ignoring(\(l.joined(separator: ", ")))"
            }
            return "(\(b.lhs.structure) \(op) \(b.rhs.structure))"
        case .aggregate(let a):
            var g = ""
            switch a.grouping {
            case .by(let l): g = l.isEmpty ? "" : " by (\(l.joined(separator: ", ")))"
            case .without(let l): g = " without (\(l.joined(separator: ", ")))"
            }
            return "\(a.op.rawValue)\(g) (\(a.operand.structure))"
        }
    }
}

/// A half-open range of Unicode-scalar offsets in the expression text.
struct Span: Sendable, Hashable {
    var start: Int
    var end: Int
    init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }
    init(_ token: Token) { self.init(token.start, token.end) }
    var length: Int { max(end - start, 1) }
}

/// The type of an expression's value.
public enum ExpressionType: String, Sendable, Hashable {
    /// A single number without labels.
    case scalar
    /// A set of labelled samples (an instant vector).
    case vector
}

/// `metric{label="value", …}`.
struct VectorSelector: Sendable, CustomStringConvertible {
    /// The metric name, when given (as the identifier or as `__name__="…"`).
    var metric: String?
    /// Matchers on `__name__` other than a plain equality (select among known metric names).
    var nameMatchers: [LabelMatcher]
    /// Matchers on labels other than `__name__`.
    var matchers: [LabelMatcher]
    var span: Span
    /// Where the metric name is written (for unknown-metric errors).
    var nameSpan: Span

    var description: String {
        var all = nameMatchers.map(\.description) + matchers.map(\.description)
        if metric == nil, nameMatchers.isEmpty { all = matchers.map(\.description) }
        return (metric ?? "") + (all.isEmpty && metric != nil ? "" : "{" + all.joined(separator: ", ") + "}")
    }
}

enum UnaryOperator: String, Sendable {
    case minus = "-", plus = "+"
}

/// Binary operators with PromQL's precedences.
enum BinaryOperator: String, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^"
    case eql = "==", neq = "!=", gtr = ">", lss = "<", gte = ">=", lte = "<="
    case and, or, unless

    /// Higher binds tighter: `or` 1, `and`/`unless` 2, comparisons 3, `+ -` 4, `* / %` 5, `^` 6.
    var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
        case .add, .sub: return 4
        case .mul, .div, .mod: return 5
        case .pow: return 6
        }
    }

    /// `^` is right-associative (`2 ^ 3 ^ 2` is `2 ^ 9`); all others are left-associative.
    var isRightAssociative: Bool { self == .pow }
    var isComparison: Bool { precedence == 3 }
    var isSetOperator: Bool { self == .and || self == .or || self == .unless }
    var isArithmetic: Bool { precedence >= 4 }
}

/// `on(…)` / `ignoring(…)` on a binary operation between vectors.
enum VectorMatching: Sendable {
    /// Match on all labels (the metric name is never part of the match).
    case none
    case on([String])
    case ignoring([String])

    /// The part of a sample's labels that must be equal on both sides.
    func signature(_ labels: Labels) -> MatchSignature {
        switch self {
        case .none: return .labels(labels)
        // The values of the `on` labels in a fixed order ("" when absent, which Labels treats
        // the same): cheaper to build and hash than a Labels copy.
        case .on(let names): return .values(names.map { labels[$0] ?? "" })
        case .ignoring(let names): return .labels(labels.removing(names))
        }
    }

    /// The labels a signature stands for, for error messages.
    func describe(_ labels: Labels) -> Labels {
        switch self {
        case .none: return labels
        case .on(let names): return labels.keeping(names)
        case .ignoring(let names): return labels.removing(names)
        }
    }
}

/// What two samples must share to match.
enum MatchSignature: Hashable {
    case labels(Labels)
    case values([String])
}

struct BinaryExpression: Sendable {
    var op: BinaryOperator
    var lhs: ExprNode
    var rhs: ExprNode
    /// `bool`: comparisons return 0/1 instead of filtering.
    var returnBool: Bool
    var matching: VectorMatching
    /// The operator token.
    var opSpan: Span
}

enum AggregationOperator: String, Sendable, CaseIterable {
    case sum, min, max, avg, count
}

enum Grouping: Sendable {
    /// `by (…)`; `by ()` (or no clause) aggregates everything into one sample.
    case by([String])
    case without([String])
}

struct Aggregation: Sendable {
    var op: AggregationOperator
    var operand: ExprNode
    var grouping: Grouping
    var span: Span
}
