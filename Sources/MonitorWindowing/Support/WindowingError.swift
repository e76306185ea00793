/// An error of the windowing layer: a profile or a checkpoint that cannot be decoded, or a
/// window configuration that cannot be run.
///
/// A struct over a private code, so that new cases can be added without breaking callers.
public struct WindowingError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Code: Hashable, Sendable {
        case corruptProfile
        case corruptState
        case unsupportedVersion
        case invalidConfiguration
    }
    let code: Code
    /// What was wrong, for people.
    public let message: String

    /// Reference-profile bytes that are truncated, inconsistent or fail their checksum.
    public static func corruptProfile(_ message: String) -> WindowingError { .init(code: .corruptProfile, message: message) }
    /// Checkpoint records that are truncated, inconsistent or fail their checksum.
    public static func corruptState(_ message: String) -> WindowingError { .init(code: .corruptState, message: message) }
    /// Bytes written by a format version this build does not read.
    public static func unsupportedVersion(_ message: String) -> WindowingError { .init(code: .unsupportedVersion, message: message) }
    /// Window specifications that cannot be run (non-positive sizes, size not a multiple of slide…).
    public static func invalidConfiguration(_ message: String) -> WindowingError { .init(code: .invalidConfiguration, message: message) }

    public var description: String { message }
    public static func == (a: WindowingError, b: WindowingError) -> Bool { a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(code) }
}
