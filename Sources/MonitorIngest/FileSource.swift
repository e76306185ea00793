#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import MonitorCore

/// Reads JSON Lines files (one file, a glob, or a directory) as runs of complete lines, in batch
/// (`--once`) or follow mode (like `tail -F`), with positions to checkpoint (DESIGN §10, §11).
///
/// ## Use
/// Build it from a ``Configuration`` (and the checkpointed positions, to resume), then call
/// ``poll()`` in a loop on one thread: each call returns the next ``FileChunk`` of whole lines
/// from one file, or nil when there is nothing new right now. In follow mode, sleep the poll
/// interval after a nil; in `--once` mode, ``isAtEnd`` turns true with the nil that follows the
/// last chunk. Decode each chunk (``FileChunk/decode(with:into:report:)``) and checkpoint its
/// ``FileChunk/positions`` with the state that includes its records.
///
/// ## Threads
/// A source is used by one thread at a time (it does blocking `pread(2)`s). It is
/// `@unchecked Sendable` so that it can be created on one thread and handed to the thread that
/// polls it; calls from two threads at once are a programming error.
///
/// ## Order
/// Files are read in bytewise order of their paths (`predictions-2026-11-22.jsonl` before
/// `predictions-2026-11-23.jsonl`; `p-10` before `p-9`: zero-pad numbers), each to its current
/// end before the next. A rotated file is read before the file that replaced it at its path.
/// Follow mode repeats the passes; each pass first re-lists the files and checks each for
/// rotation and truncation.
///
/// ## Lines
/// A chunk ends exactly at a `\n` and holds at most ``Configuration/maxChunkBytes`` bytes,
/// unless a single line is longer: that line is emitted alone. A line longer than
/// ``Configuration/maxLineBytes`` is never buffered: it is skipped to its `\n` and emitted as
/// ``FileChunk/Content/oversizedLine(prefix:length:)`` (counted, so the decoder's report counts
/// it as `oversized`). In follow mode an unterminated last line is held back until its `\n`
/// arrives. In `--once` mode, and when a rotated or deleted file is closed after
/// ``Configuration/rotationGrace``, a final unterminated line is emitted as a record.
///
/// ## Rotation, truncation, new and deleted files (follow mode)
/// - Rename or delete-and-recreate (`logrotate` default): the path now names another inode (or
///   nothing). The old descriptor stays open: the old file is read to its end, then the new file
///   from offset 0. The old file is closed once it has not grown for ``Configuration/rotationGrace``
///   (a writer may append to the old descriptor until it reopens the path). Nothing is lost or
///   read twice.
/// - Truncation (`copytruncate`, `: > file`): the file is shorter than the offset read, or its
///   first bytes changed, or the byte before the offset is no longer a `\n`; it is read again from
///   0 and counted in ``Statistics/truncations``. Lines written after the truncation are read
///   exactly once. Lines written between the source's last read and the copy are in the copy
///   only: no tailer can see them (use rename rotation where loss matters), and a truncation
///   followed, before the next pass, by a rewrite with the same first 64 bytes and a `\n` at the
///   old offset is indistinguishable from growth.
/// - A glob or directory is re-listed on each pass: new files are read from offset 0; a file
///   renamed to another matching path is the same file (followed by inode). Rotated names must
///   not match the target when rotation copies (`copytruncate`): a copy is a new inode and would
///   be read again.
///
/// ## Resume
/// ``init(_:resumeFrom:now:)`` takes the checkpointed positions (those of other sources are
/// ignored). Each is looked up by identity (`file:<device>:<inode>`) at the paths the source
/// reads, at its saved path, then among the files in its saved path's directory (rotated
/// siblings such as `name.1`). A found file must still start with the bytes fingerprinted at
/// the checkpoint (FNV-1a of the first 64 bytes, in ``MonitorCore/SourcePosition/meta``);
/// otherwise its inode was reused (or the file rewritten) and it is treated as a new file. A
/// file found at a path the source no longer reads was rotated while the service was down: it
/// is read to its end first, then the file at its old path from 0. A file shorter than its
/// saved offset was truncated: read from 0. A position whose file cannot be found is skipped
/// and reported (``Event/positionNotFound(_:)``, ``Statistics/unresolvedPositions``): its
/// unread lines, if any, are lost. Files the checkpoint does not mention are read from 0.
///
/// Line numbers (``FileChunk/firstLineNumber``) are saved in the position's `meta` and continue
/// after a restart; they restart at 1 after a truncation or an identity mismatch.
public final class FileSource: @unchecked Sendable {
    /// The settings.
    public let configuration: Configuration
    /// What the source did so far.
    public internal(set) var statistics = Statistics()
    /// `--once` mode: true once every file was read to its end (``poll()`` then returns nil).
    /// Always false in follow mode.
    public private(set) var isAtEnd = false

