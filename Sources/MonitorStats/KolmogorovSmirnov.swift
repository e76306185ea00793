import RealModule

/// `method="auto"` computes exact p-values while max(m, n) is at most this. The exact two-sided
/// m ≠ n recursion costs O(m · window) with a window up to n + 1, i.e. up to 10⁸ steps here; above
/// it scipy (and we) switch to the finite-n Kolmogorov distribution. scipy's `MAX_AUTO_N`.
let ksMaximumAutomaticExactSize = 10_000

/// Two-sample Kolmogorov–Smirnov test on samples that are already sorted.
///
/// Tests the null hypothesis that the samples `x` (size m) and `y` (size n) are drawn from the
/// same continuous distribution, against the chosen alternative.
///
/// ## Discussion
/// With empirical distribution functions F₁ (of `x`) and F₂ (of `y`), the statistic is
/// - `.twoSided`: D = sup |F₁ − F₂|;
/// - `.greater`: D⁺ = sup (F₁ − F₂) (H₁: F₁(t) > F₂(t) for some t, i.e. `x` tends to be smaller);
/// - `.less`: D⁻ = sup (F₂ − F₁).
///
/// Ties are handled as `scipy.stats.ks_2samp` does (`searchsorted(side="right")` over the
/// concatenation): the difference of the two step functions is evaluated after all values equal to
/// t have been counted, so tied values never create a spurious jump. `statisticLocation` is the
/// value t at which the supremum is attained (the first such value of `x` if there is one, else of
/// `y`, as `numpy.argmax` over `concatenate([x, y])` picks it) and `statisticSign` is +1 when
/// F₁ − F₂ > 0 there.
///
/// The p-value is:
/// - exact (`method: .exact`, or `.automatic` with max(m, n) ≤ 10 000): the null distribution of
///   the lattice-path statistic. D is first rounded to the lattice h / lcm(m, n) on which it lives.
///   Two-sided with m = n: the reflection formula for paths leaving the band |i − j| < h
///   (Gnedenko & Korolyuk), evaluated as a Horner-like product. Two-sided with m ≠ n: Viehmann's
///   recursion for the probability 1 − A(m, n)/C(m+n, n) of leaving the band. One-sided with
///   m = n: C(2n, n−h)/C(2n, n) as a product; with m ≠ n: Hodges' count of paths crossing the
///   line, divided by C(m+n, n). When the exact computation fails numerically (the binomial
///   overflows, or the result is not a probability) the asymptotic value is returned with
///   `method: .asymptotic, fellBack: true` (scipy warns in the same case).
/// - asymptotic: two-sided, `kolmogorovSF(D, n: round(mn/(m+n)))`, the finite-n Kolmogorov
///   distribution (not its limit); one-sided, Hodges' (1958) eq. 5.3,
///   exp(−2z² − 2z(m+2n)/(3√(mn(m+n)))) with z = D·√(mn/(m+n)) and m ≥ n.
///
/// - Parameters:
///   - x: the first sample, sorted ascending, without NaN (±∞ allowed).
///   - y: the second sample, sorted ascending, without NaN (±∞ allowed).
///   - alternative: the alternative hypothesis (default two-sided).
///   - method: `.automatic` (default), `.exact` or `.asymptotic`; `.sketch` is not accepted here.
/// - Returns: statistic, p-value (clipped to [0, 1]), location and sign of the statistic, and the
///   method that produced the p-value.
/// - Throws: `StatsError.emptyInput` when either sample is empty; `StatsError.invalidArgument` for
///   `method: .sketch`.
///
/// ## Complexity
/// The statistic is one O(m + n) merge. Exact p-values: O(max(m, n)) for m = n,
/// O(max(m, n) · (D · min(m, n) + 1)) for two-sided m ≠ n, O(min(m, n)²) for one-sided m ≠ n.
/// Asymptotic p-values: see ``kolmogorovSF(_:n:)``.
///
/// ## Numerical notes
/// The two step functions are compared as `Double(i)/Double(m) − Double(j)/Double(n)`, the same
/// floating-point expression scipy evaluates, so the choice of maximiser (and the sign) agrees
/// bit-for-bit with scipy even when two candidates tie mathematically. The exact recursions keep
/// probabilities (not path counts) in the working vector, so they neither overflow nor suffer
/// the cancellation of computing 1 − P for small P.
///
/// ## References
/// - Hodges, J. L. (1958). The significance probability of the Smirnov two-sample test.
///   *Arkiv för Matematik* 3(43), 469–486 (eq. 5.3 for the one-sided approximation).
/// - Gnedenko, B. V. & Korolyuk, V. S. (1951). On the maximum discrepancy between two empirical
///   distributions. *Doklady Akad. Nauk SSSR* 80, 525–528.
/// - Viehmann, T. (2021). Numerically more stable computation of the p-values for the two-sample
///   Kolmogorov–Smirnov test. arXiv:2102.08037.
/// - SciPy 1.17 `scipy.stats.ks_2samp` (the reference this function agrees with).
///
/// ## Example
/// ```swift
/// let x: [Double] = [1, 2, 3], y: [Double] = [4, 5, 6]
/// let r = try x.withUnsafeBufferPointer { xb in
///     try y.withUnsafeBufferPointer { yb in try kolmogorovSmirnov(sorted: xb, sorted: yb) }
/// }
/// // r.statistic == 1.0, r.pValue == 0.1 (= 2 / C(6, 3)), r.statisticLocation == 3.0,
/// // r.statisticSign == 1, r.method == .exact
/// ```
public func kolmogorovSmirnov(
    sorted x: UnsafeBufferPointer<Double>,
    sorted y: UnsafeBufferPointer<Double>,
    alternative: KSAlternative = .twoSided,
    method: KSMethod = .automatic
) throws -> KSResult {
    let n1 = x.count
    let n2 = y.count
    guard n1 > 0, n2 > 0 else {
        throw StatsError.emptyInput("kolmogorovSmirnov: samples must not be empty (m = \(n1), n = \(n2))")
    }
    if method == .sketch {
        throw StatsError.invalidArgument("kolmogorovSmirnov: method .sketch needs quantile sketches, not samples")
    }
    return ksResult(ksDifferenceExtremes(x, y), n1, n2, alternative: alternative, method: method)
}

