/// A columnar block of decoded prediction records (DESIGN §4).
///
/// Every statistic runs over these contiguous buffers; nothing downstream touches JSON.
///
/// Invariants:
/// - every column has exactly `count` entries;
/// - `numerical[i]` belongs to `numericalNames[i]`; a missing value is `.nan` (null, an absent
///   key, NaN, ±Inf and wrongly typed values are all missing);
/// - `categorical[j]` holds codes of `categoricalDictionaries[j]`, or
///   `CategoryDictionary.missingCode` / `.overflowCode`;
/// - `timestamps` are event times in ms since the epoch; `Int64.min` when absent or unparsable.
public struct Batch: Sendable {
    /// Number of records (rows) in every column.
    public var count: Int = 0
    /// Names of the numerical columns, in schema order.
    public var numericalNames: [String] = []
    /// Numerical columns; NaN marks a missing value.
    public var numerical: [[Double]] = []
    /// Names of the categorical columns, in schema order.
    public var categoricalNames: [String] = []
    /// Categorical columns as dictionary codes.
    public var categorical: [[UInt32]] = []
    /// The dictionary of each categorical column.
    public var categoricalDictionaries: [CategoryDictionary] = []
    /// Event times (ms since the epoch), `Int64.min` when missing.
    public var timestamps: [Int64] = []
    /// Record ids, when the decoder was asked to keep them (`nil` otherwise).
    public var ids: [String]? = nil
    /// `prediction.score`, NaN when absent.
    public var scores: [Double] = []
    /// `prediction.value` (regression), NaN when absent.
    public var values: [Double] = []
    /// Predicted labels as codes of `labelDictionary` (numbers are kept as their JSON text).
    public var predictedLabels: [UInt32] = []
    /// Dictionary of `predictedLabels`.
    public var labelDictionary = CategoryDictionary()
    /// Model names and versions as codes of their dictionaries.
    public var models: [UInt32] = []
    /// Dictionary of `models`.
    public var modelDictionary = CategoryDictionary()
    /// Model versions as codes of `versionDictionary`.
    public var versions: [UInt32] = []
    /// Dictionary of `versions`.
    public var versionDictionary = CategoryDictionary()

    /// An empty batch.
    public init() {}
}

/// Why a record (or one of its fields) was rejected or treated as missing.
public enum DecodeErrorReason: String, Sendable, Hashable, CaseIterable, Codable {
    /// Not a JSON object, truncated, bad escapes, trailing garbage. The record is dropped.
    case malformedJSON = "malformed_json"
    /// A feature had the wrong JSON type (a string for a numerical feature, an object, …).
    /// The value becomes missing; the record is kept.
    case wrongType = "wrong_type"
    /// `ts` absent or unparsable. The record is kept for `compare`, dropped by windowed runs.
    case badTimestamp = "bad_timestamp"
    /// The line exceeded the maximum record size. The record is dropped.
    case oversized = "oversized"
    /// A blank line; skipped and counted.
    case emptyLine = "empty_line"
    /// The record had no `features` object (or no declared feature at all).
    case missingFeatures = "missing_features"
    /// A label record without a label (absent or `null`). The record is dropped.
    case missingLabel = "missing_label"
}

/// Counts of decode problems by reason, with the first few line numbers of each.
public struct DecodeReport: Sendable {
    /// Lines read (including rejected ones, excluding a final empty line).
    public var linesRead: Int = 0
    /// Records that made it into the batch.
    public var recordsDecoded: Int = 0
    /// Problems by reason.
    public var counts: [DecodeErrorReason: Int] = [:]
    /// Up to `sampleLimit` 1-based line numbers per reason.
    public var sampleLines: [DecodeErrorReason: [Int]] = [:]
    /// Line numbers kept per reason: enough to find the pattern, bounded under a flood.
    public static let sampleLimit = 5

    /// An empty report.
    public init() {}

    /// Records a problem at a 1-based line number.
    public mutating func record(_ reason: DecodeErrorReason, line: Int) {
        counts[reason, default: 0] += 1
        if sampleLines[reason, default: []].count < Self.sampleLimit { sampleLines[reason, default: []].append(line) }
    }

    /// Adds another report's counts (line numbers are kept as they are).
    public mutating func merge(_ other: DecodeReport) {
        linesRead += other.linesRead
        recordsDecoded += other.recordsDecoded
        for (r, c) in other.counts { counts[r, default: 0] += c }
        for (r, ls) in other.sampleLines {
            var mine = sampleLines[r, default: []]
            for l in ls where mine.count < Self.sampleLimit { mine.append(l) }
            sampleLines[r] = mine.sorted()
        }
    }
}