    /// The files, in reading order.
    var files: [TrackedFile] = []
    var byIdentity: [FileIdentity: TrackedFile] = [:]
    /// The file the current pass is at (0: a pass starts on the next poll).
    var cursor = 0
    var passProducedData = false
    var events: [Event] = []
    var unreadableReported: Set<String> = []
    var rotationCount = 0
    /// One chunk's worth of read buffer.
    let scratch: UnsafeMutableRawPointer
    let chunkBytes: Int
    let lineLimit: Int
    let now: @Sendable () -> Duration

    /// Events kept until ``takeEvents()``: bounded, so that a caller that never asks does not
    /// grow memory; later events are dropped and counted.
    public static let eventLimit = 1024

    /// Creates a source; lists its files and resolves `positions`.
    /// - Parameters:
    ///   - configuration: the source's settings.
    ///   - positions: checkpointed positions to resume from (positions of other sources are
    ///     ignored); empty for a fresh start, where ``Configuration/startAt`` applies.
    ///   - now: monotonic time, read only to close rotated files after
    ///     ``Configuration/rotationGrace`` (tests pass a manual value).
    /// - Throws: ``IngestError`` in `--once` mode when a file or directory target is missing or
    ///   not readable, a `.file` target is a directory, or a listed file cannot be opened (follow
    ///   mode reports these as ``Event/unreadable(path:reason:)`` and retries on every pass).
    public init(
        _ configuration: Configuration, resumeFrom positions: [SourcePosition] = [],
        now: @escaping @Sendable () -> Duration = FileSource.monotonicNow
    ) throws {
        self.configuration = configuration
        lineLimit = max(1, configuration.maxLineBytes)
        chunkBytes = min(max(1, configuration.maxChunkBytes), lineLimit + 1)
        scratch = .allocate(byteCount: chunkBytes, alignment: 16)
        self.now = now
        // On a throw below, deinit runs (the instance is fully initialized): it closes what was
        // opened and frees the buffer.
        let matched = try matchingFiles(strict: !configuration.follow)
        let saved = positions.filter { $0.source == configuration.name }
        try resume(saved, matched: matched)
        for (path, status) in matched where byIdentity[status.identity] == nil {
            _ = try track(path: path, startAtEnd: saved.isEmpty && configuration.startAt == .end, strict: !configuration.follow)
        }
        files.sort(by: TrackedFile.precedes)
    }

    deinit {
        closeAll()
        scratch.deallocate()
    }

    /// Monotonic time (`CLOCK_MONOTONIC`), the default clock of ``init(_:resumeFrom:now:)``.
    public static func monotonicNow() -> Duration {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return .seconds(Int64(ts.tv_sec)) + .nanoseconds(Int64(ts.tv_nsec))
    }

    // MARK: - Polling

    /// The next run of complete lines, or nil when there is nothing new right now.
    ///
    /// Each call continues the current pass: the current file until it has no complete line
    /// left, then the next file. A pass that produced nothing ends with nil; in `--once` mode
    /// the one pass ends with nil and ``isAtEnd``.
    /// - Returns: a chunk, or nil.
    /// - Throws: ``IngestError/unreadable(_:reason:)`` when reading an open file fails.
    public func poll() throws -> FileChunk? {
        if isAtEnd { return nil }
        while true {
            if cursor == 0 {
                if configuration.follow { try rescan() }
                passProducedData = false
            }
            while cursor < files.count {
                if let chunk = try next(from: files[cursor]) {
                    passProducedData = true
                    return chunk
                }
                cursor += 1
            }
            cursor = 0
            if files.contains(where: \.retired) {
                for f in files where f.retired { byIdentity[f.identity] = nil }
                files.removeAll(where: \.retired)
            }
            if !configuration.follow {
                isAtEnd = true
                return nil
            }
            if !passProducedData { return nil }
        }
    }

    /// The positions of all the source's files now (after the last chunk returned), in reading
    /// order: what to checkpoint once every chunk returned so far is processed.
    public var positions: [SourcePosition] { files.filter { !$0.retired }.map(position(of:)) }

