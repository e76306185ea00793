/// A family-wise adjustment of p-values across features, mirroring scipy's method names.
public enum PValueCorrection: String, Sendable, Hashable, CaseIterable {
    /// No adjustment.
    case none
    /// Bonferroni: min(1, p·m); controls the family-wise error rate.
    case bonferroni
    /// Benjamini–Hochberg step-up; controls the false discovery rate under independence or
    /// positive dependence.
    case bh
}

/// Adjusted p-values for a family of m tests.
///
/// - Parameters:
///   - p: the raw p-values, each in [0, 1].
///   - method: the adjustment.
/// - Returns: the adjusted p-values in the input order, each in [0, 1]; empty for an empty
///   family (there is nothing to adjust, so this does not throw).
/// - Throws: ``StatsError/invalidArgument(_:)`` when a p-value is NaN or outside [0, 1]
///   (scipy raises a ValueError for values outside [0, 1]).
///
/// ## Discussion
/// A feature's drift decision compares the adjusted p-value with the unadjusted threshold α.
/// * Bonferroni: p̃ᵢ = min(1, m·pᵢ).
/// * Benjamini–Hochberg: with p₍₁₎ ≤ … ≤ p₍ₘ₎, p̃₍ᵢ₎ = min_{j ≥ i} min(1, p₍ⱼ₎·m/j), as
///   `scipy.stats.false_discovery_control(p, method="bh")` (which evaluates p·(m/j), as here).
///
/// ## Complexity
/// O(m) for Bonferroni, O(m log m) for BH (a sort).
///
/// ## References
/// * Bonferroni, C. E. (1936); Dunn, O. J. (1961). *JASA* 56(293), 52–64.
/// * Benjamini, Y. & Hochberg, Y. (1995). "Controlling the false discovery rate", *J. R. Stat.
///   Soc. B* 57(1), 289–300.
///
/// ## Example
/// ```swift
/// try adjustPValues([0.01, 0.04, 0.03, 0.005], method: .bh)   // [0.02, 0.04, 0.04, 0.02]
/// ```
public func adjustPValues(_ p: [Double], method: PValueCorrection) throws -> [Double] {
    for (i, x) in p.enumerated() where !(x >= 0 && x <= 1) {
        throw StatsError.invalidArgument("adjustPValues: p[\(i)] = \(x) is not in [0, 1]")
    }
    let m = p.count
    switch method {
    case .none:
        return p
    case .bonferroni:
        return p.map { Swift.min(1, $0 * Double(m)) }
    case .bh:
        let order = p.indices.sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
        var out = [Double](repeating: 0, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let i = order[rank - 1]
            running = Swift.min(running, p[i] * (Double(m) / Double(rank)))
            out[i] = Swift.min(1, Swift.max(0, running))
        }
        return out
    }
}
