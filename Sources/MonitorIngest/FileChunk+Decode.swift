public import MonitorCore

extension FileChunk {
    /// Decodes the chunk's lines into `batch`, numbering them from ``firstLineNumber``; a
    /// skipped oversized line is counted as one line read and one `oversized` problem.
    /// - Parameters:
    ///   - decoder: the source's decoder (its dictionaries and templates carry across chunks).
    ///   - batch: receives the records.
    ///   - report: receives line counts and problems.
    public func decode(with decoder: inout JSONLDecoder, into batch: inout Batch, report: inout DecodeReport) {
        switch content {
        case .lines(let bytes):
            bytes.withUnsafeBytes { decoder.decode($0, firstLineNumber: firstLineNumber, into: &batch, report: &report) }
        case .oversizedLine:
            decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0), firstLineNumber: firstLineNumber, into: &batch, report: &report)
            report.linesRead += 1
            report.record(.oversized, line: firstLineNumber)
        }
    }

    /// As ``decode(with:into:report:)``, also collecting the rejected lines for a dead-letter
    /// file; their offsets are relative to the chunk's bytes (a skipped oversized line is
    /// listed at offset 0 with its full length, of which the prefix is kept).
    /// - Parameters:
    ///   - decoder: the source's decoder.
    ///   - batch: receives the records.
    ///   - report: receives line counts and problems.
    ///   - rejected: receives the rejected lines (not cleared first).
    public func decode(with decoder: inout JSONLDecoder, into batch: inout Batch, report: inout DecodeReport, rejected: inout RejectedLines) {
        switch content {
        case .lines(let bytes):
            bytes.withUnsafeBytes {
                decoder.decode($0, firstLineNumber: firstLineNumber, into: &batch, report: &report, rejected: &rejected)
            }
        case .oversizedLine(_, let length):
            decode(with: &decoder, into: &batch, report: &report)
            rejected.note(.oversized, line: firstLineNumber, offset: 0, length: Int(clamping: length))
        }
    }
}

extension FileChunk {
    /// Decodes the chunk's label records (see ``LabelDecoder``); a skipped oversized line is
    /// counted as one line read and one `oversized` problem.
    public func decodeLabels(with decoder: LabelDecoder, into batch: inout LabelBatch, report: inout DecodeReport) {
        switch content {
        case .lines(let bytes):
            bytes.withUnsafeBytes { decoder.decode($0, firstLineNumber: firstLineNumber, into: &batch, report: &report) }
        case .oversizedLine:
            report.linesRead += 1
            report.record(.oversized, line: firstLineNumber)
        }
    }

    /// As ``decodeLabels(with:into:report:)``, also collecting rejected lines for a dead-letter file.
    public func decodeLabels(with decoder: LabelDecoder, into batch: inout LabelBatch, report: inout DecodeReport,
                             rejected: inout RejectedLines) {
        switch content {
        case .lines(let bytes):
            bytes.withUnsafeBytes {
                decoder.decode($0, firstLineNumber: firstLineNumber, into: &batch, report: &report, rejected: &rejected)
            }
        case .oversizedLine(_, let length):
            decodeLabels(with: decoder, into: &batch, report: &report)
            rejected.note(.oversized, line: firstLineNumber, offset: 0, length: Int(clamping: length))
        }
    }
}
