import Foundation

/// Loads a committed reference fixture (`Tests/MonitorStatsTests/Fixtures/NAME.json`), written by
/// `scripts/gen-reference`. Fails the test loudly when the file is missing.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The `cases` array of a fixture.
    static func cases(_ name: String) throws -> [[String: Any]] {
        let url = directory.appendingPathComponent(name + ".json")
        let data = try Data(contentsOf: url)
        // Not JSONSerialization: on Linux it mis-rounds some decimals (0.30000000000000004 parses
        // as 0.3000000000000001), which breaks bit-exact comparisons. JSONDecoder parses
        // doubles correctly; numbers are handed out as NSNumber so the accessors below work.
        guard let doc = try JSONDecoder().decode(JSONValue.self, from: data).foundationObject as? [String: Any],
            let cases = doc["cases"] as? [[String: Any]]
        else { throw FixtureError(message: "\(url.path): no cases array") }
        return cases
    }

    /// A JSON document decoded with correctly rounded doubles.
    enum JSONValue: Decodable {
        case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let i = try? c.decode(Int.self) { self = .int(i) }
            else if let d = try? c.decode(Double.self) { self = .double(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSONValue].self)) }
        }

        var foundationObject: Any {
            switch self {
            case .null: return NSNull()
            case .bool(let b): return b
            case .int(let i): return NSNumber(value: i)
            case .double(let d): return NSNumber(value: d)
            case .string(let s): return s
            case .array(let a): return a.map(\.foundationObject)
            case .object(let o): return o.mapValues(\.foundationObject)
            }
        }
    }

    struct FixtureError: Error { var message: String }
}

extension Dictionary where Key == String, Value == Any {
    func double(_ k: String) -> Double {
        if let d = self[k] as? Double { return d }
        if let n = self[k] as? NSNumber { return n.doubleValue }
        if let s = self[k] as? String {  // "nan", "inf", "-inf"
            switch s.lowercased() {
            case "nan": return .nan
            case "inf", "infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            default: break
            }
        }
        return .nan
    }
    func int(_ k: String) -> Int { (self[k] as? NSNumber)?.intValue ?? Int.min }
    func string(_ k: String) -> String { self[k] as? String ?? "" }
    func doubles(_ k: String) -> [Double] {
        (self[k] as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue ?? .nan }
    }
}

/// |a − b| ≤ max(rel·|b|, abs), treating equal infinities and NaN == NaN as equal.
func close(_ a: Double, _ b: Double, rel: Double, abs absTol: Double = 0) -> Bool {
    if a.isNaN && b.isNaN { return true }
    if a == b { return true }
    return Swift.abs(a - b) <= Swift.max(rel * Swift.abs(b), absTol)
}

/// A small deterministic generator for property tests (SplitMix64, Steele et al. 2014).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1p-53 }
    /// Box–Muller.
    mutating func nextNormal() -> Double {
        let u = max(nextUniform(), 0x1p-60), v = nextUniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
    }
}
