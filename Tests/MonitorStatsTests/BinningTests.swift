import Foundation
import MonitorStats
import Testing

@Suite("Binning")
struct BinningTests {
    // Edges must match numpy bit for bit (a value on an edge must land in the same bin), so the
    // edge/quantile comparison is exact; counts are integers and compared exactly.
    @Test("quantile edges, deduplication and counts match anchors.psi_numeric")
    func fixtureEdgesAndCounts() throws {
        for c in try Fixture.cases("psi") where c.string("kind") == "numeric" {
            let name = c.string("name")
            let ref = c.doubles("reference").sorted()
            let cur = c.doubles("current")
            let edges = try BinEdges(sortedReference: ref)
            let levels = BinEdges.quantileLevels(bins: 10)
            let quantiles = try levels.map { try quantileSorted(ref, $0) }
            #expect(quantiles == c.doubles("quantiles"), "\(name)")
            #expect(edges.edges == c.doubles("edges"), "\(name)")
            let expectedRef = (c["reference_counts"] as! [NSNumber]).map(\.intValue)
            let expectedCur = (c["current_counts"] as! [NSNumber]).map(\.intValue)
            #expect(edges.histogram(ref).counts == expectedRef, "\(name)")
            #expect(edges.histogram(cur).counts == expectedCur, "\(name)")
            #expect(edges.histogram(sorted: cur.sorted()).counts == expectedCur, "\(name)")
        }
    }

    @Test("levels are numpy's linspace(0.1, 0.9, 9) bit for bit")
    func levels() {
        // numpy: 0.1 + i*0.1 with the last forced to 0.9; e.g. level 3 is 0.30000000000000004.
        #expect(BinEdges.quantileLevels(bins: 10) == [0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6, 0.7000000000000001, 0.8, 0.9])
        #expect(BinEdges.quantileLevels(bins: 4) == [0.25, 0.5, 0.75])
        #expect(BinEdges.quantileLevels(bins: 2) == [0.5])
        #expect(BinEdges.quantileLevels(bins: 1) == [])
    }

    @Test("bins are right-closed; NaN and ±Inf are missing")
    func rightClosedAndMissing() throws {
        let e = try BinEdges(edges: [1, 2, 3])
        let cases: [(Double, Int?)] = [
            (-5, 0), (1, 0),  // on e1: left bin
            (1.0000000000000002, 1), (2, 1), (2.5, 2), (3, 2), (3.0000000000000004, 3), (1e300, 3),
            (.nan, nil), (.infinity, nil), (-.infinity, nil),
        ]
        for (v, bin) in cases { #expect(e.binIndex(v) == bin, "\(v)") }
        let values: [Double] = [-5, 1, 1.5, 2, 2.5, 3, 4, .nan, .infinity, -.infinity]
        let h = e.histogram(values)
        #expect(h.counts == [2, 2, 2, 1])
        #expect(h.missing == 3)
        let sortedFinite = values.filter { !$0.isNaN }.sorted()
        let hs = e.histogram(sorted: sortedFinite)
        #expect(hs.counts == [2, 2, 2, 1])
        #expect(hs.missing == 2)
    }

    @Test("SIMD histogram equals per-value binIndex", arguments: [0, 1, 9, 15, 16, 17, 40])
    func simdMatchesScalar(edgeCount: Int) throws {
        var rng = SplitMix64(seed: UInt64(edgeCount) + 1)
        let edges = try BinEdges(edges: (0..<edgeCount).map { Double($0) - Double(edgeCount) / 2 })
        // include values exactly on edges, non-finite values and a length that is not a multiple of 8
        var values = (0..<1003).map { _ in (rng.nextUniform() - 0.5) * Double(edgeCount + 4) }
        values += edges.edges + [.nan, .infinity, -.infinity, 0, -0.0]
        var counts = [Int](repeating: 0, count: edges.binCount)
        let missing = values.withUnsafeBufferPointer { edges.histogram($0, into: &counts) }
        var expected = [Int](repeating: 0, count: edges.binCount)
        var expectedMissing = 0
        for v in values {
            if let b = edges.binIndex(v) { expected[b] += 1 } else { expectedMissing += 1 }
        }
        #expect(counts == expected)
        #expect(missing == expectedMissing)
        #expect(edges.histogram(sorted: values.filter { !$0.isNaN }.sorted()).counts == expected)
    }

    @Test("constant reference gives one edge, empty reference throws, bad edges throw")
    func edgeCases() throws {
        let e = try BinEdges(sortedReference: [Double](repeating: 3, count: 50))
        #expect(e.edges == [3])
        #expect(e.binCount == 2)
        #expect(throws: StatsError.emptyInput("")) { try BinEdges(sortedReference: [Double]()) }
        #expect(throws: StatsError.invalidArgument("")) { try BinEdges(sortedReference: [1, 2], bins: 0) }
        #expect(throws: StatsError.invalidArgument("")) { try BinEdges(edges: [1, 1]) }
        #expect(throws: StatsError.invalidArgument("")) { try BinEdges(edges: [.nan]) }
        // k bins in general: quartiles of 0...100 are 25, 50, 75
        #expect(try BinEdges(sortedReference: (0...100).map(Double.init), bins: 4).edges == [25, 50, 75])
    }

    @Test("histogram accumulates across chunks")
    func accumulates() throws {
        let e = try BinEdges(edges: [0])
        var counts = [0, 0]
        let a: [Double] = [-1, 1, 2]
        let b: [Double] = [-2, .nan]
        let m1 = a.withUnsafeBufferPointer { e.histogram($0, into: &counts) }
        let m2 = b.withUnsafeBufferPointer { e.histogram($0, into: &counts) }
        #expect(counts == [2, 2])
        #expect(m1 + m2 == 1)
    }
}

