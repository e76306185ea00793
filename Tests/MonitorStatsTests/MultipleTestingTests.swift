import Foundation
import MonitorStats
import Testing

@Suite("MultipleTesting")
struct MultipleTestingTests {
    // Same operations as scipy (p·(m/i), running minimum from the largest p), so agreement is
    // exact in practice; 1e-12 relative guards only against a different evaluation order.
    @Test("BH matches scipy.stats.false_discovery_control, Bonferroni min(1, p·m)")
    func fixture() throws {
        for c in try Fixture.cases("multiple_testing") {
            let p = c.doubles("p")
            let bh = try adjustPValues(p, method: .bh)
            let bonf = try adjustPValues(p, method: .bonferroni)
            for (a, e) in zip(bh, c.doubles("bh")) { #expect(close(a, e, rel: 1e-12), "\(c.string("name"))") }
            for (a, e) in zip(bonf, c.doubles("bonferroni")) { #expect(close(a, e, rel: 1e-12), "\(c.string("name"))") }
            #expect(bh.count == p.count && bonf.count == p.count)
            #expect(try adjustPValues(p, method: .none) == p)
        }
    }

    @Test("hand-computed BH and Bonferroni")
    func exact() throws {
        // sorted 0.005, 0.01, 0.03, 0.04 → ×4/1, ×4/2, ×4/3, ×4/4 = 0.02, 0.02, 0.04, 0.04
        let bh = try adjustPValues([0.01, 0.04, 0.03, 0.005], method: .bh)
        #expect(close(bh[0], 0.02, rel: 1e-15) && close(bh[1], 0.04, rel: 1e-15))
        #expect(close(bh[2], 0.04, rel: 1e-15) && close(bh[3], 0.02, rel: 1e-15))
        #expect(try adjustPValues([0.3, 0.01], method: .bonferroni) == [0.6, 0.02])
        #expect(try adjustPValues([0.7, 0.01], method: .bonferroni) == [1, 0.02])
        #expect(try adjustPValues([], method: .bh) == [])
    }

    @Test("adjusted ≥ raw, BH ≤ Bonferroni, order preserved")
    func properties() throws {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<100 {
            let p = (0..<(1 + Int(rng.next() % 30))).map { _ in rng.nextUniform() }
            let bh = try adjustPValues(p, method: .bh)
            let bf = try adjustPValues(p, method: .bonferroni)
            for i in p.indices {
                #expect(bh[i] >= p[i] && bh[i] <= bf[i] + 1e-15 && bh[i] <= 1)
                for j in p.indices where p[i] < p[j] { #expect(bh[i] <= bh[j]) }
            }
        }
    }

    @Test("invalid p-values throw")
    func errors() {
        #expect(throws: StatsError.invalidArgument("")) { try adjustPValues([0.5, 1.5], method: .bh) }
        #expect(throws: StatsError.invalidArgument("")) { try adjustPValues([.nan], method: .bonferroni) }
        #expect(throws: StatsError.invalidArgument("")) { try adjustPValues([-0.1], method: .none) }
    }
}
