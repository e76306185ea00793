/// One lexical token of an expression.
///
/// Positions are offsets in Unicode scalars from the start of the expression text (YAML marks
/// count columns in Unicode scalars too, so offsets translate to file columns one to one).
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// Metric names, label names, keywords (`and`, `by`, …) and aggregation names.
        case identifier
        case number(Double)
        /// A string literal, decoded.
        case string(String)
        case leftParen, rightParen, leftBrace, rightBrace, comma
        case plus, minus, star, slash, percent, caret
        case equalEqual, notEqual, greater, less, greaterEqual, lessEqual
        /// `=`, `=~`, `!~` (label matchers only).
        case assign, regexMatch, regexNoMatch
        case end
    }

    var kind: Kind
    /// The token's text as written.
    var text: String
    /// Offset of the first scalar.
    var start: Int
    /// Offset one past the last scalar.
    var end: Int

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .end: return "end of input"
        case .string: return "string \(text)"
        case .number: return "number \(text)"
        default: return "\"\(text)\""
        }
    }
}
