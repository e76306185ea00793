import MonitorCore
import MonitorWindowing
import Foundation
import Testing

/// A deterministic normal sample (splitmix64 + Box–Muller).
func normalSample(_ n: Int, mean: Double = 0, sd: Double = 1, seed: UInt64) -> [Double] {
    var x = seed
    func next() -> Double {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) * 0x1.0p-53
    }
    return (0..<n).map { _ in
        let u = max(next(), 1e-300)
        let v = next()
        return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

@Suite("Feature comparison")
struct FeatureComparatorTests {
    @Test("the sketch path agrees with the exact path within its stated bound")
    func sketchVersusExact() {
        let a = normalSample(200_000, seed: 1)
        let b = normalSample(200_000, mean: 0.3, seed: 2)
        var exactSettings = DriftSettings()
        exactSettings.exactLimit = 1_000_000
        var sketchSettings = DriftSettings()
        sketchSettings.exactLimit = 1000
        let exact = a.withUnsafeBufferPointer { ra in b.withUnsafeBufferPointer { rb in
            FeatureComparator.compareNumerical(name: "x", reference: ra, current: rb, settings: exactSettings) } }
        let sketch = a.withUnsafeBufferPointer { ra in b.withUnsafeBufferPointer { rb in
            FeatureComparator.compareNumerical(name: "x", reference: ra, current: rb, settings: sketchSettings) } }
        #expect(exact.method == "exact" && sketch.method == "sketch")
        let bound = sketch.ksStatisticErrorBound ?? 0
        #expect(bound > 0 && bound < 0.05)
        #expect(abs(sketch.ksStatistic! - exact.ksStatistic!) <= bound, "\(sketch.ksStatistic!) vs \(exact.ksStatistic!) ± \(bound)")
        // Wasserstein from sketches: within a few percent for a 0.3-sd shift.
        #expect(abs(sketch.wasserstein! - exact.wasserstein!) <= 0.05 * exact.wasserstein!)
        // Bin counts stay exact in the sketch path; edges come from sketch quantiles, so PSI is close.
        #expect(abs(sketch.psi! - exact.psi!) <= 0.01)
        #expect(sketch.missingRate == 0 && sketch.outOfRangeRate == exact.outOfRangeRate)
        // The conservative p-value is not smaller than the exact one by more than the bound's effect.
        #expect(sketch.ksPValue! >= exact.ksPValue!)
    }

    @Test("missing values are counted and never enter a distribution")
    func missingValues() {
        let ref: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        let cur: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, .nan, .infinity, -.infinity, .nan]
        let r = ref.withUnsafeBufferPointer { a in cur.withUnsafeBufferPointer { b in
            FeatureComparator.compareNumerical(name: "x", reference: a, current: b, settings: DriftSettings()) } }
        #expect(r.missingRate == 4.0 / 14.0)
        #expect(r.currentCount == 10)
        #expect(r.ksStatistic == 0 && r.psi == 0 && r.wasserstein == 0)
        #expect(r.outOfRangeRate == 0)
    }

    @Test("categorical: union of categories, new categories, overflow and missing codes")
    func categorical() {
        var dict = CategoryDictionary(frozen: ["a", "b"])
        let new = dict.code(for: "c")
        let ref: [UInt32] = [0, 0, 1, 1, CategoryDictionary.missingCode]
        let cur: [UInt32] = [0, 1, new, CategoryDictionary.overflowCode, CategoryDictionary.missingCode, CategoryDictionary.missingCode]
        let r = ref.withUnsafeBufferPointer { a in cur.withUnsafeBufferPointer { b in
            FeatureComparator.compareCategorical(name: "c", reference: a, current: b, dictionary: dict, settings: DriftSettings()) } }
        #expect(r.referenceCount == 4 && r.currentCount == 4)
        #expect(r.missingRate == 2.0 / 6.0)
        #expect(r.newCategoryRate == 0.5)  // "c" and an overflowed category, of 4 non-missing
        // The 2×4 table [[2,2,0,0],[1,1,1,1]] has 3 degrees of freedom.
        #expect(r.chi2DegreesOfFreedom == 3)
        #expect(r.chi2Statistic != nil && r.jsDistance != nil && r.psi != nil)
    }
}
