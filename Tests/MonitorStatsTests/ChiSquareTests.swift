import Foundation
import MonitorStats
import Testing

@Suite("ChiSquare")
struct ChiSquareTests {
    func ints(_ c: [String: Any], _ k: String) -> [Int] { (c[k] as! [NSNumber]).map(\.intValue) }

    // Statistic: 1e-9 relative (DESIGN §6); the sums are the same few terms, agreement is ~1e-15.
    // p-value: 1e-9 relative, or exact equality when scipy underflowed to 0.
    @Test("homogeneity (Pearson and G) and goodness of fit match scipy to 1e-9")
    func fixture() throws {
        for c in try Fixture.cases("chi2") {
            let name = c.string("name")
            if c.string("kind") == "homogeneity" {
                let r = try chiSquareHomogeneity(ints(c, "a"), ints(c, "b"))
                #expect(close(r.statistic, c.double("statistic"), rel: 1e-9, abs: 1e-12), "\(name)")
                #expect(close(r.pValue, c.double("p_value"), rel: 1e-9), "\(name): \(r.pValue) vs \(c.double("p_value"))")
                #expect(r.degreesOfFreedom == c.int("dof"), "\(name)")
                let g = try gTest(ints(c, "a"), ints(c, "b"))
                #expect(close(g.statistic, c.double("g_statistic"), rel: 1e-9, abs: 1e-12), "\(name)")
                #expect(close(g.pValue, c.double("g_p_value"), rel: 1e-9), "\(name)")
            } else {
                let r = try chiSquareGoodnessOfFit(observed: ints(c, "observed"), expectedProportions: c.doubles("expected_proportions"))
                #expect(close(r.statistic, c.double("statistic"), rel: 1e-9), "\(name)")
                #expect(close(r.pValue, c.double("p_value"), rel: 1e-9), "\(name)")
                #expect(r.degreesOfFreedom == c.int("dof"), "\(name)")
            }
        }
    }

    @Test("categorical chi-square of the PSI fixture matches anchors.categorical_tests")
    func anchorsCategorical() throws {
        for c in try Fixture.cases("psi") where c.string("kind") == "categorical" {
            let r = try chiSquareHomogeneity(ints(c, "reference_counts"), ints(c, "current_counts"))
            #expect(close(r.statistic, c.double("chi2"), rel: 1e-9), "\(c.string("name"))")
            #expect(close(r.pValue, c.double("p_value"), rel: 1e-9), "\(c.string("name"))")
            #expect(r.degreesOfFreedom == c.int("dof"))
        }
    }

    @Test("2×2 table by hand, no Yates correction")
    func twoByTwo() throws {
        // [[10, 20], [30, 25]]: N = 85, rows 30/55, cols 40/45.
        // E = [[240/17, 270/17], [440/17, 495/17]]; X² = Σ(O−E)²/E = 4225·(17/85²)·… = exact below.
        let e: [Double] = [1200.0 / 85, 1350.0 / 85, 2200.0 / 85, 2475.0 / 85]
        let o: [Double] = [10, 20, 30, 25]
        let x2 = zip(o, e).map { ($0 - $1) * ($0 - $1) / $1 }.reduce(0, +)
        let r = try chiSquareHomogeneity([10, 20], [30, 25])
        #expect(close(r.statistic, x2, rel: 1e-14))
        #expect(r.degreesOfFreedom == 1)
        // dof 1: p = erfc(√(X²/2))
        #expect(close(r.pValue, erfc((x2 / 2).squareRoot()), rel: 1e-13))
        // [[1, 0], [0, 1]]: X² = N·(ad−bc)²/(r1 r2 c1 c2) = 2 exactly; p = erfc(1)
        let d = try chiSquareHomogeneity([1, 0], [0, 1])
        #expect(d.statistic == 2)
        #expect(close(d.pValue, erfc(1), rel: 1e-14))
    }

    @Test("empty columns are dropped, one column gives dof 0, empty rows throw")
    func edgeCases() throws {
        let full = try chiSquareHomogeneity([5, 0, 7], [6, 0, 2])
        let dropped = try chiSquareHomogeneity([5, 7], [6, 2])
        #expect(full == dropped)
        let one = try chiSquareHomogeneity([7, 0], [9, 0])
        #expect(one == ChiSquareResult(statistic: 0, pValue: 1, degreesOfFreedom: 0))
        #expect(throws: StatsError.emptyInput("")) { try chiSquareHomogeneity([0, 0], [1, 2]) }
        #expect(throws: StatsError.emptyInput("")) { try chiSquareHomogeneity([], []) }
        #expect(throws: StatsError.lengthMismatch("")) { try gTest([1], [1, 2]) }
        #expect(throws: StatsError.invalidArgument("")) { try chiSquareGoodnessOfFit(observed: [1, 2], expectedProportions: [0.5, 0.6]) }
        #expect(throws: StatsError.invalidArgument("")) { try chiSquareGoodnessOfFit(observed: [1, 2], expectedProportions: [1, 0]) }
        #expect(throws: StatsError.emptyInput("")) { try chiSquareGoodnessOfFit(observed: [0, 0], expectedProportions: [0.5, 0.5]) }
    }

