import Foundation
import MonitorCore
import MonitorIngest
import Testing

let amount = FeatureSpec(name: "amount", kind: .numerical)
let age = FeatureSpec(name: "age", kind: .numerical)
let country = FeatureSpec(name: "country", kind: .categorical)

@Suite("JSONLDecoder: values, types, bad input")
struct JSONLDecoderTests {
    @Test("the DESIGN §3 record decodes into every column")
    func designExample() {
        let line = #"{"id":"p-000001","ts":"2026-11-22T10:00:00.123Z","model":"fraud","version":"3","features":{"amount":12.5,"country":"DE","age":41,"device":null},"prediction":{"score":0.93,"label":"fraud"}}"#
        var options = DecodeOptions()
        options.keepIDs = true
        let device = FeatureSpec(name: "device", kind: .categorical)
        let (b, r, _) = decodeText(line + "\n", features: [amount, country, age, device], options: options)
        #expect(b.count == 1 && r.recordsDecoded == 1 && r.linesRead == 1 && r.counts.isEmpty)
        #expect(b.numericalNames == ["amount", "age"] && b.categoricalNames == ["country", "device"])
        #expect(b.numerical[0] == [12.5] && b.numerical[1] == [41])
        #expect(names(b.categorical[0], b.categoricalDictionaries[0]) == ["DE"])
        #expect(b.categorical[1] == [CategoryDictionary.missingCode])
        #expect(b.timestamps == [1_795_341_600_123])
        #expect(b.ids == ["p-000001"])
        #expect(b.scores == [0.93] && b.values[0].isNaN)
        #expect(names(b.predictedLabels, b.labelDictionary) == ["fraud"])
        #expect(names(b.models, b.modelDictionary) == ["fraud"] && names(b.versions, b.versionDictionary) == ["3"])
    }

