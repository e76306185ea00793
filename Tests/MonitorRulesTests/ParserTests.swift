import MonitorCore
import Testing

@testable import MonitorRules

@Suite("Parser")
struct ParserTests {
    static func structure(_ text: String) -> String {
        let (e, errors) = Expression.parse(text, knownMetrics: nil)
        guard let e else { return "errors: " + errors.map(\.description).joined(separator: "; ") }
        return e.structure
    }

    @Test(arguments: [
        // Intent: * binds tighter than +.
        ("a + b * c", "(a + (b * c))"),
        // Intent: left associativity of - and /.
        ("a - b - c", "((a - b) - c)"),
        ("a / b / c", "((a / b) / c)"),
        // Intent: ^ is right-associative.
        ("a ^ b ^ c", "(a ^ (b ^ c))"),
        // Intent: ^ binds tighter than unary minus: -2^2 is -(2^2).
        ("-a ^ b", "(-(a ^ b))"),
        // Intent: unary minus binds tighter than *.
        ("-a * b", "((-a) * b)"),
        // Intent: a negative literal folds into the number.
        ("a * -2", "(a * -2)"),
        // Intent: arithmetic binds tighter than comparisons.
        ("a + 1 > b * 2", "((a + 1) > (b * 2))"),
        // Intent: comparisons bind tighter than and/unless, which bind tighter than or.
        ("a > 1 and b < 2 or c == 3 unless d", "(((a > 1) and (b < 2)) or ((c == 3) unless d))"),
        // Intent: and and unless share a level, left to right.
        ("a and b unless c", "((a and b) unless c)"),
        // Intent: or is the loosest operator.
        ("a or b and c", "(a or (b and c))"),
        // Intent: % shares the level of * and /.
        ("a % b * c", "((a % b) * c)"),
        // Intent: parentheses override precedence.
        ("(a + b) * c", "((a + b) * c)"),
        // Intent: bool and on/ignoring modifiers attach to their operator.
        ("a > bool on(x, y) b", "(a > bool on(x, y) b)"),
        ("a + ignoring(z) b", "(a + ignoring(z) b)"),
        ("a and on() b", "(a and on() b)"),
        // Intent: keywords are case-insensitive as in PromQL.
        ("a AND b OR c", "((a and b) or c)"),
        // Intent: aggregations with the grouping before or after the argument.
        ("sum by (model) (a)", "sum by (model) (a)"),
        ("max(a) without (feature)", "max without (feature) (a)"),
        ("count(a > 1)", "count ((a > 1))"),
        // Intent: an aggregation is an operand like any other.
        ("avg(a) by (m) > 0.5", "(avg by (m) (a) > 0.5)"),
        // Intent: selectors keep their matchers; __name__ equality becomes the metric.
        (#"{__name__="psi", model="x"}"#, #"psi{model="x"}"#),
        (#"psi{feature=~"a|b", model!="y",}"#, #"psi{feature=~"a|b", model!="y"}"#),
        // Intent: number forms.
        ("a > 1e-3", "(a > 0.001)"),
        ("a * Inf", "(a * +Inf)"),
    ])
    func precedence(text: String, expected: String) {
        #expect(ParserTests.structure(text) == expected)
    }

    @Test(arguments: [
        // Intent: a missing right operand is reported at the end of input.
        ("psi >", 5, "unexpected end of input"),
        // Intent: an unclosed parenthesis.
        ("(psi > 1", 8, "expected \")\""),
        // Intent: garbage after a complete expression.
        ("psi > 1 psi", 8, "after the end of the expression"),
        // Intent: functions are not part of the language.
        ("abs(psi)", 0, "unknown function \"abs\""),
        // Intent: group_left is rejected explicitly at the keyword.
        ("a * on(x) group_left b", 10, "group_left"),
        // Intent: == inside braces is a common typo.
        (#"psi{a=="x"}"#, 5, "label matchers use \"=\""),
        // Intent: label matcher values must be strings.
        ("psi{a=1}", 6, "expected a quoted label value"),
        // Intent: a regex that does not compile is reported at its string.
        (#"psi{a=~"("}"#, 7, "invalid regular expression"),
        // Intent: a string outside matchers.
        (#"psi > "x""#, 6, "string literals are only allowed"),
        // Intent: a selector matching everything.
        (#"{a=~".*"}"#, 0, "needs a metric name"),
        // Intent: the metric name given twice.
        (#"psi{__name__="psi"}"#, 4, "set twice"),
        // Intent: two grouping clauses.
        ("sum by (a) (psi) by (b)", 17, "only one by/without"),
        // Intent: a keyword where an operand belongs.
        ("psi > by", 6, "keyword \"by\""),
    ])
    func syntaxErrors(text: String, offset: Int, message: String) {
        let (e, errors) = Expression.parse(text, knownMetrics: nil)
        #expect(e == nil)
        #expect(errors.count == 1)
        #expect(errors.first?.offset == offset)
        #expect(errors.first?.message.contains(message) == true, "\(errors)")
    }

    @Test(arguments: [
        // Intent: and with a scalar operand, positioned at the scalar.
        ("psi and 1", [(8, "set operator \"and\" needs vectors")]),
        ("1 or psi", [(0, "set operator \"or\" needs vectors")]),
        // Intent: two scalars compared without bool, at the operator.
        ("1 > 2", [(2, "must use the bool modifier")]),
        // Intent: bool on arithmetic, at the bool keyword.
        ("psi + bool 1", [(6, "bool modifier can only be used on comparison")]),
        // Intent: vector matching with a scalar, at on.
        ("psi + on(a) 1", [(6, "vector matching (on/ignoring) is only allowed between vectors")]),
        // Intent: aggregating a scalar.
        ("sum(1)", [(4, "sum aggregates a vector")]),
        // Intent: unknown metrics with a suggestion; all of them reported at once.
        ("pis > 0.2 and ks_pvalu < 0.1", [(0, "unknown metric \"pis\" (did you mean \"psi\"?)"), (14, "unknown metric \"ks_pvalu\" (did you mean \"ks_pvalue\"?)")]),
        // Intent: far-off names get no suggestion.
        ("zzzzzzzzzz", [(0, "unknown metric \"zzzzzzzzzz\"")]),
        // Intent: the name in __name__ is checked at its string.
        (#"{__name__="psy"}"#, [(10, "unknown metric \"psy\"")]),
    ] as [(String, [(Int, String)])])
    func typeErrors(text: String, expected: [(Int, String)]) {
        let (e, errors) = Expression.parse(text)
        #expect(e == nil)
        #expect(errors.map(\.offset) == expected.map(\.0))
        for (err, exp) in zip(errors, expected) {
            #expect(err.message.contains(exp.1), "\(err.message)")
        }
    }

    @Test func typesOfExpressions() throws {
        #expect(try Expression("1 + 2 > bool 3").type == .scalar)
        #expect(try Expression("psi > 0.2").type == .vector)
        #expect(try Expression("2 * psi").type == .vector)
        #expect(try Expression("count(psi)").type == .vector)
        #expect(try Expression("-(1)").type == .scalar)
    }

    @Test func spansOfNodes() throws {
        let e = try Expression(#"  psi{a="b"} > 0.2 and ks_pvalue"#)
        guard case .binary(let and) = e.root, case .binary(let gt) = and.lhs else {
            Issue.record("unexpected tree \(e.structure)")
            return
        }
        #expect(and.opSpan == Span(19, 22))
        #expect(gt.opSpan == Span(13, 14))
        #expect(gt.lhs.span == Span(2, 12))
        #expect(and.rhs.span == Span(23, 32))
        #expect(e.root.span == Span(2, 32))
    }
}
