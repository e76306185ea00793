#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import MonitorCore

/// Appends rejected records to a dead-letter file (DESIGN §13), one JSON object per line:
///
/// ```json
/// {"source":"fraud","path":"/var/log/fraud/p.jsonl","line":17,"offset":4096,"reason":"malformed_json","record":"{\"id\":\"p-1\",\"ts\""}
/// ```
///
/// - `line` is the line number in the file (see ``FileChunk/firstLineNumber``), `offset` the
///   byte offset of the line's start, `reason` a ``MonitorCore/DecodeErrorReason`` raw value.
/// - `record` is the raw line as a JSON string, without its line break (and a `\r` before it);
///   invalid UTF-8 is replaced with U+FFFD. A record longer than ``recordLimit`` bytes is cut at
///   a character boundary and the entry gets `"truncated":true,"length":<bytes of the line>`.
///
/// Durability: entries are buffered and written by ``flush()``, which also `fsync`s the file.
/// Call it before committing the checkpoint whose positions cover the entries: a crash then
/// loses no entry, but a crash between the flush and the commit writes the entries again after
/// the restart re-reads those lines (at-least-once). Used from one thread, like ``FileSource``.
public final class DeadLetterWriter: @unchecked Sendable {
    /// The dead-letter file.
    public let path: String
    /// Bytes of a record kept in an entry.
    public let recordLimit: Int
    /// Entries appended since the writer was created.
    public private(set) var entriesAppended = 0
    /// Entries appended but not yet made durable by ``flush()``.
    public private(set) var entriesPending = 0

    private var fd: Int32
    private var buffer: [UInt8] = []

    /// 4 KiB is about eight typical prediction records: enough to see what is wrong with a line,
    /// while a flood of megabyte lines cannot fill the disk at the rate they arrive.
    public static let defaultRecordLimit = 4096
    /// Buffered entries are written (not yet `fsync`ed) beyond this many bytes, bounding memory
    /// between checkpoints.
    static let bufferLimit = 1 << 20

    /// Opens (creating it if needed, mode 0644) the dead-letter file for appending.
    /// - Parameters:
    ///   - path: the file.
    ///   - recordLimit: bytes of a record kept per entry.
    /// - Throws: ``IngestError/unwritable(_:reason:)`` when the file cannot be opened.
    public init(path: String, recordLimit: Int = DeadLetterWriter.defaultRecordLimit) throws {
        self.path = path
        self.recordLimit = max(0, recordLimit)
        var created = true
        var fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 && errno == EEXIST {
            created = false
            fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        }
        guard fd >= 0 else { throw IngestError.unwritable(path, reason: FileSystem.errorText()) }
        self.fd = fd
        if created {
            // Make the new directory entry durable too, so that a flushed entry survives a crash.
            let dir = open(FileSystem.directory(of: path), O_RDONLY | O_CLOEXEC)
            if dir >= 0 {
                _ = fsync(dir)
                FileSystem.closeDescriptor(dir)
            }
        }
    }

    deinit {
        if fd >= 0 {
            _ = try? writeBuffer()
            FileSystem.closeDescriptor(fd)
        }
    }

