public import MonitorCore

/// Decodes label records (DESIGN §3: `{"id":"p-000001","ts":"2026-11-23T08:00:00Z","label":"fraud"}`)
/// into a columnar ``MonitorCore/LabelBatch``, with the same single-pass byte scanner (and line
/// templates) as prediction records: no `JSONDecoder`, no intermediate JSON value.
///
/// Fields: `id` and `ts` where the schema puts them for predictions (`schema.id`,
/// `schema.timestamp`, `timestamp_unit`), the label at `schema.label` (default `label`).
/// - the label is kept as text — a string as decoded, a number or boolean as its JSON text, so
///   `1` and `"1"` are the same class, as for predicted labels — and, when that text is a JSON
///   number, also as a `Double` (regression labels); NaN otherwise;
/// - a record without a label (absent or `null`) is dropped and counted as `missing_label`;
///   without an id it is kept (the join counts it); malformed lines, bad timestamps, oversized
///   lines are counted as for predictions.
///
/// Memory: each ``decode(_:firstLineNumber:into:report:)`` call starts a fresh label dictionary,
/// so a regression model's millions of distinct label values do not accumulate.
public struct LabelDecoder: Sendable {
    let schema: EventSchema
    let options: DecodeOptions

    /// A decoder for the label records of a config's schema.
    /// - Parameters:
    ///   - schema: where `id`, `ts` and the label live.
    ///   - options: `maxRecordBytes`, `finalLineComplete`; ids are always kept.
    public init(schema: EventSchema, options: DecodeOptions = DecodeOptions(threads: 1)) {
        // Prediction-only fields point at a key no record can have in plain text (a NUL byte
        // must be escaped in JSON), so the scanner skips whatever else a label record carries.
        var s = EventSchema()
        s.id = schema.id
        s.timestamp = schema.timestamp
        s.timestampUnit = schema.timestampUnit
        s.predictedLabel = schema.label
        let nowhere = FieldPath(components: ["\u{0}"])
        s.model = nowhere
        s.version = nowhere
        s.score = nowhere
        s.value = nowhere
        s.features = nowhere
        self.schema = s
        var o = options
        o.keepIDs = true
        self.options = o
    }

    /// Decodes the lines of `bytes` and appends the label records to `batch`.
    /// - Parameters:
    ///   - bytes: UTF-8 JSON lines.
    ///   - firstLineNumber: the 1-based number of the first line, for the report.
    ///   - batch: receives the records.
    ///   - report: receives line counts and problems.
    public func decode(_ bytes: UnsafeRawBufferPointer, firstLineNumber: Int, into batch: inout LabelBatch, report: inout DecodeReport) {
        var decoder = JSONLDecoder(schema: schema, features: [], dictionaries: [:], options: options)
        var rows = Batch()
        var local = DecodeReport()
        decoder.decode(bytes, firstLineNumber: firstLineNumber, into: &rows, report: &local)
        append(rows, firstLineNumber: firstLineNumber, lineNumbers: nil, into: &batch, report: &local)
        report.merge(local)
    }

    /// As ``decode(_:firstLineNumber:into:report:)``, also listing rejected lines for a dead-letter file.
    public func decode(_ bytes: UnsafeRawBufferPointer, firstLineNumber: Int, into batch: inout LabelBatch, report: inout DecodeReport,
                       rejected: inout RejectedLines) {
        var decoder = JSONLDecoder(schema: schema, features: [], dictionaries: [:], options: options)
        var rows = Batch()
        var local = DecodeReport()
        decoder.decode(bytes, firstLineNumber: firstLineNumber, into: &rows, report: &local, rejected: &rejected)
        append(rows, firstLineNumber: firstLineNumber, lineNumbers: nil, into: &batch, report: &local)
        report.merge(local)
    }

    private func append(_ rows: Batch, firstLineNumber: Int, lineNumbers: [Int]?, into batch: inout LabelBatch, report: inout DecodeReport) {
        let names = rows.labelDictionary.names
        // The numeric value of each distinct label text, parsed once.
        let numbers: [Double] = names.map { JSONNumber.parseDouble($0) ?? .nan }
        let ids = rows.ids ?? []
        for r in 0..<rows.count {
            let code = rows.predictedLabels.count == rows.count ? Int(rows.predictedLabels[r]) : Int.max
            guard code < names.count else {
                report.recordsDecoded -= 1
                report.counts[.missingLabel, default: 0] += 1
                continue
            }
            batch.append(id: r < ids.count ? ids[r] : "", timestamp: rows.timestamps.count == rows.count ? rows.timestamps[r] : .min,
                         label: names[code], value: numbers[code])
        }
    }
}
