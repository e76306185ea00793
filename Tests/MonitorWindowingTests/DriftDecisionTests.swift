import MonitorCore
import MonitorWindowing
import Testing

@Suite("Drift decision rule")
struct DriftDecisionTests {
    static func numerical(_ name: String, test: DriftTest, threshold: Double, p: Double, wNormed: Double, psi: Double = 0) -> FeatureDriftResult {
        var f = FeatureDriftResult(name: name, kind: .numerical, test: test, threshold: threshold, missingRate: 0)
        f.ksPValue = p
        f.wassersteinNormed = wNormed
        f.psi = psi
        return f
    }

    static func categorical(_ name: String, test: DriftTest, threshold: Double, p: Double, js: Double) -> FeatureDriftResult {
        var f = FeatureDriftResult(name: name, kind: .categorical, test: test, threshold: threshold, missingRate: 0)
        f.chi2PValue = p
        f.jsDistance = js
        return f
    }

    /// Each row: intent, feature, expected decision. Rows sit either side of each threshold.
    static let rows: [(String, FeatureDriftResult, Bool)] = [
        ("large numerical, W just above 0.1, significant", numerical("a", test: .wassersteinNormed, threshold: 0.1, p: 1e-10, wNormed: 0.1001), true),
        ("large numerical, W exactly at the threshold counts", numerical("a", test: .wassersteinNormed, threshold: 0.1, p: 1e-10, wNormed: 0.1), true),
        ("large numerical, W just below 0.1", numerical("a", test: .wassersteinNormed, threshold: 0.1, p: 1e-10, wNormed: 0.0999), false),
        ("large numerical, big W but not significant (tiny current sample)", numerical("a", test: .wassersteinNormed, threshold: 0.1, p: 0.2, wNormed: 0.5), false),
        ("1M-row noise: tiny p, subtle 0.05-sd shift: the distance decides", numerical("a", test: .wassersteinNormed, threshold: 0.1, p: 6e-169, wNormed: 0.05), false),
        ("small numerical, p < alpha and effect above the floor", numerical("a", test: .ks, threshold: 0.05, p: 0.049, wNormed: 0.06), true),
        ("small numerical, p at alpha is not significant", numerical("a", test: .ks, threshold: 0.05, p: 0.05, wNormed: 0.5), false),
        ("small numerical, significant but below the effect floor", numerical("a", test: .ks, threshold: 0.05, p: 0.001, wNormed: 0.049), false),
        ("large categorical, JS above 0.1, significant", categorical("c", test: .jsDistance, threshold: 0.1, p: 1e-9, js: 0.16), true),
        ("large categorical, JS below 0.1", categorical("c", test: .jsDistance, threshold: 0.1, p: 1e-9, js: 0.09), false),
        ("small categorical, chi2 significant, JS above floor", categorical("c", test: .chi2, threshold: 0.05, p: 0.01, js: 0.2), true),
        ("small categorical, chi2 not significant", categorical("c", test: .chi2, threshold: 0.05, p: 0.3, js: 0.2), false),
        ("PSI override at 0.2: above", numerical("a", test: .psi, threshold: 0.2, p: 1e-5, wNormed: 0.01, psi: 0.21), true),
        ("PSI override at 0.2: below", numerical("a", test: .psi, threshold: 0.2, p: 1e-5, wNormed: 0.01, psi: 0.19), false),
    ]

    @Test("decision table", arguments: rows.indices)
    func table(row: Int) {
        let (intent, feature, expected) = Self.rows[row]
        var features = [feature]
        _ = DriftDecision.decide(&features, settings: DriftSettings())
        #expect(features[0].drift == expected, "\(intent)")
    }

    @Test("no p-value (nothing to compare) never drifts")
    func noStatistics() {
        var features = [FeatureDriftResult(name: "x", kind: .numerical, test: .wassersteinNormed, threshold: 0.1, missingRate: 1)]
        let (share, dataset) = DriftDecision.decide(&features, settings: DriftSettings())
        #expect(!features[0].drift && share == 0 && !dataset)
    }

    @Test("Bonferroni multiplies by the number of tested features; BH by m/rank")
    func corrections() {
        var s = DriftSettings()
        s.correction = .bonferroni
        // 0.02 · 3 = 0.06 ≥ 0.05: no longer significant after correction.
        var f = [Self.numerical("a", test: .ks, threshold: 0.05, p: 0.02, wNormed: 1),
                 Self.numerical("b", test: .ks, threshold: 0.05, p: 0.5, wNormed: 1),
                 Self.numerical("c", test: .ks, threshold: 0.05, p: 0.9, wNormed: 1)]
        _ = DriftDecision.decide(&f, settings: s)
        #expect(f.map(\.pValueAdjusted) == [0.06, 1, 1])
        #expect(f.allSatisfy { !$0.drift })
        s.correction = .bh
        var g = [Self.numerical("a", test: .ks, threshold: 0.05, p: 0.01, wNormed: 1),
                 Self.numerical("b", test: .ks, threshold: 0.05, p: 0.04, wNormed: 1),
                 Self.numerical("c", test: .ks, threshold: 0.05, p: 0.03, wNormed: 1),
                 Self.numerical("d", test: .ks, threshold: 0.05, p: 0.005, wNormed: 1)]
        _ = DriftDecision.decide(&g, settings: s)
        // scipy.stats.false_discovery_control([0.01, 0.04, 0.03, 0.005]) = [0.02, 0.04, 0.04, 0.02]
        for (got, want) in zip(g.map { $0.pValueAdjusted ?? .nan }, [0.02, 0.04, 0.04, 0.02]) {
            #expect(abs(got - want) <= 1e-15, "\(got) vs \(want)")
        }
        #expect(g.allSatisfy { $0.drift })
    }

    @Test("dataset drift at the configured share of features")
    func datasetShare() {
        var s = DriftSettings()
        s.datasetDriftShare = 0.5
        var f = [Self.numerical("a", test: .wassersteinNormed, threshold: 0.1, p: 0, wNormed: 0.5),
                 Self.numerical("b", test: .wassersteinNormed, threshold: 0.1, p: 0.9, wNormed: 0)]
        #expect(DriftDecision.decide(&f, settings: s) == (0.5, true))
        s.datasetDriftShare = 0.51
        #expect(DriftDecision.decide(&f, settings: s) == (0.5, false))
    }

    @Test("test choice by reference size, and overrides")
    func testChoice() {
        var s = DriftSettings()
        #expect(DriftDecision.test(for: .numerical, referenceCount: 1000, name: "a", settings: s) == (.ks, 0.05))
        #expect(DriftDecision.test(for: .numerical, referenceCount: 1001, name: "a", settings: s) == (.wassersteinNormed, 0.1))
        #expect(DriftDecision.test(for: .categorical, referenceCount: 1000, name: "a", settings: s) == (.chi2, 0.05))
        #expect(DriftDecision.test(for: .categorical, referenceCount: 1001, name: "a", settings: s) == (.jsDistance, 0.1))
        s.overrides["a"] = DriftOverride(test: .psi)
        #expect(DriftDecision.test(for: .numerical, referenceCount: 5, name: "a", settings: s) == (.psi, 0.2))
        s.overrides["a"] = DriftOverride(test: .jsDistance, threshold: 0.3)
        #expect(DriftDecision.test(for: .numerical, referenceCount: 5, name: "a", settings: s) == (.jsDistance, 0.3))
    }
}
