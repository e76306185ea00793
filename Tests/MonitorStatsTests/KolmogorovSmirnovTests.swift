import Foundation
import Testing

@testable import MonitorStats

// Tolerances (DESIGN §6): the statistic to 1e-12 absolute; p-values to 1e-6 relative, or 1e-12
// absolute where the reference is below 1e-6 (there a relative criterion would test the last bits
// of tail expansions that scipy itself only computes to ~1e-10 relative).
private let statisticTolerance = 1e-12
private func pValueClose(_ a: Double, _ b: Double) -> Bool {
    b < 1e-6 ? close(a, b, rel: 0, abs: 1e-12) : close(a, b, rel: 1e-6)
}

private func ks(
    _ x: [Double], _ y: [Double], _ alternative: KSAlternative = .twoSided, _ method: KSMethod = .automatic
) throws -> KSResult {
    try kolmogorovSmirnov(x, y, alternative: alternative, method: method)
}

/// Fixture arrays may hold "inf" / "-inf" strings.
private func values(_ c: [String: Any], _ key: String) -> [Double] {
    (c[key] as? [Any] ?? []).map { v in
        if let n = v as? NSNumber { return n.doubleValue }
        if let s = v as? String { return s.hasPrefix("-") ? -.infinity : .infinity }
        return .nan
    }
}

@Suite("KolmogorovSmirnov")
struct KolmogorovSmirnovTests {

    // MARK: Reference values from scipy (scripts/reference/ks.py)

    @Test("ks_2samp fixture: statistic, p-value, location, sign, fallback")
    func scipyTwoSample() throws {
        let cases = try Fixture.cases("ks_2samp")
        #expect(cases.count >= 60)
        for c in cases {
            let intent = c.string("intent")
            let alternative = try #require(KSAlternative(rawValue: c.string("alternative")), "\(intent)")
            let method: KSMethod =
                switch c.string("method") {
                case "exact": .exact
                case "asymp": .asymptotic
                default: .automatic
                }
            let r = try ks(values(c, "x"), values(c, "y"), alternative, method)
            #expect(close(r.statistic, c.double("statistic"), rel: 0, abs: statisticTolerance), "\(intent): D \(r.statistic)")
            #expect(pValueClose(r.pValue, c.double("pvalue")), "\(intent): p \(r.pValue) vs \(c.double("pvalue"))")
            #expect(r.statisticLocation == c.double("location"), "\(intent): location \(r.statisticLocation)")
            #expect(r.statisticSign == c.int("sign"), "\(intent): sign")
            #expect(r.fellBack == ((c["fell_back"] as? Bool) ?? false), "\(intent): fellBack \(r.fellBack)")
            let expectedMethod: KSMethod =
                method == .asymptotic || r.fellBack
                ? .asymptotic : (method == .exact || max(values(c, "x").count, values(c, "y").count) <= 10_000 ? .exact : .asymptotic)
            #expect(r.method == expectedMethod, "\(intent): method \(r.method)")
        }
    }

    @Test("kstwo fixture: kolmogorovSF and kolmogorovCDF over every regime of _kolmogn")
    func scipyKolmogorov() throws {
        let cases = try Fixture.cases("kstwo")
        #expect(cases.count >= 400)
        for c in cases {
            let n = c.int("n")
            let d = c.double("d")
            let sf = kolmogorovSF(d, n: n)
            let cdf = kolmogorovCDF(d, n: n)
            #expect(pValueClose(sf, c.double("sf")), "sf n=\(n) d=\(d): \(sf) vs \(c.double("sf"))")
            #expect(pValueClose(cdf, c.double("cdf")), "cdf n=\(n) d=\(d): \(cdf) vs \(c.double("cdf"))")
        }
    }

