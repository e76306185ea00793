public import MonitorCore

extension FileSource {
    /// Counters of what a file source did, since it was created (for self-metrics such as
    /// `monitor_ingest_file_rotations_total`).
    public struct Statistics: Sendable, Hashable {
        /// Files opened (first seen, appeared, or resumed).
        public var filesOpened = 0
        /// Files closed after they were rotated away or deleted and drained.
        public var filesRetired = 0
        /// Times a followed path stopped naming the file being read (renamed away, replaced or
        /// deleted).
        public var rotations = 0
        /// Times a file was found shorter than the offset read (or rewritten under it) and was
        /// restarted at offset 0 (`copytruncate`, `> file`).
        public var truncations = 0
        /// Lines longer than ``Configuration/maxLineBytes``, skipped.
        public var oversizedLines = 0
        /// Checkpointed positions whose file could not be found on resume (skipped).
        public var unresolvedPositions = 0
        /// Checkpointed positions whose inode was found holding other content (a reused inode,
        /// or a file truncated and rewritten while the service was down): read from 0 as a new file.
        public var identityMismatches = 0
        /// Bytes handed out in chunks (oversized lines included).
        public var bytesRead: Int64 = 0
        /// Lines handed out in chunks (oversized lines included).
        public var linesRead = 0
        /// Events dropped because ``FileSource/takeEvents()`` was not called often enough.
        public var droppedEvents = 0

        /// All zero.
        public init() {}
    }

    /// Something worth a log line, in the order it happened (see ``FileSource/takeEvents()``).
    public enum Event: Sendable, Hashable {
        /// A file was opened; reading starts at `offset`.
        case opened(path: String, key: String, offset: Int64)
        /// A checkpointed file was found (at `path`, possibly renamed) and resumes at `offset`.
        case resumed(path: String, key: String, offset: Int64)
        /// A followed path no longer names the file `key` (renamed away, replaced or deleted);
        /// the file is read to its end and closed after ``Configuration/rotationGrace``.
        case rotated(path: String, key: String)
        /// The file at `path` was shorter than `offset` (or rewritten under it); restarted at 0.
        case truncated(path: String, key: String, offset: Int64, size: Int64)
        /// A rotated or deleted file was read to its end and closed at `offset`.
        case retired(path: String, key: String, offset: Int64)
        /// A checkpointed position's file was not found at its path, at any path the source
        /// reads, or beside its path (rotated siblings). Skipped.
        case positionNotFound(SourcePosition)
        /// A checkpointed position's inode exists but holds other content (fingerprint
        /// mismatch). The file found there is read from 0 if the source reads its path.
        case identityMismatch(SourcePosition, path: String)
        /// A line longer than ``Configuration/maxLineBytes`` was skipped.
        case oversizedLine(path: String, line: Int, length: Int64)
        /// A file could not be opened or its directory listed (follow mode retries on every
        /// pass; this is reported once until it succeeds).
        case unreadable(path: String, reason: String)
    }
}
