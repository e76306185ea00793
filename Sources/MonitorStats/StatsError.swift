/// An error thrown by a statistic when its input is outside the statistic's domain.
///
/// A struct over a private code, so that new cases can be added without breaking callers.
public struct StatsError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Code: Hashable, Sendable {
        case emptyInput
        case invalidArgument
        case lengthMismatch
    }
    let code: Code
    /// What was wrong, for people.
    public let message: String

    /// A sample was empty (after missing values were removed) where the statistic needs data.
    public static func emptyInput(_ message: String) -> StatsError { .init(code: .emptyInput, message: message) }
    /// An argument was outside its documented domain.
    public static func invalidArgument(_ message: String) -> StatsError { .init(code: .invalidArgument, message: message) }
    /// Two inputs that must have the same length did not.
    public static func lengthMismatch(_ message: String) -> StatsError { .init(code: .lengthMismatch, message: message) }

    public var description: String { message }
    public static func == (a: StatsError, b: StatsError) -> Bool { a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(code) }
}
