import Foundation
import MonitorStats
import Testing

@Suite("Moments")
struct MomentsTests {
    /// Values as stored in the fixture: numbers, or the strings "nan", "inf", "-inf".
    func values(_ c: [String: Any]) -> [Double] {
        (c["values"] as! [Any]).map { v in
            if let n = v as? NSNumber { return n.doubleValue }
            switch v as! String {
            case "inf": return .infinity
            case "-inf": return -.infinity
            default: return .nan
            }
        }
    }

    // mean/min/max: 1e-12 relative (numpy uses pairwise summation, we use compensated: both
    // within a few ulps). Variance: 1e-9 relative — the "large_offset" case (1e9 + N(0,1)) has
    // condition number ~1e18·n/M₂, so numpy's own two-pass result is only good to ~1e-10 there.
    @Test("mean, variance (ddof 0/1), std, min, max match numpy over finite values")
    func fixture() throws {
        for c in try Fixture.cases("moments") {
            let name = c.string("name")
            let x = values(c)
            for m in [Moments(x), streamed(x), chunked(x)] {
                #expect(m.count == c.int("count"), "\(name)")
                #expect(m.missing == c.int("missing"), "\(name)")
                #expect(close(m.mean, c.double("mean"), rel: 1e-12), "\(name)")
                #expect(m.minimum == c.double("min"), "\(name)")
                #expect(m.maximum == c.double("max"), "\(name)")
                // numpy subtracts its own rounded mean, so a constant sample gets a variance of
                // ~(n·ε·|mean|)² instead of 0: absolute floors of that size.
                let sdFloor = 1e-13 * abs(c.double("mean"))
                #expect(close(m.variance(), c.double("variance"), rel: 1e-9, abs: sdFloor * sdFloor), "\(name): \(m.variance())")
                #expect(close(m.standardDeviation(), c.double("std"), rel: 1e-9, abs: sdFloor), "\(name)")
                #expect(close(m.variance(ddof: 1), c.double("variance_ddof1"), rel: 1e-9, abs: sdFloor * sdFloor), "\(name)")
                #expect(close(m.standardDeviation(ddof: 1), c.double("std_ddof1"), rel: 1e-9, abs: sdFloor), "\(name)")
            }
        }
    }

    func streamed(_ x: [Double]) -> Moments {
        var m = Moments()
        for v in x { m.add(v) }
        return m
    }

    func chunked(_ x: [Double]) -> Moments {
        var m = Moments()
        var i = 0
        var size = 1
        while i < x.count {
            let j = min(x.count, i + size)
            m.merge(Moments(Array(x[i..<j])))
            i = j
            size = size * 2 + 1
        }
        return m
    }

    @Test("exact small cases and empty accumulator")
    func exact() {
        var m = Moments()
        #expect(m.count == 0 && m.mean.isNaN && m.variance().isNaN)
        for v in [1.0, 2, 3, 4, .nan, -.infinity] { m.add(v) }
        #expect(m.count == 4)
        #expect(m.missing == 2)
        #expect(m.mean == 2.5)
        #expect(m.variance() == 1.25)
        #expect(m.variance(ddof: 1) == 5.0 / 3)
        #expect(m.minimum == 1 && m.maximum == 4)
        let one = Moments([7])
        #expect(one.variance() == 0)
        #expect(one.variance(ddof: 1).isNaN)
        // merging an empty accumulator changes nothing but the missing count
        var a = Moments([1, 2, 3])
        a.merge(Moments([.nan]))
        #expect(a.count == 3 && a.missing == 1 && a.mean == 2 && a.variance() == 2.0 / 3)
    }

    @Test("merge is order independent")
    func mergeProperty() {
        var rng = SplitMix64(seed: 9)
        let x = (0..<500).map { _ in rng.nextUniform() * 100 - 30 }
        var ab = Moments(Array(x[0..<123]))
        ab.merge(Moments(Array(x[123...])))
        var ba = Moments(Array(x[123...]))
        ba.merge(Moments(Array(x[0..<123])))
        let whole = Moments(x)
        #expect(ab.count == whole.count && ba.count == whole.count)
        #expect(close(ab.mean, whole.mean, rel: 1e-14) && close(ba.mean, whole.mean, rel: 1e-14))
        #expect(close(ab.variance(), whole.variance(), rel: 1e-13) && close(ba.variance(), whole.variance(), rel: 1e-13))
    }
}

