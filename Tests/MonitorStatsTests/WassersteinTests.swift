import Foundation
import MonitorStats
import Testing

@Suite("Wasserstein")
struct WassersteinTests {
    // 1e-9 relative (DESIGN §6). Both sides use identical Δt (neighbouring differences of the
    // same merged values); scipy rounds i/m, j/n and sums naively, so agreement is ~1e-14 even on
    // 5 000 values; the "large_offset" case (1e6 + N(0,1)) is the most sensitive one.
    @Test("W and normed W match scipy.stats.wasserstein_distance and Evidently's norm")
    func fixture() throws {
        for c in try Fixture.cases("wasserstein") {
            let name = c.string("name")
            let u = c.doubles("u").sorted()
            let v = c.doubles("v").sorted()
            let r = try wasserstein(sortedReference: u, sortedCurrent: v)
            #expect(close(r.distance, c.double("wasserstein"), rel: 1e-9, abs: 1e-300), "\(name): \(r.distance)")
            #expect(close(r.referenceStandardDeviation, c.double("std_reference"), rel: 1e-9, abs: 1e-15), "\(name)")
            #expect(close(r.normed, c.double("wasserstein_normed"), rel: 1e-9, abs: 1e-300), "\(name)")
            #expect(close(try wassersteinDistance(sorted: v, sorted: u), c.double("wasserstein"), rel: 1e-9, abs: 1e-300))
        }
    }

    @Test("exact small cases")
    func exact() throws {
        #expect(try wassersteinDistance(sorted: [0, 1, 3], sorted: [5, 6, 8]) == 5)
        // F_u − F_v on [0,1): 1/2 − 0, on [1,2): 1 − 1/2 → W = 1/2 + 1/2 = 1
        #expect(try wassersteinDistance(sorted: [0, 1], sorted: [1, 2]) == 1)
        // one point vs two: |3 − 1|/2 + |3 − 5|/2 = 2
        #expect(try wassersteinDistance(sorted: [3], sorted: [1, 5]) == 2)
        #expect(try wassersteinDistance(sorted: [1, 2, 2, 5], sorted: [1, 2, 2, 5]) == 0)
        // normed: constant reference uses the 0.001 floor
        let r = try wasserstein(sortedReference: [2, 2, 2], sortedCurrent: [3])
        #expect(r.distance == 1)
        #expect(r.referenceStandardDeviation == 0)
        #expect(r.normed == 1 / 0.001)
        // population std (ddof 0): reference [0, 2] has std 1
        let s = try wasserstein(sortedReference: [0, 2], sortedCurrent: [1, 3])
        #expect(s.referenceStandardDeviation == 1)
        #expect(s.normed == 1)
    }

    @Test("symmetric, translation invariant, scales with the data")
    func properties() throws {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<100 {
            let m = 1 + Int(rng.next() % 60)
            let n = 1 + Int(rng.next() % 60)
            // dyadic values so that shifts and scalings are exact
            let u = (0..<m).map { _ in Double(Int(rng.next() % 64)) / 8 }.sorted()
            let v = (0..<n).map { _ in Double(Int(rng.next() % 64)) / 8 + 1 }.sorted()
            let w = try wassersteinDistance(sorted: u, sorted: v)
            #expect(w >= 0)
            #expect(close(w, try wassersteinDistance(sorted: v, sorted: u), rel: 1e-14))
            #expect(close(w, try wassersteinDistance(sorted: u.map { $0 + 1000 }, sorted: v.map { $0 + 1000 }), rel: 1e-13))
            #expect(close(3 * w, try wassersteinDistance(sorted: u.map { $0 * 3 }, sorted: v.map { $0 * 3 }), rel: 1e-13))
            // mean-shift lower bound: W ≥ |mean(u) − mean(v)|
            let du = u.reduce(0, +) / Double(m) - v.reduce(0, +) / Double(n)
            #expect(w >= abs(du) * (1 - 1e-12))
        }
    }

    @Test("empty and non-finite samples throw")
    func errors() {
        #expect(throws: StatsError.emptyInput("")) { try wassersteinDistance(sorted: [], sorted: [1]) }
        #expect(throws: StatsError.invalidArgument("")) { try wassersteinDistance(sorted: [1, .infinity], sorted: [1]) }
        #expect(throws: StatsError.emptyInput("")) { try wasserstein(sortedReference: [1], sortedCurrent: []) }
    }
}
