import MonitorCore
import Testing
import MonitorIngest

@Suite("JSON numbers: correctly rounded, strict grammar")
struct JSONNumberTests {
    /// Our parse must equal `Double(String)` bit for bit (the standard library rounds correctly).
    func expectSame(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let mine = JSONNumber.parseDouble(text)
        let reference = Double(text)
        #expect(mine != nil, "rejected valid JSON number \(text)", sourceLocation: sourceLocation)
        guard let m = mine, let r = reference else { return }
        #expect(m.bitPattern == r.bitPattern, "\(text): got \(m), Double(String) gives \(r)", sourceLocation: sourceLocation)
    }

    @Test("100 000 random doubles printed by Swift parse back bit for bit")
    func randomShortestRepresentations() {
        var rng = SplitMix64(seed: 42)
        var checked = 0
        while checked < 100_000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            expectSame("\(d)")
            checked += 1
        }
    }

    @Test("random decimal strings (fast path and slow path mixes)")
    func randomDecimals() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<50_000 {
            let digits = Int.random(in: 1...25, using: &rng)
            var s = String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<digits { s.append(String(Int.random(in: 0...9, using: &rng))) }
            let point = Int.random(in: 0...digits, using: &rng)
            var text = point == digits || point == 0 ? s : String(s.prefix(point)) + "." + String(s.dropFirst(point))
            if Bool.random(using: &rng) { text = "-" + text }
            if Int.random(in: 0..<3, using: &rng) == 0 { text += "e\(Int.random(in: -40...40, using: &rng))" }
            expectSame(text)
            // Bench-like values: six decimals.
            let v = "\(Int.random(in: -500...500, using: &rng)).\(String(format6(Int.random(in: 0..<1_000_000, using: &rng))))"
            expectSame(v)
        }
    }

    func format6(_ x: Int) -> String {
        let s = String(x)
        return String(repeating: "0", count: 6 - s.count) + s
    }

    @Test(
        "hard cases",
        arguments: [
            "0", "-0", "0.0", "-0.0", "0e400", "1", "-1", "9007199254740992", "9007199254740993", "9007199254740991",
            "9007199254740994", "9007199254740995", "18014398509481985", "1e23", "1e22", "1e-22", "1e-23",
            "8.98846567431158e307", "1.7976931348623157e308", "1.7976931348623158e308", "2.2250738585072011e-308",
            "2.2250738585072014e-308", "2.2250738585072012e-308", "4.9406564584124654e-324", "5e-324", "2.4703282292062327e-324",
            "2.4703282292062328e-324", "123456789012345678901234567890", "0.123456789012345678901234567890",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126", "3.141592653589793238462643383279",
            "0.000000000000000000000000000001", "1e-400", "-1e-400", "1e400", "-1e400", "1E5", "1e+5", "1e-05",
            "0.1", "0.2", "0.3", "1.5e300", "7.2057594037927933e16", "12345678901234567890", "1234567890123456789",
            "0.00000000000000000000000000000000000000000000000000000000000001", "100000000000000000000000",
            "10000000000000000000000000000000000000000e-40", "4503599627370497.5", "0.0000001e7",
        ])
    func hardCases(_ text: String) {
        expectSame(text)
    }

    @Test("numbers inside records (followed by more JSON) decode as Double(String), finite or missing")
    func numbersInsideRecords() {
        var rng = SplitMix64(seed: 11)
        var texts: [String] = ["0", "-0", "1", "12345678", "123456789", "0.12345678", "1.5e300", "1e400", "5e-324"]
        for _ in 0..<20_000 {
            let intDigits = Int.random(in: 0...12, using: &rng)
            let fracDigits = Int.random(in: 0...12, using: &rng)
            var t = intDigits == 0 ? "0" : String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<max(intDigits, 1) { t.append(String(Int.random(in: 0...9, using: &rng))) }
            if fracDigits > 0 {
                t += "."
                for _ in 0..<fracDigits { t.append(String(Int.random(in: 0...9, using: &rng))) }
            }
            if Bool.random(using: &rng) { t = "-" + t }
            texts.append(t)
            var d: Double
            repeat { d = Double(bitPattern: rng.next()) } while !d.isFinite
            texts.append("\(d)")
        }
        let text = texts.map { #"{"features":{"amount":\#($0),"after":"0123456789abcdef"},"ts":1}"# }.joined(separator: "\n")
        let (b, r, _) = decodeText(text, features: [FeatureSpec(name: "amount", kind: .numerical)])
        #expect(r.counts.isEmpty && b.count == texts.count)
        for (i, t) in texts.enumerated() {
            let reference = Double(t)!
            let expected = reference.isFinite ? reference : .nan
            let got = b.numerical[0][i]
            #expect(got.bitPattern == expected.bitPattern || (got.isNaN && expected.isNaN), "\(t): got \(got), expected \(expected)")
        }
    }

    @Test("overflow is infinite and underflow is zero, as Double(String) has it")
    func overflow() {
        #expect(JSONNumber.parseDouble("1e400") == .infinity)
        #expect(JSONNumber.parseDouble("-1e400") == -.infinity)
        #expect(JSONNumber.parseDouble("1e-400") == 0)
    }

    @Test(
        "strings that are not JSON numbers are rejected",
        arguments: ["01", "-01", "+1", ".5", "1.", "1e", "1e+", "-", "", "1.5.2", "0x10", "1 ", " 1", "--1", "1e5.5", "NaN", "Infinity", "1_000", "١"]
    )
    func rejects(_ text: String) {
        #expect(JSONNumber.parseDouble(text) == nil)
    }
}
