import MonitorCore

/// One label matcher of a selector: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
///
/// A missing label matches as the empty string (Prometheus semantics). Regular expressions are
/// fully anchored, as in Prometheus: `feature=~"prediction.*"` must match the whole value.
struct LabelMatcher: Sendable, CustomStringConvertible {
    enum Op: String, Sendable {
        case equal = "=", notEqual = "!=", regexMatch = "=~", regexNoMatch = "!~"
    }

    let name: String
    let op: Op
    let value: String
    private let regex: AnchoredRegex?

    /// Creates a matcher; throws the regex compiler's message for a bad pattern.
    init(name: String, op: Op, value: String) throws {
        self.name = name
        self.op = op
        self.value = value
        switch op {
        case .equal, .notEqual: regex = nil
        case .regexMatch, .regexNoMatch: regex = try AnchoredRegex(value)
        }
    }

    /// Whether a label value (empty when the label is absent) satisfies the matcher.
    func matches(_ labelValue: String) -> Bool {
        switch op {
        case .equal: return labelValue == value
        case .notEqual: return labelValue != value
        case .regexMatch: return regex!.matches(labelValue)
        case .regexNoMatch: return !regex!.matches(labelValue)
        }
    }

    var description: String { "\(name)\(op.rawValue)\"\(Labels.escape(value))\"" }
}

/// A regular expression matched against a whole label value, with fast paths for the shapes
/// rules use most (`a|b|c`, `prefix.*`, `.*`), which avoid the general regex engine.
final class AnchoredRegex: @unchecked Sendable {
    // @unchecked: `Regex` is an immutable value whose lazily compiled program is initialised
    // thread-safely by the standard library; it is only missing the `Sendable` annotation.
    private enum Shape {
        case any
        case nonEmpty
        case literals(Set<String>)
        case prefix(String)
        case general(Regex<AnyRegexOutput>)
    }
    private let shape: Shape

    init(_ pattern: String) throws {
        func isLiteral(_ s: Substring) -> Bool {
            s.unicodeScalars.allSatisfy { Identifiers.isLetter($0) || Identifiers.isDigit($0) || "_-:/ ".unicodeScalars.contains($0) }
        }
        if pattern == ".*" {
            shape = .any
        } else if pattern == ".+" {
            shape = .nonEmpty
        } else if isLiteral(Substring(pattern).replacing("|", with: "")) {
            shape = .literals(Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init)))
        } else if pattern.hasSuffix(".*"), isLiteral(pattern.dropLast(2)) {
            shape = .prefix(String(pattern.dropLast(2)))
        } else {
            shape = .general(try Regex(pattern).matchingSemantics(.unicodeScalar))
        }
    }

    func matches(_ s: String) -> Bool {
        switch shape {
        case .any: return true
        case .nonEmpty: return !s.isEmpty
        case .literals(let set): return set.contains(s)
        case .prefix(let p): return s.hasPrefix(p)
        case .general(let r): return s.wholeMatch(of: r) != nil
        }
    }
}
