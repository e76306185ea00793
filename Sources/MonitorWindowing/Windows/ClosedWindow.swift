public import MonitorCore

/// A closed window: the result that is stored and exposed (`result`), and the per-feature
/// detail behind it, for reports and logs (`features`).
public struct ClosedWindow: Sendable {
    /// Key, profile, event count and every series sample (timestamp = the window's end).
    public var result: WindowResult
    /// One result per feature in the profile's order (numerical, then categorical), then the
    /// prediction score and the predicted label when the profile has them. Carries what samples
    /// cannot: the method (`exact` or `sketch`), the KS p-value method and the sketch's error
    /// bound, PSI contributions, the test that decided, and why a statistic is absent.
    public var features: [FeatureDriftResult]
    /// Share of the features (prediction excluded) whose drift decision fired.
    public var driftedFeatureShare: Double
    /// Whether `driftedFeatureShare` reached `DriftSettings.datasetDriftShare`.
    public var datasetDrift: Bool

    /// A closed window.
    public init(result: WindowResult, features: [FeatureDriftResult], driftedFeatureShare: Double, datasetDrift: Bool) {
        self.result = result
        self.features = features
        self.driftedFeatureShare = driftedFeatureShare
        self.datasetDrift = datasetDrift
    }
}
