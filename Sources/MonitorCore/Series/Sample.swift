/// One value of one series at one instant: what a closed (or matured) window emits, what
/// `/metrics` exposes and what rules evaluate.
///
/// `labels` does not contain the metric name (it is `metric`); series identity is
/// (`metric`, `labels`). The timestamp of a window's samples is the window's end.
public struct Sample: Hashable, Sendable, CustomStringConvertible {
    /// The series name, e.g. `psi` (DESIGN §6/§7).
    public var metric: String
    /// `model`, `version`, `feature`, `window`, `class`, … (empty values are absent).
    public var labels: Labels
    public var value: Double
    public var timestamp: Timestamp

    public init(metric: String, labels: Labels, value: Double, timestamp: Timestamp) {
        self.metric = metric
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    /// `psi{feature="amount", model="fraud"} 0.31 @ 2026-11-22T10:00:00.000Z`
    public var description: String { "\(metric)\(labels) \(value) @ \(timestamp)" }
}

/// Names of the series windows emit (DESIGN §6, §7). Rules, `/metrics` and the store use these.
public enum SeriesName {
    // Per feature (`feature` label).
    public static let psi = "psi"
    public static let ksStatistic = "ks_statistic"
    public static let ksPValue = "ks_pvalue"
    public static let wasserstein = "wasserstein"
    public static let wassersteinNormed = "wasserstein_normed"
    public static let jsDistance = "js_distance"
    public static let chi2Statistic = "chi2_statistic"
    public static let chi2PValue = "chi2_pvalue"
    public static let missingRate = "missing_rate"
    public static let outOfRangeRate = "out_of_range_rate"
    public static let newCategoryRate = "new_category_rate"
    public static let mean = "mean"
    public static let stddev = "stddev"
    public static let min = "min"
    public static let max = "max"
    /// 1 when the feature's drift decision fired, else 0.
    public static let drift = "drift"
    // Per window (no `feature` label).
    public static let count = "count"
    public static let driftedFeatureShare = "drifted_feature_share"
    public static let datasetDrift = "dataset_drift"
    // Prediction drift: the score / predicted label against the reference's, `feature` is
    // `prediction.score` / `prediction.label` and the same statistics as a feature are emitted.
    // Performance against delayed labels (DESIGN §5, §6), emitted when a window matures.
    // Classification: `accuracy`; `precision`, `recall`, `f1` of the positive class
    // (`class` label) or averaged over classes (`average` = `macro` | `micro`); `auc`,
    // `log_loss`, `brier` from the positive class's score; `confusion_matrix` with `class` (the
    // true class) and `predicted`. Regression: `mae`, `rmse`, `mape`, `r2`.
    public static let accuracy = "accuracy"
    public static let precision = "precision"
    public static let recall = "recall"
    public static let f1 = "f1"
    public static let auc = "auc"
    public static let logLoss = "log_loss"
    public static let brier = "brier"
    public static let confusionMatrix = "confusion_matrix"
    public static let mae = "mae"
    public static let rmse = "rmse"
    public static let mape = "mape"
    public static let r2 = "r2"
    /// Predictions of the window that have their label.
    public static let labeledCount = "labeled_count"
    /// `labeled_count` / predictions of the window.
    public static let labelCoverage = "label_coverage"

    /// The performance metrics that have a reference counterpart.
    public static let performance: [String] = [accuracy, precision, recall, f1, auc, logLoss, brier, mae, rmse, mape, r2]
    /// The reference profile's performance, emitted next to each matured window's own figures
    /// (`reference_accuracy`, …) so that rules can compare relative drops.
    public static func reference(_ metric: String) -> String { "reference_" + metric }
    /// Every series a matured window emits (rules selecting any of them are evaluated at
    /// maturity, not at window close).
    public static let maturity: Set<String> = Set(performance + [confusionMatrix, labeledCount, labelCoverage] + performance.map(reference))

    /// Every series name a rule may select (for "unknown metric" checks).
    public static let all: Set<String> = Set([
        psi, ksStatistic, ksPValue, wasserstein, wassersteinNormed, jsDistance, chi2Statistic, chi2PValue,
        missingRate, outOfRangeRate, newCategoryRate, mean, stddev, min, max, drift, count,
        driftedFeatureShare, datasetDrift,
    ]).union(maturity)
}

/// Label names windows put on their samples.
public enum LabelName {
    public static let model = "model"
    public static let version = "version"
    public static let feature = "feature"
    /// The window *configuration* name (e.g. `1h`), not the instance: series identity must be
    /// stable from one window to the next so that `for:` can hold across closes.
    public static let window = "window"
    public static let `class` = "class"
    /// Performance averaged over classes: `macro` or `micro`.
    public static let average = "average"
    /// The predicted class of a `confusion_matrix` cell (`class` is the true one).
    public static let predicted = "predicted"
    /// Added to alert instances: the rule's name.
    public static let alertname = "alertname"
}