    @Test("smirnov fixture: smirnovSF(d, n) = scipy.special.smirnov(n, d)")
    func scipySmirnov() throws {
        let cases = try Fixture.cases("smirnov")
        #expect(cases.count >= 400)
        for c in cases {
            let n = c.int("n")
            let d = c.double("d")
            let sf = smirnovSF(d, n: n)
            #expect(pValueClose(sf, c.double("sf")), "n=\(n) d=\(d): \(sf) vs \(c.double("sf"))")
        }
    }

    // MARK: Analytic small cases (exact rationals)

    // x = [1,2,3], y = [4,5,6]: F₁ − F₂ reaches 1 at t = 3. Under H₀ every one of the C(6,3) = 20
    // interleavings is equally likely; D = 1 only for "xxxyyy" and "yyyxxx" → p = 2/20 = 1/10.
    // D⁺ = 1 only for "xxxyyy" → p = 1/20; D⁻ = 0 → p = 1.
    @Test("disjoint samples of three: D = 1, p = 1/10; D⁺ p = 1/20; D⁻ = 0, p = 1")
    func disjointThree() throws {
        let r = try ks([1, 2, 3], [4, 5, 6])
        #expect(r.statistic == 1)
        #expect(close(r.pValue, 1.0 / 10, rel: 1e-15))
        #expect(r.statisticLocation == 3 && r.statisticSign == 1 && r.method == .exact)
        let g = try ks([1, 2, 3], [4, 5, 6], .greater)
        #expect(g.statistic == 1 && close(g.pValue, 1.0 / 20, rel: 1e-15))
        let l = try ks([1, 2, 3], [4, 5, 6], .less)
        #expect(l.statistic == 0 && l.pValue == 1 && l.statisticSign == -1)
    }

    // x = [1,2,3,4], y = [2.5,5,6]: F₁ − F₂ = 1/4, 2/4, 2/4−1/3, 3/4−1/3, 1−1/3 … → D = 2/3 at 4.
    // lcm(4,3) = 12, h = 8. Counting the 35 interleavings, 14 have D ≥ 2/3 → p = 14/35 = 2/5.
    @Test("m = 4, n = 3: D = 2/3 at t = 4, p = 14/35")
    func fourThree() throws {
        let r = try ks([1, 2, 3, 4], [2.5, 5, 6])
        #expect(close(r.statistic, 2.0 / 3, rel: 0, abs: 1e-15))
        #expect(close(r.pValue, 14.0 / 35, rel: 1e-14))
        #expect(r.statisticLocation == 4 && r.statisticSign == 1)
    }

    // x = [1,2], y = [3,4,5]: D = 1; of C(5,2) = 10 interleavings "xxyyy" and "yyyxx" give D = 1
    // → p = 2/10; one-sided only "xxyyy" → 1/10.
    @Test("m = 2, n = 3 disjoint: p = 1/5 two-sided, 1/10 one-sided")
    func twoThree() throws {
        #expect(close(try ks([1, 2], [3, 4, 5]).pValue, 0.2, rel: 1e-15))
        #expect(close(try ks([1, 2], [3, 4, 5], .greater).pValue, 0.1, rel: 1e-15))
    }

    /// Exact p-values by brute force: enumerate every interleaving of m x's and n y's (equally
    /// likely under H₀ for continuous data) and count those at least as extreme.
    private func bruteForcePValue(_ m: Int, _ n: Int, observed: Double, _ alternative: KSAlternative) -> Double {
        var extreme = 0
        var total = 0
        let length = m + n
        for mask in 0..<(1 << length) where mask.nonzeroBitCount == m {
            var i = 0
            var j = 0
            var best = 0.0
            for k in 0..<length {
                if mask & (1 << k) != 0 { i += 1 } else { j += 1 }
                let diff = Double(i * n - j * m) / Double(m * n)
                switch alternative {
                case .twoSided: best = max(best, abs(diff))
                case .greater: best = max(best, diff)
                case .less: best = max(best, -diff)
                }
            }
            total += 1
            if best >= observed - 1e-9 { extreme += 1 }
        }
        return Double(extreme) / Double(total)
    }

