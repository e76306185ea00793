import Foundation
import MonitorCore
import MonitorIngest
import Testing

/// Line templates (a per-file learnt line shape, decoded without key lookups) must give exactly
/// what the general parser gives, for every line: template lines, lines that deviate from the
/// template anywhere, and files whose format changes midway.
@Suite("JSONLDecoder line templates: bit-identical to the general parser")
struct LineTemplateTests {
    static let features = [
        FeatureSpec(name: "x", kind: .numerical), FeatureSpec(name: "y", kind: .numerical),
        FeatureSpec(name: "c", kind: .categorical), FeatureSpec(name: "d", kind: .categorical),
    ]

    /// A line of the common shape, with values varying with `i`.
    static func line(_ i: Int) -> String {
        let x = ["0.5", "-12.25", "3", "1234.567891", "-0.000001", "42", "7.1"][i % 7]
        let c = ["a", "bb", "ccc", "a"][i % 4]
        return #"{"id":"id-\#(i % 10)","ts":"2026-01-01T00:00:0\#(i % 10).123Z","model":"m\#(i % 2)","features":{"x":\#(x),"y":\#(i),"c":"\#(c)","d":\#(i % 3)},"prediction":{"score":0.\#(i % 9 + 1),"label":\#(i % 2)}}"#
    }

    /// Decodes `text` with and without templates, in one buffer and (with templates) in small
    /// chunks through a file, and checks that everything agrees. Returns the lines decoded
    /// through templates.
    @discardableResult
    static func compare(_ text: String, keepIDs: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        var on = DecodeOptions()
        on.keepIDs = keepIDs
        var off = on
        off.lineTemplates = false
        let a = decodeText(text, features: features, options: on)
        let b = decodeText(text, features: features, options: off)
        #expect(sameBatch(a.batch, b.batch), sourceLocation: sourceLocation)
        #expect(sameReport(a.report, b.report), sourceLocation: sourceLocation)
        #expect(a.decoder.unknownFeatures == b.decoder.unknownFeatures, sourceLocation: sourceLocation)
        #expect(a.decoder.unknownFeatureCount == b.decoder.unknownFeatureCount, sourceLocation: sourceLocation)
        #expect(b.decoder.templateLines == 0, sourceLocation: sourceLocation)
        return a.decoder.templateLines
    }

    @Test("template lines decode exactly as the general parser, with and without ids")
    func plain() {
        let text = (0..<200).map(Self.line).joined(separator: "\n") + "\n"
        #expect(Self.compare(text) > 150)
        #expect(Self.compare(text, keepIDs: true) > 150)
        // CRLF line ends and no final line break.
        #expect(Self.compare((0..<200).map(Self.line).joined(separator: "\r\n")) > 150)
    }

