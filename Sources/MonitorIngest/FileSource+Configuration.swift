extension FileSource {
    /// Which files a source reads.
    public enum Target: Sendable, Hashable {
        /// One file, by path. In follow mode it may be absent at start, deleted and recreated.
        case file(String)
        /// The regular files matching a shell pattern (`glob(3)`: `*`, `?`, `[...]`, in any path
        /// component), e.g. `/var/log/fraud/predictions-*.jsonl`. Re-expanded on every pass in
        /// follow mode, so new files are picked up.
        case glob(String)
        /// The regular files directly inside a directory (not recursive) whose names match
        /// `pattern` (`fnmatch(3)`; hidden files only when the pattern starts with `.`).
        case directory(String, pattern: String = "*.jsonl")
    }

    /// Where reading starts in a file seen for the first time when there is no checkpoint.
    public enum StartPosition: Sendable, Hashable {
        /// At offset 0.
        case beginning
        /// After the last complete line present when the file is first seen (a line being
        /// written at that moment is read whole once it ends). Line numbers then count from 1
        /// at that point, since the lines before it are not counted.
        case end
    }

    /// A file source's settings.
    public struct Configuration: Sendable, Hashable {
        /// The source's name in the config (``MonitorCore/SourcePosition/source``).
        public var name: String
        /// The files to read.
        public var target: Target
        /// `true`: keep reading as the files grow, rotate and appear (like `tail -F`);
        /// `false` (`--once`): read every file to its end once, then ``FileSource/isAtEnd``.
        public var follow: Bool
        /// Where to start in files seen for the first time, when the source has no checkpointed
        /// position at all. With a checkpoint, and for files that appear while following, reading
        /// starts at offset 0 (their lines were written after the source started).
        public var startAt: StartPosition
        /// Upper bound of a chunk's bytes. A chunk holds whole lines; a single line longer than
        /// this is emitted alone. Capped at `maxLineBytes + 1`. 256 KiB matches the whole-file
        /// reader's `readSize`: the decoded rows of one chunk stay in the last-level cache.
        public var maxChunkBytes: Int
        /// A line longer than this (bytes, without the line break) is never buffered whole: the
        /// source skips it to its next `\n` and emits it as ``FileChunk/Content/oversizedLine(prefix:length:)``.
        /// Defaults to the decoder's `maxRecordBytes` (1 MiB), so a line the source hands over is
        /// never one the decoder would reject for its size.
        public var maxLineBytes: Int
        /// How long a rotated or deleted file is kept open after its last growth, for writers
        /// that still append to the old descriptor before they reopen the path. 5 s is Fluent
        /// Bit's `Rotate_Wait` default: longer than a `postrotate` signal takes to reach a writer.
        public var rotationGrace: Duration

        /// Creates a configuration.
        /// - Parameters:
        ///   - name: the source's name.
        ///   - target: the files to read.
        ///   - follow: keep following (`true`) or read to the end once (`false`).
        ///   - startAt: where to start in files seen for the first time, without a checkpoint.
        ///   - maxChunkBytes: upper bound of a chunk (whole lines).
        ///   - maxLineBytes: longer lines are skipped as oversized.
        ///   - rotationGrace: how long rotated and deleted files stay open after their last growth.
        public init(
            name: String, target: Target, follow: Bool, startAt: StartPosition = .beginning, maxChunkBytes: Int = 256 << 10,
            maxLineBytes: Int = DecodeOptions().maxRecordBytes, rotationGrace: Duration = .seconds(5)
        ) {
            self.name = name
            self.target = target
            self.follow = follow
            self.startAt = startAt
            self.maxChunkBytes = maxChunkBytes
            self.maxLineBytes = maxLineBytes
            self.rotationGrace = rotationGrace
        }
    }
}