@Suite("Quantiles")
struct QuantileTests {
    // numpy's linear quantile is reproduced operation for operation (its _lerp), so exact.
    @Test("quantileSorted equals numpy.quantile(method='linear') bit for bit")
    func fixture() throws {
        for c in try Fixture.cases("quantiles") {
            let s = c.doubles("sorted")
            let qs = c.doubles("q")
            let expected = c.doubles("quantile")
            for (q, e) in zip(qs, expected) {
                #expect(try quantileSorted(s, q) == e, "\(c.string("name")) q=\(q)")
            }
        }
    }

    @Test("small cases and errors")
    func small() throws {
        #expect(try quantileSorted([1, 2, 3, 4], 0.5) == 2.5)
        #expect(try quantileSorted([0, 10], 0.25) == 2.5)
        #expect(try quantileSorted([5], 0.3) == 5)
        #expect(try quantileSorted([1, 2, 3], 0) == 1)
        #expect(try quantileSorted([1, 2, 3], 1) == 3)
        #expect(throws: StatsError.emptyInput("")) { try quantileSorted([], 0.5) }
        #expect(throws: StatsError.invalidArgument("")) { try quantileSorted([1], 1.5) }
        #expect(throws: StatsError.invalidArgument("")) { try quantileSorted([1], .nan) }
    }
}

@Suite("DataQuality")
struct DataQualityTests {
    @Test("missing, out-of-range and new-category rates")
    func rates() throws {
        let x: [Double] = [0, 5, 10, 11, -1, .nan, .infinity, -.infinity]
        #expect(x.withUnsafeBufferPointer { missingCount($0) } == 3)
        #expect(try missingRate(missing: 3, total: 12) == 0.25)
        // finite: 0, 5, 10 (in range, bounds inclusive), 11, −1 (out) → 2/5
        #expect(try x.withUnsafeBufferPointer { try outOfRangeRate($0, referenceMinimum: 0, referenceMaximum: 10) } == 0.4)
        #expect(try newCategoryRate(referenceCounts: [5, 5, 0], currentCounts: [2, 2, 4]) == 0.5)
        #expect(try newCategoryRate(referenceCounts: [5, 5, 1], currentCounts: [2, 2, 4]) == 0)
        #expect(throws: StatsError.emptyInput("")) { try missingRate(missing: 0, total: 0) }
        #expect(throws: StatsError.invalidArgument("")) { try missingRate(missing: 5, total: 4) }
        #expect(throws: StatsError.emptyInput("")) {
            try [Double.nan].withUnsafeBufferPointer { try outOfRangeRate($0, referenceMinimum: 0, referenceMaximum: 1) }
        }
        #expect(throws: StatsError.invalidArgument("")) {
            try [1.0].withUnsafeBufferPointer { try outOfRangeRate($0, referenceMinimum: 2, referenceMaximum: 1) }
        }
        #expect(throws: StatsError.emptyInput("")) { try newCategoryRate(referenceCounts: [1], currentCounts: [0]) }
    }

    @Test("new categories in the PSI fixture agree with anchors' new_in_current")
    func anchorsNewCategories() throws {
        for c in try Fixture.cases("psi") where c.string("kind") == "categorical" {
            let r = (c["reference_counts"] as! [NSNumber]).map(\.intValue)
            let cur = (c["current_counts"] as! [NSNumber]).map(\.intValue)
            let distinctNew = zip(r, cur).filter { $0 == 0 && $1 > 0 }.count
            #expect(distinctNew == c.int("new_in_current"))
            let rate = try newCategoryRate(referenceCounts: r, currentCounts: cur)
            #expect((rate > 0) == (distinctNew > 0))
        }
    }
}
