import Foundation
import MonitorCore
import MonitorIngest
import Testing

private func decode(_ text: String, schema: EventSchema = EventSchema()) -> (LabelBatch, DecodeReport) {
    var batch = LabelBatch()
    var report = DecodeReport()
    let decoder = LabelDecoder(schema: schema)
    Array(text.utf8).withUnsafeBytes { decoder.decode($0, firstLineNumber: 1, into: &batch, report: &report) }
    return (batch, report)
}

@Suite("Label records")
struct LabelDecoderTests {
    @Test("id, ts and label; numbers and booleans keep their JSON text, numbers also as values")
    func fields() {
        let (b, report) = decode("""
            {"id":"p-1","ts":"2026-11-23T08:00:00Z","label":"fraud"}
            {"id":"p-2","ts":1795420800000,"label":1}
            {"ts":"2026-11-23T08:00:00.5Z","label":2.50,"id":"p-3","extra":{"x":[1,2]}}
            {"id":"p-4","ts":"2026-11-23T08:00:00Z","label":true}
            {"id":"p-5","ts":"2026-11-23T08:00:00Z","label":"a \\"quoted\\" \\u00e9"}

            """)
        #expect(b.ids == ["p-1", "p-2", "p-3", "p-4", "p-5"])
        #expect(b.timestamps[0] == Timestamp.parse("2026-11-23T08:00:00Z")!.milliseconds)
        #expect(b.timestamps[1] == 1_795_420_800_000)
        #expect(b.timestamps[2] == Timestamp.parse("2026-11-23T08:00:00Z")!.milliseconds + 500)
        #expect(b.labels == ["fraud", "1", "2.50", "true", "a \"quoted\" é"])
        #expect(b.values[0].isNaN && b.values[1] == 1 && b.values[2] == 2.5 && b.values[3].isNaN)
        #expect(report.recordsDecoded == 5)
        #expect(report.counts.isEmpty || report.counts.keys.allSatisfy { $0 == .emptyLine })
    }

    @Test("records without a label are dropped and counted; without an id or time they are kept")
    func problems() {
        let (b, report) = decode("""
            {"id":"a","ts":"2026-11-23T08:00:00Z"}
            {"id":"b","ts":"2026-11-23T08:00:00Z","label":null}
            {"id":"c","label":"x"}
            {"ts":"2026-11-23T08:00:00Z","label":"y"}
            {"id":"d","ts":"2026-11-23T08:00:00Z","label":"z"
            not json
            """)
        #expect(b.ids == ["c", ""])
        #expect(b.timestamps[0] == .min)
        #expect(report.counts[.missingLabel] == 2)
        #expect(report.counts[.malformedJSON] == 2)
        #expect(report.counts[.badTimestamp] == 1)
        #expect(report.recordsDecoded == 2)
    }

    @Test("the schema's paths apply to label records")
    func mappedPaths() {
        var schema = EventSchema()
        schema.id = FieldPath(dotted: "meta.request_id")
        schema.timestamp = FieldPath(dotted: "at")
        schema.timestampUnit = .seconds
        schema.label = FieldPath(dotted: "outcome.value")
        let (b, _) = decode(#"{"meta":{"request_id":"r9"},"at":1795420800,"outcome":{"value":"churned"}}"# + "\n", schema: schema)
        #expect(b.ids == ["r9"] && b.timestamps == [1_795_420_800_000] && b.labels == ["churned"])
    }

    @Test("many lines: the template path and the general path agree")
    func manyLines() {
        var text = ""
        for i in 0..<5000 { text += #"{"id":"p-\#(i)","ts":"2026-11-23T08:00:00Z","label":"\#(i % 3 == 0 ? "fraud" : "legit")"}"# + "\n" }
        let (b, report) = decode(text)
        #expect(b.count == 5000 && report.recordsDecoded == 5000)
        #expect(b.ids[4999] == "p-4999" && b.labels[3] == "fraud" && b.labels[4] == "legit")
    }
}