    @Test(
        "exact p-values equal brute-force enumeration for all m, n ≤ 6",
        arguments: [KSAlternative.twoSided, .greater, .less])
    func exactAgainstEnumeration(alternative: KSAlternative) throws {
        for m in 1...6 {
            for n in 1...6 {
                let lcm = m * n / greatestCommonDivisor(m, n)
                // Every attainable lattice value h/lcm of the statistic, hit via the exact p-value.
                for h in 1...lcm {
                    let d = Double(h) / Double(lcm)
                    let exact = ksExactPValue(m, n, g: greatestCommonDivisor(m, n), d: d, alternative: alternative)
                    let expected = bruteForcePValue(m, n, observed: d, alternative)
                    guard let p = exact.pValue else {
                        // Rounding took the product to 1 + 2⁻⁵² (e.g. m = n = 5, D = 1/5): scipy
                        // rejects it and falls back, and so do we. Only possible when p is 1.
                        #expect(expected == 1, "m=\(m) n=\(n) h=\(h): exact failed but p = \(expected)")
                        continue
                    }
                    #expect(close(p, expected, rel: 1e-12, abs: 1e-15), "m=\(m) n=\(n) d=\(h)/\(lcm) \(alternative): \(p) vs \(expected)")
                }
            }
        }
    }

    // scipy computes Pr(D₅,₅ ≥ 1/5) as 1.0000000000000002, rejects it as "not a probability",
    // warns and switches to kstwo.sf(0.2, round(2.5) = 2) = 1. We mirror that (fellBack = true).
    @Test("m = n = 5 alternating: exact rounds above 1, falls back like scipy, p = 1")
    func fallbackWhenExactRoundsAboveOne() throws {
        let r = try ks([1, 3, 5, 7, 9], [2, 4, 6, 8, 10])
        #expect(r.statistic == 0.2 && r.pValue == 1 && r.statisticLocation == 7)
        #expect(r.method == .asymptotic && r.fellBack)
    }

    @Test("kolmogorovCDF closed forms: n = 1 is uniform on [1/2, 1]; Ruben–Gambino edges")
    func kolmogorovClosedForms() {
        // D₁ = max(U, 1 − U): Pr(D₁ ≤ d) = 2d − 1 on [1/2, 1].
        for d in [0.5, 0.6, 0.75, 0.9, 0.99] {
            #expect(close(kolmogorovCDF(d, n: 1), 2 * d - 1, rel: 1e-14, abs: 1e-15), "d=\(d)")
        }
        #expect(kolmogorovSF(0.25 / 100, n: 100) == 1)
        #expect(kolmogorovSF(1, n: 100) == 0)
        // d ≥ 1 − 1/n: SF = 2(1 − d)ⁿ.
        #expect(close(kolmogorovSF(0.95, n: 10), 2 * pow(0.05, 10), rel: 1e-13))
    }

    @Test("smirnovSF closed forms: n = 1; d ≥ 1 − 1/n; d ≤ 1/n")
    func smirnovClosedForms() {
        #expect(smirnovSF(0.3, n: 1) == 0.7)
        #expect(close(smirnovSF(0.95, n: 10), pow(0.05, 10), rel: 1e-13))
        // n = 2, d = 0.25 ≤ 1/2: 1 − d(1 + d) = 1 − 0.3125.
        #expect(close(smirnovSF(0.25, n: 2), 0.6875, rel: 1e-15))
        #expect(smirnovSF(.nan, n: 3).isNaN && smirnovSF(0.5, n: 0).isNaN)
    }

    // MARK: Smirnov fast path against the full sum

