import RealModule

/// Survival function of the finite-n two-sided Kolmogorov distribution, Pr(Dₙ ≥ d).
///
/// Dₙ = sup_t |Fₙ(t) − F(t)| for the empirical distribution function Fₙ of n independent draws
/// from a continuous F. This is `scipy.stats.kstwo.sf(d, n)`; ``kolmogorovSmirnov(sorted:sorted:alternative:method:)``
/// uses it with n = round(m·n/(m+n)) for its asymptotic two-sided p-value.
///
/// ## Discussion
/// No single formula is both fast and accurate over all (n, d), so — following Simard &
/// L'Ecuyer (2011) and scipy's `_kolmogn` exactly, region by region — with t = nd:
/// - t ≤ 1/2: 1; t ≤ 1 (Ruben & Gambino 1982): 1 − n!/nⁿ · (2t − 1)ⁿ;
/// - t ≥ n − 1 (Ruben & Gambino): 2(1 − d)ⁿ;
/// - d ≥ 1/2: 2·Pr(D⁺ₙ ≥ d), exact since the two one-sided events are then disjoint;
/// - n ≤ 140: Durbin's matrix (Marsaglia–Tsang–Wang) for nd² ≤ 0.754693, Pomeranz's recursion
///   for nd² ≤ 4, Miller's 2·Pr(D⁺ₙ ≥ d) above;
/// - n > 140: 0 for nd² ≥ 370, 2·Pr(D⁺ₙ ≥ d) for nd² ≥ 2.2, otherwise 1 − CDF with the CDF
///   from Durbin's matrix when n ≤ 100 000 and n·d^1.5 ≤ 1.4, else the Pelz–Good expansion.
///
/// - Parameters:
///   - d: the statistic.
///   - n: the sample size, ≥ 1.
/// - Returns: Pr(Dₙ ≥ d) in [0, 1] (1 for d ≤ 1/(2n), 0 for d ≥ 1); NaN for NaN d or n < 1.
///
/// ## Complexity
/// O(1) in the tails and for Pelz–Good; O(k³ log n) with k = ⌈nd⌉ ≤ 58 for Durbin's matrix;
/// O(n · nd) for Pomeranz (n ≤ 140); ``smirnovSF(_:n:)`` for the 2·Pr(D⁺ₙ ≥ d) regions.
///
/// ## Numerical notes
/// Every method computes whichever of CDF and SF is small directly where it can; where a method
/// yields the CDF, SF = 1 − CDF is only used in regions where SF ≳ 0.02, so no relative accuracy
/// is lost. Matrix powers and the Pomeranz recursion are rescaled by 2¹²⁸ with a separate binary
/// exponent, as in scipy. Agreement with scipy is 1e-10 relative or better over the test grid
/// (n from 1 to 10⁶, nd² from 0.01 to 400); Pelz–Good itself is an asymptotic expansion
/// accurate to about 1e-7 absolute near its region boundary, identically in both.
///
/// ## References
/// - Simard, R. & L'Ecuyer, P. (2011). Computing the two-sided Kolmogorov–Smirnov distribution.
///   *J. Statistical Software* 39(11).
/// - Durbin, J. (1968). The probability that the sample distribution function lies between two
///   parallel straight lines. *Ann. Math. Statist.* 39, 398–411.
/// - Marsaglia, G., Tsang, W. W. & Wang, J. (2003). Evaluating Kolmogorov's distribution.
///   *J. Statistical Software* 8(18).
/// - Pomeranz, J. (1974). Exact cumulative distribution of the Kolmogorov–Smirnov statistic for
///   small samples (Algorithm 487). *CACM* 17(12), 703–704.
/// - Pelz, W. & Good, I. J. (1976). Approximating the lower tail-areas of the Kolmogorov–Smirnov
///   one-sample statistic. *J. Royal Statist. Soc. B* 38(2), 152–156.
/// - Ruben, H. & Gambino, J. (1982). The exact distribution of Kolmogorov's statistic Dₙ for
///   n ≤ 10. *Ann. Inst. Statist. Math.* 34, 167–173.
/// - Miller, L. H. (1956). Table of percentage points of Kolmogorov statistics. *JASA* 51, 111–121.
///
/// ## Example
/// ```swift
/// kolmogorovSF(0.1, n: 100)   // 0.25269275700638...  (scipy.stats.kstwo.sf(0.1, 100))
/// kolmogorovSF(0.005, n: 1)   // 1.0
/// ```
public func kolmogorovSF(_ d: Double, n: Int) -> Double {
    kolmogorovDistribution(n, d, cdf: false)
}

