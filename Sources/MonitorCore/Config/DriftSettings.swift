/// The drift-decision settings of `monitor compare` and of windowed runs (config key `drift:`).
///
/// Default decision rule (Evidently's test choice plus an effect-size floor; see the README's
/// "How drift is decided"):
/// - a numerical feature is tested with the Kolmogorov–Smirnov test when the reference has at
///   most `smallReferenceRows` non-missing values, and otherwise by its normed Wasserstein
///   distance (W / max(σ_ref, 0.001));
/// - a categorical feature is tested with the chi-square homogeneity test when the reference is
///   small, and otherwise by the Jensen–Shannon distance;
/// - p-value tests (KS, chi-square) flag drift when the p-value, after `correction`, is below
///   `alpha` **and** the effect size (normed Wasserstein / JS distance) is at least `minEffect`;
/// - distance tests flag drift when the distance is at least its threshold **and** the p-value test
///   is significant (so a tiny current sample cannot flag drift by noise alone).
public struct DriftSettings: Hashable, Sendable {
    /// Number of quantile bins fixed from the reference for PSI and JS on numerical features.
    public var bins = 10
    /// Floor on bin proportions in PSI (no renormalisation). 1e-4 is the value used by the
    /// NannyML/Evidently community and the bench's scipy baseline; it bounds each empty bin's
    /// contribution to about (p − 1e-4)·ln(p/1e-4).
    public var psiEpsilon = 1e-4
    /// Significance level for p-value tests.
    public var alpha = 0.05
    /// Multiple-testing correction applied across the features' p-values.
    public var correction: PValueCorrectionKind = .none
    /// Values per feature kept exactly; beyond it KS, quantiles and Wasserstein come from a KLL
    /// sketch. 1M doubles is 8 MB per feature: exact for the bench's 1M-row data, bounded
    /// memory for bigger files.
    public var exactLimit = 1_000_000
    /// At or below this many non-missing reference values, p-value tests decide (Evidently: 1000).
    public var smallReferenceRows = 1000
    /// Drift threshold on the normed Wasserstein distance (Evidently's default 0.1).
    public var wassersteinThreshold = 0.1
    /// Drift threshold on the Jensen–Shannon distance (Evidently's default 0.1).
    public var jsThreshold = 0.1
    /// Effect-size floor for p-value tests: the normed Wasserstein distance (numerical) or JS
    /// distance (categorical) must reach it too. 0.05 ≈ a shift of a twentieth of a standard
    /// deviation: below it, a significant p-value reflects sample size, not a change worth paging for.
    public var minEffect = 0.05
    /// Dataset drift when at least this share of features drift (Evidently's default 0.5).
    public var datasetDriftShare = 0.5
    /// Per-feature overrides of the test and threshold.
    public var overrides: [String: DriftOverride] = [:]

    /// The defaults described above.
    public init() {}
}

/// The statistics a drift decision can be made on.
public enum DriftTest: String, Sendable, Hashable, CaseIterable, Codable {
    case ks
    case chi2
    case psi
    case wassersteinNormed = "wasserstein_normed"
    case jsDistance = "js_distance"
}

/// A per-feature choice of test (and threshold: a p-value level for `ks`/`chi2`, a distance
/// threshold for the others).
public struct DriftOverride: Hashable, Sendable {
    /// The statistic that decides drift for the feature.
    public var test: DriftTest
    /// Its threshold; nil for the test's default.
    public var threshold: Double?
    /// An override of one feature's test.
    public init(test: DriftTest, threshold: Double? = nil) {
        self.test = test
        self.threshold = threshold
    }
}

/// Multiple-testing corrections (mirrors MonitorStats' correction names).
public enum PValueCorrectionKind: String, Sendable, Hashable, CaseIterable, Codable {
    case none
    case bonferroni
    case bh
}
