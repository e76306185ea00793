import Testing

@testable import MonitorRules

@Suite("Series values notation")
struct SeriesValuesTests {
    static func render(_ text: String) -> String {
        let (values, errors) = SeriesValues.parse(text)
        if let e = errors.first { return "error@\(e.offset): \(e.message)" }
        return values.map { $0.map { ValueFormatter.shortest($0) } ?? "_" }.joined(separator: " ")
    }

    @Test(arguments: [
        // Intent: plain values and blanks.
        ("1 2 _ 3", "1 2 _ 3"),
        // Intent: a+bxN gives N+1 values (promtool).
        ("-2+4x3", "-2 2 6 10"),
        ("1-2x4", "1 -1 -3 -5 -7"),
        // Intent: axN repeats a N+1 times.
        ("1x4", "1 1 1 1 1"),
        // Intent: _xN gives N blanks; stale is a blank.
        ("1 _x3 stale", "1 _ _ _ _"),
        // Intent: the brief's example.
        ("0.1 0.3 0.3 _ 0.05x3 0+0.1x4", "0.1 0.3 0.3 _ 0.05 0.05 0.05 0.05 0 0.1 0.2 0.30000000000000004 0.4"),
        // Intent: exponents are not mistaken for the operator.
        ("1e-3+1e-3x2", "0.001 0.002 0.003"),
        // Intent: special values.
        ("Inf -Inf NaN", "+Inf -Inf NaN"),
        // Intent: x0 is just the start value.
        ("5x0", "5"),
    ])
    func expand(text: String, expected: String) {
        #expect(SeriesValuesTests.render(text) == expected)
    }

    @Test(arguments: [
        // Intent: garbage, positioned at its token.
        ("1 2 abc", 4, "\"abc\" is not a number"),
        // Intent: a missing count.
        ("1 1+1x", 2, "expected a repeat count"),
        // Intent: a bad increment.
        ("1+ax3", 0, "not of the form a+bxN"),
        // Intent: absurd counts.
        ("1x100000000", 0, "repeat count"),
    ])
    func errors(text: String, offset: Int, message: String) {
        let (_, errors) = SeriesValues.parse(text)
        #expect(errors.first?.offset == offset)
        #expect(errors.first?.message.contains(message) == true, "\(errors)")
    }
}
