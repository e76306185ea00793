/// An error raised by a file source, a dead-letter writer or a decoder entry point. Bad
/// *records* are never errors: they are counted in `DecodeReport` (DESIGN §13).
public struct IngestError: Error, CustomStringConvertible, Equatable {
    private enum Code: Equatable {
        case fileNotFound
        case isDirectory
        case unreadable(String)
        case unwritable(String)
    }
    private let code: Code
    /// The path the error is about.
    public let path: String

    private init(_ code: Code, path: String) {
        self.code = code
        self.path = path
    }

    /// The file does not exist.
    public static func fileNotFound(_ path: String) -> IngestError { IngestError(.fileNotFound, path: path) }
    /// The path names a directory.
    public static func isDirectory(_ path: String) -> IngestError { IngestError(.isDirectory, path: path) }
    /// The file could not be opened or read; `reason` is the system's error text.
    public static func unreadable(_ path: String, reason: String) -> IngestError { IngestError(.unreadable(reason), path: path) }
    /// The file could not be created or written; `reason` is the system's error text.
    public static func unwritable(_ path: String, reason: String) -> IngestError { IngestError(.unwritable(reason), path: path) }

    /// A one-line message naming the path, e.g. `data/current.jsonl: no such file`.
    public var description: String {
        switch code {
        case .fileNotFound: return "\(path): no such file"
        case .isDirectory: return "\(path): is a directory, expected a JSONL file"
        case .unreadable(let reason): return "\(path): cannot read: \(reason)"
        case .unwritable(let reason): return "\(path): cannot write: \(reason)"
        }
    }
}
