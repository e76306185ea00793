import Foundation
import MonitorCore
import MonitorIngest
import Testing

@Suite("Fuzz: mutated records never crash and are judged as a strict JSON parser judges them")
struct FuzzTests {
    static let seeds = [
        #"{"id":"p-1","ts":"2026-11-22T10:00:00.123Z","model":"fraud","version":3,"features":{"amount":12.5,"country":"DE","age":41,"device":null,"tags":["a",{"b":[1,2.5e-3,true]}]},"prediction":{"score":0.93,"label":"fraud"}}"#,
        #"{"features":{"country":"\u00e9\"\\\/\b\f\n\r\t","amount":-0.000123E+10,"x":{}},"ts":1795341600123,"extra":[[],{},[{"k":false}]]}"#,
        #"{ "id" : "x" , "features" : { "amount" : 1 , "country" : "\ud83d\ude00" } , "prediction" : { "score" : 1e-7 } }"#,
    ]

    @Test("10 000 byte-level mutations")
    func mutations() {
        var rng = SplitMix64(seed: 1234)
        let alphabet = Array(#"{}[]:,"\ -+.eE0123456789aeflnrstux/btfnrN"#.utf8) + [0x09, 0x0D, 0x01, 0x7F]
        var disagreements: [String] = []
        var compared = 0
        var accepted = 0
        let features = [FeatureSpec(name: "amount", kind: .numerical), FeatureSpec(name: "country", kind: .categorical)]
        for _ in 0..<10_000 {
            var bytes = Array(Self.seeds.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes.remove(at: i)
                case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: i)
                default: bytes[i] = alphabet.randomElement(using: &rng)!
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let (b, r, _) = decodeText(text, features: features)
            // Consistency: one line, either a record or exactly one rejection.
            #expect(r.linesRead == 1)
            let rejected = r.counts[.malformedJSON, default: 0] + r.counts[.emptyLine, default: 0]
            #expect(b.count + rejected == 1 && r.recordsDecoded == b.count)
            #expect(b.numerical[0].count == b.count && b.categorical[0].count == b.count && b.timestamps.count == b.count)
            // Oracle: Foundation's parser (tests only), on inputs where the two definitions agree:
            // no Python non-finite tokens and no surrogate escapes (we accept both, as Python's
            // json module does: non-finite values are missing, lone surrogates become U+FFFD).
            // Foundation also accepts trailing commas (RFC 8259 does not; we reject them) and
            // rejects numbers beyond the double range (we read them as missing values).
            if text.contains("NaN") || text.contains("Infinity") || text.lowercased().contains("\\ud") { continue }
            if text.contains(/,\s*[}\]]/) || text.contains(/[eE][+-]?[0-9]{3,}/) { continue }
            let oracle = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] != nil
            compared += 1
            if oracle { accepted += 1 }
            if oracle != (b.count == 1) { disagreements.append((oracle ? "oracle accepts: " : "oracle rejects: ") + text) }
        }
        // The comparison must be meaningful: most cases compared, both verdicts well represented.
        #expect(compared > 5000 && accepted > 500 && compared - accepted > 2000, "compared \(compared), accepted \(accepted)")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, e.g. \(disagreements.prefix(5))")
    }
}