    /// The events since the last call, oldest first (for logging).
    public func takeEvents() -> [Event] {
        defer { events.removeAll() }
        return events
    }

    /// Closes every file. Later polls return nil.
    public func close() {
        closeAll()
        files.removeAll()
        byIdentity.removeAll()
        isAtEnd = true
    }

    // MARK: - Files

    /// The next chunk of one file, handling end of file, grace and retirement.
    private func next(from f: TrackedFile) throws -> FileChunk? {
        if f.closed { return nil }
        if let chunk = try read(f, final: !configuration.follow) { return chunk }
        if !configuration.follow {
            closeFile(f)
            return nil
        }
        if f.detached != nil && now() - f.lastActivity >= configuration.rotationGrace {
            // Nobody writes to it any more: its unterminated last line is a record.
            if let chunk = try read(f, final: true) { return chunk }
            closeFile(f)
            f.retired = true
            statistics.filesRetired += 1
            note(.retired(path: f.path, key: f.key, offset: f.offset))
        }
        return nil
    }

    /// Lists the files, notices rotations and new files, and checks for truncation.
    private func rescan() throws {
        let matched = try matchingFiles(strict: false)
        var present = Set<FileIdentity>()
        var reorder = false
        for (path, status) in matched {
            if let f = byIdentity[status.identity] {
                guard present.insert(status.identity).inserted else { continue }
                if f.path != path || f.detached != nil {
                    f.path = path
                    f.order = path
                    f.detached = nil
                    reorder = true
                }
            } else if let f = try track(path: path, startAtEnd: false, strict: false) {
                present.insert(f.identity)
                reorder = true
            }
        }
        for f in files where f.detached == nil && !f.retired && !present.contains(f.identity) {
            rotationCount += 1
            f.detached = rotationCount
            f.lastActivity = now()
            statistics.rotations += 1
            note(.rotated(path: f.path, key: f.key))
            reorder = true
        }
        for f in files where !f.closed { try checkTruncation(f) }
        if reorder { files.sort(by: TrackedFile.precedes) }
    }

    /// Restarts a file at 0 when it was truncated or rewritten under the offset read.
    private func checkTruncation(_ f: TrackedFile) throws {
        guard let status = FileStatus.of(descriptor: f.fd) else {
            throw IngestError.unreadable(f.path, reason: FileSystem.errorText())
        }
        let reached = f.skip?.scanned ?? f.offset
        var truncated = status.size < reached
        if !truncated && reached > 0 {
            // Same size or longer: rewritten in place when the first bytes or the line boundary
            // at the offset changed.
            if try Fingerprint.read(f.fd, limit: f.fingerprint.count, path: f.path) != f.fingerprint {
                truncated = true
            } else if f.endsLine && f.skip == nil && f.offset > 0 {
                truncated = try byte(of: f, at: f.offset - 1) != 0x0A
            }
        }
        if truncated {
            statistics.truncations += 1
            note(.truncated(path: f.path, key: f.key, offset: f.offset, size: status.size))
            f.offset = 0
            f.endsLine = true
            f.nextLine = 1
            f.skip = nil
            f.fingerprint = .empty
        }
        f.size = status.size
        f.modified = status.modified
        if f.fingerprint.count < Fingerprint.length && status.size > Int64(f.fingerprint.count) {
            f.fingerprint = try Fingerprint.read(f.fd, path: f.path)
        }
    }

    private func byte(of f: TrackedFile, at offset: Int64) throws -> UInt8? {
        var b: UInt8 = 0
        let n = try FileSystem.readFully(f.fd, &b, count: 1, at: offset, path: f.path)
        return n == 1 ? b : nil
    }

    /// Opens a file and starts tracking it; nil when it vanished, is already tracked, or (not
    /// strict) cannot be opened.
    @discardableResult
    func track(path: String, startAtEnd: Bool, strict: Bool) throws -> TrackedFile? {
        let fd = FileSystem.openForReading(path)
        if fd < 0 {
            let e = errno
            if e == ENOENT { return nil }  // removed since it was listed
            if strict { throw IngestError.unreadable(path, reason: FileSystem.errorText(e)) }
            reportUnreadable(path, reason: FileSystem.errorText(e))
            return nil
        }
        guard let status = FileStatus.of(descriptor: fd), byIdentity[status.identity] == nil else {
            FileSystem.closeDescriptor(fd)
            return nil
        }
        unreadableReported.remove(path)
        let f = TrackedFile(identity: status.identity, path: path, fd: fd)
        f.size = status.size
        f.modified = status.modified
        do {
            f.fingerprint = try Fingerprint.read(fd, path: path)
            if startAtEnd { try startAtLastLine(f) }
        } catch {
            FileSystem.closeDescriptor(fd)
            throw error
        }
        add(f)
        note(.opened(path: path, key: f.key, offset: f.offset))
        return f
    }

