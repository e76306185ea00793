import MonitorStats
import Testing

@Suite("Radix sort")
struct RadixSortTests {
    static func sample(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        func u() -> UInt64 { rng.next() }
        // A mix of magnitudes and signs, ties, zeros of both signs, subnormals and infinities.
        let specials: [Double] = [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .infinity, -.infinity,
                                  .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, 1, 1]
        return (0..<n).map { i in
            if i % 97 == 0 { return specials[i / 97 % specials.count] }
            let r = u()
            switch r % 4 {
            case 0: return Double(Int64(bitPattern: r) >> 40)  // integers with ties
            case 1: return Double(bitPattern: (r >> 2) | (r & 1) << 63) // any bit pattern, sign random
            default: return (Double(r >> 11) * 0x1.0p-53 - 0.5) * 1e6
            }
        }.filter { !$0.isNaN }
    }

    @Test("agrees with the standard library's sort", arguments: [0, 1, 2, 511, 512, 513, 10_000, 100_003])
    func matchesStdlib(n: Int) {
        let x = Self.sample(n, seed: UInt64(n) + 1)
        var a = x
        RadixSort.sort(&a)
        let b = x.sorted()
        // -0.0 and +0.0 compare equal; radix orders -0.0 first, the stdlib keeps input order.
        #expect(a.count == b.count)
        #expect(zip(a, b).allSatisfy { $0 == $1 })
        #expect(zip(a, a.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test("sortFinite drops missing values, reuses its workspaces", arguments: [5, 600, 50_000])
    func sortFinite(n: Int) {
        var x = Self.sample(n, seed: 7)
        for i in stride(from: 0, to: x.count, by: 13) { x[i] = .nan }
        let want = x.filter(\.isFinite).sorted()
        var out: [Double] = []
        var scratch: [UInt64] = []
        for _ in 0..<2 {  // the second call reuses the grown buffers
            let k = x.withUnsafeBufferPointer { RadixSort.sortFinite($0, into: &out, scratch: &scratch) }
            #expect(k == want.count)
            #expect(Array(out[0..<k]) == want)
        }
        #expect(out.count >= x.count)
    }
}

@Suite("Moments of sorted finite samples")
struct SortedMomentsTests {
    @Test("fast path agrees with the general path", arguments: [1, 7, 8, 9, 1000, 100_001])
    func agrees(n: Int) {
        var x = (0..<n).map { 1e9 + Double(($0 * 7919) % 1009) * 0.001 }
        x.sort()
        let fast = x.withUnsafeBufferPointer { Moments(sortedFinite: $0) }
        let general = Moments(x)
        #expect(fast.count == general.count && fast.minimum == general.minimum && fast.maximum == general.maximum)
        #expect(abs(fast.mean - general.mean) <= 1e-15 * abs(general.mean))
        let v = general.variance()
        #expect(abs(fast.variance() - v) <= 1e-9 * v + 1e-18, "\(fast.variance()) vs \(v)")
    }
}