/// Cumulative distribution function of the finite-n two-sided Kolmogorov distribution,
/// Pr(Dₙ ≤ d) (`scipy.stats.kstwo.cdf(d, n)`).
///
/// See ``kolmogorovSF(_:n:)`` for the regimes, complexity, numerical notes and references; each
/// regime computes the CDF directly where it is the small tail (d ≲ 1/√n).
///
/// - Parameters:
///   - d: the statistic.
///   - n: the sample size, ≥ 1.
/// - Returns: Pr(Dₙ ≤ d) in [0, 1]; NaN for NaN d or n < 1.
///
/// ## Example
/// ```swift
/// kolmogorovCDF(0.75, n: 1)   // 0.5  (D₁ = max(U, 1 − U) is uniform on [1/2, 1])
/// ```
public func kolmogorovCDF(_ d: Double, n: Int) -> Double {
    kolmogorovDistribution(n, d, cdf: true)
}

// MARK: - Regime selection (scipy's _kolmogn)

private let twoTo128 = Double(sign: .plus, exponent: 128, significand: 1)
private let twoToMinus128 = Double(sign: .plus, exponent: -128, significand: 1)
private let log2Pi = Double.log(2 * Double.pi)

@inline(__always)
private func select(cdf: Bool, _ cdfValue: Double, _ sfValue: Double) -> Double {
    clipProbability(cdf ? cdfValue : sfValue)
}

func kolmogorovDistribution(_ n: Int, _ x: Double, cdf: Bool) -> Double {
    if x.isNaN || n < 1 { return .nan }
    if x >= 1 { return select(cdf: cdf, 1, 0) }
    if x <= 0 { return select(cdf: cdf, 0, 1) }
    let nd = Double(n)
    let t = nd * x
    if t <= 1 {
        // Ruben–Gambino: for 1/(2n) ≤ x ≤ 1/n, CDF = n!/nⁿ · (2t − 1)ⁿ.
        if t <= 0.5 { return select(cdf: cdf, 0, 1) }
        let prob: Double
        if n <= 140 {
            var p = 1.0
            let inverseN = 1.0 / nd
            for i in 1...n { p *= Double(i) * inverseN * (2 * t - 1) }
            prob = p
        } else {
            prob = Double.exp(logFactorialOverPower(n) + nd * Double.log(2 * t - 1))
        }
        return select(cdf: cdf, prob, 1 - prob)
    }
    if t >= nd - 1 {
        // Ruben–Gambino upper tail: SF = 2(1 − x)ⁿ.
        let prob = 2 * Double.pow(1 - x, n)
        return select(cdf: cdf, 1 - prob, prob)
    }
    if x >= 0.5 {
        // D⁺ ≥ x and D⁻ ≥ x are disjoint events here: SF = 2·smirnov exactly.
        let prob = 2 * smirnovSF(x, n: n)
        return select(cdf: cdf, 1 - prob, prob)
    }
    let nxSquared = t * x
    if n <= 140 {
        if nxSquared <= 0.754693 {
            let prob = durbinMatrixCDF(n, x)
            return select(cdf: cdf, prob, 1 - prob)
        }
        if nxSquared <= 4 {
            let prob = pomeranzCDF(n, x)
            return select(cdf: cdf, prob, 1 - prob)
        }
        let prob = 2 * smirnovSF(x, n: n)
        return select(cdf: cdf, 1 - prob, prob)
    }
    if !cdf {
        // Miller's approximation 2·smirnov has relative error < 1e-14 this far in the tail.
        if nxSquared >= 370.0 { return 0 }
        if nxSquared >= 2.2 { return clipProbability(2 * smirnovSF(x, n: n)) }
    }
    let cdfProb: Double
    if nxSquared >= 18.0 {
        cdfProb = 1
    } else if n <= 100_000 && nd * Double.pow(x, 1.5) <= 1.4 {
        cdfProb = durbinMatrixCDF(n, x)
    } else {
        cdfProb = pelzGoodCDF(n, x)
    }
    return select(cdf: cdf, cdfProb, 1 - cdfProb)
}

