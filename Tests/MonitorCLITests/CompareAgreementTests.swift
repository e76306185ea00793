import Foundation
import MonitorCore
import MonitorService
import MonitorWindowing
import Testing

/// `monitor compare` end to end (decode → statistics → decision) against numpy/scipy values
/// computed by `scripts/reference/compare.py` on the committed JSONL pairs in `Fixtures/compare/`.
@Suite("compare agrees with scipy end to end")
struct CompareAgreementTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func expected() throws -> [[String: Any]] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("compare_expected.json"))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(doc["cases"] as? [[String: Any]])
    }

    static func run(_ name: String, threads: Int) throws -> CompareOutcome {
        var request = CompareRequest(
            referencePath: fixtures.appendingPathComponent("compare/\(name)_reference.jsonl").path,
            currentPath: fixtures.appendingPathComponent("compare/\(name)_current.jsonl").path)
        request.threads = threads
        return try CompareRunner.run(request)
    }

    /// Tolerances (DESIGN §6): KS statistic 1e-12 absolute (it is a ratio of integers);
    /// p-values 1e-6 relative, or 1e-12 absolute below 1e-6; PSI, JS, chi-square and
    /// Wasserstein 1e-9 relative (summation order differs from numpy's pairwise sums).
    static func agree(_ key: String, _ got: Double?, _ want: Double, _ feature: String) {
        guard let got else {
            Issue.record("\(feature).\(key) missing")
            return
        }
        let ok: Bool
        switch key {
        case "ks_statistic": ok = abs(got - want) <= 1e-12
        case "ks_pvalue", "chi2_pvalue":
            ok = want < 1e-6 ? abs(got - want) <= 1e-12 : abs(got - want) <= 1e-6 * want
        case "missing_rate", "out_of_range_rate", "new_category_rate": ok = abs(got - want) <= 1e-15
        default: ok = abs(got - want) <= 1e-9 * max(abs(want), 1e-300) || abs(got - want) <= 1e-15
        }
        #expect(ok, "\(feature).\(key): got \(got), scipy \(want)")
    }

    @Test("every statistic of every feature", arguments: ["large", "small"])
    func agreement(name: String) throws {
        let case_ = try #require(try Self.expected().first { $0["name"] as? String == name })
        let outcome = try Self.run(name, threads: 2)
        #expect(outcome.result.referenceRows == case_["reference_rows"] as? Int)
        #expect(outcome.result.currentRows == case_["current_rows"] as? Int)
        let want = try #require(case_["features"] as? [String: [String: Any]])
        #expect(Set(outcome.result.features.map(\.name)) == Set(want.keys))
        for f in outcome.result.features {
            let w = try #require(want[f.name])
            #expect(f.kind.rawValue == w["kind"] as? String, "\(f.name)")
            #expect(f.referenceCount == w["reference_count"] as? Int, "\(f.name)")
            #expect(f.currentCount == w["current_count"] as? Int, "\(f.name)")
            let got: [String: Double?] = [
                "psi": f.psi, "ks_statistic": f.ksStatistic, "ks_pvalue": f.ksPValue, "wasserstein": f.wasserstein,
                "wasserstein_normed": f.wassersteinNormed, "js_distance": f.jsDistance, "chi2_statistic": f.chi2Statistic,
                "chi2_pvalue": f.chi2PValue, "missing_rate": f.missingRate, "out_of_range_rate": f.outOfRangeRate,
                "new_category_rate": f.newCategoryRate,
            ]
            for (key, value) in w {
                guard let expected = value as? Double, got.keys.contains(key) else { continue }
                Self.agree(key, got[key] ?? nil, expected, f.name)
            }
            if let dof = w["chi2_dof"] as? Int { #expect(f.chi2DegreesOfFreedom == dof, "\(f.name)") }
        }
    }

    @Test("decisions at defaults: the drifted features and only them")
    func decisions() throws {
        let large = try Self.run("large", threads: 2).result
        // 3000 reference rows > 1000: distance tests decide.
        #expect(Set(large.features.filter(\.drift).map(\.name)) == ["amount", "balance", "country"])
        let age = try #require(large.features.first { $0.name == "age" })
        #expect(age.missingRate > 0.05 && !age.drift)  // missing values show as missing_rate, not drift
        #expect(large.features.allSatisfy { ($0.kind == .numerical) == ($0.test == .wassersteinNormed) })

        let small = try Self.run("small", threads: 1).result
        // 500 reference rows ≤ 1000: KS / chi-square p-values decide, with the effect-size floor.
        #expect(Set(small.features.filter(\.drift).map(\.name)) == ["distance_km", "device"])
        #expect(small.features.allSatisfy { ($0.kind == .numerical) == ($0.test == .ks) })
        #expect(small.features.first { $0.name == "distance_km" }?.ksMethod == "exact")
    }

    @Test("single-threaded and parallel runs give identical results")
    func threadsAgree() throws {
        let a = try Self.run("large", threads: 1).result.features
        let b = try Self.run("large", threads: 2).result.features
        #expect(a.map(\.name) == b.map(\.name))
        for (x, y) in zip(a, b) {
            #expect(x.psi == y.psi && x.ksPValue == y.ksPValue && x.jsDistance == y.jsDistance && x.chi2PValue == y.chi2PValue, "\(x.name)")
        }
    }
}
