import RealModule

/// Two-sample Kolmogorov–Smirnov test computed from two KLL quantile sketches.
///
/// ## Discussion
/// H₀: both streams come from the same continuous distribution. The statistic is computed from
/// the sketches' estimated CDFs F̂₁ (sketch `a`) and F̂₂ (sketch `b`), which are step functions
/// that change only at retained values, so evaluating them at every value of the union of the
/// two sorted views gives their supremum difference exactly:
/// - two-sided: D = sup |F̂₁ − F̂₂|;
/// - `greater`: D⁺ = sup (F̂₁ − F̂₂);  `less`: D⁻ = sup (F̂₂ − F̂₁)  (scipy's conventions).
///
/// Each F̂ is within its sketch's normalised rank error εᵢ of the true empirical CDF at every
/// point (≈ 99 % confidence each; see ``KLLSketch``), so the exact two-sample statistic lies in
/// `[D − (ε₁ + ε₂), D + (ε₁ + ε₂)]`; `statisticErrorBound = ε₁ + ε₂`. While both sketches are
/// exact (fewer than k values each) the bound is 0 and D equals the exact statistic.
///
/// The p-value is *conservative* and *approximate*: it is evaluated at the smallest statistic
/// consistent with the sketches, `max(0, D − bound)`, with the limiting (n → ∞) Kolmogorov
/// distribution and Stephens' small-sample correction, at the effective size
/// `nₑ = n₁n₂ / (n₁ + n₂)` (n = the sketches' counts):
/// - two-sided: `p = Q_KS(λ)`, `Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}`,
///   `λ = (√nₑ + 0.12 + 0.11/√nₑ)·(D − bound)`;
/// - one-sided: `p = e^{−2λ²}` (Smirnov's limit) with the same λ.
/// It is not scipy's `ks_2samp` p-value (exact or the finite-n `kstwo` distribution); the
/// exact path (`method != .sketch`) provides that. `method` is `.sketch`.
///
/// ## Deciding drift
/// A drift decision made on sketches must account for the bound: the drift is proven at level α
/// only when `D − bound` exceeds the critical value `c_α(nₑ)` — the approach of DataSketches'
/// `KolmogorovSmirnov.kolmogorovSmirnovTest`, which widens its threshold by ε₁ + ε₂. Because
/// `pValue` is computed at `D − bound`, `pValue < α` is exactly that rule;
/// ``kolmogorovSmirnovReject(sketch:sketch:alpha:alternative:)`` applies it. (DataSketches
/// computes `c_α` from the sketches' *retained* item counts, which is far more conservative;
/// here the true counts are used, since the sampling distribution of D depends on them and the
/// sketch error is already covered by the bound.)
///
/// - Parameters:
///   - a: the first sample's sketch (e.g. the reference).
///   - b: the second sample's sketch (e.g. the current window).
///   - alternative: the alternative hypothesis; two-sided by default.
/// - Returns: `statistic` (D, D⁺ or D⁻ of the sketches), the conservative `pValue`,
///   `statisticLocation` (the first value at which the statistic is attained),
///   `statisticSign` (+1 when F̂₁ − F̂₂ > 0 there, −1 otherwise; ties go to +1, as in scipy),
///   `method = .sketch` and `statisticErrorBound = ε₁ + ε₂`.
/// - Throws: `StatsError.emptyInput` when either sketch is empty.
///
/// ## Complexity
/// O(r₁ log r₁ + r₂ log r₂) for the two sorted views (r = retained items, ≤ ~3k each).
///
/// ## Numerical notes
/// CDF values are exact ratios of integer weights to counts. Q_KS uses the alternating series
/// for λ ≥ 1.18 and the Jacobi-theta form `1 − √(2π)/λ Σ e^{−(2j−1)²π²/(8λ²)}` below it, each
/// converging in a handful of terms with full double accuracy; p-values are clipped to [0, 1].
/// With Stephens' correction the limiting distribution approximates the finite-n one closely in
/// the upper tail (Stephens 1970); that approximation is small beside the uncertainty of a
/// statistic known only to ± (ε₁ + ε₂), and it is why the sketch path is labelled approximate.
///
/// ## References
/// - Karnin, Lang & Liberty (2016), "Optimal Quantile Approximation in Streams" (the sketch).
/// - Kolmogorov, A. (1933); Smirnov, N. (1939) (the limiting distributions).
/// - Stephens, M. A. (1970). "Use of the Kolmogorov–Smirnov, Cramér–von Mises and related
///   statistics without extensive tables". JRSS B 32(1), 115–122, Table 1.
/// - Apache DataSketches, `quantilescommon/KolmogorovSmirnov.java` (threshold widened by ε₁ + ε₂).
///
/// ## Example
/// ```swift
/// var a = KLLSketch(seed: 1), b = KLLSketch(seed: 2)
/// for x in [1.0, 2, 3] { a.add(x) }
/// for x in [1.5, 2.5, 3.5, 4.5] { b.add(x) }
/// let r = try kolmogorovSmirnov(sketch: a, sketch: b)
/// // r.statistic == 0.5 (at x = 3: F̂₁ = 1, F̂₂ = 1/2), r.statisticErrorBound == 0 (both exact)
/// ```
public func kolmogorovSmirnov(
    sketch a: KLLSketch, sketch b: KLLSketch, alternative: KSAlternative = .twoSided
) throws -> KSResult {
    guard a.count > 0 else { throw StatsError.emptyInput("kolmogorovSmirnov(sketch:sketch:): the first sketch is empty") }
    guard b.count > 0 else { throw StatsError.emptyInput("kolmogorovSmirnov(sketch:sketch:): the second sketch is empty") }
    let va = a.sortedView()
    let vb = b.sortedView()
    let na = Double(a.count)
    let nb = Double(b.count)

    // Walk the union of distinct retained values; at each, both CDFs are exact step heights.
    var dPlus = -Double.infinity
    var dPlusAt = 0.0
    var dMinus = -Double.infinity
    var dMinusAt = 0.0
    var i = 0
    var j = 0
    var cumA: UInt64 = 0
    var cumB: UInt64 = 0
    let ra = va.values.count
    let rb = vb.values.count
    while i < ra || j < rb {
        let x: Double
        if j >= rb || (i < ra && va.values[i] <= vb.values[j]) { x = va.values[i] } else { x = vb.values[j] }
        while i < ra && va.values[i] == x { cumA = va.cumulativeWeights[i]; i += 1 }
        while j < rb && vb.values[j] == x { cumB = vb.cumulativeWeights[j]; j += 1 }
        let diff = Double(cumA) / na - Double(cumB) / nb
        if diff > dPlus { dPlus = diff; dPlusAt = x }
        if -diff > dMinus { dMinus = -diff; dMinusAt = x }
    }
    dPlus = max(0, dPlus)
    dMinus = max(0, dMinus)

    let statistic: Double
    let location: Double
    let sign: Int
    switch alternative {
    case .twoSided:
        if dMinus > dPlus {
            (statistic, location, sign) = (dMinus, dMinusAt, -1)
        } else {
            (statistic, location, sign) = (dPlus, dPlusAt, 1)
        }
    case .greater:
        (statistic, location, sign) = (dPlus, dPlusAt, 1)
    case .less:
        (statistic, location, sign) = (dMinus, dMinusAt, -1)
    }
    let bound = a.normalizedRankError + b.normalizedRankError
    let effectiveN = na * nb / (na + nb)
    let p = sketchKolmogorovPValue(max(0, statistic - bound), effectiveN: effectiveN, alternative: alternative)
    return KSResult(
        statistic: statistic, pValue: p, statisticLocation: location, statisticSign: sign,
        method: .sketch, fellBack: false, statisticErrorBound: bound)
}

