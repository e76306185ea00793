public import MonitorCore

/// A run of complete lines from one file, as ``FileSource/poll()`` hands it out.
///
/// Invariants:
/// - `range` starts at a line boundary; `range.count` is the bytes of ``Content-swift.enum/lines(_:)``
///   (or the skipped line's bytes, line break included, for an oversized line).
/// - ``Content-swift.enum/lines(_:)`` holds at least one line; every line ends with `\n` except,
///   in `--once` mode or for a rotated file being closed, a final line at the end of the file.
/// - `positions` are the source's positions once this chunk is processed: checkpoint them with
///   the state that includes this chunk's records, never before.
public struct FileChunk: Sendable {
    /// What the chunk carries.
    public enum Content: Sendable, Hashable {
        /// Whole lines, ready for ``JSONLDecoder/decode(_:firstLineNumber:into:report:)``.
        case lines([UInt8])
        /// One line longer than ``FileSource/Configuration/maxLineBytes``, skipped: its first
        /// bytes (at most ``FileChunk/oversizedPrefixBytes``, for a dead letter) and its length
        /// without the line break.
        case oversizedLine(prefix: [UInt8], length: Int64)
    }

    /// How many leading bytes of a skipped oversized line are kept: as much as a dead letter
    /// shows of a record (``DeadLetterWriter/defaultRecordLimit``).
    public static let oversizedPrefixBytes = 4096

    /// The source's name.
    public var source: String
    /// The file's path when it was read (for a rotated file, the path it had when it was followed).
    public var path: String
    /// The file's identity, `file:<device>:<inode>` (``MonitorCore/SourcePosition/key``).
    public var key: String
    /// The bytes of the file this chunk covers.
    public var range: Range<Int64>
    /// The 1-based number of the chunk's first line in its file. Counted from where reading
    /// started: from the file's start, or from the resume point's saved count, or from 1 at the
    /// start point of ``FileSource/StartPosition/end``; restarts at 1 after a truncation.
    public var firstLineNumber: Int
    /// Lines in the chunk.
    public var lineCount: Int
    /// The lines, or a skipped oversized line.
    public var content: Content
    /// The positions of all the source's files after this chunk (see the type's invariants).
    public var positions: [SourcePosition]

    /// Creates a chunk (sources build these; public for tests and other sources).
    public init(
        source: String, path: String, key: String, range: Range<Int64>, firstLineNumber: Int, lineCount: Int, content: Content,
        positions: [SourcePosition]
    ) {
        self.source = source
        self.path = path
        self.key = key
        self.range = range
        self.firstLineNumber = firstLineNumber
        self.lineCount = lineCount
        self.content = content
        self.positions = positions
    }

    /// The line bytes (empty for an oversized line).
    public var bytes: [UInt8] {
        if case .lines(let b) = content { return b }
        return []
    }
}
