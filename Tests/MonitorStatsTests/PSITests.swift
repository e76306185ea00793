import Foundation
import MonitorStats
import Testing

@Suite("PSI")
struct PSITests {
    // 1e-9 relative (DESIGN §6). Both sides compute the same ≤ 10-term sum of exactly rounded
    // proportions, so the real agreement is ~1e-15; 1e-9 leaves room for summation order only.
    @Test("numeric and categorical PSI match anchors.py to 1e-9")
    func fixture() throws {
        for c in try Fixture.cases("psi") {
            let name = c.string("name")
            let r = (c["reference_counts"] as! [NSNumber]).map(\.intValue)
            let cc = (c["current_counts"] as! [NSNumber]).map(\.intValue)
            let psi = try populationStabilityIndex(referenceCounts: r, currentCounts: cc)
            #expect(close(psi.value, c.double("psi"), rel: 1e-9, abs: 1e-15), "\(name): \(psi.value) vs \(c.double("psi"))")
            if c.string("kind") == "numeric" {
                // end to end: bin the raw samples ourselves
                let edges = try BinEdges(sortedReference: c.doubles("reference").sorted())
                let p2 = try populationStabilityIndex(
                    referenceCounts: edges.histogram(c.doubles("reference")).counts,
                    currentCounts: edges.histogram(c.doubles("current")).counts)
                #expect(close(p2.value, c.double("psi"), rel: 1e-9, abs: 1e-15), "\(name)")
            }
        }
    }

    @Test("hand-computed values")
    func exact() throws {
        // [50,50] vs [25,75]: −0.25·ln 0.5 + 0.25·ln 1.5
        let r = try populationStabilityIndex(referenceCounts: [50, 50], currentCounts: [25, 75])
        #expect(close(r.value, 0.25 * log(2.0) + 0.25 * log(1.5), rel: 1e-15))
        #expect(r.referenceProportions == [0.5, 0.5])
        #expect(r.currentProportions == [0.25, 0.75])
        #expect(r.epsilon == 1e-4)
        // an empty current bin is clipped to ε = 1e-4: (1e-4 − 0.5)·ln(1e-4/0.5) + (1 − 0.5)·ln 2
        let z = try populationStabilityIndex(referenceCounts: [1, 1], currentCounts: [0, 4])
        let expected = (1e-4 - 0.5) * log(1e-4 / 0.5) + 0.5 * log(2.0)
        #expect(close(z.value, expected, rel: 1e-15))
        #expect(close(z.contributions[0], (1e-4 - 0.5) * log(1e-4 / 0.5), rel: 1e-15))
        // a different ε changes the figure, as documented
        let z2 = try populationStabilityIndex(referenceCounts: [1, 1], currentCounts: [0, 4], epsilon: 1e-3)
        #expect(close(z2.value, (1e-3 - 0.5) * log(1e-3 / 0.5) + 0.5 * log(2.0), rel: 1e-15))
        // a bin empty in both contributes exactly 0
        let both = try populationStabilityIndex(referenceCounts: [3, 0, 1], currentCounts: [1, 0, 3])
        #expect(both.contributions[1] == 0)
    }

    @Test("PSI ≥ 0, = 0 on identical or proportional histograms, contributions sum to the value")
    func properties() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let k = 1 + Int(rng.next() % 12)
            let a = (0..<k).map { _ in Int(rng.next() % 50) }
            let b = (0..<k).map { _ in Int(rng.next() % 50) }
            guard a.reduce(0, +) > 0, b.reduce(0, +) > 0 else { continue }
            let r = try populationStabilityIndex(referenceCounts: a, currentCounts: b)
            #expect(r.value >= 0)
            #expect(r.contributions.allSatisfy { $0 >= 0 })
            #expect(close(r.contributions.reduce(0, +), r.value, rel: 1e-12, abs: 1e-15))
            #expect(try populationStabilityIndex(referenceCounts: a, currentCounts: a).value == 0)
            #expect(try populationStabilityIndex(referenceCounts: a, currentCounts: a.map { $0 * 3 }).value == 0)
        }
    }

    @Test("invalid input throws")
    func errors() {
        #expect(throws: StatsError.emptyInput("")) { try populationStabilityIndex(referenceCounts: [], currentCounts: []) }
        #expect(throws: StatsError.emptyInput("")) { try populationStabilityIndex(referenceCounts: [0, 0], currentCounts: [1, 2]) }
        #expect(throws: StatsError.lengthMismatch("")) { try populationStabilityIndex(referenceCounts: [1], currentCounts: [1, 2]) }
        #expect(throws: StatsError.invalidArgument("")) { try populationStabilityIndex(referenceCounts: [1, -1], currentCounts: [1, 2]) }
        #expect(throws: StatsError.invalidArgument("")) { try populationStabilityIndex(referenceCounts: [1], currentCounts: [1], epsilon: 0) }
    }
}
