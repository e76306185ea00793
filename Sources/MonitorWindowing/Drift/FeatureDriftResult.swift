public import MonitorCore

/// The drift statistics of one feature, reference vs current, and the decision made on them.
///
/// Optional fields are absent when they do not apply to the feature's kind, or when there was
/// nothing to compute them on (a side with no non-missing values); `note` says which.
public struct FeatureDriftResult: Sendable {
    /// The feature's name (JSON `name`).
    public var name: String
    /// Numerical or categorical (JSON `kind`).
    public var kind: FeatureKind
    /// `exact` when both samples were kept whole; `sketch` when KS, Wasserstein and the bin edges
    /// came from KLL sketches (see `ksStatisticErrorBound`).
    public var method: String = "exact"
    /// The statistic that decided `drift`.
    public var test: DriftTest
    /// The threshold `test` was compared with (a p-value level or a distance).
    public var threshold: Double
    /// Non-missing reference values the statistics used.
    public var referenceCount = 0
    /// Non-missing current values the statistics used.
    public var currentCount = 0
    /// Population stability index over the reference bins or the union of categories.
    public var psi: Double?
    /// Per-bin (numerical) or per-category (categorical) PSI contributions, for reports.
    public var psiContributions: [Double]?
    /// Two-sample KS statistic D (numerical only).
    public var ksStatistic: Double?
    /// KS p-value, as `scipy.stats.ks_2samp(method="auto")` (numerical only).
    public var ksPValue: Double?
    /// The KS p-value method actually used (`exact`, `asymptotic`, `sketch`).
    public var ksMethod: String?
    /// Absolute error bound on the KS statistic (non-zero only for sketches).
    public var ksStatisticErrorBound: Double?
    /// Wasserstein-1 distance on the raw values (numerical only).
    public var wasserstein: Double?
    /// Wasserstein-1 / max(σ_ref, 0.001), Evidently's normalisation (numerical only).
    public var wassersteinNormed: Double?
    /// Jensen–Shannon distance, base 2, over the PSI bins or the categories.
    public var jsDistance: Double?
    /// Chi-square homogeneity statistic on the 2×K table (categorical only).
    public var chi2Statistic: Double?
    /// Chi-square p-value (categorical only).
    public var chi2PValue: Double?
    /// Degrees of freedom of the chi-square test: observed categories − 1.
    public var chi2DegreesOfFreedom: Int?
    /// The p-value of the feature's significance test after the configured correction.
    public var pValueAdjusted: Double?
    /// Missing current values / current records.
    public var missingRate: Double
    /// Share of non-missing current values outside the reference's [min, max].
    public var outOfRangeRate: Double?
    /// Share of non-missing current values whose category the reference lacks.
    public var newCategoryRate: Double?
    /// Mean of the non-missing reference values (numerical only).
    public var referenceMean: Double?
    /// Mean of the non-missing current values (numerical only).
    public var currentMean: Double?
    /// Population standard deviation (ddof 0) of the reference values.
    public var referenceStddev: Double?
    /// Population standard deviation (ddof 0) of the current values.
    public var currentStddev: Double?
    /// The decision made by `DriftDecision` on `test` and `threshold`.
    public var drift = false
    /// Why no statistic could be computed, when that happened.
    public var note: String?

    /// A result with no statistics yet; `FeatureComparator` fills them in.
    public init(name: String, kind: FeatureKind, test: DriftTest, threshold: Double, missingRate: Double) {
        self.name = name
        self.kind = kind
        self.test = test
        self.threshold = threshold
        self.missingRate = missingRate
    }

    /// The p-value of the significance test for this feature's kind (KS or chi-square).
    public var significancePValue: Double? { kind == .numerical ? ksPValue : chi2PValue }
    /// The effect size the floor applies to (normed Wasserstein or JS distance).
    public var effectSize: Double? { kind == .numerical ? wassersteinNormed : jsDistance }
}

/// The outcome of comparing a current dataset with a reference, feature by feature.
public struct DatasetDriftResult: Sendable {
    /// Lines read from the reference file.
    public var referenceRows: Int
    /// Lines read from the current file.
    public var currentRows: Int
    /// One result per feature, in schema order.
    public var features: [FeatureDriftResult]
    /// Drifted features / features.
    public var driftedFeatureShare: Double
    /// Whether `driftedFeatureShare` reached `settings.datasetDriftShare`.
    public var datasetDrift: Bool
    /// The settings the decisions were made with.
    public var settings: DriftSettings
    /// Problems worth telling the user that did not stop the comparison.
    public var warnings: [String] = []

    /// Assembles a result; `CompareRunner` is the usual producer.
    public init(
        referenceRows: Int, currentRows: Int, features: [FeatureDriftResult], driftedFeatureShare: Double,
        datasetDrift: Bool, settings: DriftSettings, warnings: [String] = []
    ) {
        self.referenceRows = referenceRows
        self.currentRows = currentRows
        self.features = features
        self.driftedFeatureShare = driftedFeatureShare
        self.datasetDrift = datasetDrift
        self.settings = settings
        self.warnings = warnings
    }
}
