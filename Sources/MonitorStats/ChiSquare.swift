import RealModule

/// The result of a chi-square-type test.
public struct ChiSquareResult: Sendable, Hashable {
    /// The test statistic (Pearson's X² or the G statistic), ≥ 0.
    public var statistic: Double
    /// P(χ²_dof ≥ statistic) under H₀, in [0, 1]; 1 when `degreesOfFreedom` is 0.
    public var pValue: Double
    /// Degrees of freedom of the reference chi-square distribution.
    public var degreesOfFreedom: Int

    /// A result with the given fields.
    ///
    /// - Parameters:
    ///   - statistic: the test statistic.
    ///   - pValue: its p-value.
    ///   - degreesOfFreedom: the degrees of freedom.
    public init(statistic: Double, pValue: Double, degreesOfFreedom: Int) {
        self.statistic = statistic
        self.pValue = pValue
        self.degreesOfFreedom = degreesOfFreedom
    }
}

/// Pearson's chi-square test of homogeneity on the 2×K table formed by two count vectors.
///
/// - Parameters:
///   - a: counts of the first sample (e.g. the reference) per category, ≥ 0.
///   - b: counts of the second sample over the same categories, in the same order.
/// - Returns: X² = Σᵢⱼ (Oᵢⱼ − Eᵢⱼ)²/Eᵢⱼ, its p-value and the degrees of freedom K′ − 1.
/// - Throws: ``StatsError/lengthMismatch(_:)`` for different lengths;
///   ``StatsError/emptyInput(_:)`` when there are no categories or a row total is 0;
///   ``StatsError/invalidArgument(_:)`` for a negative count.
///
/// ## Discussion
/// H₀: both samples are drawn from the same categorical distribution. Expected counts are
/// Eᵢⱼ = (row total i)(column total j)/N. This matches
/// `scipy.stats.chi2_contingency(np.vstack([a, b]), correction=False)`.
///
/// * **Union of categories.** Columns that are 0 in both rows are dropped first (K′ ≤ K
///   columns remain): the table is over the categories observed in either sample. scipy rejects
///   such columns (an expected frequency of 0); dropping them gives scipy's result on the table
///   without them, and a category seen in neither sample carries no information.
/// * **No continuity correction, ever.** scipy applies Yates' correction only when dof = 1 and
///   `correction=True`; the service's definition (DESIGN §6) is `correction=False`, so a 2×2
///   table gives the uncorrected X² here.
/// * dof = 0 (a single observed category) gives statistic 0 and p-value 1, as scipy.
///
/// ## Complexity
/// O(K).
///
/// ## Numerical notes
/// Terms are added with compensated summation. The p-value is
/// ``chiSquareSurvival(_:degreesOfFreedom:)``, accurate to ~1e-13 relative down to ~1e-300
/// and 0 below the double range.
///
/// ## References
/// * Pearson, K. (1900). *Philosophical Magazine* 50(302), 157–175.
/// * Agresti, A. (2013). *Categorical Data Analysis*, 3rd ed., §3.2.1, eq. (3.10).
///
/// ## Example
/// ```swift
/// let r = try chiSquareHomogeneity([10, 20], [30, 25])
/// // statistic 3.5056…, pValue 0.06115…, degreesOfFreedom 1
/// ```
public func chiSquareHomogeneity(_ a: [Int], _ b: [Int]) throws -> ChiSquareResult {
    try homogeneityTest(a, b, name: "chiSquareHomogeneity") { o, e in
        let d = o - e
        return d * d / e
    }
}

/// The G-test (log-likelihood ratio test) of homogeneity on the 2×K table of two count vectors.
///
/// - Parameters:
///   - a: counts of the first sample per category, ≥ 0.
///   - b: counts of the second sample over the same categories.
/// - Returns: G = 2 Σᵢⱼ Oᵢⱼ ln(Oᵢⱼ/Eᵢⱼ) (0·ln 0 = 0), its chi-square p-value and dof K′ − 1.
/// - Throws: as ``chiSquareHomogeneity(_:_:)``.
///
/// ## Discussion
/// Asymptotically equivalent to Pearson's test; matches
/// `scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")`. Columns
/// empty in both rows are dropped, as in ``chiSquareHomogeneity(_:_:)``.
///
/// ## Complexity
/// O(K).
///
/// ## Numerical notes
/// Compensated summation; G can be slightly negative by rounding when O ≈ E everywhere and is
/// then clipped to 0.
///
/// ## References
/// Sokal, R. R. & Rohlf, F. J. (1995). *Biometry*, 3rd ed., §17.4; Agresti (2013) eq. (3.11).
///
/// ## Example
/// ```swift
/// try gTest([10, 20], [30, 25]).pValue   // ≈ 0.0592
/// ```
public func gTest(_ a: [Int], _ b: [Int]) throws -> ChiSquareResult {
    try homogeneityTest(a, b, name: "gTest") { o, e in
        o == 0 ? 0 : 2 * o * Double.log(o / e)
    }
}

