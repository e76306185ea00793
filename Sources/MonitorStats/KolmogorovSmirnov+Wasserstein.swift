import RealModule

/// The two-sample Kolmogorov–Smirnov test and the Wasserstein-1 distance from **one** merge of
/// two sorted samples.
///
/// Both statistics are functionals of the same step function F₁ − F₂ over the pooled sample:
/// KS takes its extremes, Wasserstein-1 its integral ∫|F₁ − F₂| dt (the 1-D earth mover's
/// distance; Vallender 1973). Drift comparison needs both for every numerical feature, and a
/// merge of two million values is memory- and branch-bound, so computing them in one pass halves
/// the cost of the exact path.
///
/// The KS part is identical to ``kolmogorovSmirnov(sorted:sorted:alternative:method:)`` (same
/// extremes, locations, lattice rounding and p-value methods); the Wasserstein part agrees with
/// ``wassersteinDistance(sorted:sorted:)`` and with `scipy.stats.wasserstein_distance` to ~1e-12
/// relative.
///
/// - Parameters:
///   - x: the first (reference) sample, sorted ascending, finite values only.
///   - y: the second (current) sample, sorted ascending, finite values only.
///   - alternative: the KS alternative hypothesis (default two-sided).
///   - method: the KS p-value method (default `.automatic`, as scipy's `method="auto"`).
/// - Returns: the KS result and the Wasserstein-1 distance.
/// - Throws: `StatsError.emptyInput` when either sample is empty; `StatsError.invalidArgument`
///   for `method: .sketch` or a non-finite value at either end of a sample.
///
/// ## Complexity
/// One O(m + n) merge, plus the KS p-value.
///
/// ## Numerical notes
/// The integral is accumulated with Neumaier's compensated summation over the pooled runs, so
/// its error does not grow with the sample size. Step heights use i·(1/m) − j·(1/n) (the KS
/// extremes keep scipy's exact i/m − j/n, see `ksDifferenceExtremes`).
///
/// ## References
/// - Vallender, S. S. (1973). Calculation of the Wasserstein distance between probability
///   distributions on the line. *Theory Probab. Appl.* 18(4), 784–786.
/// - See ``kolmogorovSmirnov(sorted:sorted:alternative:method:)`` for the KS references.
///
/// ## Example
/// ```swift
/// let x: [Double] = [1, 2, 3], y: [Double] = [4, 5, 6]
/// let (ks, w) = try x.withUnsafeBufferPointer { a in
///     try y.withUnsafeBufferPointer { b in try kolmogorovSmirnovAndWasserstein(sorted: a, sorted: b) }
/// }
/// // ks.statistic == 1.0, ks.pValue ≈ 0.1 (2 / C(6, 3)), w == 3.0
/// ```
public func kolmogorovSmirnovAndWasserstein(
    sorted x: UnsafeBufferPointer<Double>,
    sorted y: UnsafeBufferPointer<Double>,
    alternative: KSAlternative = .twoSided,
    method: KSMethod = .automatic
) throws -> (ks: KSResult, wasserstein: Double) {
    let n1 = x.count
    let n2 = y.count
    guard n1 > 0, n2 > 0 else {
        throw StatsError.emptyInput("kolmogorovSmirnovAndWasserstein: samples must not be empty (m = \(n1), n = \(n2))")
    }
    if method == .sketch {
        throw StatsError.invalidArgument("kolmogorovSmirnovAndWasserstein: method .sketch needs quantile sketches")
    }
    guard x[0].isFinite, x[n1 - 1].isFinite, y[0].isFinite, y[n2 - 1].isFinite else {
        throw StatsError.invalidArgument("kolmogorovSmirnovAndWasserstein: samples must be finite")
    }
    let (extremes, area) = ksDifferenceExtremesAndArea(x, y)
    return (ksResult(extremes, n1, n2, alternative: alternative, method: method), area)
}

/// `ksDifferenceExtremes` plus ∫|F₁ − F₂| dt, in the same merge.
///
/// The loop keeps K = i·n − j·m (the exact lattice value of F₁ − F₂, scaled by mn) up to date
/// incrementally (+n for a value of x, −m for a value of y), so each step costs a compare, two
/// selects and two adds; heights for the area are |K|/(mn). All running state lives in one
/// struct so the optimiser keeps it in registers.
func ksDifferenceExtremesAndArea(
    _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>
) -> (KSDifferenceExtremes, Double) {
    let m = x.count
    let n = y.count
    precondition(Double(m) * Double(n) < 0x1p62, "kolmogorovSmirnov: m·n overflows the lattice arithmetic")
    var s = MergeState(m: m, n: n, first: Swift.min(x[0], y[0]))
    // Unchecked part: after taking one element, x[i] and y[j] are still in bounds.
    while s.i < m - 1 && s.j < n - 1 {
        let a = x[s.i]
        let b = y[s.j]
        let takeX = a <= b
        let v = takeX ? a : b
        s.i &+= takeX ? 1 : 0
        s.j &+= takeX ? 0 : 1
        s.k &+= takeX ? n : -m
        if (x[s.i] != v) && (y[s.j] != v) { s.endRun(v, x, y) }
    }
    while s.i < m || s.j < n {
        let takeX = s.j >= n || (s.i < m && x[s.i] <= y[s.j])
        let v = takeX ? x[s.i] : y[s.j]
        if takeX {
            s.i += 1
            s.k += n
        } else {
            s.j += 1
            s.k -= m
        }
        if (s.i >= m || x[s.i] != v) && (s.j >= n || y[s.j] != v) { s.endRun(v, x, y) }
    }
    let t = s.tracker
    let fMaxX = t.value(t.maxX)
    let fMaxY = t.value(t.maxY)
    let fMinX = t.value(t.minX)
    let fMinY = t.value(t.minY)
    let extremes = KSDifferenceExtremes(
        maximum: Swift.max(fMaxX, fMaxY), maximumLocation: fMaxX >= fMaxY ? t.maxX.location : t.maxY.location,
        minimum: Swift.min(fMinX, fMinY), minimumLocation: fMinX <= fMinY ? t.minX.location : t.minY.location)
    return (extremes, s.sum + s.compensation)
}

/// The running state of the fused merge.
struct MergeState {
    var i = 0
    var j = 0
    /// Where the current run of equal values began.
    var gi = 0
    var gj = 0
    /// i·n − j·m.
    var k = 0
    /// Neumaier-compensated Σ |F₁ − F₂| × Δt.
    var sum = 0.0
    var compensation = 0.0
    var lastValue: Double
    var lastHeight = 0.0
    let invMN: Double
    var tracker: KSExtremesTracker

    init(m: Int, n: Int, first: Double) {
        lastValue = first
        invMN = 1 / (Double(m) * Double(n))
        tracker = KSExtremesTracker(dm: Double(m), dn: Double(n))
    }

    /// A run of values equal to `v` has ended after i values of x and j of y.
    @inline(__always)
    mutating func endRun(_ v: Double, _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) {
        let term = lastHeight * (v - lastValue)
        let t = sum + term
        compensation += Swift.abs(sum) >= Swift.abs(term) ? (sum - t) + term : (term - t) + sum
        sum = t
        lastValue = v
        lastHeight = Double(k.magnitude) * invMN
        tracker.endRun(k, i, j, gi, gj, x, y)
        gi = i
        gj = j
    }
}
