import Foundation
import MonitorStats
import Testing

/// The `## Example` blocks of the public doc comments, executed, so that docs cannot drift from
/// the code. Each expectation names the declaration whose example it checks.
@Suite("DocExamples")
struct DocExampleTests {
    @Test("examples in doc comments hold")
    func examples() throws {
        // BinEdges
        let edges = try BinEdges(sortedReference: (1...100).map(Double.init))
        #expect(edges.edges == [10.9, 20.8, 30.700000000000003, 40.6, 50.5, 60.4, 70.30000000000001, 80.2, 90.10000000000001])
        #expect(edges.binIndex(10.9) == 0)
        // populationStabilityIndex
        #expect(close(try populationStabilityIndex(referenceCounts: [50, 50], currentCounts: [25, 75]).value, 0.2746530721670274, rel: 1e-15))
        // regularizedGammaP / Q, chiSquareSurvival
        #expect(close(regularizedGammaP(1, 2), 0.8646647167633873, rel: 1e-15))
        #expect(close(regularizedGammaQ(0.5, 2), 0.04550026389635842, rel: 1e-14))
        #expect(close(chiSquareSurvival(3.841458820694124, degreesOfFreedom: 1), 0.05, rel: 1e-12))
        // chiSquareHomogeneity, gTest, chiSquareGoodnessOfFit
        let h = try chiSquareHomogeneity([10, 20], [30, 25])
        #expect(close(h.statistic, 3.505892255892255, rel: 1e-12) && close(h.pValue, 0.06115089757606777, rel: 1e-12) && h.degreesOfFreedom == 1)
        #expect(abs(try gTest([10, 20], [30, 25]).pValue - 0.0592) < 1e-4)
        let g = try chiSquareGoodnessOfFit(observed: [16, 18, 16, 14, 12, 12], expectedProportions: Array(repeating: 1.0 / 6, count: 6))
        #expect(close(g.statistic, 2.0, rel: 1e-14) && close(g.pValue, 0.8491450360846096, rel: 1e-12) && g.degreesOfFreedom == 5)
        // divergences
        #expect(try jensenShannonDistance([1.0, 0], [0, 1]) == 1)
        #expect(try jensenShannonDistance([1.0, 2, 3], [2, 4, 6]) == 0)
        #expect(try hellingerDistance([1.0, 0], [0, 1]) == 1)
        #expect(try totalVariationDistance([1.0, 1], [3, 1]) == 0.25)
        // Wasserstein
        #expect(try wassersteinDistance(sorted: [0, 1, 3], sorted: [5, 6, 8]) == 5)
        let w = try wasserstein(sortedReference: [0, 2], sortedCurrent: [1, 3])
        #expect(w.distance == 1 && w.referenceStandardDeviation == 1 && w.normed == 1)
        // quantiles
        #expect(try quantileSorted([1, 2, 3, 4], 0.5) == 2.5)
        #expect(try quantileSorted([0, 10], 0.25) == 2.5)
        // Moments
        var m = Moments()
        [1, 2, 3, 4, .nan].forEach { m.add($0) }
        #expect(m.count == 4 && m.mean == 2.5 && m.variance() == 1.25)
        #expect(close(m.standardDeviation(ddof: 1), 1.2909944487358056, rel: 1e-15))
        // data quality
        #expect([1, .nan, .infinity].withUnsafeBufferPointer { missingCount($0) } == 2)
        #expect(try missingRate(missing: 3, total: 12) == 0.25)
        let oor = try [0, 5, 11, .nan].withUnsafeBufferPointer { try outOfRangeRate($0, referenceMinimum: 0, referenceMaximum: 10) }
        #expect(oor == 1.0 / 3)
        #expect(try newCategoryRate(referenceCounts: [5, 5, 0], currentCounts: [2, 2, 4]) == 0.5)
        // adjustPValues
        let bh = try adjustPValues([0.01, 0.04, 0.03, 0.005], method: .bh)
        for (a, e) in zip(bh, [0.02, 0.04, 0.04, 0.02]) { #expect(close(a, e, rel: 1e-15)) }
    }
}