/// Two-sample Kolmogorov–Smirnov test on unsorted samples; NaN values are dropped first.
///
/// Sorts copies of the samples with ``RadixSort`` and calls
/// ``kolmogorovSmirnov(sorted:sorted:alternative:method:)``; see there for the statistic, the
/// p-value methods, numerical notes and references.
///
/// - Parameters:
///   - x: the first sample (any order; NaN ignored; ±∞ allowed).
///   - y: the second sample.
///   - alternative: the alternative hypothesis (default two-sided).
///   - method: `.automatic` (default), `.exact` or `.asymptotic`.
/// - Returns: the test result.
/// - Throws: `StatsError.emptyInput` when either sample has no non-NaN value.
///
/// ## Complexity
/// O(m + n) for the sorts and the statistic, plus the p-value (see the sorted variant).
///
/// ## Example
/// ```swift
/// let r = try kolmogorovSmirnov([3, 1, .nan, 2], [6, 4, 5])
/// // r.statistic == 1.0, r.pValue == 0.1
/// ```
public func kolmogorovSmirnov(
    _ x: [Double], _ y: [Double],
    alternative: KSAlternative = .twoSided,
    method: KSMethod = .automatic
) throws -> KSResult {
    let xs = x.withUnsafeBufferPointer { RadixSort.sortedDroppingNaN($0) }
    let ys = y.withUnsafeBufferPointer { RadixSort.sortedDroppingNaN($0) }
    return try xs.withUnsafeBufferPointer { xb in
        try ys.withUnsafeBufferPointer { yb in
            try kolmogorovSmirnov(sorted: xb, sorted: yb, alternative: alternative, method: method)
        }
    }
}

