/// One Alertmanager label matcher: `name="value"`, `name!="value"`, `name=~"regex"`,
/// `name!~"regex"`, used by routes, inhibit rules and silences.
///
/// A missing label matches as the empty string, and regular expressions are anchored at both
/// ends (`team=~"ml|data"` must match the whole value), as in Alertmanager.
///
/// ```swift
/// let m = try AlertMatcher(parsing: #"severity=~"page|critical""#)
/// m.matches(["severity": "page"])   // true
/// ```
public struct AlertMatcher: Hashable, Sendable, CustomStringConvertible {
    /// The comparison.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case equal = "=", notEqual = "!=", regexMatch = "=~", regexNoMatch = "!~"
    }

    /// Why a matcher could not be parsed (the message names the problem).
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let name: String
    public let op: Operator
    public let value: String
    private let regex: MatcherRegex?

    /// A matcher; throws ``ParseError`` for an invalid label name or regular expression.
    public init(name: String, op: Operator, value: String) throws(ParseError) {
        guard Self.isLabelName(name) else { throw ParseError(description: "\"\(name)\" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)") }
        self.name = name
        self.op = op
        self.value = value
        switch op {
        case .equal, .notEqual: regex = nil
        case .regexMatch, .regexNoMatch:
            do { regex = try MatcherRegex(value) } catch { throw ParseError(description: "invalid regular expression \"\(value)\": \(error)") }
        }
    }

    /// Parses `name OP value`, the value optionally double-quoted (with `\"` and `\\` escapes),
    /// spaces around the operator allowed: `alertname = "FeatureDrift"`, `severity!=info`.
    public init(parsing text: String) throws(ParseError) {
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count, s[i] == " " { i += 1 }
        let nameStart = i
        while i < s.count, s[i] == "_" || ("a"..."z").contains(s[i]) || ("A"..."Z").contains(s[i]) || ("0"..."9").contains(s[i]) {
            i += 1
        }
        let name = String(String.UnicodeScalarView(s[nameStart..<i]))
        while i < s.count, s[i] == " " { i += 1 }
        var opText = ""
        while i < s.count, "=!~".unicodeScalars.contains(s[i]), opText.count < 2 {
            opText.unicodeScalars.append(s[i])
            i += 1
        }
        guard !name.isEmpty else { throw ParseError(description: "\"\(text)\": expected NAME=\"value\" (operators =, !=, =~, !~)") }
        guard let op = Operator(rawValue: opText) else {
            throw ParseError(description: "\"\(text)\": expected an operator (=, !=, =~, !~) after \"\(name)\"")
        }
        while i < s.count, s[i] == " " { i += 1 }
        var value = ""
        if i < s.count, s[i] == "\"" {
            i += 1
            var closed = false
            while i < s.count {
                if s[i] == "\\", i + 1 < s.count {
                    value.unicodeScalars.append(s[i + 1] == "n" ? "\n" : s[i + 1])
                    i += 2
                    continue
                }
                if s[i] == "\"" {
                    closed = true
                    i += 1
                    break
                }
                value.unicodeScalars.append(s[i])
                i += 1
            }
            guard closed else { throw ParseError(description: "\"\(text)\": unterminated quoted value") }
            while i < s.count, s[i] == " " { i += 1 }
            guard i == s.count else { throw ParseError(description: "\"\(text)\": unexpected text after the quoted value") }
        } else {
            value = String(String.UnicodeScalarView(s[i...]))
            while value.hasSuffix(" ") { value.removeLast() }
        }
        try self.init(name: name, op: op, value: value)
    }

    /// Whether the labels satisfy the matcher (an absent label is the empty string).
    public func matches(_ labels: Labels) -> Bool {
        let v = labels[name] ?? ""
        switch op {
        case .equal: return v == value
        case .notEqual: return v != value
        case .regexMatch: return regex!.matches(v)
        case .regexNoMatch: return !regex!.matches(v)
        }
    }

    /// `name="value"` (the value quoted and escaped; parses back to an equal matcher).
    public var description: String { "\(name)\(op.rawValue)\"\(Labels.escape(value))\"" }

    public static func == (a: AlertMatcher, b: AlertMatcher) -> Bool { a.name == b.name && a.op == b.op && a.value == b.value }
    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(op)
        h.combine(value)
    }

    static func isLabelName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}

extension Array where Element == AlertMatcher {
    /// Whether every matcher matches (an empty list matches everything).
    public func matches(_ labels: Labels) -> Bool { allSatisfy { $0.matches(labels) } }
}

/// A fully anchored regular expression over a label value.
final class MatcherRegex: @unchecked Sendable {
    // @unchecked: `Regex` is an immutable value whose lazily compiled program is initialised
    // thread-safely by the standard library; it only lacks the `Sendable` annotation.
    private let regex: Regex<AnyRegexOutput>

    init(_ pattern: String) throws {
        regex = try Regex(pattern).matchingSemantics(.unicodeScalar)
    }

    func matches(_ s: String) -> Bool { s.wholeMatch(of: regex) != nil }
}