    @Test("ids are dropped unless asked for")
    func idsOptional() {
        let (b, _, _) = decodeText(#"{"id":"x","features":{"amount":1}}"#, features: [amount])
        #expect(b.ids == nil)
    }

    @Test("round trip of 2000 random records written in Swift, keys shuffled, unknown nested fields skipped")
    func roundTrip() {
        var rng = SplitMix64(seed: 2026)
        let pool = ["DE", "FR", "US", "é\"q", "line\nbreak", "😀", "back\\slash", ""]
        struct Record {
            var id: String
            var ts: Int64
            var amount: Double?
            var age: Int?
            var country: String?
            var score: Double
            var label: Int
        }
        func esc(_ s: String) -> String {
            var o = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": o += "\\\""
                case "\\": o += "\\\\"
                case "\n": o += "\\n"
                case "😀": o += "\\ud83d\\ude00"
                case "é": o += "\\u00e9"
                default: o.unicodeScalars.append(u)
                }
            }
            return o + "\""
        }
        var records: [Record] = []
        var text = ""
        for i in 0..<2000 {
            let r = Record(
                id: "r-\(i)", ts: Int64.random(in: 0...4_000_000_000_000, using: &rng),
                amount: Int.random(in: 0..<10, using: &rng) == 0 ? nil : Double.random(in: -1e6...1e6, using: &rng),
                age: Int.random(in: 0..<10, using: &rng) == 0 ? nil : Int.random(in: 0...120, using: &rng),
                country: Int.random(in: 0..<10, using: &rng) == 0 ? nil : pool.randomElement(using: &rng)!,
                score: Double.random(in: 0...1, using: &rng), label: Int.random(in: 0...1, using: &rng))
            records.append(r)
            var features = [
                "\"amount\":" + (r.amount.map { "\($0)" } ?? "null"), "\"age\":" + (r.age.map { "\($0)" } ?? "null"),
                "\"nested\":{\"a\":[1,{\"b\":\"}\"}],\"c\":null}",
            ]
            if let c = r.country { features.append("\"country\":" + esc(c)) }
            features.shuffle(using: &rng)
            let ts = Timestamp(milliseconds: r.ts).rfc3339
            var top = [
                "\"id\":\"\(r.id)\"", "\"ts\":\"\(ts)\"", "\"features\":{" + features.joined(separator: ",") + "}",
                "\"prediction\" : { \"label\" : \(r.label) , \"score\" : \(r.score) }", "\"extra\":[[[]],{}]",
            ]
            top.shuffle(using: &rng)
            text += "{" + top.joined(separator: ",") + "}\n"
        }
        var options = DecodeOptions()
        options.keepIDs = true
        let (b, rep, dec) = decodeText(text, features: [amount, age, country], options: options)
        #expect(b.count == 2000 && rep.counts.isEmpty)
        #expect(dec.unknownFeatures == ["nested"])
        for (i, r) in records.enumerated() {
            #expect(b.ids![i] == r.id)
            #expect(b.timestamps[i] == r.ts)
            #expect(r.amount.map { $0.bitPattern == b.numerical[0][i].bitPattern } ?? b.numerical[0][i].isNaN)
            #expect(r.age.map { Double($0) == b.numerical[1][i] } ?? b.numerical[1][i].isNaN)
            #expect(names([b.categorical[0][i]], b.categoricalDictionaries[0]) == [r.country ?? "<missing>"])
            #expect(b.scores[i] == r.score)
            #expect(names([b.predictedLabels[i]], b.labelDictionary) == ["\(r.label)"])
        }
    }

    @Test(
        "malformed lines are dropped with their line number; neighbours survive",
        arguments: [
            // Intent: each kind of broken record.
            #"{"id":"a","features":{"amount":1}"#,  // truncated
            #"{"id":"a}"#,  // unterminated string
            #"{"id":"a\q"}"#,  // bad escape
            #"{"id":"\u12G4"}"#,  // bad unicode escape
            #"{"id":"\u12"}"#,  // short unicode escape
            #"{"id" "a"}"#,  // missing colon
            #"{"id":"a" "ts":1}"#,  // missing comma
            #"{"id":"a"} x"#,  // trailing garbage
            #"{"id":"a"}{"id":"b"}"#,  // two objects
            "[1,2]",  // not an object
            #""just a string""#,
            "42",
            "null",
            #"{"features":{"amount":01}}"#,  // leading zero
            #"{"features":{"amount":+1}}"#,
            #"{"features":{"amount":.5}}"#,
            #"{"features":{"amount":1.}}"#,
            #"{"features":{"amount":1e}}"#,
            #"{"features":{"amount":-}}"#,
            #"{"features":{"amount":nul}}"#,
            #"{"features":{"amount":Nan}}"#,
            #"{"a":tru}"#,
            #"{"a":[1,2,]}"#,
            #"{"a":[1 2]}"#,
            #"{"a":1,}"#,
            "{,}",
            #"{"a":1"#,
            "{",
            "{\"a\":\"tab\there\"}",  // raw control character in a string
            #"{"a":{"b":{"c":}}}"#,
            #"{"features":{"country":{"x":[}}}"#,
            #"{'a':1}"#,
            #"{a:1}"#,
            String(repeating: "[", count: 200) + String(repeating: "]", count: 200),
            "{\"a\":" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}",
        ])
    func malformed(_ bad: String) {
        let good = #"{"features":{"amount":1.5}}"#
        let (b, r, _) = decodeText(good + "\n" + bad + "\n" + good + "\n", features: [amount])
        #expect(b.count == 2 && b.numerical[0] == [1.5, 1.5])
        #expect(r.counts == [.malformedJSON: 1] || r.counts == [.malformedJSON: 1, .badTimestamp: 2])
        #expect(r.sampleLines[.malformedJSON] == [2])
        #expect(r.linesRead == 3 && r.recordsDecoded == 2)
    }

    @Test("a category seen only in a malformed line never enters the dictionary")
    func malformedDoesNotGrowDictionary() {
        let (b, _, _) = decodeText(#"{"features":{"country":"ZZ"} garbage"# + "\n" + #"{"features":{"country":"DE"}}"#, features: [country])
        #expect(b.categoricalDictionaries[0].names == ["DE"])
    }

    @Test("NaN, Infinity, null, absent and overflow are missing, not malformed and not wrong types")
    func missingValues() {
        let values = ["NaN", "Infinity", "-Infinity", "null", "1e400", "-1e400"]
        var text = values.map { #"{"ts":1,"features":{"amount":\#($0),"country":\#($0)}}"# }.joined(separator: "\n")
        text += "\n" + #"{"ts":1,"features":{}}"# + "\n" + #"{"ts":1,"features":{"age":3}}"#
        let (b, r, _) = decodeText(text, features: [amount, country])
        #expect(b.count == 8)
        #expect(b.numerical[0].allSatisfy { $0.isNaN })
        // 1e400 as a category is its JSON text; the non-finite tokens and null are missing.
        #expect(names(b.categorical[0], b.categoricalDictionaries[0]) == ["<missing>", "<missing>", "<missing>", "<missing>", "1e400", "-1e400", "<missing>", "<missing>"])
        // The empty features object and the one with no declared feature count as missing features.
        #expect(r.counts == [.missingFeatures: 2])
        #expect(r.sampleLines[.missingFeatures] == [7, 8])
    }

    @Test("a record without any features object is kept and counted")
    func noFeatures() {
        let (b, r, _) = decodeText(#"{"ts":1,"prediction":{"score":0.5}}"# + "\n" + #"{"ts":1,"features":null}"#, features: [amount])
        #expect(b.count == 2 && b.scores[0] == 0.5)
        #expect(r.counts == [.missingFeatures: 2])
    }

    @Test("wrong types become missing and are counted per field")
    func wrongTypes() {
        let lines = [
            #"{"ts":1,"features":{"amount":"12.5","country":"DE"}}"#,
            #"{"ts":1,"features":{"amount":true,"country":{"a":1}}}"#,
            #"{"ts":1,"features":{"amount":[1],"country":[]}}"#,
            #"{"ts":1,"features":{"amount":{},"country":"FR"},"prediction":{"score":"high"}}"#,
        ]
        let (b, r, _) = decodeText(lines.joined(separator: "\n"), features: [amount, country])
        #expect(b.count == 4 && b.numerical[0].allSatisfy { $0.isNaN })
        #expect(names(b.categorical[0], b.categoricalDictionaries[0]) == ["DE", "<missing>", "<missing>", "FR"])
        #expect(r.counts == [.wrongType: 7])
        #expect(r.sampleLines[.wrongType] == [1, 2, 2, 3, 3])
    }

    @Test("numbers and booleans as categories are their JSON text")
    func numbersAsCategories() {
        let values = ["3", "\"3\"", "1.50", "true", "false", "-0", "1e3"]
        let text = values.map { #"{"ts":1,"features":{"country":\#($0)},"prediction":{"label":\#($0)},"version":\#($0)}"# }.joined(separator: "\n")
        let (b, r, _) = decodeText(text, features: [country])
        #expect(r.counts.isEmpty)
        let expected = ["3", "3", "1.50", "true", "false", "-0", "1e3"]
        #expect(names(b.categorical[0], b.categoricalDictionaries[0]) == expected)
        #expect(names(b.predictedLabels, b.labelDictionary) == expected)
        #expect(names(b.versions, b.versionDictionary) == expected)
        #expect(b.categoricalDictionaries[0].count == 6)
    }

    @Test("escapes and unicode in values and keys")
    func escapes() {
        let cases: [(String, String)] = [
            (#""a\"b""#, "a\"b"), (#""\\""#, "\\"), (#""x\ny""#, "x\ny"), (#""\t\r\b\f\/""#, "\t\r\u{8}\u{C}/"),
            (#""\u00e9""#, "é"), (#""\u00E9t\u00e9""#, "été"), (#""\ud83d\ude00""#, "😀"), (#""\ud800""#, "\u{FFFD}"),
            (#""\ude00x""#, "\u{FFFD}x"), (#""\ud800\u0041""#, "\u{FFFD}A"), (#""日本""#, "日本"), (#""\u0000""#, "\u{0}"),
        ]
        let text = cases.map { #"{"ts":1,"id":\#($0.0),"features":{"country":\#($0.0)}}"# }.joined(separator: "\n")
        var options = DecodeOptions()
        options.keepIDs = true
        let (b, r, _) = decodeText(text, features: [country], options: options)
        #expect(r.counts.isEmpty)
        #expect(b.ids == cases.map(\.1))
        #expect(names(b.categorical[0], b.categoricalDictionaries[0]) == cases.map(\.1))
        // An escaped key matches the schema key it spells.
        let (k, _, dec) = decodeText(#"{"ts":1,"features":{"amo\u0075nt":2,"\u00e9":1}}"#, features: [amount])
        #expect(k.numerical[0] == [2])
        #expect(dec.unknownFeatures == ["é"])
    }

    @Test("timestamps: strings, numbers per unit, bad ones")
    func timestamps() {
        let lines = [
            #"{"ts":"2026-11-22T10:00:00.123Z","features":{}}"#,
            #"{"ts":"2026-11-22T12:00:00.1239+02:00","features":{}}"#,
            #"{"ts":1795341600123,"features":{}}"#,
            #"{"ts":1795341600123.9,"features":{}}"#,
            #"{"ts":"2026-13-22T10:00:00Z","features":{}}"#,
            #"{"ts":null,"features":{}}"#,
            #"{"features":{}}"#,
            #"{"ts":true,"features":{}}"#,
            #"{"ts":"2026-11-22\u005410:00:00Z","features":{}}"#,
            #"{"ts":1.7953416001234e12,"features":{}}"#,
        ]
        let (b, r, _) = decodeText(lines.joined(separator: "\n"), features: [])
        #expect(b.timestamps == [1_795_341_600_123, 1_795_341_600_123, 1_795_341_600_123, 1_795_341_600_123, .min, .min, .min, .min, 1_795_341_600_000, 1_795_341_600_123])
        #expect(r.counts == [.badTimestamp: 4] && r.sampleLines[.badTimestamp] == [5, 6, 7, 8])

        var seconds = EventSchema()
        seconds.timestampUnit = .seconds
        let s = [#"{"ts":1795341600.123456}"#, #"{"ts":1795341600}"#, #"{"ts":-1.5}"#, #"{"ts":1.7953416e9}"#, #"{"ts":1e30}"#, #"{"ts":"2026-11-22T10:00:00Z"}"#]
        let (sb, sr, _) = decodeText(s.joined(separator: "\n"), schema: seconds, features: [])
        #expect(sb.timestamps == [1_795_341_600_123, 1_795_341_600_000, -1500, 1_795_341_600_000, .min, 1_795_341_600_000])
        #expect(sr.counts == [.badTimestamp: 1])
    }

    @Test("dotted paths map another fleet's field names")
    func dottedPaths() {
        var schema = EventSchema()
        schema.id = "request_id"
        schema.timestamp = "meta.time"
        schema.model = "meta.model.name"
        schema.features = "inputs"
        schema.score = "outputs.proba"
        schema.predictedLabel = "outputs.class"
        let depth = FeatureSpec(name: "depth", kind: .numerical, path: "extra.geo.depth")
        let line = #"{"request_id":"r1","features":{"amount":99},"meta":{"time":"2026-11-22T10:00:00Z","model":{"name":"m","v":2}},"inputs":{"amount":5,"country":"DE","other":1},"extra":{"geo":{"depth":-3.5}},"outputs":{"proba":0.25,"class":"yes"},"prediction":{"score":0.9}}"#
        var options = DecodeOptions()
        options.keepIDs = true
        let (b, r, dec) = decodeText(line, schema: schema, features: [amount, country, depth], options: options)
        #expect(r.counts.isEmpty)
        #expect(b.ids == ["r1"] && b.timestamps == [1_795_341_600_000])
        #expect(b.numericalNames == ["amount", "depth"] && b.numerical[0] == [5] && b.numerical[1] == [-3.5])
        #expect(names(b.categorical[0], b.categoricalDictionaries[0]) == ["DE"])
        #expect(b.scores == [0.25] && names(b.predictedLabels, b.labelDictionary) == ["yes"])
        #expect(names(b.models, b.modelDictionary) == ["m"])
        #expect(dec.unknownFeatures == ["other"])
    }

    @Test("frozen reference dictionaries: reference codes kept, new categories after them, then overflow")
    func frozenDictionaries() {
        var reference = CategoryDictionary(frozen: ["DE", "FR"])
        reference.maxNewCategories = 2
        let values = ["DE", "US", "FR", "JP", "BR", "US", "null", "BR"]
        let text = values.map { v in v == "null" ? #"{"features":{"country":null}}"# : #"{"features":{"country":"\#(v)"}}"# }.joined(separator: "\n")
        let (b, _, dec) = decodeText(text, features: [country], dictionaries: ["country": reference])
        let o = CategoryDictionary.overflowCode
        #expect(b.categorical[0] == [0, 2, 1, 3, o, 2, CategoryDictionary.missingCode, o])
        let d = b.categoricalDictionaries[0]
        #expect(d.names == ["DE", "FR", "US", "JP"] && d.referenceCount == 2)
        #expect(dec.categoryDictionaries["country"]?.names == d.names)
        // An open dictionary takes everything.
        let (open, _, _) = decodeText(text, features: [country])
        #expect(open.categoricalDictionaries[0].names == ["DE", "US", "FR", "JP", "BR"])
    }

    @Test("blank lines, CRLF and a last line without a line break")
    func lineEndings() {
        let text = "{\"ts\":1,\"features\":{\"amount\":1}}\r\n\r\n  \n{\"ts\":1,\"features\":{\"amount\":2}}\r\n{\"ts\":1,\"features\":{\"amount\":3}}"
        let (b, r, _) = decodeText(text, features: [amount])
        #expect(b.numerical[0] == [1, 2, 3])
        #expect(r.counts == [.emptyLine: 2] && r.sampleLines[.emptyLine] == [2, 3] && r.linesRead == 5)
    }

    @Test("decode calls append to one batch and continue line numbers")
    func appendAcrossCalls() {
        var decoder = JSONLDecoder(schema: EventSchema(), features: [amount, country], dictionaries: [:], options: DecodeOptions())
        var batch = Batch()
        var report = DecodeReport()
        for (i, chunk) in ["{\"features\":{\"amount\":1,\"country\":\"A\"}}\nbad\n", "{\"features\":{\"amount\":2,\"country\":\"B\"}}\n"].enumerated() {
            var bytes = Array(chunk.utf8)
            bytes.withUnsafeMutableBytes { decoder.decode(UnsafeRawBufferPointer($0), firstLineNumber: i == 0 ? 1 : 3, into: &batch, report: &report) }
        }
        #expect(batch.count == 2 && batch.numerical[0] == [1, 2] && batch.categorical[0] == [0, 1])
        #expect(batch.categoricalDictionaries[0].names == ["A", "B"])
        #expect(report.sampleLines[.malformedJSON] == [2] && report.linesRead == 3)
    }

    @Test("lines over maxRecordBytes are skipped as oversized")
    func oversizedInMemory() {
        var options = DecodeOptions()
        options.maxRecordBytes = 40
        let long = #"{"ts":1,"features":{"amount":1,"pad":"\#(String(repeating: "x", count: 60))"}}"#
        let (b, r, _) = decodeText("{\"ts\":1,\"features\":{\"amount\":1}}\n" + long + "\n{\"ts\":1,\"features\":{\"amount\":2}}", features: [amount], options: options)
        #expect(b.numerical[0] == [1, 2])
        #expect(r.counts == [.oversized: 1] && r.sampleLines[.oversized] == [2])
    }
}
