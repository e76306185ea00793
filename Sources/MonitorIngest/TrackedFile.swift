/// One file a ``FileSource`` reads: its descriptor and how far it has been read.
///
/// Invariants:
/// - `offset` is a line boundary (just past a `\n`, or 0), except after a final unterminated
///   line (`endsLine == false`) and at a ``FileSource/StartPosition/end`` start inside an
///   oversized line (`skip != nil`).
/// - while `skip` is set, `offset == skip.lineStart` (a checkpoint never points inside the line).
/// - `fd` is open unless `closed`; an open descriptor pins the inode, so `identity` is exact.
final class TrackedFile {
    /// A line longer than the limit, being skipped to its `\n`.
    struct Skip {
        /// Where the line starts (the checkpointed offset while skipping).
        var lineStart: Int64
        /// Bytes before this offset have been searched for `\n`.
        var scanned: Int64
        /// The line's first bytes, for a dead letter (may be empty).
        var prefix: [UInt8]
        /// The rest of a line whose start was consumed before (a resumed offset that is not a
        /// line boundary): skipped silently, not counted as a line of its own.
        var fragment = false
    }

    let identity: FileIdentity
    let key: String
    /// The path it was last seen at.
    var path: String
    /// Sort key: the path it was followed under (a rotated file keeps the path it rotated from,
    /// so that it is read before its successor).
    var order: String
    /// Set when the followed path stopped naming this file: the rotation sequence number.
    var detached: Int?
    var fd: Int32
    var closed = false
    /// Removed from the source at the end of the pass.
    var retired = false
    var offset: Int64 = 0
    /// Whether `offset` is just past a `\n` (or 0).
    var endsLine = true
    /// The 1-based number of the line starting at `offset`.
    var nextLine = 1
    var fingerprint = Fingerprint.empty
    /// Size and modification time at the last check (size at least what was read).
    var size: Int64 = 0
    var modified: Int64 = 0
    /// When a detached file last grew (or was detached).
    var lastActivity: Duration = .zero
    var skip: Skip?

    init(identity: FileIdentity, path: String, fd: Int32) {
        self.identity = identity
        key = identity.key
        self.path = path
        order = path
        self.fd = fd
    }

    /// Reading order: by path, bytewise; rotated files before the file now at their path, in
    /// rotation order.
    static func precedes(_ a: TrackedFile, _ b: TrackedFile) -> Bool {
        if a.order != b.order { return FileSystem.bytewise(a.order, b.order) }
        return (a.detached ?? .max) < (b.detached ?? .max)
    }
}
