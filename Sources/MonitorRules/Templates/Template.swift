public import MonitorCore

/// An annotation or label template, in the subset of Go's `text/template` that Prometheus rule
/// files use, checked when the rule file is loaded.
///
/// Supported inside `{{ … }}`:
/// - `$labels.<name>` (or `.Labels.<name>`): a label of the alert instance ("" when absent);
///   `$labels` alone renders the label set as `{a="b", …}`;
/// - `$value` (or `.Value`): the expression's value, as the shortest decimal that reads back
///   as the same number (`0.3`, `2`, `1e-05`, `NaN`, `+Inf`);
/// - pipelines into `printf "<format>"` (one C/Go verb: `%.3f`, `%e`, `%g`, `%s`, `%v`),
///   `humanize` (SI prefixes, `1.235k`), `humanizePercentage` (`12.34%`), `toUpper`, `toLower`;
///   the function form `printf "%.2f" $value` works too;
/// - trim markers `{{- … -}}` and comments `{{/* … */}}`.
///
/// Anything else (`$foo`, an unknown function, an unclosed `{{`) is a `TemplateError` with its
/// offset, reported at load time rather than at the first alert.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    enum Operand: Sendable, Hashable {
        case value, labels, label(String), string(String)
        var isNumber: Bool { self == .value }
    }
    enum Function: Sendable, Hashable {
        case printf(PrintfFormat)
        case humanize, humanizePercentage, toUpper, toLower
    }
    struct Action: Sendable, Hashable {
        var operand: Operand
        var functions: [Function]
    }
    enum Part: Sendable, Hashable {
        case text(String)
        case action(Action)
    }

    /// The template text as written.
    public let text: String
    let parts: [Part]

    /// Whether the template contains no action (rendering returns `text`).
    public var isConstant: Bool { parts.allSatisfy { if case .text = $0 { true } else { false } } }

    /// Parses a template.
    /// - Parameter text: The template.
    /// - Returns: The template, or the errors (each with its offset in Unicode scalars).
    public static func parse(_ text: String) -> (Template?, [TemplateError]) {
        var p = TemplateParser(text)
        let parts = p.parse()
        if !p.errors.isEmpty { return (nil, p.errors) }
        return (Template(text: text, parts: parts), [])
    }

    /// Parses a template.
    /// - Parameter text: The template.
    /// - Throws: The first `TemplateError`.
    public init(_ text: String) throws {
        let (t, errors) = Template.parse(text)
        guard let t else { throw errors[0] }
        self = t
    }

    init(text: String, parts: [Part]) {
        self.text = text
        self.parts = parts
    }

    /// Renders the template for one alert instance.
    /// - Parameters:
    ///   - labels: The instance's labels (`$labels`).
    ///   - value: The expression's value (`$value`).
    /// - Returns: The rendered text.
    public func render(labels: Labels, value: Double) -> String {
        if parts.count == 1, case .text(let s) = parts[0] { return s }
        var out = ""
        for part in parts {
            switch part {
            case .text(let s): out += s
            case .action(let a): out += Template.render(a, labels: labels, value: value)
            }
        }
        return out
    }

    public var description: String { text }

    private enum Datum {
        case number(Double)
        case text(String)
        var string: String {
            switch self {
            case .number(let v): return ValueFormatter.shortest(v)
            case .text(let s): return s
            }
        }
    }

    private static func render(_ a: Action, labels: Labels, value: Double) -> String {
        var d: Datum
        switch a.operand {
        case .value: d = .number(value)
        case .labels: d = .text(labels.description)
        case .label(let name): d = .text(labels[name] ?? "")
        case .string(let s): d = .text(s)
        }
        for f in a.functions {
            switch (f, d) {
            case (.printf(let format), _):
                if case .number(let v) = d { d = .text(format.format(v)) } else { d = .text(format.format(d.string)) }
            case (.humanize, .number(let v)): d = .text(ValueFormatter.humanize(v))
            case (.humanizePercentage, .number(let v)): d = .text(ValueFormatter.humanizePercentage(v))
            case (.humanize, .text(let s)), (.humanizePercentage, .text(let s)):
                // Label values that are numbers are humanized as Prometheus does; others pass through.
                if let v = Double(s) { d = .text(f == .humanize ? ValueFormatter.humanize(v) : ValueFormatter.humanizePercentage(v)) }
            case (.toUpper, _): d = .text(d.string.uppercased())
            case (.toLower, _): d = .text(d.string.lowercased())
            }
        }
        return d.string
    }
}

