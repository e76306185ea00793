import Foundation
import MonitorCore
import MonitorIngest

/// A deterministic generator (SplitMix64) so that random tests replay exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Decodes an in-memory JSONL text with one decoder call.
func decodeText(
    _ text: String, schema: EventSchema = EventSchema(), features: [FeatureSpec],
    dictionaries: [String: CategoryDictionary] = [:], options: DecodeOptions = DecodeOptions()
) -> (batch: Batch, report: DecodeReport, decoder: JSONLDecoder) {
    var decoder = JSONLDecoder(schema: schema, features: features, dictionaries: dictionaries, options: options)
    var batch = Batch()
    var report = DecodeReport()
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in
        decoder.decode(UnsafeRawBufferPointer(raw), firstLineNumber: 1, into: &batch, report: &report)
    }
    return (batch, report, decoder)
}

/// A temporary file holding `text`; removed by `remove()`.
struct TempFile {
    let path: String
    init(_ text: String, name: String = "data") throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("monitor-ingest-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        path = dir.appendingPathComponent(name + ".jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
    func remove() { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
}

/// The category names of a column's codes (`<missing>` / `<overflow>` for reserved codes).
func names(_ codes: [UInt32], _ dictionary: CategoryDictionary) -> [String] {
    codes.map { c in
        if c == CategoryDictionary.missingCode { return "<missing>" }
        if c == CategoryDictionary.overflowCode { return "<overflow>" }
        return dictionary.names[Int(c)]
    }
}

/// Whether two batches hold the same records, bit for bit.
func sameBatch(_ a: Batch, _ b: Batch) -> Bool {
    func bits(_ x: [Double]) -> [UInt64] { x.map(\.bitPattern) }
    guard a.count == b.count, a.numericalNames == b.numericalNames, a.categoricalNames == b.categoricalNames else { return false }
    for i in a.numerical.indices where bits(a.numerical[i]) != bits(b.numerical[i]) { return false }
    for i in a.categorical.indices {
        guard a.categorical[i] == b.categorical[i], a.categoricalDictionaries[i].names == b.categoricalDictionaries[i].names else {
            return false
        }
    }
    return a.timestamps == b.timestamps && bits(a.scores) == bits(b.scores) && bits(a.values) == bits(b.values)
        && a.predictedLabels == b.predictedLabels && a.labelDictionary.names == b.labelDictionary.names
        && a.models == b.models && a.modelDictionary.names == b.modelDictionary.names
        && a.versions == b.versions && a.versionDictionary.names == b.versionDictionary.names && a.ids == b.ids
}

/// Whether two reports agree on every count and sample line.
func sameReport(_ a: DecodeReport, _ b: DecodeReport) -> Bool {
    a.linesRead == b.linesRead && a.recordsDecoded == b.recordsDecoded && a.counts == b.counts && a.sampleLines == b.sampleLines
}
