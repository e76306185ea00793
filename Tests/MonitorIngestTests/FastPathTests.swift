import Foundation
import MonitorCore
import MonitorIngest
import Testing

/// The decoder's fast path (members in the expected key order, short numbers read from one
/// 16-byte window, plain strings scanned a word at a time) must agree exactly with the general
/// path: same values, same rejections, at every offset from the end of the line.
@Suite("JSONLDecoder fast path: numbers, strings and key order at word and line boundaries")
struct FastPathTests {
    static let x = FeatureSpec(name: "x", kind: .numerical)
    static let y = FeatureSpec(name: "y", kind: .numerical)
    static let c = FeatureSpec(name: "c", kind: .categorical)

    /// RFC 8259 number grammar, written independently of the decoder.
    static func isJSONNumber(_ s: String) -> Bool {
        var b = Array(s.utf8)[...]
        func digits() -> Int {
            var n = 0
            while let d = b.first, d >= 0x30 && d <= 0x39 {
                b = b.dropFirst()
                n += 1
            }
            return n
        }
        if b.first == UInt8(ascii: "-") { b = b.dropFirst() }
        guard let f = b.first else { return false }
        if f == UInt8(ascii: "0") {
            b = b.dropFirst()
        } else if f >= 0x31 && f <= 0x39 {
            _ = digits()
        } else {
            return false
        }
        if b.first == UInt8(ascii: ".") {
            b = b.dropFirst()
            guard digits() > 0 else { return false }
        }
        if let e = b.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            b = b.dropFirst()
            if let s = b.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { b = b.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return b.isEmpty
    }

    /// Number texts of every shape around the fast path's limits (7/8 integer digits, 7/8
    /// fraction digits, 16-byte window), plus invalid ones.
    static func numberTexts() -> [String] {
        var out: [String] = []
        var rng = SplitMix64(seed: 7)
        func digits(_ n: Int, leading: Bool) -> String {
            var s = ""
            for i in 0..<n {
                let d = i == 0 && !leading ? Int.random(in: 1...9, using: &rng) : Int.random(in: 0...9, using: &rng)
                s += String(d)
            }
            return s
        }
        for sign in ["", "-"] {
            for i in 0...10 {
                for f in [-1, 0, 1, 2, 5, 6, 7, 8, 9, 12] {
                    for leading in [false, true] {
                        var t = sign + (i == 0 ? "" : digits(i, leading: leading))
                        if f >= 0 { t += "." + digits(f, leading: true) }
                        out.append(t)
                    }
                }
            }
        }
        out += [
            "0", "-0", "0.0", "-0.0", "00", "01", "-01", "0.5", "-0.000001", "1.", "-", ".5", "1.2.3", "1..2", "1e5",
            "1.5e3", "1E-2", "2.5e", "12345678", "1234567", "123456789", "9007199254740993", "0.12345678",
            "1234567.1234567", "9999999.99999999", "4503599627370497.5", "1.0000000000000002", "-I", "+1", "1-2",
        ]
        return out
    }

    @Test("numbers: same value as Double(String), same rejections, at every distance from the line's end")
    func numbers() {
        for t in Self.numberTexts() {
            let valid = Self.isJSONNumber(t)
            // Terminators: `,` then more members; `}` ending the object near the line's end (short
            // windows); whitespace (general separator code).
            for (k, shape) in [
                #"{"features":{"x":\#(t),"y":1}}"#, #"{"features":{"x":\#(t)}}"#, #"{"features":{"x":\#(t) ,"y":1}}"#,
                #"{"features":{"y":1,"x":\#(t)}}            "#, #"{"features":{"x":\#(t)}, "pad":"0123456789abcdef0123"}"#,
            ].enumerated() {
                for newline in [true, false] {
                    let (b, r, _) = decodeText(shape + (newline ? "\n" : ""), features: [Self.x, Self.y])
                    if valid {
                        let expected = Double(t)!
                        #expect(b.count == 1, "\(t) shape \(k)")
                        if b.count == 1 {
                            #expect(b.numerical[0][0].bitPattern == expected.bitPattern, "\(t) shape \(k): \(b.numerical[0][0]) vs \(expected)")
                        }
                    } else {
                        #expect(b.count == 0 && r.counts[.malformedJSON] == 1, "\(t) shape \(k) should be rejected")
                    }
                }
            }
        }
    }

    @Test("numbers used as categories keep their JSON text verbatim, or reject the line, on either path")
    func numericCategories() {
        for t in Self.numberTexts() {
            let valid = Self.isJSONNumber(t)
            for shape in [#"{"prediction":{"score":0.5,"label":\#(t)}}"#, #"{"prediction":{"label":\#(t) }}"#, #"{"features":{"c":\#(t),"x":1}}"#] {
                let (b, r, _) = decodeText(shape + "\n", features: [Self.c, Self.x])
                if valid {
                    #expect(b.count == 1, "\(shape)")
                    if b.count == 1 {
                        let got = shape.contains("label") ? names(b.predictedLabels, b.labelDictionary) : names(b.categorical[0], b.categoricalDictionaries[0])
                        #expect(got == [t], "\(shape)")
                    }
                } else {
                    #expect(b.count == 0 && r.counts[.malformedJSON] == 1, "\(shape) should be rejected")
                }
            }
        }
    }

    @Test("many lines of varied numbers in one buffer: the guessed key order stays right")
    func numberStream() {
        var rng = SplitMix64(seed: 11)
        var text = ""
        var xs: [Double] = []
        var ys: [Double] = []
        for i in 0..<3000 {
            let a = Double(Int.random(in: -99_999_999...99_999_999, using: &rng)) / [1, 10, 1000, 1e6, 1e8][i % 5]
            let b = Double.random(in: -1e6...1e6, using: &rng)
            let sa = "\(a)".replacingOccurrences(of: "e+", with: "e")
            let sb = "\(b)".replacingOccurrences(of: "e+", with: "e")
            xs.append(Double(sa)!)
            ys.append(Double(sb)!)
            // Occasionally swap the key order or add whitespace: the guess must recover.
            switch i % 7 {
            case 3: text += #"{"features":{"y":\#(sb),"x":\#(sa)}}"# + "\n"
            case 5: text += #"{ "features" : { "x" : \#(sa) , "y" : \#(sb) } }"# + "\n"
            default: text += #"{"features":{"x":\#(sa),"y":\#(sb)}}"# + "\n"
            }
        }
        let (b, r, _) = decodeText(text, features: [Self.x, Self.y])
        #expect(b.count == 3000 && r.counts[.malformedJSON] == nil)
        #expect(b.numerical[0].map(\.bitPattern) == xs.map(\.bitPattern))
        #expect(b.numerical[1].map(\.bitPattern) == ys.map(\.bitPattern))
    }

    @Test("strings of every length, escapes and control bytes at every position of 8-byte words")
    func strings() {
        let pieces: [(json: String, value: String)] = [("\\\"", "\""), ("\\\\", "\\"), ("\\n", "\n"), ("\\u00e9", "é"), ("é", "é")]
        for length in 0..<40 {
            let plain = String(repeating: "a", count: length)
            var cases: [(String, String)] = [(plain, plain)]
            for at in stride(from: 0, through: length, by: 3) {
                for p in pieces {
                    let pre = String(plain.prefix(at))
                    let post = String(plain.dropFirst(at))
                    cases.append((pre + p.json + post, pre + p.value + post))
                }
            }
            for (json, value) in cases {
                for tail in ["}}", #","x":1}}"#, #"}, "pad":"0123456789abcdef"}"#] {
                    let line = #"{"features":{"c":"\#(json)"\#(tail)"#
                    let (b, r, _) = decodeText(line + "\n", features: [Self.c, Self.x])
                    #expect(b.count == 1 && r.counts[.malformedJSON] == nil, "\(line)")
                    if b.count == 1 { #expect(names(b.categorical[0], b.categoricalDictionaries[0]) == [value], "\(line)") }
                }
            }
            // A raw control byte or an unterminated string is malformed wherever it sits.
            for bad in [plain + "\u{01}", plain + "\t" + plain, "\\x" + plain] {
                let (b, r, _) = decodeText(#"{"features":{"c":"\#(bad)"}}"# + "\n", features: [Self.c])
                #expect(b.count == 0 && r.counts[.malformedJSON] == 1, "\(bad.debugDescription)")
            }
            let (b, r, _) = decodeText(#"{"features":{"c":"\#(plain)"#, features: [Self.c])
            #expect(b.count == 0 && r.counts[.malformedJSON] == 1)
        }
    }

    @Test("unknown keys outside the features object are skipped alike on both paths, bad values still reject")
    func unknownRootKeys() {
        let lines = [
            #"{"id":"a","features":{"x":1}}"#,
            #"{"id":"b","features":{"x":2}}"#,
            #"{"id":"c\n","features":{"x":3}}"#,
            #"{"id":{"n":[1,"}"]},"features":{"x":4}}"#,
            #"{"id":"d\#u{01}","features":{"x":5}}"#,
            #"{"id":"e","features":{"x":6},"id":"f"}"#,
            #"{"features":{"x":7},"id":"g"}"#,
            #"{"id":"h,"features":{"x":8}}"#,
            #"{"id":7,"features":{"x":9}}"#,
            #"{"idx":"i","features":{"x":10}}"#,
            #"{"id":"j"  ,  "features":{"x":11}}"#,
            #"{"id":"k","features":{"x":12}}"#,
        ]
        let (b, r, _) = decodeText(lines.joined(separator: "\n") + "\n", features: [Self.x])
        #expect(b.numerical[0] == [1, 2, 3, 4, 6, 7, 9, 10, 11, 12])
        #expect(r.counts[.malformedJSON] == 2 && r.sampleLines[.malformedJSON] == [5, 8])
    }

    @Test("timestamps, ids and model strings on the fast path; escaped or non-string values on the general one")
    func rootStrings() {
        var options = DecodeOptions()
        options.keepIDs = true
        let text = [
            #"{"id":"a","ts":"2026-01-01T00:00:00.079Z","model":"m","features":{"x":1}}"#,
            #"{"id":"a\u0062","ts":"2026-01-01T00:00:00.079Z","model":"m\"q","features":{"x":2}}"#,
            #"{"id":"c","ts":"not a time","model":"m","features":{"x":3}}"#,
            #"{"id":"d","ts":"2026-01-01T00:00:0\u0030Z","model":7,"features":{"x":4}}"#,
            #"{"id":"e","ts":1767225600079,"model":true,"features":{"x":5}}"#,
        ].joined(separator: "\n") + "\n"
        let (b, r, _) = decodeText(text, features: [Self.x], options: options)
        #expect(b.count == 5)
        #expect(b.ids == ["a", "ab", "c", "d", "e"])
        #expect(b.timestamps == [1_767_225_600_079, 1_767_225_600_079, Int64.min, 1_767_225_600_000, 1_767_225_600_079])
        #expect(names(b.models, b.modelDictionary) == ["m", "m\"q", "m", "7", "true"])
        #expect(r.counts == [.badTimestamp: 1])
    }
}
