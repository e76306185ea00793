import MonitorCore
import Testing

@testable import MonitorRules

@Suite("Templates")
struct TemplateTests {
    static let labels: Labels = ["feature": "amount", "model": "fraud"]

    @Test(arguments: [
        // Intent: plain text passes through.
        ("no actions", 0.3, "no actions"),
        // Intent: $labels.<name> and $value in the shortest form.
        ("{{ $labels.feature }} drifted (PSI {{ $value }})", 0.3, "amount drifted (PSI 0.3)"),
        // Intent: integral values without a trailing .0; tiny values in exponent form.
        ("{{ $value }}", 2, "2"),
        ("{{ $value }}", 0.00001, "1e-05"),
        ("{{ $value }}", .nan, "NaN"),
        ("{{ $value }}", -.infinity, "-Inf"),
        // Intent: a missing label renders empty.
        ("[{{ $labels.nope }}]", 1, "[]"),
        // Intent: $labels alone renders the set.
        ("{{ $labels }}", 1, #"{feature="amount", model="fraud"}"#),
        // Intent: Go-template spellings.
        ("{{ .Labels.model }} {{ .Value }}", 0.5, "fraud 0.5"),
        // Intent: printf in pipeline and function form, with literal text and %%.
        (#"{{ $value | printf "%.3f" }}"#, 0.3, "0.300"),
        (#"{{ printf "%.1f%%" $value }}"#, 12.345, "12.3%"),
        (#"{{ $value | printf "%e" }}"#, 1234.5, "1.234500e+03"),
        (#"{{ $labels.feature | printf "<%s>" }}"#, 1, "<amount>"),
        // Intent: humanize with SI prefixes, humanizePercentage.
        ("{{ $value | humanize }}", 1_234_567, "1.235M"),
        ("{{ $value | humanize }}", 0.0123, "12.3m"),
        ("{{ $value | humanize }}", 0, "0"),
        ("{{ $value | humanizePercentage }}", 0.1234, "12.34%"),
        // Intent: chained functions.
        ("{{ $labels.model | toUpper }}", 1, "FRAUD"),
        // Intent: trim markers and comments.
        ("a  {{- $value -}}  b", 1, "a1b"),
        ("x{{/* note */}}y", 1, "xy"),
        ("page{{/* a comment only */}}", 1, "page"),
        // Intent: a string literal operand.
        (#"{{ "lit" }}"#, 1, "lit"),
    ] as [(String, Double, String)])
    func render(text: String, value: Double, expected: String) throws {
        let t = try Template(text)
        #expect(t.render(labels: TemplateTests.labels, value: value) == expected)
    }

    @Test func printfOutputLongerThanTheStackBuffer() throws {
        let t = try Template(#"{{ $value | printf "%.600f" }}"#)
        let out = t.render(labels: [:], value: 1)
        #expect(out.count == 602)
        #expect(out.hasPrefix("1.000"))
    }

    @Test(arguments: [
        // Intent: an unclosed action, at its {{.
        ("ok {{ $value", 3, "unclosed action"),
        // Intent: unknown variables, at the variable.
        ("{{ $val }}", 3, "unknown variable $val"),
        ("{{ .Foo }}", 3, "unknown variable .Foo"),
        // Intent: unknown functions, at the name.
        ("{{ $value | round }}", 12, "unknown function \"round\""),
        // Intent: an integer verb for a float.
        (#"{{ $value | printf "%d" }}"#, 19, "unsupported printf verb \"%d\""),
        // Intent: two verbs.
        (#"{{ $value | printf "%f %f" }}"#, 19, "exactly one value"),
        // Intent: a number format applied to a label.
        (#"{{ $labels.model | printf "%.2f" }}"#, 26, "needs a number"),
        // Intent: an empty action and a dangling pipe.
        ("{{ }}", 2, "empty template action"),
        ("{{ $value | }}", 12, "missing command after \"|\""),
        // Intent: invalid label name after $labels.
        ("{{ $labels.9x }}", 3, "invalid label name"),
        // Intent: printf without a value.
        (#"{{ printf "%f" }}"#, 3, "printf needs a value"),
    ])
    func errors(text: String, offset: Int, message: String) {
        let (t, errors) = Template.parse(text)
        #expect(t == nil)
        #expect(errors.first?.offset == offset, "\(errors)")
        #expect(errors.first?.message.contains(message) == true, "\(errors)")
    }
}

@Suite("Value formatting")
struct ValueFormatterTests {
    @Test(arguments: [
        // Intent: shortest round-trip decimals.
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (-0.0, "-0"),
        (123456, "123456"),
        (.infinity, "+Inf"),
    ] as [(Double, String)])
    func shortest(value: Double, expected: String) {
        #expect(ValueFormatter.shortest(value) == expected)
    }
}
