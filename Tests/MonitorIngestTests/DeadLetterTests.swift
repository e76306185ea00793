import Foundation
import MonitorCore
import MonitorIngest
import Testing

@Suite("Dead letters: the decoder's rejected lines and the dead-letter file")
struct DeadLetterTests {
    @Test("the collector lists dropped lines with their byte ranges; records and report are unchanged")
    func collectorRanges() {
        let lines = [
            #"{"ts":1,"features":{"amount":1}}"#,  // 1 ok
            #"{"features":{"amount":"#,  // 2 malformed
            "",  // 3 blank
            #"{"ts":"nope","features":{"amount":2}}"#,  // 4 bad timestamp, kept
            String(repeating: "x", count: 80),  // 5 oversized (limit 64) and malformed
            #"{"ts":2,"features":{"amount":3}}"# + "\r",  // 6 ok, CRLF
            "[1,2]",  // 7 malformed (not an object), last line without a newline
        ]
        let text = lines.joined(separator: "\n")
        var options = DecodeOptions()
        options.maxRecordBytes = 64
        let plain = decodeText(text, features: [amount], options: options)
        var decoder = JSONLDecoder(schema: EventSchema(), features: [amount], dictionaries: [:], options: options)
        var batch = Batch()
        var report = DecodeReport()
        var rejected = RejectedLines()
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            decoder.decode(UnsafeRawBufferPointer(raw), firstLineNumber: 10, into: &batch, report: &report, rejected: &rejected)
        }
        #expect(sameBatch(batch, plain.batch))
        #expect(report.linesRead == plain.report.linesRead && report.counts == plain.report.counts)
        #expect(rejected.lines.map(\.line) == [11, 14, 16])
        #expect(rejected.lines.map(\.reason) == [.malformedJSON, .oversized, .malformedJSON])
        for r in rejected.lines {
            let original = lines[r.line - 10]
            #expect(Array(bytes[r.offset..<(r.offset + r.length)]) == Array(original.utf8))
        }
        // Every reason when asked for.
        var all = RejectedLines(reasons: Set(DecodeErrorReason.allCases))
        var b2 = Batch()
        var r2 = DecodeReport()
        var d2 = JSONLDecoder(schema: EventSchema(), features: [amount], dictionaries: [:], options: options)
        bytes.withUnsafeMutableBytes { raw in
            d2.decode(UnsafeRawBufferPointer(raw), firstLineNumber: 1, into: &b2, report: &r2, rejected: &all)
        }
        #expect(all.lines.map(\.line) == [2, 3, 4, 5, 7])
        #expect(all.lines.map(\.reason) == [.malformedJSON, .emptyLine, .badTimestamp, .oversized, .malformedJSON])
    }

    @Test("dead-letter entries: one JSON object per rejected line, escaped, truncated at a character boundary")
    func writerFormat() throws {
        let dir = try Scratch()
        let writer = try DeadLetterWriter(path: dir.at("dead.jsonl"), recordLimit: 10)
        let raw: [UInt8] = Array("a\"b\\\tc".utf8) + [0x01, 0xFF] + Array("\r".utf8)
        try raw.withUnsafeBytes {
            try writer.append(source: "src", path: "/x/\"y\".jsonl", line: 3, offset: 40, reason: .malformedJSON, record: $0)
        }
        let long = Array("ééééé€".utf8)  // 2-byte characters; a cut at 10 bytes falls after the fifth é
        try long.withUnsafeBytes { try writer.append(source: "src", path: "p", line: 4, offset: 50, reason: .malformedJSON, record: $0) }
        let cut = Array("abcdefghiéz".utf8)  // a cut at byte 10 would split é: cut before it
        try cut.withUnsafeBytes { try writer.append(source: "src", path: "p", line: 5, offset: 60, reason: .malformedJSON, record: $0) }
        #expect(try dir.read("dead.jsonl").isEmpty)  // buffered until flush
        #expect(writer.entriesPending == 3)
        try writer.flush()
        #expect(writer.entriesPending == 0 && writer.entriesAppended == 3)
        let out = String(decoding: try dir.read("dead.jsonl"), as: UTF8.self)
        let entries = out.split(separator: "\n").map(String.init)
        #expect(entries.count == 3 && out.hasSuffix("\n"))
        #expect(entries[0] == #"{"source":"src","path":"/x/\"y\".jsonl","line":3,"offset":40,"reason":"malformed_json","record":"a\"b\\\tc\u0001\#u{FFFD}"}"#)
        let parsed = try entries.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(parsed[0]?["record"] as? String == "a\"b\\\tc\u{01}\u{FFFD}")
        #expect(parsed[1]?["record"] as? String == "ééééé" && parsed[1]?["truncated"] as? Bool == true && parsed[1]?["length"] as? Int == 13)
        #expect(parsed[2]?["record"] as? String == "abcdefghi" && parsed[2]?["length"] as? Int == 12)
        #expect(parsed[0]?["truncated"] == nil)
        try writer.close()
        // Reopening appends.
        let again = try DeadLetterWriter(path: dir.at("dead.jsonl"))
        try Array("z".utf8).withUnsafeBytes { try again.append(source: "s", path: "p", line: 1, offset: 0, reason: .oversized, record: $0) }
        try again.flush()
        #expect(String(decoding: try dir.read("dead.jsonl"), as: UTF8.self).split(separator: "\n").count == 4)
    }

    @Test("file source → decoder → dead-letter file: malformed and oversized lines quarantined with path, line and offset")
    func endToEnd() throws {
        let dir = try Scratch()
        let huge = "{\"features\":{\"amount\":" + String(repeating: "1", count: 3000) + "}}"
        let body = [
            #"{"features":{"amount":1}}"#, #"{"features":"#, huge, #"{"features":{"amount":2}}"#, "not json",
        ].map { $0 + "\n" }.joined()
        try dir.write("in.jsonl", body)
        let source = try FileSource(config(.file(dir.at("in.jsonl")), follow: false, maxChunkBytes: 64, maxLineBytes: 1024))
        let writer = try DeadLetterWriter(path: dir.at("dead.jsonl"), recordLimit: 100)
        var decoder = JSONLDecoder(schema: EventSchema(), features: [amount], dictionaries: [:], options: DecodeOptions())
        var batch = Batch()
        var report = DecodeReport()
        var rejected = RejectedLines()
        while let chunk = try source.poll() {
            rejected.removeAll()
            chunk.decode(with: &decoder, into: &batch, report: &report, rejected: &rejected)
            try writer.append(rejected, from: chunk)
        }
        try writer.flush()
        #expect(batch.count == 2 && report.linesRead == 5)
        #expect(report.counts[.malformedJSON] == 2 && report.counts[.oversized] == 1)
        let entries = try String(decoding: try dir.read("dead.jsonl"), as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(entries.map { $0["line"] as? Int } == [2, 3, 5])
        #expect(entries.map { $0["reason"] as? String } == ["malformed_json", "oversized", "malformed_json"])
        #expect(entries.map { $0["offset"] as? Int } == [26, 39, 39 + huge.utf8.count + 1 + 26])
        #expect(entries.allSatisfy { $0["path"] as? String == dir.at("in.jsonl") && $0["source"] as? String == "preds" })
        #expect(entries[0]["record"] as? String == #"{"features":"#)
        #expect(entries[1]["record"] as? String == String(huge.prefix(100)) && entries[1]["length"] as? Int == huge.utf8.count)
        #expect(entries[2]["record"] as? String == "not json")
    }
}
