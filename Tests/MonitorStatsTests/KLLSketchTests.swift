import Foundation
import Testing

@testable import MonitorStats

// Tests of KLLSketch and the sketch-based Kolmogorov–Smirnov test.
//
// Every random input comes from a fixed seed, so each test is deterministic: a property that
// holds "with ≈ 99 % confidence" is checked on fixed draws and either always passes or always
// fails. The error bound checked is the one the sketch documents, `normalizedRankError`
// (single-sided, DataSketches' 2.296 / k^0.9723), against exact ranks from the sorted data.

// MARK: - Helpers (fileprivate: other suites in this module may define similar names)

/// SplitMix64 for test data (independent of the sketch's own generator).
private struct KLLTestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1): 53 random bits, offset by half an ulp so log() never sees 0.
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }
    /// Standard normal by Box–Muller (one of the pair; simplicity over speed).
    mutating func normal() -> Double {
        let u1 = uniform()
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

private enum KLLTestDistribution: String, CaseIterable, CustomStringConvertible {
    case normal, uniform, exponential, lognormal
    /// 20 distinct values: many ties, where inclusive rank semantics matter.
    case discrete
    /// Uniform values fed in ascending order: the least random arrival order.
    case sortedUniform

    var description: String { rawValue }

    func sample(_ n: Int, seed: UInt64, shift: Double = 0) -> [Double] {
        var rng = KLLTestRNG(seed: seed)
        var out = [Double]()
        out.reserveCapacity(n)
        for _ in 0..<n {
            let x: Double
            switch self {
            case .normal: x = rng.normal()
            case .uniform, .sortedUniform: x = rng.uniform()
            case .exponential: x = -log(rng.uniform())
            case .lognormal: x = exp(2 * rng.normal())
            case .discrete: x = Double(rng.next() % 20)
            }
            out.append(x + shift)
        }
        if self == .sortedUniform { out.sort() }
        return out
    }
}

private func kllSketch(_ values: [Double], k: Int = KLLSketch.defaultK, seed: UInt64 = 7) -> KLLSketch {
    var s = try! KLLSketch(k: k, seed: seed)
    s.add(contentsOf: values)
    return s
}

/// sup over all x of |F̂(x) − F(x)|, F the exact ECDF of `sorted`, F̂ the view's step function.
/// Both are right-continuous steps, so the supremum is attained at a value of the union of
/// the two supports; walking that union visits every such point (and every left limit).
private func kllSupRankError(_ view: KLLSortedView, sorted: [Double]) -> Double {
    let n = Double(sorted.count)
    let total = Double(view.totalWeight)
    var i = 0
    var j = 0
    var worst = 0.0
    var cumExact = 0
    var cumSketch: UInt64 = 0
    while i < sorted.count || j < view.values.count {
        let x: Double
        if j >= view.values.count || (i < sorted.count && sorted[i] <= view.values[j]) {
            x = sorted[i]
        } else {
            x = view.values[j]
        }
        while i < sorted.count && sorted[i] == x { i += 1; cumExact = i }
        while j < view.values.count && view.values[j] == x { cumSketch = view.cumulativeWeights[j]; j += 1 }
        worst = max(worst, abs(Double(cumSketch) / total - Double(cumExact) / n))
    }
    return worst
}

/// sup |F̂₁ − F̂₂| between two sketches' step functions.
private func kllSupDifference(_ a: KLLSortedView, _ b: KLLSortedView) -> Double {
    var i = 0
    var j = 0
    var worst = 0.0
    var ca: UInt64 = 0
    var cb: UInt64 = 0
    while i < a.values.count || j < b.values.count {
        let x: Double
        if j >= b.values.count || (i < a.values.count && a.values[i] <= b.values[j]) {
            x = a.values[i]
        } else {
            x = b.values[j]
        }
        while i < a.values.count && a.values[i] == x { ca = a.cumulativeWeights[i]; i += 1 }
        while j < b.values.count && b.values[j] == x { cb = b.cumulativeWeights[j]; j += 1 }
        worst = max(worst, abs(Double(ca) / Double(a.totalWeight) - Double(cb) / Double(b.totalWeight)))
    }
    return worst
}

/// Number of elements ≤ x in a sorted array.
private func kllUpperBound(_ sorted: [Double], _ x: Double) -> Int {
    var lo = 0
    var hi = sorted.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if sorted[mid] <= x { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

/// Number of elements < x in a sorted array.
private func kllLowerBound(_ sorted: [Double], _ x: Double) -> Int {
    var lo = 0
    var hi = sorted.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

/// The exact two-sample KS statistics (D, D⁺ = sup(F₁ − F₂), D⁻ = sup(F₂ − F₁)) by sorting
/// both samples and merging: a local reference that depends on nothing in MonitorStats.
private func kllExactKS(_ a: [Double], _ b: [Double]) -> (d: Double, dPlus: Double, dMinus: Double) {
    let sa = a.sorted()
    let sb = b.sorted()
    var i = 0
    var j = 0
    var dPlus = 0.0
    var dMinus = 0.0
    while i < sa.count || j < sb.count {
        let x: Double
        if j >= sb.count || (i < sa.count && sa[i] <= sb[j]) { x = sa[i] } else { x = sb[j] }
        while i < sa.count && sa[i] == x { i += 1 }
        while j < sb.count && sb[j] == x { j += 1 }
        let diff = Double(i) / Double(sa.count) - Double(j) / Double(sb.count)
        dPlus = max(dPlus, diff)
        dMinus = max(dMinus, -diff)
    }
    return (max(dPlus, dMinus), dPlus, dMinus)
}

private struct KLLAccuracyCase: CustomStringConvertible, Sendable {
    var n: Int
    var distribution: String
    var seed: UInt64
    var description: String { "n=\(n) \(distribution) seed=\(seed)" }
}

private let kllAccuracyCases: [KLLAccuracyCase] = {
    var cases: [KLLAccuracyCase] = []
    for (index, d) in KLLTestDistribution.allCases.enumerated() {
        cases.append(.init(n: 1000, distribution: d.rawValue, seed: 100 + UInt64(index)))
        cases.append(.init(n: 100_000, distribution: d.rawValue, seed: 200 + UInt64(index)))
    }
    // One million values: a continuous and a tied distribution (the slowest cases in debug).
    cases.append(.init(n: 1_000_000, distribution: "normal", seed: 301))
    cases.append(.init(n: 1_000_000, distribution: "discrete", seed: 302))
    return cases
}()

// MARK: - KLLSketch

@Suite("KLLSketch")
struct KLLSketchTests {
    @Test("empty sketch: no count, no extremes, queries throw, exact by definition")
    func emptySketch() throws {
        let s = KLLSketch()
        #expect(s.count == 0)
        #expect(s.isEmpty)
        #expect(s.min == nil)
        #expect(s.max == nil)
        #expect(s.retainedCount == 0)
        #expect(!s.isEstimationMode)
        #expect(s.normalizedRankError == 0)
        #expect(s.sortedView().isEmpty)
        #expect(throws: StatsError.emptyInput("")) { try s.rank(0) }
        #expect(throws: StatsError.emptyInput("")) { try s.quantile(0.5) }
        #expect(throws: StatsError.emptyInput("")) { try s.sortedView().quantile(0.5) }
        #expect(throws: StatsError.emptyInput("")) { try kolmogorovSmirnov(sketch: s, sketch: kllSketch([1])) }
        #expect(throws: StatsError.emptyInput("")) { try kolmogorovSmirnov(sketch: kllSketch([1]), sketch: s) }
        #expect(!kolmogorovSmirnovReject(sketch: s, sketch: kllSketch([1]), alpha: 0.05))
        // Merging empties stays empty; merging into an empty sketch copies the summary.
        var e = KLLSketch()
        e.merge(KLLSketch())
        #expect(e.count == 0 && e.invariantViolations().isEmpty)
        e.merge(kllSketch([3, 1, 2]))
        #expect(e.count == 3 && e.min == 1 && e.max == 3)
    }

    @Test("k outside 8...65535 is rejected")
    func invalidK() {
        #expect(throws: StatsError.invalidArgument("")) { try KLLSketch(k: 7) }
        #expect(throws: StatsError.invalidArgument("")) { try KLLSketch(k: 65_536) }
        #expect(throws: Never.self) { try KLLSketch(k: 8) }
        #expect(throws: Never.self) { try KLLSketch(k: 65_535) }
    }

    @Test("one value: every query answers that value exactly")
    func singleValue() throws {
        var s = KLLSketch()
        s.add(2.5)
        #expect(s.count == 1 && s.min == 2.5 && s.max == 2.5)
        #expect(try s.rank(2.5) == 1)
        #expect(try s.rank(2.4) == 0)
        #expect(try s.rank(.infinity) == 1)
        #expect(try s.rank(-.infinity) == 0)
        for q in [0, 0.25, 0.5, 1] { #expect(try s.quantile(q) == 2.5) }
        #expect(s.normalizedRankError == 0)
        #expect(Array(s.sortedView()) == [KLLSortedView.Entry(value: 2.5, weight: 1, cumulativeWeight: 1)])
    }

    @Test("NaN is ignored by both add paths; ±∞ are values; rank(NaN) and bad q throw")
    func nanAndInfinities() throws {
        var s = KLLSketch()
        s.add(.nan)
        s.add(contentsOf: [Double.nan, 1, .nan, -.infinity, .infinity])
        #expect(s.count == 3)
        #expect(s.min == -.infinity && s.max == .infinity)
        #expect(try s.rank(1) == 2.0 / 3.0)
        #expect(throws: StatsError.invalidArgument("")) { try s.rank(.nan) }
        #expect(throws: StatsError.invalidArgument("")) { try s.quantile(-0.01) }
        #expect(throws: StatsError.invalidArgument("")) { try s.quantile(1.01) }
        #expect(throws: StatsError.invalidArgument("")) { try s.quantile(.nan) }
    }

    @Test("exact mode (fewer than k values): ranks exact, quantiles = numpy inverted_cdf")
    func exactMode() throws {
        let data = KLLTestDistribution.normal.sample(150, seed: 11) + [0.5, 0.5, 0.5]  // with ties
        let s = kllSketch(data)
        let sorted = data.sorted()
        #expect(!s.isEstimationMode)
        #expect(s.normalizedRankError == 0)
        #expect(s.retainedCount == data.count)
        #expect(kllSupRankError(s.sortedView(), sorted: sorted) == 0)
        for x in sorted + [-10, 0.5, 10] {
            #expect(try s.rank(x) == Double(kllUpperBound(sorted, x)) / Double(sorted.count))
        }
        let n = Double(sorted.count)
        for i in 0...200 {
            let q = Double(i) / 200
            // inverted_cdf: the smallest x with F(x) ≥ q, i.e. sorted[⌈q·n⌉ − 1] (q > 0).
            let expected = q == 0 ? sorted[0] : sorted[Int((q * n).rounded(.up)) - 1]
            #expect(try s.quantile(q) == expected, "q = \(q)")
        }
        // q·n within rounding of an integer is that integer: q = 0.3 of 10 values is the 3rd.
        let ten = kllSketch((1...10).map(Double.init))
        #expect(try ten.quantile(0.3) == 3)
        #expect(try ten.quantile(0.7) == 7)
    }

    @Test("rank error ≤ documented bound; count/min/max exact; invariants hold", arguments: kllAccuracyCases)
    fileprivate func accuracy(_ c: KLLAccuracyCase) throws {
        let dist = KLLTestDistribution(rawValue: c.distribution)!
        let data = dist.sample(c.n, seed: c.seed)
        let s = kllSketch(data, seed: c.seed)
        var sorted = data
        RadixSort.sort(&sorted)

        #expect(s.count == UInt64(c.n))
        #expect(s.min == sorted.first && s.max == sorted.last)
        #expect(s.invariantViolations().isEmpty, "\(s.invariantViolations())")
        #expect(s.isEstimationMode)
        // Memory: retained < 3k + 9H (invariant 4) and H ≤ 2 + log₂(n/k) levels (invariant 5).
        #expect(s.retainedCount < 3 * s.k + 9 * s.numLevels)
        #expect(Double(s.numLevels) <= 2 + log2(Double(c.n) / Double(s.minK)))

        let view = s.sortedView()
        #expect(view.totalWeight == s.count)
        let eps = s.normalizedRankError
        let err = kllSupRankError(view, sorted: sorted)
        print("KLL accuracy \(c): sup rank error \(err) (bound \(eps), retained \(s.retainedCount), levels \(s.numLevels))")
        #expect(err <= eps, "sup rank error \(err) exceeds the documented bound \(eps)")

        // The allocation-free rank agrees with the sorted view's.
        var rng = KLLTestRNG(seed: c.seed ^ 0xABCD)
        for _ in 0..<500 {
            let x = sorted[Int(rng.next() % UInt64(sorted.count))]
            #expect(try s.rank(x) == view.rank(x))
        }

        // Quantiles: monotone in q, exact at 0 and 1, and the true rank of quantile(q) is within
        // ε of q (it is ≥ q − ε inclusively and ≤ q + ε exclusively).
        var previous = -Double.infinity
        let qs = (0...1000).map { Double($0) / 1000 }
        let quantiles = try s.quantiles(qs)
        #expect(quantiles.first == sorted.first && quantiles.last == sorted.last)
        let n = Double(sorted.count)
        for (q, x) in zip(qs, quantiles) {
            #expect(x >= previous, "quantile not monotone at q = \(q)")
            previous = x
            let above = Double(kllUpperBound(sorted, x)) / n
            let below = Double(kllLowerBound(sorted, x)) / n
            #expect(above >= q - eps && below <= q + eps, "quantile(\(q)) = \(x) has true ranks [\(below), \(above)]")
        }
    }

    @Test("add(contentsOf:) equals repeated add(_:), bit for bit; same seed, same sketch")
    func bulkEqualsScalarAndDeterminism() {
        var data = KLLTestDistribution.exponential.sample(50_000, seed: 5)
        for i in stride(from: 0, to: data.count, by: 97) { data[i] = .nan }
        var scalar = KLLSketch(seed: 99)
        for x in data { scalar.add(x) }
        var bulk = KLLSketch(seed: 99)
        bulk.add(contentsOf: Array(data[..<12_345]))  // two calls: the split point must not matter
        bulk.add(contentsOf: Array(data[12_345...]))
        #expect(scalar.serialized() == bulk.serialized())
        #expect(scalar.count == UInt64(data.count - (data.count + 96) / 97))

        var other = KLLSketch(seed: 100)
        other.add(contentsOf: data)
        #expect(other.serialized() != bulk.serialized(), "a different seed must flip different coins")
        var reseeded = KLLSketch(seed: 100)
        reseeded.reseed(99)
        reseeded.add(contentsOf: data)
        #expect(reseeded.serialized() == bulk.serialized())
    }

    @Test("level-0 sort agrees with the standard library on adversarial patterns",
        arguments: ["random", "ascending", "descending", "constant", "twoValues", "organPipe", "smallRandom"])
    func levelZeroSort(pattern: String) {
        var rng = KLLTestRNG(seed: 77)
        let n = pattern == "smallRandom" ? 13 : 1500
        let values: [Double] = (0..<n).map { i in
            switch pattern {
            case "ascending": return Double(i)
            case "descending": return Double(n - i)
            case "constant": return 4.25
            case "twoValues": return Double(rng.next() & 1)
            case "organPipe": return Double(min(i, n - i))
            default: return rng.normal()
            }
        }
        var mine = values
        mine.withUnsafeMutableBufferPointer { kllSortDoubles($0.baseAddress!, $0.count) }
        #expect(mine == values.sorted())
    }

    @Test("constant and two-valued streams: exact extremes, exact ranks at the atoms")
    func constantStreams() throws {
        let constant = kllSketch([Double](repeating: 3, count: 100_000))
        #expect(constant.isEstimationMode)
        #expect(try constant.rank(3) == 1 && constant.rank(2.999) == 0)
        #expect(try constant.quantiles([0, 0.3, 1]) == [3, 3, 3])
        // Half zeros, half ones: rank(0) estimates 1/2 within the bound.
        let halves = kllSketch((0..<100_000).map { Double($0 % 2) })
        #expect(abs(try halves.rank(0) - 0.5) <= halves.normalizedRankError)
        #expect(try halves.rank(1) == 1)
    }

    @Test("merge of sketches of the two halves ≈ sketch of the whole (within the bound)")
    func mergeHalves() throws {
        let data = KLLTestDistribution.lognormal.sample(200_000, seed: 21)
        var sorted = data
        RadixSort.sort(&sorted)
        let whole = kllSketch(data, seed: 1)
        var merged = kllSketch(Array(data[..<100_000]), seed: 2)
        merged.merge(kllSketch(Array(data[100_000...]), seed: 3))

        #expect(merged.count == whole.count)
        #expect(merged.min == whole.min && merged.max == whole.max)
        #expect(merged.invariantViolations().isEmpty, "\(merged.invariantViolations())")
        let eps = merged.normalizedRankError
        let errMerged = kllSupRankError(merged.sortedView(), sorted: sorted)
        let diff = kllSupDifference(merged.sortedView(), whole.sortedView())
        print("KLL merge halves: sup rank error \(errMerged), sup |merged − whole| \(diff) (bound \(eps))")
        #expect(errMerged <= eps)
        #expect(diff <= merged.normalizedRankError + whole.normalizedRankError)
    }

    @Test("merging 100 pane sketches stays within the bound")
    func mergeManyPanes() {
        let data = KLLTestDistribution.normal.sample(200_000, seed: 31)
        var sorted = data
        RadixSort.sort(&sorted)
        var total = KLLSketch(seed: 0)
        for p in 0..<100 {
            total.merge(kllSketch(Array(data[(p * 2000)..<((p + 1) * 2000)]), seed: UInt64(p)))
        }
        #expect(total.count == 200_000)
        #expect(total.invariantViolations().isEmpty, "\(total.invariantViolations())")
        let err = kllSupRankError(total.sortedView(), sorted: sorted)
        print("KLL merge 100 panes: sup rank error \(err) (bound \(total.normalizedRankError))")
        #expect(err <= total.normalizedRankError)
    }

    @Test("merging a smaller-k sketch: the bound follows the smaller k")
    func mergeDifferentK() {
        let data = KLLTestDistribution.uniform.sample(100_000, seed: 41)
        var sorted = data
        RadixSort.sort(&sorted)
        var s = kllSketch(Array(data[..<50_000]), k: 200, seed: 1)
        s.merge(kllSketch(Array(data[50_000...]), k: 50, seed: 2))
        #expect(s.minK == 50)
        #expect(s.normalizedRankError == KLLSketch.normalizedRankError(k: 50))
        #expect(s.invariantViolations().isEmpty)
        #expect(kllSupRankError(s.sortedView(), sorted: sorted) <= s.normalizedRankError)
    }

    @Test("merging exact sketches stays exact while the union fits")
    func mergeExact() throws {
        var a = kllSketch([5, 1, 3])
        a.merge(kllSketch([2, 4]))
        #expect(!a.isEstimationMode)
        #expect(try a.quantiles([0, 0.2, 0.4, 0.6, 0.8, 1]) == [1, 1, 2, 3, 4, 5])
        #expect(try a.rank(3) == 0.6)
        // Merging an empty sketch changes nothing, down to the bytes.
        let before = a.serialized()
        a.merge(KLLSketch(seed: 1234))
        #expect(a.serialized() == before)
    }

    @Test("sorted view: ascending values, power-of-two weights, cumulative weights end at count")
    func sortedView() {
        let s = kllSketch(KLLTestDistribution.discrete.sample(30_000, seed: 51))
        let view = s.sortedView()
        #expect(view.count == s.retainedCount)
        #expect(zip(view.values, view.values.dropFirst()).allSatisfy { $0 <= $1 })
        var running: UInt64 = 0
        for entry in view {
            #expect(entry.weight > 0 && entry.weight & (entry.weight - 1) == 0)
            running += entry.weight
            #expect(entry.cumulativeWeight == running)
        }
        #expect(running == s.count)
    }

    @Test("documented error constants (DataSketches' table: K=25/100/200)")
    func errorConstants() {
        // Intent: each row is a column of DataSketches' "KLL Sketch Accuracy and Size" table,
        // which prints the errors rounded to 0.01 %.
        let rows: [(k: Int, single: Double, double: Double)] = [
            (25, 0.1004, 0.1174),
            (100, 0.0261, 0.0318),
            (200, 0.0133, 0.0165),
            (1600, 0.0018, 0.0023),
        ]
        for r in rows {
            #expect(abs(KLLSketch.normalizedRankError(k: r.k) - r.single) < 0.00005, "k = \(r.k)")
            #expect(abs(KLLSketch.normalizedRankError(k: r.k, pmf: true) - r.double) < 0.00005, "k = \(r.k)")
        }
    }

    @Test("serialisation round-trips exactly and the restored sketch continues identically",
        arguments: [0, 1, 150, 100_000])
    func serialisationRoundTrip(n: Int) throws {
        let data = KLLTestDistribution.normal.sample(n, seed: 61)
        let s = kllSketch(data, seed: 8)
        let bytes = s.serialized()
        #expect(bytes.count == 52 + 4 * s.numLevels + 8 * s.retainedCount)
        var restored = try KLLSketch(serialized: bytes)
        #expect(restored.serialized() == bytes)
        #expect(restored.count == s.count && restored.min == s.min && restored.max == s.max)
        #expect(restored.k == s.k && restored.minK == s.minK)
        #expect(restored.sortedView().values == s.sortedView().values)
        #expect(restored.invariantViolations().isEmpty)
        // The generator state travels with the image.
        var original = s
        let more = KLLTestDistribution.uniform.sample(20_000, seed: 62)
        original.add(contentsOf: more)
        restored.add(contentsOf: more)
        #expect(restored.serialized() == original.serialized())
    }

    @Test("corrupt, truncated or foreign images are rejected")
    func serialisationValidation() throws {
        let bytes = kllSketch(KLLTestDistribution.uniform.sample(5000, seed: 71)).serialized()
        // Intent: a torn or damaged checkpoint never decodes into a wrong sketch.
        #expect(throws: StatsError.invalidArgument("")) { try KLLSketch(serialized: [UInt8]()) }
        #expect(throws: StatsError.invalidArgument("")) { try KLLSketch(serialized: bytes.dropLast()) }
        #expect(throws: StatsError.invalidArgument("")) { try KLLSketch(serialized: bytes + [0]) }
        for position in [0, 4, 6, 12, 20, 40, 50, bytes.count / 2, bytes.count - 1] {
            var damaged = bytes
            damaged[position] ^= 0x10
            #expect(throws: StatsError.invalidArgument(""), "flipped a bit at \(position)") {
                try KLLSketch(serialized: damaged)
            }
        }
        // Structurally wrong images with a valid checksum are caught by validation, not by luck.
        func resealed(_ edit: (inout [UInt8]) -> Void) -> [UInt8] {
            var b = Array(bytes.dropLast(8))
            edit(&b)
            let h = KLLSketch.fnv1a64(b[...])
            for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: h >> UInt64(8 * i))) }
            return b
        }
        #expect(throws: Never.self) { try KLLSketch(serialized: resealed { _ in }) }
        let cases: [(String, [UInt8])] = [
            ("version", resealed { $0[4] = 2 }),
            ("flags", resealed { $0[5] = 1 }),
            ("k", resealed { $0[6] = 7; $0[7] = 0 }),
            ("count", resealed { $0[12] &+= 1 }),
            ("min above values", resealed { b in
                let big = Double(2).bitPattern
                for i in 0..<8 { b[20 + i] = UInt8(truncatingIfNeeded: big >> UInt64(8 * i)) }
            }),
            ("NaN value", resealed { b in
                let nan = Double.nan.bitPattern
                for i in 0..<8 { b[b.count - 8 + i] = UInt8(truncatingIfNeeded: nan >> UInt64(8 * i)) }
            }),
        ]
        for (what, image) in cases {
            #expect(throws: StatsError.invalidArgument(""), "\(what)") { try KLLSketch(serialized: image) }
        }
        do {
            _ = try KLLSketch(serialized: resealed { $0[4] = 2 })
        } catch let e as StatsError {
            #expect(e.message.contains("version 2"))
        }
    }
}

// MARK: - Sketch-based Kolmogorov–Smirnov

@Suite("KLLSketch Kolmogorov–Smirnov")
struct KLLSketchKolmogorovSmirnovTests {
    @Test("analytic case: a = {1,2,3}, b = {1.5,2.5,3.5,4.5} → D = 1/2 at 3, D⁻ = 0, bound 0")
    func analytic() throws {
        let a = kllSketch([1, 2, 3])
        let b = kllSketch([1.5, 2.5, 3.5, 4.5])
        let r = try kolmogorovSmirnov(sketch: a, sketch: b)
        #expect(r.statistic == 0.5)
        #expect(r.statisticLocation == 3)
        #expect(r.statisticSign == 1)
        #expect(r.statisticErrorBound == 0)
        #expect(r.method == .sketch)
        #expect(!r.fellBack)
        let greater = try kolmogorovSmirnov(sketch: a, sketch: b, alternative: .greater)
        #expect(greater.statistic == 0.5 && greater.statisticSign == 1)
        let less = try kolmogorovSmirnov(sketch: a, sketch: b, alternative: .less)
        #expect(less.statistic == 0 && less.statisticSign == -1 && less.pValue == 1)
        // Swapping the samples mirrors the sign.
        let swapped = try kolmogorovSmirnov(sketch: b, sketch: a)
        #expect(swapped.statistic == 0.5 && swapped.statisticSign == -1)
    }

    @Test("exact-mode sketches reproduce the exact statistic", arguments: [UInt64(1), 2, 3])
    func exactModeMatchesExact(seed: UInt64) throws {
        let a = KLLTestDistribution.discrete.sample(120, seed: seed)
        let b = KLLTestDistribution.discrete.sample(190, seed: seed + 10, shift: 1)
        let exact = kllExactKS(a, b)
        let r = try kolmogorovSmirnov(sketch: kllSketch(a), sketch: kllSketch(b))
        #expect(r.statistic == exact.d)
        #expect(r.statisticErrorBound == 0)
        #expect(try kolmogorovSmirnov(sketch: kllSketch(a), sketch: kllSketch(b), alternative: .greater).statistic == exact.dPlus)
        #expect(try kolmogorovSmirnov(sketch: kllSketch(a), sketch: kllSketch(b), alternative: .less).statistic == exact.dMinus)
    }

    @Test("same distribution, 200k each: D − bound ≤ 0.005, conservative p = 1, no rejection")
    func identicalDistributions() throws {
        let xa = KLLTestDistribution.normal.sample(200_000, seed: 81)
        let xb = KLLTestDistribution.normal.sample(200_000, seed: 82)
        let a = kllSketch(xa, seed: 1)
        let b = kllSketch(xb, seed: 2)
        let r = try kolmogorovSmirnov(sketch: a, sketch: b)
        let exact = kllExactKS(xa, xb)
        print("KLL KS identical: sketch D \(r.statistic), exact D \(exact.d), bound \(r.statisticErrorBound), p \(r.pValue)")
        #expect(r.statisticErrorBound == a.normalizedRankError + b.normalizedRankError)
        #expect(r.statisticErrorBound > 0)
        #expect(r.statistic - r.statisticErrorBound <= 0.005)
        #expect(abs(r.statistic - exact.d) <= r.statisticErrorBound)
        #expect(r.pValue > 0.05)
        #expect(!kolmogorovSmirnovReject(sketch: a, sketch: b, alpha: 0.05))
        #expect(!kolmogorovSmirnovReject(sketch: a, sketch: b, alpha: 0.05, alternative: .greater))
    }

    @Test("0.5 sd shift, 200k each: D within the bound of the exact D, and rejection")
    func shiftedDistributions() throws {
        let xa = KLLTestDistribution.normal.sample(200_000, seed: 91)
        let xb = KLLTestDistribution.normal.sample(200_000, seed: 92, shift: 0.5)
        let a = kllSketch(xa, seed: 1)
        let b = kllSketch(xb, seed: 2)
        let exact = kllExactKS(xa, xb)
        let r = try kolmogorovSmirnov(sketch: a, sketch: b)
        print("KLL KS shifted: sketch D \(r.statistic), exact D \(exact.d), bound \(r.statisticErrorBound), p \(r.pValue)")
        // Population D = 2Φ(0.25) − 1 ≈ 0.1974; F_a > F_b, so it is D⁺ (sign +1).
        #expect(abs(exact.d - 0.1974) < 0.01)
        #expect(abs(r.statistic - exact.d) <= r.statisticErrorBound)
        #expect(r.statisticSign == 1)
        #expect(r.pValue < 1e-10)
        #expect(kolmogorovSmirnovReject(sketch: a, sketch: b, alpha: 0.01))
        // One-sided: H₁ F_a > F_b is supported, H₁ F_a < F_b is not.
        #expect(kolmogorovSmirnovReject(sketch: a, sketch: b, alpha: 0.01, alternative: .greater))
        #expect(!kolmogorovSmirnovReject(sketch: a, sketch: b, alpha: 0.01, alternative: .less))
    }

    @Test("the decision accounts for the bound: D just above the bare critical value is not enough")
    func rejectionNeedsMarginAboveBound() throws {
        // A 0.03 sd shift on 200k each gives an exact D ≈ 0.012: above the bare α = 0.01
        // critical value 1.628/√(10⁵) ≈ 0.0051, but within the sketch bound (≈ 0.027).
        let xa = KLLTestDistribution.normal.sample(200_000, seed: 95)
        let xb = KLLTestDistribution.normal.sample(200_000, seed: 96, shift: 0.03)
        let a = kllSketch(xa, seed: 1)
        let b = kllSketch(xb, seed: 2)
        let r = try kolmogorovSmirnov(sketch: a, sketch: b)
        let bareP = sketchKolmogorovPValue(r.statistic, effectiveN: 100_000, alternative: .twoSided)
        #expect(bareP < 0.01, "without the bound this would reject")
        #expect(r.statistic <= r.statisticErrorBound)
        #expect(r.pValue == 1)
        #expect(!kolmogorovSmirnovReject(sketch: a, sketch: b, alpha: 0.01))
    }

    @Test("limiting Kolmogorov survival function against scipy.special.kolmogorov")
    func limitingDistribution() {
        // Provenance: scipy 1.17.1, `scipy.special.kolmogorov(λ)` (Q_KS), and
        // `scipy.stats.kstwobign.isf([0.1, 0.05, 0.01])` = [1.22384787, 1.35809864, 1.62762361].
        // Rows straddle the series switch at λ = 1.18. Tolerance 1e-12 absolute (1e-9 relative
        // in the far tail): both sides sum rapidly converging series in double precision.
        let rows: [(Double, Double)] = [
            (0.3, 0.9999906941986655), (0.5, 0.9639452436648751), (0.8, 0.5441424115741981),
            (1.0, 0.26999967167735456), (1.17, 0.12939004218561884), (1.19, 0.11774229287977166),
            (1.5, 0.022217962616525127), (2.0, 0.0006709252557796953), (3.0, 3.045995948942526e-08),
        ]
        for (lambda, q) in rows {
            let got = sketchKolmogorovLimitingSF(lambda)
            #expect(abs(got - q) <= max(1e-12, 1e-9 * q), "λ = \(lambda): \(got) vs \(q)")
        }
        // Critical values: rounded to 8 digits, so 1e-7 absolute on Q.
        for (lambda, alpha) in [(1.22384787, 0.10), (1.35809864, 0.05), (1.62762361, 0.01)] {
            #expect(abs(sketchKolmogorovLimitingSF(lambda) - alpha) < 1e-7)
        }
        #expect(sketchKolmogorovLimitingSF(0) == 1)
        #expect(sketchKolmogorovLimitingSF(.infinity) == 0)
        // Stephens' correction and the one-sided limit.
        let n = 400.0
        let lambda = (n.squareRoot() + 0.12 + 0.11 / n.squareRoot()) * 0.07
        #expect(sketchKolmogorovPValue(0.07, effectiveN: n, alternative: .twoSided) == sketchKolmogorovLimitingSF(lambda))
        #expect(abs(sketchKolmogorovPValue(0.07, effectiveN: n, alternative: .greater) - exp(-2 * lambda * lambda)) < 1e-15)
        #expect(sketchKolmogorovPValue(0, effectiveN: n, alternative: .twoSided) == 1)
    }
}
