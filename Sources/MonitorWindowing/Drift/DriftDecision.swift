public import MonitorCore
import MonitorStats

/// Decides drift per feature from its statistics, after multiple-testing correction.
///
/// Statistics never decide (see MonitorStats); this is the one place that turns them into
/// decisions, following `DriftSettings`' documented rule.
public enum DriftDecision {
    /// The default test for a feature (Evidently's choice by reference size), unless overridden.
    public static func test(for kind: FeatureKind, referenceCount: Int, name: String, settings: DriftSettings) -> (DriftTest, Double) {
        if let o = settings.overrides[name] {
            return (o.test, o.threshold ?? defaultThreshold(o.test, settings))
        }
        let small = referenceCount <= settings.smallReferenceRows
        switch kind {
        case .numerical: return small ? (.ks, settings.alpha) : (.wassersteinNormed, settings.wassersteinThreshold)
        case .categorical: return small ? (.chi2, settings.alpha) : (.jsDistance, settings.jsThreshold)
        }
    }

    static func defaultThreshold(_ t: DriftTest, _ s: DriftSettings) -> Double {
        switch t {
        case .ks, .chi2: return s.alpha
        case .psi: return 0.2  // the conventional "significant shift" PSI level (Siddiqi 2006)
        case .wassersteinNormed: return s.wassersteinThreshold
        case .jsDistance: return s.jsThreshold
        }
    }

    /// Applies the correction to the features' significance p-values, then decides each feature
    /// and the dataset.
    public static func decide(_ features: inout [FeatureDriftResult], settings: DriftSettings) -> (share: Double, dataset: Bool) {
        let indices = features.indices.filter { features[$0].significancePValue != nil }
        let raw = indices.map { features[$0].significancePValue! }
        let adjusted = StatsKernels.adjust(raw, settings.correction)
        for (k, i) in indices.enumerated() { features[i].pValueAdjusted = adjusted[k] }
        var drifted = 0
        var decided = 0
        for i in features.indices {
            var f = features[i]
            defer { features[i] = f }
            guard let p = f.pValueAdjusted else {
                f.drift = false
                continue
            }
            decided += 1
            let significant = p < settings.alpha
            switch f.test {
            case .ks, .chi2:
                // The override threshold of a p-value test replaces alpha.
                let pass = p < f.threshold
                f.drift = pass && (f.effectSize ?? 0) >= settings.minEffect
            case .wassersteinNormed:
                f.drift = (f.wassersteinNormed ?? 0) >= f.threshold && significant
            case .jsDistance:
                f.drift = (f.jsDistance ?? 0) >= f.threshold && significant
            case .psi:
                f.drift = (f.psi ?? 0) >= f.threshold && significant
            }
            if f.drift { drifted += 1 }
        }
        let share = features.isEmpty ? 0 : Double(drifted) / Double(features.count)
        return (share, decided > 0 && share >= settings.datasetDriftShare)
    }
}