    @Test(
        "smirnov trapezoid sub-sampling equals the full Birnbaum–Tingey sum",
        arguments: [5_000, 20_000, 100_000, 500_000])
    func smirnovSubsamplingMatchesFullSum(n: Int) {
        for lambda in [0.5, 2.2, 10, 50, 150, 360] {
            let x = (lambda / Double(n)).squareRoot()
            let nd = Double(n)
            let nxHi = nd * x
            let nxLo = (-nxHi).addingProduct(nd, x)
            let summand = SmirnovSummand(n: n, x: x, nxHi: nxHi, nxLo: nxLo)
            let last = n - Int(nxHi.rounded(.down)) - 1
            let fast = summand.sum(last: last)
            let full = summand.sum(last: last, forceFullSum: true)
            #expect(close(fast, full, rel: 1e-8), "n=\(n) nd²=\(lambda): \(fast) vs \(full)")
        }
    }

    // MARK: Properties

    private func sample(_ count: Int, seed: UInt64, shift: Double = 0) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in rng.nextNormal() + shift }
    }

    @Test("invariance under the monotone transform x → exp(x)")
    func monotoneInvariance() throws {
        for (m, n) in [(30, 30), (40, 55), (500, 300)] {
            let x = sample(m, seed: 1), y = sample(n, seed: 2, shift: 0.3)
            for alternative in KSAlternative.allCases {
                let a = try ks(x, y, alternative)
                let b = try ks(x.map { Foundation.exp($0) }, y.map { Foundation.exp($0) }, alternative)
                #expect(a.statistic == b.statistic && a.pValue == b.pValue && a.statisticSign == b.statisticSign)
                #expect(close(Foundation.exp(a.statisticLocation), b.statisticLocation, rel: 1e-15))
            }
        }
    }

    @Test("swapping samples: two-sided unchanged up to sign; greater ↔ less")
    func swapSymmetry() throws {
        for (m, n) in [(20, 20), (25, 40), (1200, 800)] {
            let x = sample(m, seed: 3), y = sample(n, seed: 4, shift: -0.2)
            let a = try ks(x, y), b = try ks(y, x)
            #expect(close(a.statistic, b.statistic, rel: 0, abs: 1e-15))
            #expect(close(a.pValue, b.pValue, rel: 1e-12))
            #expect(a.statisticSign == -b.statisticSign || a.statistic == 0)
            let g = try ks(x, y, .greater), l = try ks(y, x, .less)
            #expect(close(g.statistic, l.statistic, rel: 0, abs: 1e-15) && close(g.pValue, l.pValue, rel: 1e-12))
        }
    }

    @Test("D and p lie in [0, 1]; identical samples give D = 0, p = 1")
    func ranges() throws {
        for seed in UInt64(10)..<UInt64(20) {
            let x = sample(Int(seed) * 7, seed: seed), y = sample(Int(seed) * 5 + 3, seed: seed + 100, shift: 0.5)
            for alternative in KSAlternative.allCases {
                let r = try ks(x, y, alternative)
                #expect((0...1).contains(r.statistic) && (0...1).contains(r.pValue))
            }
            let same = try ks(x, x)
            #expect(same.statistic == 0 && same.pValue == 1)
        }
    }

    @Test("large samples use kstwo.sf(D, round(mn/(m+n))) and Hodges for one-sided")
    func largeSamplesAreAsymptotic() throws {
        let x = sample(20_000, seed: 7), y = sample(15_000, seed: 8, shift: 0.02)
        let r = try ks(x, y)
        #expect(r.method == .asymptotic && !r.fellBack)
        let en = 20_000.0 * 15_000.0 / 35_000.0
        #expect(r.pValue == kolmogorovSF(r.statistic, n: Int(en.rounded(.toNearestOrEven))))
        let g = try ks(x, y, .greater)
        let z = en.squareRoot() * g.statistic
        let hodges = Foundation.exp(-2 * z * z - 2 * z * (20_000.0 + 30_000.0) / (20_000.0 * 15_000.0 * 35_000.0).squareRoot() / 3)
        #expect(close(g.pValue, hodges, rel: 1e-14))
    }

    @Test("ties are evaluated after the whole run of equal values")
    func ties() throws {
        // x = [1,1,2], y = [1,2,2]: after t = 1, F₁ = 2/3, F₂ = 1/3 → D = 1/3 at t = 1.
        let r = try ks([1, 1, 2], [1, 2, 2])
        #expect(close(r.statistic, 1.0 / 3, rel: 0, abs: 1e-15) && r.statisticLocation == 1 && r.statisticSign == 1)
        // Fully tied: D = 0.
        #expect(try ks([5, 5, 5], [5, 5]).statistic == 0)
    }

    @Test("empty inputs throw; NaN is dropped; .sketch is rejected")
    func edgeCases() throws {
        #expect(throws: StatsError.emptyInput("")) { try ks([], [1]) }
        #expect(throws: StatsError.emptyInput("")) { try ks([.nan], [1]) }
        #expect(throws: StatsError.invalidArgument("")) { try ks([1], [2], .twoSided, .sketch) }
        let a = try ks([3, .nan, 1, 2], [6, 4, .nan, 5])
        #expect(a == (try ks([1, 2, 3], [4, 5, 6])))
    }
}


