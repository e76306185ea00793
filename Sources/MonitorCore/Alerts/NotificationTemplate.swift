/// A notification title or summary template: text with `{{ .Field }}` placeholders, a small
/// subset of Alertmanager's Go templates that covers what a message line needs.
///
/// Fields: `.Status` (`firing`/`resolved`), `.StatusUpper`, `.Receiver`, `.NumFiring`,
/// `.NumResolved`, `.GroupKey`, `.GroupLabels.NAME`, `.CommonLabels.NAME`,
/// `.CommonAnnotations.NAME`. A missing label renders as the empty string.
///
/// ```swift
/// let t = try NotificationTemplate(parsing: "[{{ .StatusUpper }}] {{ .CommonLabels.alertname }} on {{ .GroupLabels.model }}")
/// ```
public struct NotificationTemplate: Hashable, Sendable {
    /// One piece of a template.
    public enum Part: Hashable, Sendable {
        case text(String)
        case field(Field)
    }

    /// A placeholder.
    public enum Field: Hashable, Sendable {
        case status, statusUpper, receiver, numFiring, numResolved, groupKey
        case groupLabel(String), commonLabel(String), commonAnnotation(String)
    }

    /// Why a template could not be parsed.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let parts: [Part]
    public let source: String

    public init(parsing text: String) throws(ParseError) {
        source = text
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw ParseError(description: "unclosed \"{{\" in template \"\(text)\"")
            }
            let body = rest[open.upperBound..<close.lowerBound].trimmingSpaces
            parts.append(.field(try Self.field(body)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    static func field(_ body: String) throws(ParseError) -> Field {
        switch body {
        case ".Status": return .status
        case ".StatusUpper": return .statusUpper
        case ".Receiver": return .receiver
        case ".NumFiring": return .numFiring
        case ".NumResolved": return .numResolved
        case ".GroupKey": return .groupKey
        default: break
        }
        for (prefix, make) in [(".GroupLabels.", Field.groupLabel), (".CommonLabels.", Field.commonLabel),
                               (".CommonAnnotations.", Field.commonAnnotation)] as [(String, (String) -> Field)] {
            if body.hasPrefix(prefix) {
                let name = String(body.dropFirst(prefix.count))
                guard AlertMatcher.isLabelName(name) else { throw ParseError(description: "\"\(name)\" is not a label name in {{ \(body) }}") }
                return make(name)
            }
        }
        throw ParseError(description: "unknown field {{ \(body) }}; known: .Status, .StatusUpper, .Receiver, .NumFiring, .NumResolved, .GroupKey, .GroupLabels.NAME, .CommonLabels.NAME, .CommonAnnotations.NAME")
    }

    /// Renders with a value for each field.
    public func render(_ value: (Field) -> String) -> String {
        var out = ""
        for p in parts {
            switch p {
            case .text(let t): out += t
            case .field(let f): out += value(f)
            }
        }
        return out
    }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
