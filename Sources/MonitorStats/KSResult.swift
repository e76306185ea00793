/// The alternative hypothesis of a two-sample Kolmogorov–Smirnov test (as scipy's `alternative`).
public enum KSAlternative: String, Sendable, Hashable, CaseIterable {
    /// H₁: the two distributions differ; statistic D = sup |F₁ − F₂|.
    case twoSided = "two-sided"
    /// H₁: F₁(x) < F₂(x) somewhere; statistic D⁻ = sup (F₂ − F₁).
    case less
    /// H₁: F₁(x) > F₂(x) somewhere; statistic D⁺ = sup (F₁ − F₂).
    case greater
}

/// How a Kolmogorov–Smirnov p-value is (to be) computed, mirroring scipy's closed set.
public enum KSMethod: String, Sendable, Hashable, CaseIterable {
    /// `exact` when max(m, n) ≤ 10 000, else `asymptotic` (scipy's `method="auto"`).
    case automatic = "auto"
    /// The exact null distribution by lattice-path counting.
    case exact
    /// The finite-n Kolmogorov distribution `kstwo.sf(D, round(mn/(m+n)))` (two-sided), Hodges'
    /// approximation (one-sided).
    case asymptotic
    /// Computed from quantile sketches: the statistic carries `statisticErrorBound`.
    case sketch
}

/// The result of a two-sample Kolmogorov–Smirnov test.
public struct KSResult: Sendable, Hashable {
    /// D (two-sided), D⁺ (`greater`) or D⁻ (`less`), in [0, 1].
    public var statistic: Double
    /// Probability under H₀ of a statistic at least as extreme, clipped to [0, 1].
    public var pValue: Double
    /// The value at which the statistic is attained (scipy's `statistic_location`).
    public var statisticLocation: Double
    /// +1 when F₁ − F₂ is positive at the location, −1 otherwise (scipy's `statistic_sign`).
    public var statisticSign: Int
    /// The method that produced `pValue` (never `.automatic`).
    public var method: KSMethod
    /// True when the exact method was selected but failed numerically, and the asymptotic
    /// distribution was used instead (scipy warns in the same case).
    public var fellBack: Bool
    /// Absolute error bound on `statistic`: 0 for exact samples; ε₁ + ε₂ when from sketches.
    public var statisticErrorBound: Double

    public init(
        statistic: Double, pValue: Double, statisticLocation: Double, statisticSign: Int,
        method: KSMethod, fellBack: Bool = false, statisticErrorBound: Double = 0
    ) {
        self.statistic = statistic
        self.pValue = pValue
        self.statisticLocation = statisticLocation
        self.statisticSign = statisticSign
        self.method = method
        self.fellBack = fellBack
        self.statisticErrorBound = statisticErrorBound
    }
}