    /// Appends one entry.
    /// - Parameters:
    ///   - source: the source's name.
    ///   - path: the file the record came from.
    ///   - line: its line number.
    ///   - offset: the byte offset of its start in the file.
    ///   - reason: why it was rejected.
    ///   - record: the line's bytes (or the first of them).
    ///   - length: the whole line's length when `record` holds only its start (a skipped oversized line).
    /// - Throws: ``IngestError/unwritable(_:reason:)`` when the buffer had to be written and that failed.
    public func append(
        source: String, path: String, line: Int, offset: Int64, reason: DecodeErrorReason, record: UnsafeRawBufferPointer, length: Int? = nil
    ) throws {
        precondition(fd >= 0, "DeadLetterWriter.append after close()")
        var bytes = record
        if length == nil, let last = bytes.last, last == 0x0D { bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast()) }
        let total = max(length ?? bytes.count, bytes.count)
        var cut = min(bytes.count, recordLimit)
        if cut < bytes.count {
            // Cut before a UTF-8 continuation byte's lead, never inside a character.
            var back = 0
            while cut > 0 && back < 3 && bytes[cut] & 0xC0 == 0x80 {
                cut -= 1
                back += 1
            }
        }
        buffer += #"{"source":"#.utf8
        Self.appendJSONString(source.utf8, to: &buffer)
        buffer += #","path":"#.utf8
        Self.appendJSONString(path.utf8, to: &buffer)
        buffer += #","line":\#(line),"offset":\#(offset),"reason":"\#(reason.rawValue)","record":"#.utf8
        Self.appendJSONString(UnsafeRawBufferPointer(rebasing: bytes[0..<cut]), to: &buffer)
        if cut < total { buffer += #","truncated":true,"length":\#(total)"#.utf8 }
        buffer += "}\n".utf8
        entriesAppended += 1
        entriesPending += 1
        if buffer.count >= Self.bufferLimit { try writeBuffer() }
    }

    /// Appends an entry per line of `rejected`, whose offsets are relative to `chunk`'s bytes
    /// (as ``FileChunk/decode(with:into:report:rejected:)`` collects them).
    /// - Throws: ``IngestError/unwritable(_:reason:)`` when the buffer had to be written and that failed.
    public func append(_ rejected: RejectedLines, from chunk: FileChunk) throws {
        for r in rejected.lines {
            switch chunk.content {
            case .lines(let bytes):
                let lower = min(max(0, r.offset), bytes.count)
                let upper = min(lower + max(0, r.length), bytes.count)
                try bytes.withUnsafeBytes { raw in
                    try append(
                        source: chunk.source, path: chunk.path, line: r.line, offset: chunk.range.lowerBound + Int64(lower), reason: r.reason,
                        record: UnsafeRawBufferPointer(rebasing: raw[lower..<upper]))
                }
            case .oversizedLine(let prefix, let length):
                try prefix.withUnsafeBytes { raw in
                    try append(
                        source: chunk.source, path: chunk.path, line: r.line, offset: chunk.range.lowerBound, reason: r.reason, record: raw,
                        length: Int(clamping: length))
                }
            }
        }
    }

    /// Writes the buffered entries and `fsync`s the file.
    /// - Throws: ``IngestError/unwritable(_:reason:)`` when writing or syncing fails (the
    ///   entries not written stay buffered for the next flush).
    public func flush() throws {
        precondition(fd >= 0, "DeadLetterWriter.flush after close()")
        try writeBuffer()
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw IngestError.unwritable(path, reason: FileSystem.errorText())
        }
        entriesPending = 0
    }

    /// Flushes and closes the file.
    /// - Throws: ``IngestError/unwritable(_:reason:)`` when the final flush fails.
    public func close() throws {
        guard fd >= 0 else { return }
        try flush()
        FileSystem.closeDescriptor(fd)
        fd = -1
    }

    private func writeBuffer() throws {
        var done = 0
        defer { buffer.removeFirst(done) }
        try buffer.withUnsafeBytes { raw in
            while done < raw.count {
                let r = write(fd, raw.baseAddress! + done, raw.count - done)
                if r < 0 {
                    if errno == EINTR { continue }
                    throw IngestError.unwritable(path, reason: FileSystem.errorText())
                }
                done += r
            }
        }
    }

    /// Appends `bytes` as a JSON string literal: quotes, `\"`, `\\`, `\n`, `\r`, `\t`, `\b`,
    /// `\f`, `\u00XX` for other control characters; invalid UTF-8 becomes U+FFFD.
    static func appendJSONString(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(0x22)
        let text = String(decoding: bytes, as: UTF8.self)
        for b in text.utf8 {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0..<0x20: out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
        out.append(0x22)
    }
}
