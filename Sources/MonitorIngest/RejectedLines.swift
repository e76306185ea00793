public import MonitorCore

/// One line the decoder rejected or flagged, located in the buffer it decoded.
public struct RejectedLine: Sendable, Hashable {
    /// The 1-based line number (as numbered by the `firstLineNumber` passed to `decode`).
    public var line: Int
    /// Offset of the line's first byte from the start of the decoded buffer.
    public var offset: Int
    /// The line's length in bytes, without its line break. For a line the file source skipped
    /// as oversized this is the whole line's length, which exceeds the bytes that were kept.
    public var length: Int
    /// Why it was collected.
    public var reason: DecodeErrorReason

    /// Creates an entry.
    public init(line: Int, offset: Int, length: Int, reason: DecodeErrorReason) {
        self.line = line
        self.offset = offset
        self.length = length
        self.reason = reason
    }
}

/// Collects the lines a ``JSONLDecoder`` rejects (for a dead-letter file, DESIGN §13), passed to
/// ``JSONLDecoder/decode(_:firstLineNumber:into:report:rejected:)``.
///
/// Only reasons in ``reasons`` are collected. The default, ``droppedReasons``, is the reasons
/// for which the record is dropped from the batch (`malformed_json`, `oversized`). Records kept
/// with a problem (`bad_timestamp`, `wrong_type`, `missing_features`) and blank lines
/// (`empty_line`) are collected only when asked for; a line is listed once per reason even when
/// several of its fields have the wrong type.
///
/// Invariants: ``lines`` is in line order within one `decode` call; the collector is never
/// cleared by the decoder (call ``removeAll()`` between chunks).
public struct RejectedLines: Sendable {
    /// The reasons collected.
    public var reasons: Set<DecodeErrorReason>
    /// The lines collected so far, in the order they were decoded.
    public var lines: [RejectedLine] = []

    /// The reasons for which the decoder drops the record: what a dead-letter file quarantines.
    public static let droppedReasons: Set<DecodeErrorReason> = [.malformedJSON, .oversized]

    /// An empty collector.
    /// - Parameter reasons: the reasons to collect; by default the dropped records only.
    public init(reasons: Set<DecodeErrorReason> = RejectedLines.droppedReasons) {
        self.reasons = reasons
    }

    /// Whether nothing was collected.
    public var isEmpty: Bool { lines.isEmpty }

    /// Forgets the collected lines (keeps ``reasons`` and the capacity).
    public mutating func removeAll() { lines.removeAll(keepingCapacity: true) }

    /// Adds a line when its reason is collected.
    mutating func note(_ reason: DecodeErrorReason, line: Int, offset: Int, length: Int) {
        guard reasons.contains(reason) else { return }
        lines.append(RejectedLine(line: line, offset: offset, length: length, reason: reason))
    }
}