@Suite("KS and Wasserstein in one merge")
struct FusedKSWassersteinTests {
    /// The fused pass must give exactly the KS result of the plain test and the Wasserstein of the
    /// separate kernel (to summation-order rounding), on continuous data, heavy ties and
    /// unequal sizes.
    @Test("agrees with the separate kernels", arguments: [(500, 700, 0.0, false), (3000, 3000, 0.3, false), (20000, 15000, 0.05, true), (1, 9, 1.0, false)])
    func agrees(m: Int, n: Int, shift: Double, integers: Bool) throws {
        var rng = SplitMix64(seed: UInt64(m * 31 + n))
        func u() -> Double { rng.nextUniform() }
        var x = (0..<m).map { _ in integers ? (u() * 20).rounded(.down) : u() }
        var y = (0..<n).map { _ in integers ? (u() * 20 + shift * 20).rounded(.down) : u() + shift }
        RadixSort.sort(&x)
        RadixSort.sort(&y)
        let (ks, w) = try x.withUnsafeBufferPointer { a in
            try y.withUnsafeBufferPointer { b in try kolmogorovSmirnovAndWasserstein(sorted: a, sorted: b) }
        }
        let ksPlain = try x.withUnsafeBufferPointer { a in try y.withUnsafeBufferPointer { b in try kolmogorovSmirnov(sorted: a, sorted: b) } }
        let wPlain = try wassersteinDistance(sorted: x, sorted: y)
        #expect(ks == ksPlain)
        #expect(abs(w - wPlain) <= 1e-12 * max(wPlain, 1e-300), "\(w) vs \(wPlain)")
    }

    @Test("exact small case: [1,2,3] vs [4,5,6]")
    func small() throws {
        let x: [Double] = [1, 2, 3]
        let y: [Double] = [4, 5, 6]
        let (ks, w) = try x.withUnsafeBufferPointer { a in
            try y.withUnsafeBufferPointer { b in try kolmogorovSmirnovAndWasserstein(sorted: a, sorted: b) }
        }
        #expect(ks.statistic == 1)
        #expect(close(ks.pValue, 0.1, rel: 1e-15))
        // Every value of y is 3 above its partner in x: the earth mover's distance is 3.
        #expect(w == 3)
    }

    @Test("rejects empty and non-finite samples")
    func rejects() {
        let empty: [Double] = []
        let inf: [Double] = [1, .infinity]
        #expect(throws: StatsError.self) {
            try empty.withUnsafeBufferPointer { a in try inf.withUnsafeBufferPointer { b in try kolmogorovSmirnovAndWasserstein(sorted: a, sorted: b) } }
        }
        #expect(throws: StatsError.self) {
            try inf.withUnsafeBufferPointer { a in try inf.withUnsafeBufferPointer { b in try kolmogorovSmirnovAndWasserstein(sorted: a, sorted: b) } }
        }
    }
}
