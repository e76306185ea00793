import Foundation

/// Loads a committed reference fixture (`Tests/MonitorStatsTests/Fixtures/NAME.json`), written by
/// `scripts/gen-reference`. Fails the test loudly when the file is missing.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The `cases` array of a fixture.
    static func cases(_ name: String) throws -> [[String: Any]] {
        let url = directory.appendingPathComponent(name + ".json")
        let data = try Data(contentsOf: url)
        guard let doc = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any],
            let cases = doc["cases"] as? [[String: Any]]
        else { throw FixtureError(message: "\(url.path): no cases array") }
        return cases
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