    func add(_ f: TrackedFile) {
        files.append(f)
        byIdentity[f.identity] = f
        statistics.filesOpened += 1
    }

    /// Positions `f` after the last complete line (``StartPosition/end``). A last line longer
    /// than the line limit is skipped from the end of the file to its `\n`.
    private func startAtLastLine(_ f: TrackedFile) throws {
        let size = f.size
        let floor = max(0, size - Int64(lineLimit) - 1)
        var pos = size
        while pos > floor {
            let n = Int(min(Int64(chunkBytes), pos - floor))
            let got = try FileSystem.readFully(f.fd, scratch, count: n, at: pos - Int64(n), path: f.path)
            let bytes = UnsafeRawBufferPointer(start: scratch, count: got)
            if let i = Self.lastNewline(bytes) {
                f.offset = pos - Int64(n) + Int64(i) + 1
                return
            }
            guard got == n else { break }
            pos -= Int64(n)
        }
        if floor == 0 { return }  // the whole file is one unterminated line in progress: from 0
        f.offset = size
        f.endsLine = false
        f.skip = TrackedFile.Skip(lineStart: size, scanned: size, prefix: [])
    }

    private func closeFile(_ f: TrackedFile) {
        guard !f.closed else { return }
        FileSystem.closeDescriptor(f.fd)
        f.closed = true
    }

    private func closeAll() {
        for f in files { closeFile(f) }
    }

    func note(_ event: Event) {
        if events.count < Self.eventLimit {
            events.append(event)
        } else {
            statistics.droppedEvents += 1
        }
    }

    func reportUnreadable(_ path: String, reason: String) {
        if unreadableReported.insert(path).inserted { note(.unreadable(path: path, reason: reason)) }
    }

    // MARK: - Listing

    /// The regular files the target names now, in bytewise path order.
    /// - Parameter strict: throw when a file or directory target is missing or unreadable
    ///   (`--once`), instead of reporting it and returning what there is.
    func matchingFiles(strict: Bool) throws -> [(String, FileStatus)] {
        var paths: [String]
        switch configuration.target {
        case .file(let path):
            guard let status = FileStatus.of(path: path) else {
                let e = errno
                if strict { throw e == ENOENT || e == ENOTDIR ? IngestError.fileNotFound(path) : IngestError.unreadable(path, reason: FileSystem.errorText(e)) }
                if e != ENOENT && e != ENOTDIR { reportUnreadable(path, reason: FileSystem.errorText(e)) }
                return []
            }
            if status.isDirectory && strict { throw IngestError.isDirectory(path) }
            guard status.isRegular else {
                if strict { throw IngestError.unreadable(path, reason: "not a regular file") }
                reportUnreadable(path, reason: status.isDirectory ? "is a directory, expected a JSONL file" : "not a regular file")
                return []
            }
            return [(path, status)]
        case .glob(let pattern):
            paths = FileSystem.expand(pattern: pattern)
        case .directory(let directory, let pattern):
            guard let names = FileSystem.listDirectory(directory, matching: pattern) else {
                let e = errno
                if strict { throw e == ENOENT || e == ENOTDIR ? IngestError.fileNotFound(directory) : IngestError.unreadable(directory, reason: FileSystem.errorText(e)) }
                reportUnreadable(directory, reason: FileSystem.errorText(e))
                return []
            }
            unreadableReported.remove(directory)
            paths = names.map { FileSystem.join(directory, $0) }
        }
        var out: [(String, FileStatus)] = []
        for p in paths {
            if let s = FileStatus.of(path: p), s.isRegular { out.append((p, s)) }
        }
        return out
    }

    // MARK: - Positions

    /// A file's position. A rotated file's `path` is the path it was followed under (where it
    /// is now is found again by identity), so that a restart keeps reading it before the file
    /// now at that path.
    func position(of f: TrackedFile) -> SourcePosition {
        SourcePosition(
            source: configuration.name, key: f.key, path: f.detached == nil ? f.path : f.order, offset: f.offset,
            meta: PositionMeta(fingerprint: f.fingerprint, size: max(f.size, f.offset), line: f.nextLine).text)
    }
}