/// Whether the sketch-based KS test proves that the two streams differ at level `alpha`,
/// accounting for the sketches' rank error.
///
/// Rejects H₀ exactly when `D − (ε₁ + ε₂)` exceeds the level-α critical value of the limiting
/// Kolmogorov distribution (with Stephens' correction at nₑ = n₁n₂/(n₁+n₂)), i.e. when the
/// conservative p-value of ``kolmogorovSmirnov(sketch:sketch:alternative:)`` is below `alpha`.
/// Given that each sketch's error bound holds (≈ 99 % each), the probability of a false
/// rejection is at most ≈ α.
///
/// - Parameters:
///   - a: the first sample's sketch.
///   - b: the second sample's sketch.
///   - alpha: the significance level, in (0, 1); a value outside it is a programming error
///     (configuration must be validated before), and traps.
///   - alternative: the alternative hypothesis; two-sided by default.
/// - Returns: true when drift is proven; false when either sketch is empty (no evidence).
public func kolmogorovSmirnovReject(
    sketch a: KLLSketch, sketch b: KLLSketch, alpha: Double, alternative: KSAlternative = .twoSided
) -> Bool {
    precondition(alpha > 0 && alpha < 1, "kolmogorovSmirnovReject: alpha must be in (0, 1), got \(alpha)")
    guard a.count > 0, b.count > 0,
        let result = try? kolmogorovSmirnov(sketch: a, sketch: b, alternative: alternative)
    else { return false }
    return result.pValue < alpha
}

/// The approximate KS p-value used on the sketch path: the limiting Kolmogorov (two-sided) or
/// Smirnov (one-sided) survival function at `λ = (√nₑ + 0.12 + 0.11/√nₑ)·d` (Stephens 1970).
/// Deliberately separate from the finite-n `kolmogorovSF` of the exact path.
func sketchKolmogorovPValue(_ d: Double, effectiveN: Double, alternative: KSAlternative) -> Double {
    guard d > 0, effectiveN > 0 else { return 1 }
    let rootN = effectiveN.squareRoot()
    let lambda = (rootN + 0.12 + 0.11 / rootN) * d
    switch alternative {
    case .twoSided:
        return sketchKolmogorovLimitingSF(lambda)
    case .less, .greater:
        return min(1, max(0, Double.exp(-2 * lambda * lambda)))
    }
}

/// Q_KS(λ) = P(K > λ) for the Kolmogorov distribution K = sup |B(t)| of a Brownian bridge.
func sketchKolmogorovLimitingSF(_ lambda: Double) -> Double {
    guard lambda > 0 else { return 1 }
    if lambda.isInfinite { return 0 }
    if lambda < 1.18 {
        // P(K ≤ λ) = √(2π)/λ Σ_{j≥1} exp(−(2j−1)²π²/(8λ²)); terms fall by ≥ e^{−π²/λ²} each.
        let c = -Double.pi * Double.pi / (8 * lambda * lambda)
        var sum = 0.0
        var j = 1
        while j <= 50 {
            let odd = Double(2 * j - 1)
            let term = Double.exp(c * odd * odd)
            sum += term
            if term <= 1e-17 * sum { break }
            j += 1
        }
        let cdf = (2 * Double.pi).squareRoot() / lambda * sum
        return min(1, max(0, 1 - cdf))
    }
    // Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2j²λ²); for λ ≥ 1.18 the terms fall by ≥ e^{−8.3}.
    var sum = 0.0
    var sign = 1.0
    var j = 1
    while j <= 100 {
        let jd = Double(j)
        let term = Double.exp(-2 * jd * jd * lambda * lambda)
        sum += sign * term
        if term <= 1e-17 * abs(sum) || term == 0 { break }
        sign = -sign
        j += 1
    }
    return min(1, max(0, 2 * sum))
}