/// ln(n!/nⁿ) by Stirling's series (for n > 140, where 8 terms are far below 1 ulp).
func logFactorialOverPower(_ n: Int) -> Double {
    // Coefficients of the Stirling series in 1/n², highest order first (B_{2k}/(2k(2k−1))).
    let coefficients: [Double] = [
        -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
        8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
        -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ]
    let nd = Double(n)
    let rn = 1.0 / nd
    let r2 = rn / nd
    var poly = 0.0
    for c in coefficients { poly = poly * r2 + c }
    return Double.log(nd) / 2 - nd + log2Pi / 2 + rn * poly
}

// MARK: - Durbin matrix

/// Pr(Dₙ < d) by Durbin's matrix formula, as organised by Marsaglia, Tsang & Wang (2003).
///
/// With k = ⌈nd⌉, h = k − nd and m = 2k − 1, Pr(Dₙ < d) = n!/nⁿ · (Hⁿ)_{k,k} for an m×m lower
/// Hessenberg matrix H of scaled powers of h. Hⁿ is formed by repeated squaring, rescaling by 2⁻¹²⁸
/// whenever the (k,k) entry exceeds 2¹²⁸ and keeping the binary exponent apart.
func durbinMatrixCDF(_ n: Int, _ d: Double) -> Double {
    if d >= 1 { return 1 }
    let nd = Double(n) * d
    if nd <= 0.5 { return 0 }
    let k = Int(nd.rounded(.up))
    let h = Double(k) - nd
    let m = 2 * k - 1
    var v = [Double](repeating: 0, count: m)
    var w = [Double](repeating: 0, count: m)
    var factorial = 1.0  // 1/j!
    for j in 1...m {
        w[j - 1] = factorial
        factorial /= Double(j)
        v[j - 1] = (1 - Double.pow(h, j)) * factorial
    }
    let tt = Double.pow(Swift.max(2 * h - 1, 0), m) - 2 * Double.pow(h, m)
    v[m - 1] = (1 + tt) * factorial
    var matrix = [Double](repeating: 0, count: m * m)
    for i in 1..<m {
        for r in (i - 1)..<m { matrix[r * m + i] = w[r - (i - 1)] }
    }
    for r in 0..<m { matrix[r * m] = v[r] }
    for c in 0..<m { matrix[(m - 1) * m + c] = v[m - 1 - c] }

    var power = [Double](repeating: 0, count: m * m)
    for i in 0..<m { power[i * m + i] = 1 }
    var scratch = [Double](repeating: 0, count: m * m)
    var remaining = n
    var exponent = 0
    var matrixExponent = 0
    while remaining > 0 {
        if remaining % 2 == 1 {
            multiplySquare(power, matrix, into: &scratch, m)
            swap(&power, &scratch)
            exponent += matrixExponent
        }
        multiplySquare(matrix, matrix, into: &scratch, m)
        swap(&matrix, &scratch)
        matrixExponent *= 2
        if Swift.abs(matrix[(k - 1) * m + (k - 1)]) > twoTo128 {
            for i in 0..<(m * m) { matrix[i] /= twoTo128 }
            matrixExponent += 128
        }
        remaining /= 2
    }
    var p = power[(k - 1) * m + (k - 1)]
    let dn = Double(n)
    for i in 1...n {
        p = Double(i) * p / dn
        if Swift.abs(p) < twoToMinus128 {
            p *= twoTo128
            exponent -= 128
        }
    }
    return Double(sign: .plus, exponent: exponent, significand: p)
}