/// Pearson's chi-square goodness-of-fit test of observed counts against expected proportions.
///
/// - Parameters:
///   - observed: counts per category, ≥ 0.
///   - expectedProportions: the hypothesised probabilities, each > 0, summing to 1 (within
///     1e-8 relative; they are not renormalised).
/// - Returns: X² = Σ (Oᵢ − Eᵢ)²/Eᵢ with Eᵢ = pᵢ·N, its p-value and dof K − 1.
/// - Throws: ``StatsError/lengthMismatch(_:)``; ``StatsError/emptyInput(_:)`` when there are no
///   categories or N = 0; ``StatsError/invalidArgument(_:)`` for a negative count, a proportion
///   ≤ 0 or non-finite, or proportions not summing to 1.
///
/// ## Discussion
/// As `scipy.stats.chisquare(observed, f_exp=p·N)` (scipy checks the same sum condition on
/// f_exp with tolerance √ε).
///
/// ## Complexity
/// O(K).
///
/// ## References
/// Pearson (1900); Agresti (2013) §1.5.2.
///
/// ## Example
/// ```swift
/// try chiSquareGoodnessOfFit(observed: [16, 18, 16, 14, 12, 12],
///                            expectedProportions: Array(repeating: 1.0 / 6, count: 6))
/// // statistic 2.0, pValue 0.8491450360846096, degreesOfFreedom 5
/// ```
public func chiSquareGoodnessOfFit(observed: [Int], expectedProportions: [Double]) throws -> ChiSquareResult {
    guard observed.count == expectedProportions.count else {
        throw StatsError.lengthMismatch(
            "chiSquareGoodnessOfFit: \(observed.count) counts vs \(expectedProportions.count) proportions")
    }
    guard !observed.isEmpty else { throw StatsError.emptyInput("chiSquareGoodnessOfFit: no categories") }
    var n = 0
    var psum = CompensatedSum()
    for i in observed.indices {
        guard observed[i] >= 0 else { throw StatsError.invalidArgument("chiSquareGoodnessOfFit: negative count") }
        let p = expectedProportions[i]
        guard p > 0 && p.isFinite else {
            throw StatsError.invalidArgument("chiSquareGoodnessOfFit: proportion \(i) = \(p) is not positive")
        }
        n += observed[i]
        psum.add(p)
    }
    guard n > 0 else { throw StatsError.emptyInput("chiSquareGoodnessOfFit: no observations") }
    guard abs(psum.value - 1) <= 1e-8 else {
        throw StatsError.invalidArgument("chiSquareGoodnessOfFit: proportions sum to \(psum.value), not 1")
    }
    let total = Double(n)
    var stat = CompensatedSum()
    for i in observed.indices {
        let e = expectedProportions[i] * total
        let d = Double(observed[i]) - e
        stat.add(d * d / e)
    }
    let dof = observed.count - 1
    let x = max(stat.value, 0)
    return ChiSquareResult(statistic: x, pValue: dof == 0 ? 1 : chiSquareSurvival(x, degreesOfFreedom: Double(dof)), degreesOfFreedom: dof)
}

/// Shared 2×K homogeneity machinery: drop empty columns, expected counts, Σ term(O, E).
func homogeneityTest(
    _ a: [Int], _ b: [Int], name: String, term: (Double, Double) -> Double
) throws -> ChiSquareResult {
    guard a.count == b.count else { throw StatsError.lengthMismatch("\(name): \(a.count) vs \(b.count) categories") }
    var na = 0
    var nb = 0
    var columns = 0
    for i in a.indices {
        guard a[i] >= 0 && b[i] >= 0 else { throw StatsError.invalidArgument("\(name): negative count in column \(i)") }
        na += a[i]
        nb += b[i]
        if a[i] + b[i] > 0 { columns += 1 }
    }
    guard columns > 0 else { throw StatsError.emptyInput("\(name): no observed categories") }
    guard na > 0 && nb > 0 else { throw StatsError.emptyInput("\(name): a sample has no observations") }
    let dof = columns - 1
    if dof == 0 { return ChiSquareResult(statistic: 0, pValue: 1, degreesOfFreedom: 0) }
    let n = Double(na + nb)
    let ra = Double(na)
    let rb = Double(nb)
    var s = CompensatedSum()
    for i in a.indices where a[i] + b[i] > 0 {
        let col = Double(a[i] + b[i])
        s.add(term(Double(a[i]), ra * col / n))
        s.add(term(Double(b[i]), rb * col / n))
    }
    let x = max(s.value, 0)
    return ChiSquareResult(statistic: x, pValue: chiSquareSurvival(x, degreesOfFreedom: Double(dof)), degreesOfFreedom: dof)
}