    @Test("statistic is symmetric in the two rows and invariant to column order")
    func symmetry() throws {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<100 {
            let k = 2 + Int(rng.next() % 8)
            let a = (0..<k).map { _ in 1 + Int(rng.next() % 100) }
            let b = (0..<k).map { _ in 1 + Int(rng.next() % 100) }
            let r1 = try chiSquareHomogeneity(a, b)
            let r2 = try chiSquareHomogeneity(b, a)
            let r3 = try chiSquareHomogeneity(a.reversed(), b.reversed())
            #expect(close(r1.statistic, r2.statistic, rel: 1e-13))
            #expect(close(r1.statistic, r3.statistic, rel: 1e-13))
            #expect(r1.pValue >= 0 && r1.pValue <= 1)
        }
    }
}

@Suite("IncompleteGamma")
struct IncompleteGammaTests {
    /// Tolerance for P and Q against scipy (cephes igam/igamc).
    ///
    /// 1e-13 relative is the target. Where the function value is tiny, both implementations
    /// compute exp(ln D) with ln D = a ln x − x − ln Γ(a): an absolute rounding error δ in the
    /// exponent becomes a relative error δ in the value. cephes forms ln D directly when
    /// |x − a| > 0.4a, so its δ is up to ~ε·(|a ln x| + x + |ln Γ(a)|); the allowance below is
    /// 4ε times that sum, i.e. the reference's own error bound, not ours (ours is smaller).
    /// Values below 1e-300 (subnormal territory) are compared with absolute tolerance 1e-305.
    static func tolerance(a: Double, x: Double) -> Double {
        let cond = abs(a * log(x)) + x + abs(lgamma(a))
        return 1e-13 + 4 * Double.ulpOfOne * cond
    }

    @Test("P and Q match scipy.special.gammainc/gammaincc over the grid")
    func fixture() throws {
        var worst = 0.0
        var checked = 0
        for c in try Fixture.cases("gammainc") {
            let a = c.double("a")
            let x = c.double("x")
            let tol = Self.tolerance(a: a, x: x)
            let p = regularizedGammaP(a, x)
            let q = regularizedGammaQ(a, x)
            let ep = c.double("P")
            let eq = c.double("Q")
            #expect(close(p, ep, rel: tol, abs: 1e-305), "P(\(a), \(x)) = \(p) vs \(ep)")
            #expect(close(q, eq, rel: tol, abs: 1e-305), "Q(\(a), \(x)) = \(q) vs \(eq)")
            #expect(p >= 0 && p <= 1 && q >= 0 && q <= 1)
            if eq > 1e-300 { worst = max(worst, abs(q - eq) / eq) }
            checked += 1
        }
        #expect(checked > 900)
        #expect(worst < 1e-11)
    }

    @Test("closed forms: Q(1, x) = e^−x, Q(½, x) = erfc(√x), P(1, x) = −expm1(−x)")
    func closedForms() {
        for x in [1e-8, 0.1, 0.5, 1, 2, 5, 10, 50, 300, 700] {
            #expect(close(regularizedGammaQ(1, x), exp(-x), rel: 2e-15), "\(x)")
            #expect(close(regularizedGammaP(1, x), -expm1(-x), rel: 2e-15), "\(x)")
            // erfc(√x) itself is only good to ~2x·ε relative: √x is rounded and erfc(y) has
            // condition number ~2y²; the tolerance is that bound (our Q is more accurate).
            #expect(close(regularizedGammaQ(0.5, x), erfc(x.squareRoot()), rel: 5e-15 + 4 * x * Double.ulpOfOne), "\(x)")
        }
        // Q(2, x) = (1 + x)e^−x
        #expect(close(regularizedGammaQ(2, 3), 4 * exp(-3.0), rel: 2e-15))
    }

    @Test("special arguments")
    func specials() {
        #expect(regularizedGammaQ(3, 0) == 1)
        #expect(regularizedGammaP(3, 0) == 0)
        #expect(regularizedGammaQ(3, .infinity) == 0)
        #expect(regularizedGammaQ(0, 2) == 0)
        #expect(regularizedGammaQ(-1, 2).isNaN)
        #expect(regularizedGammaQ(2, -1).isNaN)
        #expect(regularizedGammaQ(.nan, 1).isNaN)
        #expect(regularizedGammaQ(1, 2000) == 0)  // underflow to 0, not NaN
        #expect(chiSquareSurvival(0, degreesOfFreedom: 3) == 1)
        #expect(chiSquareSurvival(-1, degreesOfFreedom: 3) == 1)
        #expect(chiSquareSurvival(1, degreesOfFreedom: 0).isNaN)
    }

    @Test("P + Q = 1 and Q decreases in x")
    func properties() {
        for a in [0.5, 1.5, 7, 40, 333, 4000] {
            var previous = 1.0
            for r in stride(from: 0.05, through: 3, by: 0.05) {
                let x = a * r
                let p = regularizedGammaP(a, x)
                let q = regularizedGammaQ(a, x)
                #expect(abs(p + q - 1) < 1e-14, "a \(a) x \(x)")
                #expect(q <= previous, "a \(a) x \(x)")
                previous = q
            }
        }
    }
}
