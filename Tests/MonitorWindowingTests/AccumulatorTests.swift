import MonitorCore
import MonitorStats
@testable import MonitorWindowing
import Testing

@Suite("Accumulators")
struct AccumulatorTests {
    static let reference: NumericalReference = referenceProfile(rows: 500).numerical[0]

    static func add(_ values: [Double], to a: inout NumericalAccumulator, limit: Int) {
        var scratch = [Double](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { v in
            scratch.withUnsafeMutableBufferPointer { a.add(v, reference: reference, exactLimit: limit, scratch: $0) }
        }
    }

    static func state(_ a: NumericalAccumulator) -> String {
        "\(a.count) \(a.missing) \(a.outOfRange) \(a.minimum) \(a.maximum) \(a.binCounts) \(a.sample.map(\.bitPattern)) "
            + "\(a.sketch?.serialized() ?? []) \(a.isExact ? "" : "\(a.moments.state)")"
    }

    @Test("counts, missing, range, histogram and out-of-range, by hand")
    func small() {
        var a = NumericalAccumulator(binCount: Self.reference.edges!.binCount)
        let r = Self.reference
        Self.add([r.minimum - 1, .nan, r.minimum, r.maximum, r.maximum + 1, .infinity, 0], to: &a, limit: 100)
        #expect(a.count == 5 && a.missing == 2 && a.outOfRange == 2)
        #expect(a.minimum == r.minimum - 1 && a.maximum == r.maximum + 1)
        #expect(a.binCounts.reduce(0, +) == 5 && a.binCounts.first == 2 && a.binCounts.last == 2)
        #expect(a.sample == [r.minimum - 1, r.minimum, r.maximum, r.maximum + 1, 0])
        #expect(a.isExact)
    }

    @Test("the switch to the sketch happens at the limit + 1-th finite value, whatever the blocks", arguments: [1, 2, 3] as [UInt64])
    func chunkIndependence(seed: UInt64) {
        var rng = TestRNG(seed: seed)
        let values = (0..<5000).map { i in i % 37 == 0 ? Double.nan : rng.normal() }
        var whole = NumericalAccumulator(binCount: Self.reference.edges!.binCount)
        Self.add(values, to: &whole, limit: 1000)
        var pieces = NumericalAccumulator(binCount: Self.reference.edges!.binCount)
        var from = 0
        while from < values.count {
            let n = min(values.count - from, 1 + rng.below(900))
            Self.add(Array(values[from..<(from + n)]), to: &pieces, limit: 1000)
            from += n
        }
        #expect(!whole.isExact && Self.state(whole) == Self.state(pieces))
        // The sketch is the one compare builds from the same column.
        var compareSketch = KLLSketch()
        compareSketch.add(contentsOf: values)
        #expect(whole.sketch?.serialized() == compareSketch.serialized())
        // Exactly at the limit it stays exact.
        var edge = NumericalAccumulator(binCount: Self.reference.edges!.binCount)
        Self.add(Array(values.filter(\.isFinite).prefix(1000)), to: &edge, limit: 1000)
        #expect(edge.isExact && edge.count == 1000)
        Self.add([1], to: &edge, limit: 1000)
        #expect(!edge.isExact && edge.count == 1001 && edge.sample.isEmpty)
    }

    /// (+1024: malloc rounds an 8 MB block up by a few KB, e.g. to 1 000 442 doubles.)
    @Test("the exact sample never holds capacity beyond the limit")
    func capacity() {
        var a = NumericalAccumulator(binCount: Self.reference.edges!.binCount)
        for _ in 0..<10 { Self.add([Double](repeating: 0.5, count: 99_999), to: &a, limit: 1_000_000) }
        #expect(a.sample.capacity <= 1_000_000 + 1024 && a.sample.count == 999_990)
        Self.add([Double](repeating: 0.5, count: 10), to: &a, limit: 1_000_000)
        #expect(a.sample.count == 1_000_000 && a.sample.capacity <= 1_000_000 + 1024)
        Self.add([0.5], to: &a, limit: 1_000_000)
        #expect(a.sample.capacity == 0 && !a.isExact)
    }

    @Test("merging panes: exact while the union fits, else sketches; counts add up")
    func merge() {
        var rng = TestRNG(seed: 9)
        let x = (0..<300).map { _ in rng.normal() }
        let y = (0..<300).map { _ in rng.normal(1) }
        var a = NumericalAccumulator(binCount: Self.reference.edges!.binCount)
        var b = a
        Self.add(x, to: &a, limit: 1000)
        Self.add(y, to: &b, limit: 1000)
        var exact = a
        exact.merge(b, exactLimit: 1000)
        #expect(exact.isExact && exact.sample == x + y && exact.count == 600)
        var sketched = a
        sketched.merge(b, exactLimit: 500)
        #expect(!sketched.isExact && sketched.count == 600 && sketched.sketch?.count == 600)
        #expect(zip(exact.binCounts, sketched.binCounts).allSatisfy { $0 == $1 })
        let m = Moments(x + y)
        #expect(abs(sketched.moments.mean - m.mean) <= 1e-15 && abs(sketched.moments.variance() - m.variance()) <= 1e-14)
    }

    @Test("categorical: decoder codes translated by name; a dictionary that does not extend the last one is re-read")
    func categorical() {
        let ref = CategoricalReference(name: "c", rows: 3, categories: ["a", "b"], counts: [2, 1], missing: 0, overflow: 0)
        var t = CategoryTranslator(reference: ref)
        var d1 = CategoryDictionary()
        for n in ["b", "x", "a"] { _ = d1.code(for: n) }
        t.sync(with: d1)
        #expect(t.table == [1, 2, 0] && t.names == ["a", "b", "x"])
        var acc = CategoricalAccumulator()
        let codes: [UInt32] = [0, 1, 2, 2, CategoryDictionary.missingCode, CategoryDictionary.overflowCode]
        codes.withUnsafeBufferPointer { c in t.table.withUnsafeBufferPointer { acc.add(c, translation: $0, categoryCount: t.names.count) } }
        #expect(acc.counts == [2, 1, 1] && acc.missing == 1 && acc.overflow == 1 && acc.count == 5)
        // Another decoder: same names, other codes.
        var d2 = CategoryDictionary()
        for n in ["a", "y"] { _ = d2.code(for: n) }
        t.sync(with: d2)
        #expect(t.table == [0, 3] && t.names == ["a", "b", "x", "y"])
    }
}
