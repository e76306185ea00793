public import MonitorCore

/// The result of decoding a whole JSONL file.
public struct DecodedFile: Sendable {
    /// The decoded records, in file order.
    public var batch: Batch
    /// Lines read and problems by reason.
    public var report: DecodeReport
    /// Names found in the features object that are not in the decoded feature list, in
    /// first-seen order (at most ``JSONLDecoder/unknownFeatureSampleLimit`` of them), so that a
    /// caller can warn "feature X present in current but not in reference".
    public var unknownFeatures: [String]
    /// Number of distinct unknown feature names seen (counted up to
    /// ``JSONLDecoder/unknownFeatureCountLimit``).
    public var unknownFeatureCount: Int
    /// Bytes consumed from the file.
    public var bytes: Int64

    /// Creates a result (decoders build these; public for tests and other sources).
    public init(batch: Batch, report: DecodeReport, unknownFeatures: [String], unknownFeatureCount: Int, bytes: Int64) {
        self.batch = batch
        self.report = report
        self.unknownFeatures = unknownFeatures
        self.unknownFeatureCount = unknownFeatureCount
        self.bytes = bytes
    }
}
