/// A Pratt parser for the expression language, with PromQL's precedences (highest first):
/// `^` (right-associative), unary `-`/`+`, `* / %`, `+ -`, comparisons, `and unless`, `or`.
///
/// Syntax errors stop the parse (the first one is reported); type errors and unknown metric
/// names are collected so that one pass reports all of them.
struct Parser {
    private var tokens: [Token]
    private var index = 0
    private let knownMetrics: Set<String>?
    private(set) var errors: [ExpressionError] = []

    private static let keywords: Set<String> = [
        "and", "or", "unless", "by", "without", "on", "ignoring", "bool", "group_left", "group_right", "offset",
    ]

    /// Parses `text`; `knownMetrics` (when given) rejects selectors of other metric names.
    static func parse(_ text: String, knownMetrics: Set<String>?) -> (ExprNode?, [ExpressionError]) {
        let tokens: [Token]
        switch Lexer.tokenize(text) {
        case .success(let t): tokens = t
        case .failure(let e): return (nil, [e])
        }
        var parser = Parser(tokens: tokens, knownMetrics: knownMetrics)
        do {
            let node = try parser.parseExpression(0)
            if parser.current.kind != .end {
                throw parser.unexpected(parser.current, "after the end of the expression")
            }
            return (parser.errors.isEmpty ? node : nil, parser.errors.sorted { $0.offset < $1.offset })
        } catch {
            // Syntax errors come after any type errors found earlier in the text.
            let syntax = (error as? ExpressionError) ?? ExpressionError(.syntax, offset: 0, "\(error)")
            return (nil, (parser.errors + [syntax]).sorted { $0.offset < $1.offset })
        }
    }

    private init(tokens: [Token], knownMetrics: Set<String>?) {
        self.tokens = tokens
        self.knownMetrics = knownMetrics
    }

    // MARK: Tokens

