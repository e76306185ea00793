import MonitorCore
import Testing

@testable import MonitorRules

@Suite("Evaluator")
struct EvaluatorTests {
    /// Two features of one model plus another model: enough to tell matching rules apart.
    static let source = makeSource([
        ("psi", ["model": "fraud", "feature": "amount"], 0.3),
        ("psi", ["model": "fraud", "feature": "country"], 0.1),
        ("psi", ["model": "churn", "feature": "amount"], 0.25),
        ("ks_pvalue", ["model": "fraud", "feature": "amount"], 0.001),
        ("ks_pvalue", ["model": "fraud", "feature": "country"], 0.5),
        ("count", ["model": "fraud"], 1000),
        ("count", ["model": "churn"], 10),
        ("mean", ["model": "fraud", "feature": "amount", "x": "1"], .nan),
        ("mean", ["model": "fraud", "feature": "country"], 2),
    ])

    @Test(arguments: [
        // Intent: = matcher.
        (#"psi{model="churn"}"#, #"psi{feature="amount", model="churn"} 0.25"#),
        // Intent: != matcher.
        (#"psi{model!="fraud"}"#, #"psi{feature="amount", model="churn"} 0.25"#),
        // Intent: regexes are fully anchored: "am" does not match "amount".
        (#"psi{feature=~"am"}"#, "[]"),
        (#"psi{feature=~"am.*", model="fraud"}"#, #"psi{feature="amount", model="fraud"} 0.3"#),
        // Intent: general regex syntax (character class, alternation).
        (#"psi{feature=~"(c|x)[a-z]+"}"#, #"psi{feature="country", model="fraud"} 0.1"#),
        // Intent: !~ excludes anchored matches.
        (#"psi{feature!~"amount|x"}"#, #"psi{feature="country", model="fraud"} 0.1"#),
        // Intent: a missing label matches the empty string.
        (#"mean{x=""}"#, #"mean{feature="country", model="fraud"} 2"#),
        (#"mean{x!=""}"#, #"mean{feature="amount", model="fraud", x="1"} NaN"#),
        // Intent: selecting by __name__ with a regex among known names.
        (#"{__name__=~"ks_.*", feature="amount"}"#, #"ks_pvalue{feature="amount", model="fraud"} 0.001"#),
        // Intent: unknown metrics select nothing (no error at evaluation).
        ("accuracy", "[]"),
    ])
    func selectors(text: String, expected: String) {
        #expect(render(text, EvaluatorTests.source) == expected)
    }

    @Test(arguments: [
        // Intent: a comparison filter keeps the left sample, its value and its metric name.
        ("psi > 0.2", #"psi{feature="amount", model="churn"} 0.25; psi{feature="amount", model="fraud"} 0.3"#),
        // Intent: scalar on the left: the vector's value is kept, not the scalar.
        ("0.2 < psi", #"psi{feature="amount", model="churn"} 0.25; psi{feature="amount", model="fraud"} 0.3"#),
        // Intent: boundary: > is strict, >= is not.
        ("psi > 0.25", #"psi{feature="amount", model="fraud"} 0.3"#),
        ("psi >= 0.25", #"psi{feature="amount", model="churn"} 0.25; psi{feature="amount", model="fraud"} 0.3"#),
        ("psi == 0.1", #"psi{feature="country", model="fraud"} 0.1"#),
        ("psi != 0.1", #"psi{feature="amount", model="churn"} 0.25; psi{feature="amount", model="fraud"} 0.3"#),
        ("psi <= 0.1", #"psi{feature="country", model="fraud"} 0.1"#),
        ("psi < 0.1", "[]"),
        // Intent: bool returns 0/1 for every sample and drops the name.
        (#"psi{model="fraud"} > bool 0.2"#, #"{feature="amount", model="fraud"} 1; {feature="country", model="fraud"} 0"#),
        // Intent: NaN fails every comparison but !=.
        (#"mean{feature="amount"} > 0"#, "[]"),
        (#"mean{feature="amount"} != 1"#, #"mean{feature="amount", model="fraud", x="1"} NaN"#),
        // Intent: scalar comparisons with bool.
        ("1 < bool 2", "scalar(1)"),
        ("2 < bool 1", "scalar(0)"),
    ])
    func comparisons(text: String, expected: String) {
        #expect(render(text, EvaluatorTests.source) == expected)
    }

    @Test(arguments: [
        // Intent: scalar arithmetic and precedence.
        ("1 + 2 * 3", "scalar(7)"),
        ("2 ^ 3 ^ 2", "scalar(512)"),
        ("-2 ^ 2", "scalar(-4)"),
        ("(-2) ^ 2", "scalar(4)"),
        ("7 % 3", "scalar(1)"),
        // Intent: % is fmod: the sign follows the dividend.
        ("-7 % 3", "scalar(-1)"),
        // Intent: division by zero as IEEE 754 (PromQL).
        ("1 / 0", "scalar(+Inf)"),
        ("-1 / 0", "scalar(-Inf)"),
        ("0 / 0", "scalar(NaN)"),
        ("5 % 0", "scalar(NaN)"),
        // Intent: vector-scalar arithmetic drops the metric name, operand order respected.
        (#"count{model="fraud"} / 10"#, #"{model="fraud"} 100"#),
        (#"2000 - count{model="fraud"}"#, #"{model="fraud"} 1000"#),
        (#"count / 0"#, #"{model="churn"} +Inf; {model="fraud"} +Inf"#),
        (#"-count{model="churn"}"#, #"{model="churn"} -10"#),
        // Intent: vector-vector arithmetic matches one-to-one on all labels but the name.
        ("psi / ks_pvalue", #"{feature="amount", model="fraud"} 300; {feature="country", model="fraud"} 0.2"#),
        // Intent: no match, no result.
        (#"psi{model="churn"} + ks_pvalue"#, "[]"),
        // Intent: ignoring(feature) matches psi to count; the result drops the ignored label.
        (#"psi{model="churn"} * ignoring(feature) count"#, #"{model="churn"} 2.5"#),
        // Intent: on(model) keeps only the on labels.
        (#"psi{model="churn"} + on(model) count"#, #"{model="churn"} 10.25"#),
    ])
    func arithmetic(text: String, expected: String) {
        #expect(render(text, EvaluatorTests.source) == expected)
    }

    @Test(arguments: [
        // Intent: vector-vector comparison filters and keeps the left value and name.
        ("psi > ks_pvalue", #"psi{feature="amount", model="fraud"} 0.3"#),
        // Intent: with bool it returns 0/1 without the name.
        ("psi > bool ks_pvalue", #"{feature="amount", model="fraud"} 1; {feature="country", model="fraud"} 0"#),
        // Intent: ignoring() on a comparison keeps the name but drops the ignored labels.
        (#"psi{model="churn"} < ignoring(feature) count"#, #"psi{model="churn"} 0.25"#),
    ])
    func vectorComparisons(text: String, expected: String) {
        #expect(render(text, EvaluatorTests.source) == expected)
    }

    @Test(arguments: [
        // Intent: and keeps left samples whose labels appear on the right.
        ("psi > 0.2 and ks_pvalue < 0.01", #"psi{feature="amount", model="fraud"} 0.3"#),
        // Intent: on(model) matches per model: every fraud psi has a fraud count > 500.
        ("psi and on(model) count > 500", #"psi{feature="amount", model="fraud"} 0.3; psi{feature="country", model="fraud"} 0.1"#),
        // Intent: ignoring(feature) is the same match here.
        ("psi and ignoring(feature) count < 500", #"psi{feature="amount", model="churn"} 0.25"#),
        // Intent: or adds right samples whose labels are not on the left.
        ("psi > 0.2 or ks_pvalue", #"ks_pvalue{feature="country", model="fraud"} 0.5; psi{feature="amount", model="churn"} 0.25; psi{feature="amount", model="fraud"} 0.3"#),
        // Intent: unless removes left samples matched on the right.
        ("psi unless ks_pvalue > 0.1", #"psi{feature="amount", model="churn"} 0.25; psi{feature="amount", model="fraud"} 0.3"#),
        ("psi unless on(model) count < 100", #"psi{feature="amount", model="fraud"} 0.3; psi{feature="country", model="fraud"} 0.1"#),
        // Intent: and with an empty right side is empty.
        ("psi and accuracy", "[]"),
    ])
    func setOperators(text: String, expected: String) {
        #expect(render(text, EvaluatorTests.source) == expected)
    }

    @Test(arguments: [
        // Intent: sum without grouping yields one label-less sample.
        ("sum(psi)", "{} 0.65"),
        ("sum by (model) (psi)", #"{model="churn"} 0.25; {model="fraud"} 0.4"#),
        // Intent: grouping after the argument.
        ("max(psi) by (feature)", #"{feature="amount"} 0.3; {feature="country"} 0.1"#),
        ("min without (model) (psi)", #"{feature="amount"} 0.25; {feature="country"} 0.1"#),
        ("avg by (model) (psi)", #"{model="churn"} 0.25; {model="fraud"} 0.2"#),
        ("count by (model) (psi > 0.2)", #"{model="churn"} 1; {model="fraud"} 1"#),
        // Intent: min and max ignore NaN unless every value is NaN; sum propagates it.
        ("max(mean)", "{} 2"),
        ("min(mean)", "{} 2"),
        (#"max(mean{x="1"})"#, "{} NaN"),
        ("sum(mean)", "{} NaN"),
        // Intent: aggregating nothing gives nothing.
        ("sum(accuracy)", "[]"),
        // Intent: an aggregation composes with comparisons.
        ("count(psi > 0.2) > bool 1", "{} 1"),
    ])
    func aggregations(text: String, expected: String) {
        #expect(render(text, EvaluatorTests.source) == expected)
    }

    @Test(arguments: [
        // Intent: duplicates on the right of a one-to-one match.
        ("count + on(model) psi", "many-to-many matching not allowed"),
        // Intent: two left samples matching one right sample.
        ("psi + on(model) count", "multiple matches for labels {model=\"fraud\"}"),
        // Intent: dropping names makes two series identical.
        (#"{__name__=~"psi|ks_pvalue", model="fraud"} * 2"#, "vector cannot contain metrics with the same labelset"),
    ])
    func evaluationErrors(text: String, message: String) {
        let out = render(text, EvaluatorTests.source)
        #expect(out.hasPrefix("error: ") && out.contains(message), "\(out)")
    }

    @Test func sumUsesCompensatedAddition() {
        // 1e16 + 1 + 1 - 1e16 is 0 with naive left-to-right doubles, 2 with Kahan-Neumaier.
        let s = makeSource([("count", ["i": "1"], 1e16), ("count", ["i": "2"], 1), ("count", ["i": "3"], 1), ("count", ["i": "4"], -1e16)])
        #expect(render("sum(count)", s) == "{} 2")
    }

    @Test func errorsPointAtTheOperator() throws {
        let e = try Expression("count + on(model) psi", knownMetrics: nil)
        do {
            _ = try e.evaluate(at: ts(0), source: EvaluatorTests.source)
            Issue.record("expected an evaluation error")
        } catch {
            let err = error as? ExpressionError
            #expect(err?.code == .evaluation)
            #expect(err?.offset == 6)
        }
    }
}