/// The test result from the extremes of F₁ − F₂: picks the statistic for the alternative and
/// computes its p-value (shared by the plain and the fused KS + Wasserstein entry points).
func ksResult(
    _ extremes: KSDifferenceExtremes, _ n1: Int, _ n2: Int, alternative: KSAlternative, method: KSMethod
) -> KSResult {
    // scipy: minS = clip(-min(cddiffs), 0, 1), maxS = max(cddiffs).
    let minS = Swift.min(Swift.max(-extremes.minimum, 0), 1)
    let maxS = extremes.maximum
    var d: Double
    let location: Double
    let sign: Int
    if alternative == .less || (alternative == .twoSided && minS > maxS) {
        d = minS
        location = extremes.minimumLocation
        sign = -1
    } else {
        d = maxS
        location = extremes.maximumLocation
        sign = 1
    }

    var useExact: Bool
    var fellBack = false
    switch method {
    case .automatic: useExact = Swift.max(n1, n2) <= ksMaximumAutomaticExactSize
    case .exact: useExact = true
    case .asymptotic, .sketch: useExact = false
    }
    let g = greatestCommonDivisor(n1, n2)
    if method == .exact && n1 / g >= Int(Int32.max) / (n2 / g) {
        // lcm(m, n) does not fit the lattice arithmetic (scipy's int32 guard): asymptotic instead.
        useExact = false
        fellBack = true
    }
    if useExact {
        let exact = ksExactPValue(n1, n2, g: g, d: d, alternative: alternative)
        d = exact.d
        if let p = exact.pValue {
            return KSResult(
                statistic: d, pValue: clipProbability(p), statisticLocation: location,
                statisticSign: sign, method: .exact)
        }
        fellBack = true
    }
    let p = ksAsymptoticPValue(n1, n2, d: d, alternative: alternative)
    return KSResult(
        statistic: d, pValue: clipProbability(p), statisticLocation: location, statisticSign: sign,
        method: .asymptotic, fellBack: fellBack)
}


// MARK: - Statistic

/// The extremes of F₁ − F₂ over the pooled sample, and where they are attained.
struct KSDifferenceExtremes {
    var maximum: Double
    var maximumLocation: Double
    var minimum: Double
    var minimumLocation: Double
}

/// One merge pass over two sorted samples.
///
/// At each distinct value t (a run of ties, possibly from both samples) the difference
/// i/m − j/n is taken after counting every value ≤ t (scipy's `searchsorted(side="right")`). The
/// location reported is the value of the first element, in the order of `concatenate([x, y])`,
/// attaining the extreme (numpy's `argmax`/`argmin` convention): the smallest attaining value of
/// `x` if any value of `x` attains it, else the smallest attaining value of `y`.
///
/// The hot loop is branch-free in the data: it tracks the exact integer K = i·n − j·m instead
/// of the double i/m − j/n. Distinct values of K differ by 1/(mn) ≫ 2⁻⁵³ (for mn < 2⁵⁰), so
/// ordering by K equals ordering by the doubles except between equal K, where the doubles scipy
/// compares (e.g. 1/3 − 0 and 1 − 2/3) may differ in the last bit; those ties are decided on the
/// doubles exactly as numpy does.
func ksDifferenceExtremes(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> KSDifferenceExtremes {
    // One merge serves both KS and Wasserstein (KolmogorovSmirnov+Wasserstein.swift); the area is
    // a few extra flops per run and is simply dropped here (with ±∞ in a sample it may be NaN,
    // which does not touch the extremes).
    ksDifferenceExtremesAndArea(x, y).0
}

/// The four running extremes (max and min over positions in x, and in y) of the merge.
struct KSExtremesTracker {
    let dm: Double
    let dn: Double
    var maxX = KSCandidate(k: Int.min), minX = KSCandidate(k: Int.max)
    var maxY = KSCandidate(k: Int.min), minY = KSCandidate(k: Int.max)

    init(dm: Double, dn: Double) {
        self.dm = dm
        self.dn = dn
    }

    /// F₁ − F₂ exactly as scipy evaluates it.
    @inline(__always) func value(_ c: KSCandidate) -> Double { Double(c.i) / dm - Double(c.j) / dn }

    /// A run of equal values ended after i values of x and j of y; it began at (gi, gj).
    @inline(__always)
    mutating func endRun(
        _ k: Int, _ i: Int, _ j: Int, _ gi: Int, _ gj: Int,
        _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>
    ) {
        // Fast rejection: most runs move no extreme.
        if k < maxX.k && k < maxY.k && k > minX.k && k > minY.k { return }
        if i > gi {
            let c = KSCandidate(k: k, i: i, j: j, location: x[gi])
            if k > maxX.k || (k == maxX.k && value(c) > value(maxX)) { maxX = c }
            if k < minX.k || (k == minX.k && value(c) < value(minX)) { minX = c }
        }
        if j > gj {
            let c = KSCandidate(k: k, i: i, j: j, location: y[gj])
            if k > maxY.k || (k == maxY.k && value(c) > value(maxY)) { maxY = c }
            if k < minY.k || (k == minY.k && value(c) < value(minY)) { minY = c }
        }
    }
}

/// A candidate extreme of F₁ − F₂: after i values of x and j of y, K = i·n − j·m.
struct KSCandidate {
    var k: Int
    var i = 0
    var j = 0
    var location = Double.nan
}

// MARK: - p-values

@inline(__always)
func clipProbability(_ p: Double) -> Double {
    // NaN propagates (as numpy.clip does); callers never produce it for valid sizes.
    p.isNaN ? p : Swift.min(Swift.max(p, 0), 1)
}

func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
    var a = a
    var b = b
    while b != 0 { (a, b) = (b, a % b) }
    return a
}