    /// Every value of the template line replaced by every alternative shape, one line at a time,
    /// between template lines.
    @Test("a deviating value in any slot goes to the general parser, with its exact result")
    func deviatingValues() {
        let alternatives = [
            "null", "NaN", "Infinity", "-Infinity", "\"s\"", "\"\"", "1e5", "-0", "0", "01", "1.", ".5", "+1", "1.5.3",
            "12345678901234567890.5", "0.12345678901234567", "true", "false", "{}", "{\"a\":1}", "[]", "[1,2]",
            "\"a\\\"b\"", "\"\\u0041\"", "\"a,b\"", "\"tab\tx\"", "-", "\"2026-01-01T00:00:00Z\"", "\"x\"y", "1 ", " 1",
        ]
        let base = Self.line(3)
        // Value positions: after each `":` of the base line.
        var positions: [(String.Index, String.Index)] = []
        var i = base.startIndex
        while let r = base[i...].range(of: "\":") {
            let start = r.upperBound
            if base[start] == "{" {
                i = start
                continue
            }
            var e = start
            if base[e] == "\"" {
                e = base.index(after: e)
                while base[e] != "\"" { e = base.index(after: e) }
                e = base.index(after: e)
            } else {
                while !",}".contains(base[e]) { e = base.index(after: e) }
            }
            positions.append((start, e))
            i = e
        }
        #expect(positions.count == 9)
        var lines: [String] = (0..<12).map(Self.line)
        for (s, e) in positions {
            for alt in alternatives {
                var l = base
                l.replaceSubrange(s..<e, with: alt)
                lines.append(l)
                lines.append(Self.line(lines.count))
                // Alone after template lines too: per-slot length expectations are still fresh.
                #expect(Self.compare(((0..<12).map(Self.line) + [l, Self.line(3)]).joined(separator: "\n")) >= 3)
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        #expect(Self.compare(text) > 300)
        #expect(Self.compare(text, keepIDs: true) > 300)
    }

    /// Every byte of a template line deleted, duplicated, replaced, or the line cut there.
    @Test("byte-level edits and truncations anywhere in a template line")
    func byteEdits() {
        let base = Array(Self.line(5).utf8)
        let replacements = Array(" \t\r\",:{}[]0-.eNx\\".utf8)
        var lines: [String] = (0..<12).map(Self.line)
        let prefix = (0..<12).map { Self.line($0 * 4 + 1) }.joined(separator: "\n") + "\n"
        var fresh = 0
        func add(_ bytes: [UInt8]) {
            let l = String(decoding: bytes, as: UTF8.self)
            lines.append(l)
            lines.append(Self.line(lines.count))
            // Alone after template lines of the same value lengths: every check of the
            // template path sees this edit with its length expectations intact.
            fresh += Self.compare(prefix + l + "\n" + Self.line(5))
        }
        for k in 0..<base.count {
            var d = base
            d.remove(at: k)
            add(d)
            var dup = base
            dup.insert(base[k], at: k)
            add(dup)
            add(Array(base[..<k]))  // truncated
            for r in replacements where r != base[k] {
                var m = base
                m[k] = r
                add(m)
                var ins = base
                ins.insert(r, at: k)
                add(ins)
            }
        }
        // Trailing garbage and whitespace.
        for tail in [" ", "\t", "\r", " \r", "x", "}", ",", "{}", "\r\r"] { add(base + Array(tail.utf8)) }
        let text = lines.joined(separator: "\n") + "\n"
        #expect(Self.compare(text) > 1000)
        #expect(fresh > 1000)
    }

    @Test("reordered, extra, missing and duplicate keys; unknown features; whitespace")
    func structure() {
        let variants = [
            #"{"ts":"2026-01-01T00:00:00.123Z","id":"a","model":"m0","features":{"x":1,"y":2,"c":"a","d":0},"prediction":{"score":0.5,"label":1}}"#,
            #"{"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{"y":2,"x":1,"c":"a","d":0},"prediction":{"score":0.5,"label":1}}"#,
            #"{"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{"x":1,"y":2,"c":"a","d":0,"z":3},"prediction":{"score":0.5,"label":1}}"#,
            #"{"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","extra":"e","features":{"x":1,"y":2,"c":"a","d":0},"prediction":{"score":0.5,"label":1}}"#,
            #"{"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{"x":1,"c":"a","d":0},"prediction":{"score":0.5,"label":1}}"#,
            #"{"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{"x":1,"x":2,"y":2,"c":"a","d":0},"prediction":{"score":0.5,"label":1}}"#,
            #"{"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{},"prediction":{"score":0.5,"label":1}}"#,
            #"{"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","prediction":{"score":0.5,"label":1}}"#,
            #"{"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{"x":1,"y":2,"c":"a","d":0},"prediction":{"score":0.5,"label":1},"version":"v"}"#,
            #"{"id":"a", "ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{"x":1,"y":2,"c":"a","d":0},"prediction":{"score":0.5,"label":1}}"#,
            #" {"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{"x":1,"y":2,"c":"a","d":0},"prediction":{"score":0.5,"label":1}} "#,
            #"{"i\u0064":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{"x":1,"y":2,"c":"a","d":0},"prediction":{"score":0.5,"label":1}}"#,
            #"{"id":"a","ts":"2026-01-01T00:00:00.123Z","model":"m0","features":{"x":1,"y":2,"c":"a","d":0},"prediction":{"score":0.5,"label":1}}{}"#,
            "",
            "   ",
        ]
        // Each variant once between template lines, then each variant as the whole rest of the
        // file (the template is dropped, the variant's own template learnt when it has one).
        var lines: [String] = (0..<12).map(Self.line)
        for v in variants {
            lines.append(v)
            lines.append(Self.line(lines.count))
        }
        for v in variants {
            lines += Array(repeating: v, count: 30)
            lines += (0..<20).map { Self.line($0) }
        }
        let text = lines.joined(separator: "\n") + "\n"
        #expect(Self.compare(text) > 150)
        #expect(Self.compare(text, keepIDs: true) > 150)
    }

    @Test("format change midway: the template is dropped and a new one learnt")
    func formatChange() {
        var lines = (0..<100).map(Self.line)
        lines += (0..<100).map { i in
            #"{"model":"m\#(i % 3)","ts":"2026-02-01T00:00:00Z","features":{"d":"k\#(i)","y":\#(i).5,"x":-\#(i)},"prediction":{"label":"L\#(i % 2)","score":0.\#(i)}}"#
        }
        lines += (100..<200).map(Self.line)
        let text = lines.joined(separator: "\n") + "\n"
        #expect(Self.compare(text) > 200)
    }

    @Test("the fuzz corpus and the mixed corpus agree with and without templates")
    func corpora() {
        var rng = SplitMix64(seed: 99)
        var lines: [String] = []
        for i in 0..<3000 {
            var bytes = Array(Self.line(i).utf8)
            if Int.random(in: 0..<4, using: &rng) == 0 {
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let k = Int.random(in: 0..<bytes.count, using: &rng)
                    let alphabet = Array(#"{}[]:,"\ -+.eE0123456789aeflnrstux/btfnrN"#.utf8) + [0x09, 0x0D]
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: bytes.remove(at: k)
                    case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: k)
                    default: bytes[k] = alphabet.randomElement(using: &rng)!
                    }
                }
            }
            lines.append(String(decoding: bytes, as: UTF8.self))
        }
        #expect(Self.compare(lines.joined(separator: "\n")) > 1000)
        for seed in FuzzTests.seeds { Self.compare(Array(repeating: seed, count: 40).joined(separator: "\n")) }
        Self.compare(mixedCorpus(records: 2000, seed: 3))
    }

    @Test("chunked file decoding with templates equals the in-memory general parse", arguments: [1, 7, 4096])
    func chunked(readSize: Int) throws {
        let text = (0..<500).map(Self.line).joined(separator: "\n") + "\n"
        let file = try TempFile(text)
        defer { file.remove() }
        var off = DecodeOptions()
        off.lineTemplates = false
        off.threads = 1
        let whole = decodeText(text, features: Self.features, options: off)
        var on = DecodeOptions()
        on.threads = 1
        on.readSize = readSize
        let decoded = try JSONLFile.decode(path: file.path, schema: EventSchema(), features: Self.features, dictionaries: [:], options: on, progress: nil)
        #expect(sameBatch(decoded.batch, whole.batch))
        #expect(sameReport(decoded.report, whole.report))
    }
}
