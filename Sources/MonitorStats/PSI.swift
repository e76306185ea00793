import RealModule

/// The result of ``populationStabilityIndex(referenceCounts:currentCounts:epsilon:)``.
///
/// All arrays are indexed by bin (numerical features) or by category (categorical features) in
/// the order of the input counts.
public struct PSIResult: Sendable, Hashable {
    /// PSI = Σᵢ (cᵢ − rᵢ)·ln(cᵢ / rᵢ) over the clipped proportions; ≥ 0.
    public var value: Double
    /// The per-bin terms (cᵢ − rᵢ)·ln(cᵢ / rᵢ), each ≥ 0, for audit reports; they sum to `value`.
    public var contributions: [Double]
    /// The reference proportions count/total, before clipping.
    public var referenceProportions: [Double]
    /// The current proportions count/total, before clipping.
    public var currentProportions: [Double]
    /// The clipping floor ε that was applied (reported so that a PSI figure can be reproduced).
    public var epsilon: Double
}

/// The population stability index between a reference and a current histogram.
///
/// - Parameters:
///   - referenceCounts: per-bin (or per-category) counts of the reference, ≥ 0.
///   - currentCounts: counts of the current window over the same bins, in the same order.
///   - epsilon: the floor ε > 0 applied to every proportion before the logarithm
///     (default 1e-4, see Discussion).
/// - Returns: the index, its per-bin contributions, both proportion vectors and ε.
/// - Throws: ``StatsError/emptyInput(_:)`` when there are no bins or either histogram has total
///   count 0; ``StatsError/lengthMismatch(_:)`` when the two count vectors differ in length;
///   ``StatsError/invalidArgument(_:)`` for a negative count or ε not in (0, 1).
///
/// ## Discussion
/// With rᵢ and cᵢ the reference and current proportions, PSI = Σ (cᵢ − rᵢ)·ln(cᵢ/rᵢ), the
/// symmetrised Kullback–Leibler divergence KL(c‖r) + KL(r‖c). It is 0 for identical histograms
/// and grows with the shift; common rules of thumb read < 0.1 as stable and > 0.25 as a major
/// shift, but thresholds belong to the rules layer, not here.
///
/// *Numerical features*: bin with ``BinEdges`` (reference deciles, right-closed bins) and pass
/// the two histograms. *Categorical features*: pass counts over the union of the categories seen
/// in either sample (a category new in the current window has reference count 0).
///
/// **ε, the hidden constant made explicit.** An empty bin makes ln(c/r) infinite, so every
/// implementation smooths somehow, and the choice changes the number users alert on
/// (Evidently replaces zeros by 0.0001, others by min/1e6 or add-one counts). Here each proportion
/// is clipped from below, p ← max(p, ε), with **no renormalisation**, exactly as
/// `psi_from_props` in shared/bench/anchors.py (DESIGN §6). The default 1e-4 is the conventional
/// value: below 1/10 000 of the sample a bin is treated as empty, so a category that disappears
/// entirely contributes (r − ε)·ln(r/ε) — 0.69 for r = 0.1 — rather than infinity. A bin that is
/// empty in both samples contributes exactly 0. Larger ε damps the contribution of rare bins;
/// smaller ε makes PSI explode on any new category. Reports should show ε (it is returned).
///
/// ## Complexity
/// O(k) for k bins.
///
/// ## Numerical notes
/// Proportions are count/total (correctly rounded); each term is non-negative because
/// (c − r) and ln(c/r) have the same sign, and the terms are added with compensated summation,
/// so the result is accurate to a few ulps and agrees with `psi_numeric` / `categorical_tests`
/// to ~1e-15 (tested at 1e-9).
///
/// ## References
/// * Yurdakul, B. (2018). *Statistical Properties of Population Stability Index*. PhD thesis,
///   Western Michigan University, eq. (2.1).
/// * Siddiqi, N. (2006). *Credit Risk Scorecards*, Wiley, ch. 8 (PSI and its 0.1 / 0.25 bands).
///
/// ## Example
/// ```swift
/// let r = try populationStabilityIndex(referenceCounts: [50, 50], currentCounts: [25, 75])
/// r.value   // −0.25·ln 0.5 + 0.25·ln 1.5 ≈ 0.2746530721670274
/// ```
public func populationStabilityIndex(
    referenceCounts: [Int], currentCounts: [Int], epsilon: Double = 1e-4
) throws -> PSIResult {
    guard referenceCounts.count == currentCounts.count else {
        throw StatsError.lengthMismatch(
            "populationStabilityIndex: \(referenceCounts.count) reference bins vs \(currentCounts.count) current bins")
    }
    guard !referenceCounts.isEmpty else { throw StatsError.emptyInput("populationStabilityIndex: no bins") }
    guard epsilon > 0 && epsilon < 1 else {
        throw StatsError.invalidArgument("populationStabilityIndex: epsilon = \(epsilon) is not in (0, 1)")
    }
    var nr = 0
    var nc = 0
    for i in referenceCounts.indices {
        guard referenceCounts[i] >= 0 && currentCounts[i] >= 0 else {
            throw StatsError.invalidArgument("populationStabilityIndex: negative count in bin \(i)")
        }
        nr += referenceCounts[i]
        nc += currentCounts[i]
    }
    guard nr > 0 else { throw StatsError.emptyInput("populationStabilityIndex: reference histogram is empty") }
    guard nc > 0 else { throw StatsError.emptyInput("populationStabilityIndex: current histogram is empty") }
    let rp = referenceCounts.map { Double($0) / Double(nr) }
    let cp = currentCounts.map { Double($0) / Double(nc) }
    var contributions = [Double](repeating: 0, count: rp.count)
    var total = CompensatedSum()
    for i in rp.indices {
        let r = max(rp[i], epsilon)
        let c = max(cp[i], epsilon)
        let term = (c - r) * Double.log(c / r)
        contributions[i] = term
        total.add(term)
    }
    return PSIResult(
        value: total.value, contributions: contributions, referenceProportions: rp,
        currentProportions: cp, epsilon: epsilon)
}