/// A problem in a template, positioned by offset (Unicode scalars) in the template text.
public struct TemplateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Offset of the offending text in the template, in Unicode scalars.
    public var offset: Int
    /// Length of the offending text.
    public var length: Int
    /// The message shown to the user.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - offset: Offset in Unicode scalars.
    ///   - length: Length in Unicode scalars.
    ///   - message: The message.
    public init(offset: Int, length: Int = 1, _ message: String) {
        self.offset = offset
        self.length = length
        self.message = message
    }

    public var description: String { "\(offset + 1): \(message)" }
}

/// A validated `printf` format with exactly one conversion.
struct PrintfFormat: Sendable, Hashable {
    /// The format as written.
    let text: String
    /// The conversion verb (`f`, `e`, `g`, `s`, `v`, …).
    let verb: Unicode.Scalar
    /// Text before and after the conversion, with `%%` already unescaped.
    let prefix: String
    let suffix: String

    var needsNumber: Bool { "eEfFgG".unicodeScalars.contains(verb) }

    /// The single conversion, e.g. `%.3f`.
    let conversion: String

    /// Why a format was rejected.
    struct Problem: Error {
        var message: String
    }

    /// Parses a format; the failure message says what is wrong.
    static func parse(_ text: String) -> Result<PrintfFormat, Problem> {
        let s = Array(text.unicodeScalars)
        var i = 0
        var prefix = String.UnicodeScalarView()
        var suffix = String.UnicodeScalarView()
        var conversion: String?
        var verb: Unicode.Scalar = "v"
        func literal(_ u: Unicode.Scalar) {
            if conversion == nil { prefix.append(u) } else { suffix.append(u) }
        }
        while i < s.count {
            if s[i] != "%" {
                literal(s[i])
                i += 1
                continue
            }
            if i + 1 < s.count, s[i + 1] == "%" {
                literal("%")
                i += 2
                continue
            }
            guard conversion == nil else { return .failure(Problem(message: "printf formats exactly one value, found a second verb in \"\(text)\"")) }
            var j = i + 1
            while j < s.count, "-+# 0".unicodeScalars.contains(s[j]) { j += 1 }
            while j < s.count, Identifiers.isDigit(s[j]) { j += 1 }
            if j < s.count, s[j] == "." {
                j += 1
                while j < s.count, Identifiers.isDigit(s[j]) { j += 1 }
            }
            guard j < s.count else { return .failure(Problem(message: "incomplete printf verb at the end of \"\(text)\"")) }
            guard "eEfFgGsv".unicodeScalars.contains(s[j]) else {
                let hint = s[j] == "d" ? " (the value is a float: use %.0f)" : ""
                return .failure(Problem(message: "unsupported printf verb \"%\(s[j])\"\(hint); use one of %f %e %g %s %v"))
            }
            if "sv".unicodeScalars.contains(s[j]), j != i + 1 {
                return .failure(Problem(message: "%\(s[j]) takes no flags, width or precision in templates"))
            }
            verb = s[j]
            var spec = String.UnicodeScalarView()
            spec.append(contentsOf: s[i...j])
            conversion = String(spec)
            i = j + 1
        }
        guard let conversion else { return .failure(Problem(message: "printf format \"\(text)\" has no verb for the value (e.g. %.3f)")) }
        return .success(PrintfFormat(text: text, verb: verb, prefix: String(prefix), suffix: String(suffix), conversion: conversion))
    }

    func format(_ v: Double) -> String {
        switch verb {
        case "s", "v": return prefix + ValueFormatter.shortest(v) + suffix
        default: return prefix + ValueFormatter.printf(conversion, v) + suffix
        }
    }

    func format(_ s: String) -> String { prefix + s + suffix }
}