/// The asymptotic p-value: the finite-n Kolmogorov distribution (two-sided) or Hodges'
/// approximation (one-sided), exactly as scipy's `ks_2samp(method="asymp")` evaluates them.
func ksAsymptoticPValue(_ n1: Int, _ n2: Int, d: Double, alternative: KSAlternative) -> Double {
    // Hodges' formula is not symmetric: m is the larger sample.
    let m = Double(Swift.max(n1, n2))
    let n = Double(Swift.min(n1, n2))
    let en = m * n / (m + n)
    if alternative == .twoSided {
        // numpy.round rounds half to even; en ≥ 1/2, so this is 0 only for m = n = 1, where
        // scipy's kstwo rejects n = 0 with NaN. We use n = 1 there (see KolmogorovSmirnovTests).
        let effective = Swift.max(Int(en.rounded(.toNearestOrEven)), 1)
        return kolmogorovSF(d, n: effective)
    }
    let z = en.squareRoot() * d
    // Hodges (1958) eq. 5.3.
    let exponent = -2 * z * z - 2 * z * (m + 2 * n) / (m * n * (m + n)).squareRoot() / 3.0
    return Double.exp(exponent)
}

/// The exact p-value, or nil when it cannot be computed reliably. Also returns D rounded to the
/// lattice h / lcm(m, n) (scipy's `_attempt_exact_2kssamp`).
func ksExactPValue(_ n1: Int, _ n2: Int, g: Int, d: Double, alternative: KSAlternative) -> (d: Double, pValue: Double?) {
    let lcm = (n1 / g) * n2
    let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
    let dLattice = Double(h) / Double(lcm)
    if h == 0 { return (dLattice, 1.0) }
    let p: Double?
    if alternative == .twoSided {
        p = n1 == n2 ? ksProbabilityOutsideSquare(n1, h) : ksProbabilityOutsideBand(n1, n2, g: g, h: h)
    } else if n1 == n2 {
        // C(2n, n−h) / C(2n, n) = Π_{j<h} (n − j)/(n + j + 1), without forming the binomials.
        var prod = 1.0
        for j in 0..<h { prod *= Double(n1 - j) / (Double(n1) + Double(j) + 1.0) }
        p = prod
    } else {
        p = ksOneSidedProbability(n1, n2, g: g, h: h)
    }
    guard let p, p >= 0, p <= 1 else { return (dLattice, nil) }
    return (dLattice, p)
}

/// Pr(D_{n,n} ≥ h/n): the proportion of lattice paths from (0,0) to (n,n) that touch one of the
/// lines x − y = ±h.
///
/// By reflection, 2·Σ_{k≥1} (−1)^{k−1} C(2n, n − kh) / C(2n, n) (Gnedenko & Korolyuk 1951). The
/// alternating sum cancels badly, so each ratio A_k = C(2n, n−kh)/C(2n, n−(k−1)h) (a product of h
/// factors) is nested Horner-style: P = 2·A₁(1 − A₂(1 − A₃(1 − …))). O(n) work.
func ksProbabilityOutsideSquare(_ n: Int, _ h: Int) -> Double {
    var p = 0.0
    var k = n / h
    while k >= 0 {
        var a = 1.0
        for j in 0..<h {
            a = Double(n - k * h - j) * a / Double(n + k * h + j + 1)
        }
        p = a * (1.0 - p)
        k -= 1
    }
    return 2 * p
}

