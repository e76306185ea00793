import MonitorCore
import Testing

@testable import MonitorReport

@Suite("Report building blocks")
struct MonitorReportTests {
    func rule(_ expr: String) -> RuleSummary {
        RuleSummary(group: "g", name: "R", expression: expr, holdMilliseconds: 0, keepFiringMilliseconds: 0, actions: [])
    }

    @Test("thresholds come out of rule expressions", arguments: [
        // Intent: the plain comparison.
        ("psi > 0.2", ["psi > 0.2"]),
        // Intent: a selector with matchers, and a second comparison joined by `and`.
        ("psi{feature!~\"prediction[.].*\"} > 0.2\n  and (ks_pvalue < 0.01 or chi2_pvalue <= 1e-3)", ["psi > 0.2", "ks_pvalue < 0.01", "chi2_pvalue <= 0.001"]),
        // Intent: the mirrored form reads as the metric's side.
        ("0.9 > accuracy", ["accuracy < 0.9"]),
        // Intent: arithmetic against another series is not a constant threshold.
        ("accuracy / reference_accuracy < 0.95", []),
        ("accuracy / reference_accuracy < 0.95 and on(model, version, window) labeled_count >= 200", ["labeled_count >= 200"]),
        ("psi * 2 > 0.4", []),
        // Intent: unknown names (functions, labels) are no metrics; durations are no numbers.
        ("max by (model) (psi) >= 0.3", []),
        ("count < 100", ["count < 100"]),
    ])
    func thresholds(expr: String, expected: [String]) {
        let got = Thresholds.extract(from: rule(expr)).map { "\($0.metric) \($0.op) \(Text.number($0.value))" }
        #expect(got == expected)
    }

    @Test("a feature matcher restricts a threshold to that feature")
    func featureMatcher() throws {
        let t = try #require(Thresholds.extract(from: rule("psi{feature=\"amount\", model=\"fraud\"} > 0.1")).first)
        #expect(Thresholds.applies(t, feature: "amount"))
        #expect(!Thresholds.applies(t, feature: "age"))
        let any = try #require(Thresholds.extract(from: rule("psi > 0.1")).first)
        #expect(Thresholds.applies(any, feature: "age"))
    }

    @Test("the metrics an expression reads, in order, without label values")
    func metrics() {
        #expect(Thresholds.metrics(in: "psi{feature=\"count\"} > 0.2 and ks_pvalue < 0.01 and psi > 0") == ["psi", "ks_pvalue"])
    }

    @Test("line diff: changed lines only, removals before additions at a change")
    func lineDiff() {
        #expect(LineDiff.diff([], ["a", "b"]) == ["+ a", "+ b"])
        #expect(LineDiff.diff(["a", "b", "c"], ["a", "x", "c", "d"]) == ["- b", "+ x", "+ d"])
        #expect(LineDiff.diff(["a"], ["a"]).isEmpty)
    }

    @Test("numbers for people: 4 significant digits, integers plain, NaN as a dash", arguments: [
        (0.2, "0.2"), (1.0, "1"), (62.0004, "62"), (0.123456, "0.1235"), (12345.6, "12346"), (3.2739e-21, "3.274e-21"),
        (Double.nan, "–"), (0, "0"), (-0.5, "-0.5"),
    ])
    func number(value: Double, text: String) {
        #expect(Text.number(value) == text)
    }

    @Test("window ends collapse into runs of consecutive windows")
    func ranges() {
        let h: Int64 = 3_600_000
        let ends = [1, 2, 3, 5, 7, 8].map { Timestamp(milliseconds: $0 * h) }
        #expect(Text.step(ends) == h)
        #expect(Text.ranges(ends, step: h) == [
            "1970-01-01T01:00:00Z … 1970-01-01T03:00:00Z (3)", "1970-01-01T05:00:00Z", "1970-01-01T07:00:00Z … 1970-01-01T08:00:00Z (2)",
        ])
    }

    @Test("JSON strings escape quotes, backslashes and control characters; non-finite numbers are null")
    func json() {
        var w = JSONWriter()
        w.object { w in
            w.string("s", "a\"b\\c\nd\u{1}é")
            w.number("nan", .nan)
            w.number("x", 0.25)
            w.int("i", 3)
        }
        #expect(w.out == "{\n  \"s\": \"a\\\"b\\\\c\\nd\\u0001é\",\n  \"nan\": null,\n  \"x\": 0.25,\n  \"i\": 3\n}")
    }

    @Test("a line chart breaks at missing figures and draws thresholds and drifted windows")
    func chart() {
        let points = [0.1, .nan, 0.3, 0.4].enumerated().map { Report.Point(at: Timestamp(milliseconds: Int64($0.offset + 1) * 3_600_000), value: $0.element) }
        var out = ""
        SVGChart.line(into: &out, title: "psi <x>", points: points,
                      thresholds: [Report.Threshold(rule: "R", metric: "psi", op: ">", value: 0.2)], shaded: [points[3].at])
        #expect(out.ranges(of: "<polyline").count == 2)
        #expect(out.ranges(of: "class=\"threshold\"").count == 1)
        #expect(out.ranges(of: "class=\"drifted\"").count == 1)
        #expect(out.contains("psi &lt;x&gt;") && !out.contains("<x>"))
        #expect(!out.contains("<script"))
    }
}