    private var current: Token { tokens[index] }
    private func peek(_ ahead: Int = 1) -> Token { tokens[min(index + ahead, tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    private func isKeyword(_ t: Token, _ word: String) -> Bool {
        t.kind == .identifier && t.text.lowercased() == word
    }

    private func unexpected(_ t: Token, _ expectation: String) -> ExpressionError {
        let what = Parser.keywords.contains(t.text.lowercased()) && t.kind == .identifier ? "keyword \"\(t.text)\"" : t.quoted
        return ExpressionError(.syntax, offset: t.start, length: max(t.end - t.start, 1), "unexpected \(what) \(expectation)")
    }

    private mutating func expect(_ kind: Token.Kind, _ what: String) throws -> Token {
        guard current.kind == kind else { throw unexpected(current, "(expected \(what))") }
        return advance()
    }

    private mutating func typeError(_ span: Span, _ message: String, code: ExpressionError.Code = .type) {
        errors.append(ExpressionError(code, offset: span.start, length: span.length, message))
    }

    // MARK: Expressions

    private func binaryOperator(_ t: Token) -> BinaryOperator? {
        switch t.kind {
        case .plus: return .add
        case .minus: return .sub
        case .star: return .mul
        case .slash: return .div
        case .percent: return .mod
        case .caret: return .pow
        case .equalEqual: return .eql
        case .notEqual: return .neq
        case .greater: return .gtr
        case .less: return .lss
        case .greaterEqual: return .gte
        case .lessEqual: return .lte
        case .identifier:
            switch t.text.lowercased() {
            case "and": return .and
            case "or": return .or
            case "unless": return .unless
            default: return nil
            }
        default: return nil
        }
    }

    private mutating func parseExpression(_ minPrecedence: Int) throws -> ExprNode {
        var lhs = try parseUnary()
        while let op = binaryOperator(current), op.precedence >= minPrecedence {
            let opToken = advance()
            var returnBool = false
            var matching = VectorMatching.none
            var matchingSpan: Span?
            if isKeyword(current, "bool") {
                let t = advance()
                if !op.isComparison {
                    typeError(Span(t), "bool modifier can only be used on comparison operators")
                }
                returnBool = true
            }
            if isKeyword(current, "on") || isKeyword(current, "ignoring") {
                let t = advance()
                matchingSpan = Span(t)
                let names = try parseLabelList()
                matching = t.text.lowercased() == "on" ? .on(names) : .ignoring(names)
            }
            if isKeyword(current, "group_left") || isKeyword(current, "group_right") {
                throw ExpressionError(.unsupported, offset: current.start, length: current.end - current.start,
                                      "\(current.text) (many-to-one matching) is not supported")
            }
            let rhs = try parseExpression(op.isRightAssociative ? op.precedence : op.precedence + 1)
            if op.isSetOperator {
                for side in [lhs, rhs] where side.type == .scalar {
                    typeError(side.span, "set operator \"\(op.rawValue)\" needs vectors on both sides, found a scalar operand")
                }
            } else if op.isComparison, lhs.type == .scalar, rhs.type == .scalar, !returnBool {
                typeError(Span(opToken), "comparisons between scalars must use the bool modifier (\"\(op.rawValue) bool\")")
            }
            if let matchingSpan, lhs.type == .scalar || rhs.type == .scalar {
                typeError(matchingSpan, "vector matching (on/ignoring) is only allowed between vectors")
            }
            lhs = .binary(BinaryExpression(op: op, lhs: lhs, rhs: rhs, returnBool: returnBool, matching: matching,
                                           opSpan: Span(opToken)))
        }
        return lhs
    }

    /// Unary `-`/`+` bind tighter than `*` but looser than `^`: `-2 ^ 2` is `-(2 ^ 2)`.
    private mutating func parseUnary() throws -> ExprNode {
        guard current.kind == .minus || current.kind == .plus else { return try parsePrimary() }
        let t = advance()
        let operand = try parseExpression(BinaryOperator.pow.precedence)
        let op: UnaryOperator = t.kind == .minus ? .minus : .plus
        if case .number(let v, let s) = operand {
            return .number(op == .minus ? -v : v, Span(t.start, s.end))
        }
        return .unary(op, operand, Span(t))
    }

    private mutating func parsePrimary() throws -> ExprNode {
        let t = current
        switch t.kind {
        case .number(let v):
            advance()
            return .number(v, Span(t))
        case .leftParen:
            advance()
            let inner = try parseExpression(0)
            let close = try expect(.rightParen, "\")\"")
            return .paren(inner, Span(t.start, close.end))
        case .leftBrace:
            return try parseSelector(name: nil)
        case .identifier:
            let lower = t.text.lowercased()
            if let agg = AggregationOperator(rawValue: lower),
               peek().kind == .leftParen || isKeyword(peek(), "by") || isKeyword(peek(), "without") {
                return try parseAggregation(agg)
            }
            if peek().kind == .leftParen {
                throw ExpressionError(.unsupported, offset: t.start, length: t.end - t.start,
                                      "unknown function \"\(t.text)\" (functions are not supported; aggregations are sum, min, max, avg, count)")
            }
            if Parser.keywords.contains(lower) {
                throw unexpected(t, "(expected an expression)")
            }
            advance()
            return try parseSelector(name: t)
        case .string:
            throw ExpressionError(.syntax, offset: t.start, length: t.end - t.start,
                                  "string literals are only allowed as label matcher values")
        default:
            throw unexpected(t, "(expected an expression)")
        }
    }

    private mutating func parseSelector(name: Token?) throws -> ExprNode {
        var metric = name?.text
        var nameSpan = name.map(Span.init) ?? Span(current)
        let start = name?.start ?? current.start
        var end = name?.end ?? current.end
        var matchers: [LabelMatcher] = []
        var nameMatchers: [LabelMatcher] = []
        if current.kind == .leftBrace {
            advance()
            while current.kind != .rightBrace {
                let labelToken = current
                guard labelToken.kind == .identifier else { throw unexpected(labelToken, "(expected a label name or \"}\")") }
                guard Identifiers.isLabelName(labelToken.text) else {
                    throw ExpressionError(.syntax, offset: labelToken.start, length: labelToken.end - labelToken.start,
                                          "invalid label name \"\(labelToken.text)\"")
                }
                advance()
                let opToken = advance()
                let op: LabelMatcher.Op
                switch opToken.kind {
                case .assign: op = .equal
                case .notEqual: op = .notEqual
                case .regexMatch: op = .regexMatch
                case .regexNoMatch: op = .regexNoMatch
                case .equalEqual:
                    throw ExpressionError(.syntax, offset: opToken.start, length: 2, "label matchers use \"=\", not \"==\"")
                default: throw unexpected(opToken, "(expected one of =, !=, =~, !~ after label \"\(labelToken.text)\")")
                }
                let valueToken = advance()
                guard case .string(let value) = valueToken.kind else {
                    throw unexpected(valueToken, "(expected a quoted label value)")
                }
                let matcher: LabelMatcher
                do {
                    matcher = try LabelMatcher(name: labelToken.text, op: op, value: value)
                } catch {
                    throw ExpressionError(.syntax, offset: valueToken.start, length: valueToken.end - valueToken.start,
                                          "invalid regular expression \(valueToken.text): \(error)")
                }
                if labelToken.text == "__name__" {
                    if op == .equal {
                        if metric != nil {
                            throw ExpressionError(.syntax, offset: labelToken.start, length: labelToken.end - labelToken.start,
                                                  "the metric name is set twice")
                        }
                        metric = value
                        nameSpan = Span(valueToken)
                    } else {
                        nameMatchers.append(matcher)
                    }
                } else {
                    matchers.append(matcher)
                }
                if current.kind == .comma {
                    advance()
                } else if current.kind != .rightBrace {
                    throw unexpected(current, "(expected \",\" or \"}\" in label matchers)")
                }
            }
            end = advance().end
        }
        let span = Span(start, end)
        if metric == nil, nameMatchers.isEmpty, matchers.allSatisfy({ $0.matches("") }) {
            typeError(span, "a selector needs a metric name or a matcher that does not match the empty string", code: .syntax)
        }
        if let metric, let knownMetrics, !knownMetrics.contains(metric) {
            typeError(nameSpan, "unknown metric \"\(metric)\"\(Identifiers.didYouMean(metric, in: knownMetrics))", code: .unknownMetric)
        }
        return .selector(VectorSelector(metric: metric, nameMatchers: nameMatchers, matchers: matchers, span: span, nameSpan: nameSpan))
    }

    private mutating func parseAggregation(_ op: AggregationOperator) throws -> ExprNode {
        let opToken = advance()
        var grouping: Grouping?
        if isKeyword(current, "by") || isKeyword(current, "without") {
            grouping = try parseGrouping()
        }
        _ = try expect(.leftParen, "\"(\" after \(opToken.text)")
        let operand = try parseExpression(0)
        var end = try expect(.rightParen, "\")\"").end
        if isKeyword(current, "by") || isKeyword(current, "without") {
            if grouping != nil {
                throw ExpressionError(.syntax, offset: current.start, length: current.end - current.start,
                                      "only one by/without clause is allowed in an aggregation")
            }
            grouping = try parseGrouping()
            end = tokens[index - 1].end
        }
        if operand.type == .scalar {
            typeError(operand.span, "\(op.rawValue) aggregates a vector, found a scalar")
        }
        return .aggregate(Aggregation(op: op, operand: operand, grouping: grouping ?? .by([]), span: Span(opToken.start, end)))
    }

    private mutating func parseGrouping() throws -> Grouping {
        let keyword = advance()
        let names = try parseLabelList()
        return keyword.text.lowercased() == "by" ? .by(names) : .without(names)
    }

    /// `(a, b, c)`, possibly empty, trailing comma allowed.
    private mutating func parseLabelList() throws -> [String] {
        _ = try expect(.leftParen, "\"(\" and a list of label names")
        var names: [String] = []
        while current.kind != .rightParen {
            let t = current
            guard t.kind == .identifier, Identifiers.isLabelName(t.text) else {
                throw unexpected(t, "(expected a label name)")
            }
            names.append(t.text)
            advance()
            if current.kind == .comma {
                advance()
            } else if current.kind != .rightParen {
                throw unexpected(current, "(expected \",\" or \")\" in the label list)")
            }
        }
        advance()
        return names
    }
}
