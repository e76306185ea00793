/// A problem with an expression: a syntax or type error found when parsing, or a failure while
/// evaluating (for example many-to-many matching).
///
/// `offset` and `length` locate the offending token in the expression text, counted in Unicode
/// scalars; rule-file parsing turns them into a file line and column.
public struct ExpressionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem this is. New kinds may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case syntax, type, unknownMetric, unsupported, evaluation
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The text is not a well-formed expression.
        public static let syntax = Code(.syntax)
        /// Well-formed, but the operand types do not fit (e.g. `and` with a scalar operand).
        public static let type = Code(.type)
        /// A selector names a metric that no window emits.
        public static let unknownMetric = Code(.unknownMetric)
        /// A PromQL feature this small language does not implement (functions, `group_left`, …).
        public static let unsupported = Code(.unsupported)
        /// Evaluation failed (duplicate series in a one-to-one match, duplicate label sets).
        public static let evaluation = Code(.evaluation)

        public var description: String { base.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// Offset of the offending token from the start of the expression, in Unicode scalars.
    public var offset: Int
    /// Length of the offending token in Unicode scalars (at least 1 unless at the end).
    public var length: Int
    /// A sentence for the user, e.g. `unknown metric "psi_age" (did you mean "psi"?)`.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of problem.
    ///   - offset: Offset of the offending token, in Unicode scalars.
    ///   - length: Length of the offending token.
    ///   - message: The message shown to the user.
    public init(_ code: Code, offset: Int, length: Int = 1, _ message: String) {
        self.code = code
        self.offset = offset
        self.length = length
        self.message = message
    }

    /// `1:7: unknown metric "psi_age"` style (1-based column within the expression).
    public var description: String { "\(offset + 1): \(message)" }
}