/// c = a · b for m×m row-major matrices (i-k-j order so the inner loop is contiguous).
private func multiplySquare(_ a: [Double], _ b: [Double], into c: inout [Double], _ m: Int) {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                for i in 0..<(m * m) { pc[i] = 0 }
                for i in 0..<m {
                    let row = i * m
                    for k in 0..<m {
                        let aik = pa[row + k]
                        if aik == 0 { continue }
                        let bRow = k * m
                        for j in 0..<m { pc[row + j] += aik * pb[bRow + j] }
                    }
                }
            }
        }
    }
}

// MARK: - Pomeranz

/// The column interval [j1, j2] of row i in Pomeranz's recursion.
private func pomeranzBounds(_ i: Int, _ n: Int, _ ll: Int, _ ceilf: Int, _ roundf: Int) -> (Int, Int) {
    var j1: Int
    var j2: Int
    if i == 0 {
        j1 = -ll - ceilf - 1
        j2 = ll + ceilf - 1
    } else {
        let half = (i + 1) / 2
        if (i + 1) % 2 == 0 {  // i odd
            if half == n + 1 {
                j1 = n - ll - ceilf - 1
                j2 = n + ll + ceilf - 1
            } else {
                j1 = half - 1 - ll - roundf - 1
                j2 = half + ll - 1 + ceilf - 1
            }
        } else {
            j1 = half - 1 - ll - 1
            j2 = half + ll + roundf - 1
        }
    }
    return (Swift.max(j1 + 2, 0), Swift.min(j2, n))
}

/// Pr(Dₙ ≤ d) by Pomeranz's (1974) recursion over the 2n + 2 breakpoints of the band, with the
/// transition weights (g/n)^j/j!, (2g/n)^j/j!, ((1−2g)/n)^j/j! for g = min(f, 1 − f), f the
/// fractional part of nd. Rows are rescaled by 2¹²⁸ when they underflow.
func pomeranzCDF(_ n: Int, _ x: Double) -> Double {
    let dn = Double(n)
    let t = dn * x
    let ll = Int(t.rounded(.down))
    let f = t - Double(ll)
    let g = Swift.min(f, 1 - f)
    let ceilf = f > 0 ? 1 : 0
    let roundf = f > 0.5 ? 1 : 0
    let count = 2 * (ll + 1)
    var gPower = [Double](repeating: 1, count: count)
    var twoGPower = [Double](repeating: 1, count: count)
    var oneMinusTwoGPower = [Double](repeating: 1, count: count)
    let gOverN = g / dn
    let twoGOverN = 2 * g / dn
    let oneMinusTwoGOverN = (1 - 2 * g) / dn
    for j in 1..<count {
        gPower[j] = gPower[j - 1] * gOverN / Double(j)
        twoGPower[j] = twoGPower[j - 1] * twoGOverN / Double(j)
        oneMinusTwoGPower[j] = oneMinusTwoGPower[j - 1] * oneMinusTwoGOverN / Double(j)
    }
    var v0 = [Double](repeating: 0, count: count)
    var v1 = [Double](repeating: 0, count: count)
    v1[0] = 1
    var v0Start = 0
    var v1Start = 0
    var exponent = 0
    var (j1, j2) = pomeranzBounds(0, n, ll, ceilf, roundf)
    for i in 1..<(2 * n + 2) {
        let k1 = j1
        swap(&v0, &v1)
        swap(&v0Start, &v1Start)
        for j in 0..<count { v1[j] = 0 }
        (j1, j2) = pomeranzBounds(i, n, ll, ceilf, roundf)
        let powers: [Double]
        if i == 1 || i == 2 * n + 1 {
            powers = gPower
        } else {
            powers = i % 2 == 1 ? twoGPower : oneMinusTwoGPower
        }
        let length = j2 - k1 + 1
        if length > 0 {
            // Entries [start, start+length) of the previous row, convolved with the powers.
            let start = k1 - v0Start
            precondition(start >= 0, "Pomeranz recursion: row window moved backwards")
            let available = Swift.min(length, count - start)
            let convStart = j1 - k1
            let convLength = j2 - j1 + 1
            var maximum = 0.0
            for c in 0..<convLength {
                let index = convStart + c
                var s = 0.0
                let aLow = Swift.max(0, index - length + 1)
                let aHigh = Swift.min(index, available - 1)
                if aLow <= aHigh {
                    for a in aLow...aHigh { s += v0[start + a] * powers[index - a] }
                }
                v1[c] = s
                maximum = Swift.max(maximum, s)
            }
            if maximum > 0 && maximum < twoToMinus128 {
                for j in 0..<count { v1[j] *= twoTo128 }
                exponent -= 128
            }
            v1Start = v0Start + j1 - k1
        }
    }
    var answer = v1[n - v1Start]
    for j in 1...n {
        if Swift.abs(answer) > twoTo128 {
            answer *= twoToMinus128
            exponent += 128
        }
        answer *= Double(j)
    }
    return Double(sign: .plus, exponent: exponent, significand: answer)
}

