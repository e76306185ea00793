import Foundation
import MonitorStats
import Testing

@Suite("Divergence")
struct DivergenceTests {
    func ints(_ c: [String: Any], _ k: String) -> [Int] { (c[k] as! [NSNumber]).map(\.intValue) }

    // 1e-9 relative (DESIGN §6). Absolute 1e-9 as well: for nearly identical histograms scipy's
    // p·ln(p/m) loses digits (JS² ~ 1e-13 has absolute error ~1e-17, i.e. ~1e-8 relative in JS),
    // while ours uses log1p; the absolute floor covers scipy's error, not ours.
    @Test("JS, Hellinger and total variation match scipy/numpy")
    func fixture() throws {
        for c in try Fixture.cases("divergences") {
            let name = c.string("name")
            let p = ints(c, "p")
            let q = ints(c, "q")
            #expect(close(try jensenShannonDistance(p, q), c.double("jensen_shannon"), rel: 1e-9, abs: 1e-9), "\(name)")
            #expect(close(try hellingerDistance(p, q), c.double("hellinger"), rel: 1e-9, abs: 1e-15), "\(name)")
            #expect(close(try totalVariationDistance(p, q), c.double("total_variation"), rel: 1e-9, abs: 1e-15), "\(name)")
        }
    }

    @Test("exact small cases")
    func exact() throws {
        #expect(try jensenShannonDistance([1, 0], [0, 1]) == 1)
        #expect(try hellingerDistance([1, 0], [0, 1]) == 1)
        #expect(try totalVariationDistance([1, 0], [0, 1]) == 1)
        #expect(try totalVariationDistance([1, 1], [3, 1]) == 0.25)
        // p = (1/2, 1/2), q = (1, 0): m = (3/4, 1/4);
        // JSD = ½[½log₂(2/3) + ½log₂ 2] + ½[log₂(4/3)] = ½·log₂(4/3)·… computed exactly below
        let jsd = 0.5 * (0.5 * log2(0.5 / 0.75) + 0.5 * log2(0.5 / 0.25)) + 0.5 * log2(1 / 0.75)
        #expect(close(try jensenShannonDistance([1, 1], [1, 0]), jsd.squareRoot(), rel: 1e-15))
        // Hellinger: H² = 1 − √½ for the same pair
        #expect(close(try hellingerDistance([1, 1], [1, 0]), (1 - 0.5.squareRoot()).squareRoot(), rel: 1e-14))
    }

    @Test("symmetric, in [0, 1], zero on proportional inputs")
    func properties() throws {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let k = 1 + Int(rng.next() % 10)
            let p = (0..<k).map { _ in Int(rng.next() % 20) }
            let q = (0..<k).map { _ in Int(rng.next() % 20) }
            guard p.reduce(0, +) > 0, q.reduce(0, +) > 0 else { continue }
            for f in [jensenShannonDistance, hellingerDistance, totalVariationDistance] as [([Int], [Int]) throws -> Double] {
                let d = try f(p, q)
                #expect(d >= 0 && d <= 1)
                #expect(close(d, try f(q, p), rel: 1e-14, abs: 1e-16))
                #expect(try f(p, p.map { $0 * 5 }) == 0)
            }
        }
    }

    @Test("invalid input throws")
    func errors() {
        #expect(throws: StatsError.emptyInput("")) { try jensenShannonDistance([Int](), []) }
        #expect(throws: StatsError.emptyInput("")) { try jensenShannonDistance([0, 0], [1, 1]) }
        #expect(throws: StatsError.lengthMismatch("")) { try hellingerDistance([1], [1, 1]) }
        #expect(throws: StatsError.invalidArgument("")) { try totalVariationDistance([1, -1.0], [1, 1]) }
        #expect(throws: StatsError.invalidArgument("")) { try jensenShannonDistance([1, .nan], [1, 1]) }
    }
}
