import Yams

/// What a model predicts, which decides its performance metrics.
public enum PredictionTask: String, Sendable, Hashable, CaseIterable, Codable {
    /// A predicted class (`prediction.label`), optionally a score; accuracy, precision, recall,
    /// F1, the confusion matrix, and with a score ROC AUC, log loss and the Brier score.
    case classification
    /// A predicted number (`prediction.value`) and numeric labels; MAE, RMSE, MAPE and R².
    case regression
}

/// `labels:` — how delayed ground truth is joined to predictions and when a window's
/// performance is final enough to emit (DESIGN §5).
///
/// ```yaml
/// labels:
///   horizon: 7d            # a prediction waits this long for its label (and a label for its prediction)
///   min_coverage: 0.9      # a window matures when this share of its predictions has a label
///   positive_class: fraud  # the class precision/recall/F1, AUC, log loss and Brier refer to
///   task: classification   # or regression; inferred from the predictions when absent
/// ```
public struct LabelSettings: Sendable, Hashable {
    /// How long (event time, ms) a prediction waits for its label and a label for its
    /// prediction; a window whose end is this far behind the join clock matures whatever its
    /// coverage. 7 days: fraud chargebacks and most credit/churn outcomes arrive within a week,
    /// and the store holds a week of predictions comfortably (≈ 100 bytes each).
    public var horizon: Int64 = 7 * 86_400_000
    /// The label coverage (labeled / predictions) at which a closed window matures. 0.9: rates
    /// measured on 90 % of a window are within a few points of the final ones, yet a window
    /// does not wait for the slowest tenth of its labels.
    public var minCoverage: Double = 0.9
    /// The positive class of a binary classifier (`prediction.score` is its probability).
    /// Without it, two classes named `0`/`1` or `false`/`true` take `1`/`true` as positive
    /// (scikit-learn's `pos_label=1`); other classes get macro and micro averages and no
    /// score-based metrics.
    public var positiveClass: String?
    /// Classification or regression; nil: regression when the joined predictions carry a
    /// `prediction.value` and no predicted label, classification otherwise.
    public var task: PredictionTask?

    /// The defaults above.
    public init() {}
}

extension MonitorConfig {
    static func parseLabels(_ node: Node, into l: inout LabelSettings, _ r: inout YAMLReader) {
        for (key, _, v) in r.mapping(node, "labels", allowed: ["horizon", "min_coverage", "positive_class", "task"]) {
            let ctx = "labels.\(key)"
            switch key {
            case "horizon":
                if let d = r.duration(v, ctx) {
                    // At least a minute: shorter horizons expire predictions before any real label
                    // pipeline delivers; at most ten years keeps event-time arithmetic far from overflow.
                    if d < 60_000 || d > 3650 * 86_400_000 { r.error(v, ctx, "must be between 1m and 3650d") } else { l.horizon = d }
                }
            case "min_coverage":
                if let x = r.double(v, ctx, range: 0...1) {
                    if x == 0 { r.error(v, ctx, "must be above 0 (0 would mature windows without labels)") } else { l.minCoverage = x }
                }
            case "positive_class":
                if let s = r.string(v, ctx) {
                    if s.isEmpty { r.error(v, ctx, "cannot be empty") } else { l.positiveClass = s }
                }
            case "task": if let t = r.choice(v, ctx, PredictionTask.self) { l.task = t }
            default: break
            }
        }
    }
}