// MARK: - Pelz–Good

/// The Pelz–Good (1976) approximation to Pr(Dₙ ≤ x): the Li-Chien/Korolyuk expansion
/// K₀(z) + K₁(z)/√n + K₂(z)/n + K₃(z)/n^{3/2} in z = x√n, each term rewritten with Jacobi theta
/// identities as a series in q = e^{−π²/(8z²)} that converges fast for small z.
func pelzGoodCDF(_ n: Int, _ x: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let dn = Double(n)
    let pi2 = Double.pi * Double.pi
    let pi4 = pi2 * pi2
    let pi6 = pi4 * pi2
    let sqrt2Pi = (2 * Double.pi).squareRoot()
    let z = dn.squareRoot() * x
    let z2 = z * z
    let z3 = z2 * z
    let z4 = z2 * z2
    let z6 = z4 * z2
    let qLog = -pi2 / 8 / z2
    // exp() of anything below −708 underflows: the CDF is 0 to double precision (z ≲ 0.0417).
    if qLog < -708 { return 0 }
    var q = Double.exp(qLog)
    let k1a = -z2
    let k1b = pi2 / 4
    let k2a = 6 * z6 + 2 * z4
    let k2b = (2 * z4 - 5 * z2) * pi2 / 4
    let k2c = pi4 * (1 - 2 * z2) / 16
    let k3d = pi6 * (5 - 30 * z2) / 64
    let k3c = pi4 * (-60 * z2 + 212 * z4) / 16
    let k3b = pi2 * (135 * z4 - 96 * z6) / 4
    let k3a = -30 * z6 - 90 * z4 * z4
    var k0 = 0.0, kk1 = 0.0, kk2 = 0.0, kk3 = 0.0
    let maxK = Int((16 * z / Double.pi).rounded(.up))
    var k = maxK
    while k >= 1 {
        let mm = Double(2 * k - 1)
        let m2 = mm * mm
        let m4 = m2 * m2
        let m6 = m4 * m2
        let qPower = Double.pow(q, 8 * k)
        k0 = k0 * qPower + 1.0
        kk1 = kk1 * qPower + (k1a + k1b * m2)
        kk2 = kk2 * qPower + (k2a + k2b * m2 + k2c * m4)
        kk3 = kk3 * qPower + (k3a + k3b * m2 + k3c * m4 + k3d * m6)
        k -= 1
    }
    k0 *= q * sqrt2Pi / z
    kk1 *= q * sqrt2Pi / (6 * z4)
    kk2 *= q * sqrt2Pi / (72 * z6 * z)
    kk3 *= q * sqrt2Pi / (6480 * z6 * z4)
    q = Double.exp(-pi2 / 2 / z2)
    let sqrt3z = 3.0.squareRoot() * z
    var extra2 = 0.0
    var extra3 = 0.0
    if maxK >= 1 {
        for kk in stride(from: maxK, through: 1, by: -1) {
            let ks = Double(kk)
            let ks2 = ks * ks
            let qp = Double.pow(q, kk * kk)
            let kPi = Double.pi * ks
            extra2 += ks2 * qp
            extra3 += (sqrt3z + kPi) * (sqrt3z - kPi) * ks2 * qp
        }
    }
    kk2 += extra2 * pi2 * sqrt2Pi / (-36 * z3)
    kk3 += extra3 * pi2 * sqrt2Pi / (216 * z6)
    let rootN = dn.squareRoot()
    return k0 + kk1 / rootN + kk2 / dn + kk3 / (dn * rootN)
}
