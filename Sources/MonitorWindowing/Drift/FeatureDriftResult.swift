public import MonitorCore

/// The drift statistics of one feature, reference vs current, and the decision made on them.
///
/// Optional fields are absent when they do not apply to the feature's kind, or when there was
/// nothing to compute them on (a side with no non-missing values); `note` says which.
public struct FeatureDriftResult: Sendable {
    public var name: String
    public var kind: FeatureKind
    /// `exact` when both samples were kept whole; `sketch` when KS, Wasserstein and the bin edges
    /// came from KLL sketches (see `ksStatisticErrorBound`).
    public var method: String = "exact"
    /// The statistic that decided `drift`.
    public var test: DriftTest
    /// The threshold `test` was compared with (a p-value level or a distance).
    public var threshold: Double
    public var referenceCount = 0
    public var currentCount = 0
    public var psi: Double?
    /// Per-bin (numerical) or per-category (categorical) PSI contributions, for reports.
    public var psiContributions: [Double]?
    public var ksStatistic: Double?
    public var ksPValue: Double?
    /// The KS p-value method actually used (`exact`, `asymptotic`, `sketch`).
    public var ksMethod: String?
    /// Absolute error bound on the KS statistic (non-zero only for sketches).
    public var ksStatisticErrorBound: Double?
    public var wasserstein: Double?
    public var wassersteinNormed: Double?
    public var jsDistance: Double?
    public var chi2Statistic: Double?
    public var chi2PValue: Double?
    public var chi2DegreesOfFreedom: Int?
    /// The p-value of the feature's significance test after the configured correction.
    public var pValueAdjusted: Double?
    public var missingRate: Double
    public var outOfRangeRate: Double?
    public var newCategoryRate: Double?
    public var referenceMean: Double?
    public var currentMean: Double?
    public var referenceStddev: Double?
    public var currentStddev: Double?
    public var drift = false
    /// Why no statistic could be computed, when that happened.
    public var note: String?

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
    public var referenceRows: Int
    public var currentRows: Int
    public var features: [FeatureDriftResult]
    public var driftedFeatureShare: Double
    public var datasetDrift: Bool
    public var settings: DriftSettings
    /// Problems worth telling the user that did not stop the comparison.
    public var warnings: [String] = []

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
