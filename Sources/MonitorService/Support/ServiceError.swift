/// An error from a service entry point, rendered for people by the CLI.
public struct ServiceError: Error, CustomStringConvertible, Sendable {
    /// What the CLI should exit with: 1 for a failed check or bad input data, 2 for usage.
    public enum Kind: Sendable { case io, input, usage, config }
    /// How the CLI should treat it.
    public var kind: Kind
    /// What went wrong, naming the file or setting involved.
    public var message: String
    public var description: String { message }

    public static func io(_ m: String) -> ServiceError { .init(kind: .io, message: m) }
    public static func input(_ m: String) -> ServiceError { .init(kind: .input, message: m) }
    public static func usage(_ m: String) -> ServiceError { .init(kind: .usage, message: m) }
    public static func config(_ m: String) -> ServiceError { .init(kind: .config, message: m) }
}