/// Pr(D_{m,n} ≥ h/lcm(m,n)) for m ≠ n: the probability that a uniformly random lattice path from
/// (0,0) to (m,n) leaves the band |x·n/g − y·m/g| < h.
///
/// Viehmann's (2021) form of the "inside" recursion: with B(i, j) the probability that a random
/// path to (i, j) has left the band, B(i, j) = (i·B(i−1, j) + j·B(i, j−1)) / (i + j) inside the
/// band and B = 1 outside it. Only one sliding column of the band is stored. Entries stay in
/// [0, 1], so nothing overflows and small p-values do not come from 1 − (something near 1).
func ksProbabilityOutsideBand(_ m0: Int, _ n0: Int, g: Int, h: Int) -> Double {
    let m = Swift.max(m0, n0)
    let n = Swift.min(m0, n0)
    let mg = m / g
    let ng = n / g
    // Rows j of column i that lie inside the band: mg·j in (ng·i − h, ng·i + h).
    var minj = 0
    var maxj = Swift.min(ceilDiv(h, mg), n + 1)
    var curlen = maxj - minj
    // The window never exceeds n + 1 rows; entries past the window must read as 1 (outside).
    var column = [Double](repeating: 1.0, count: n + 2)
    for k in minj..<maxj { column[k] = 0.0 }
    return column.withUnsafeMutableBufferPointer { a -> Double in
        for i in 1...m {
            let lastminj = minj
            let lastlen = curlen
            minj = Swift.min(Swift.max(floorDiv(ng * i - h, mg) + 1, 0), n)
            maxj = Swift.min(ceilDiv(ng * i + h, mg), n + 1)
            if maxj <= minj { return 1.0 }
            var val = minj == 0 ? 0.0 : 1.0  // B just below the window: outside (1) unless j = −1
            let di = Double(i)
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                val = (a[jj + minj - lastminj] * di + val * Double(j)) / Double(i + j)
                a[jj] = val
            }
            curlen = maxj - minj
            if lastlen > curlen {
                // Rows that left the window are outside the band from now on.
                for k in curlen..<(curlen + lastlen - curlen) { a[k] = 1 }
            }
        }
        return a[maxj - minj - 1]
    }
}

@inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }

/// Pr(D⁺_{m,n} ≥ h/lcm(m,n)) for m ≠ n by counting the paths that reach the line
/// m·y = n·x − h·g (Hodges 1958, after Drion, Gnedenko and Korolyuk), divided by C(m+n, n).
///
/// Returns nil when C(m+n, n) (or an intermediate count) overflows a double, which happens for
/// balanced samples with m + n ≳ 1030; the caller then falls back to the asymptotic formula as
/// scipy does. O(n²) with n = min(m, n).
func ksOneSidedProbability(_ m0: Int, _ n0: Int, g: Int, h: Int) -> Double? {
    let total = binomialCoefficient(m0 + n0, Swift.min(m0, n0))
    guard total.isFinite else { return nil }
    let m = Swift.max(m0, n0)
    let n = Swift.min(m0, n0)
    let mg = m / g
    let ng = n / g
    // Only the first x at which each height j is reached matters: x_j = ceil((h + mg·j)/ng).
    let count = n + floorDiv(mg - h, mg)
    var paths: Double
    if count <= 0 {
        paths = binomialCoefficient(m + n, n)
    } else {
        var xj = [Int](repeating: 0, count: count)
        for j in 0..<count { xj[j] = floorDiv(h + mg * j + ng - 1, ng) }
        // b[j] = number of paths from (0,0) to (x_j, j) that do not cross the line earlier.
        var b = [Double](repeating: 0, count: count)
        b[0] = 1
        for j in 1..<count {
            var bj = binomialCoefficient(xj[j] + j, j)
            for i in 0..<j {
                bj -= binomialCoefficient(xj[j] - xj[i] + j - i, j - i) * b[i]
            }
            b[j] = bj
        }
        paths = 0
        for j in 0..<count {
            paths += b[j] * binomialCoefficient((m - xj[j]) + (n - j), n - j)
        }
    }
    guard paths.isFinite, paths <= total else { return nil }
    return paths / total
}

/// C(n, k) as a double (inf when it overflows).
///
/// For k < 20 (after k ← min(k, n−k)) the product formula, which is exact while the result is
/// below 2⁵³; otherwise exp(lnΓ(n+1) − lnΓ(k+1) − lnΓ(n−k+1)), accurate to about
/// n·log(n)·2⁻⁵³ relative. This mirrors the accuracy (not the code) of scipy.special.binom,
/// which scipy's exact one-sided count uses.
func binomialCoefficient(_ n: Int, _ k0: Int) -> Double {
    if k0 < 0 || k0 > n { return 0 }
    let k = Swift.min(k0, n - k0)
    if k < 20 {
        var num = 1.0
        var den = 1.0
        for i in 1..<(k + 1) {
            num *= Double(i + n - k)
            den *= Double(i)
            if Swift.abs(num) > 1e50 {
                num /= den
                den = 1.0
            }
        }
        return num / den
    }
    let logC = Double.logGamma(Double(n + 1)) - Double.logGamma(Double(k + 1)) - Double.logGamma(Double(n - k + 1))
    return Double.exp(logC)
}
