public import MonitorCore
import MonitorStats

/// The performance series of a window from its joined (prediction, label) rows (DESIGN §6):
/// the `MonitorStats` kernels applied to what the label join stored.
///
/// **Classification** (rows with both a predicted class and a label): classes are the union of
/// predicted and true classes, sorted by their UTF-8 bytes (scikit-learn's sorted labels), plus
/// the positive class when there is one.
/// - `accuracy`;
/// - with a positive class (`labels.positive_class`, or `1` / `true` when the classes are
///   `0`/`1` or `false`/`true`): `precision`, `recall`, `f1` with `class` = the positive class,
///   and from the scores of rows whose score is a probability in [0, 1] (P(positive)): `auc`,
///   `log_loss`, `brier`;
/// - without one: `precision`, `recall`, `f1` with `average` = `macro` and `micro`;
/// - `confusion_matrix` with `class` (true) and `predicted`, every cell for up to
///   ``fullConfusionClasses`` classes, the non-zero cells beyond.
///
/// **Regression** (rows with a finite predicted value and a numeric label): `mae`, `rmse`,
/// `mape`, `r2`.
///
/// Both: `labeled_count` (joined rows) and `label_coverage` (joined rows / predictions).
/// Undefined values are absent, never NaN: an AUC with one class, a precision with nothing
/// predicted positive, R² of one row, every metric of a window without labels.
public enum PerformanceSeries {
    /// Up to this many classes every confusion-matrix cell is emitted (k² samples); beyond it
    /// only the non-zero ones, so a 1000-class model does not emit a million series per window.
    public static let fullConfusionClasses = 16

    /// One computed figure: a metric, its extra labels (`class`, `average`, `predicted`) and value.
    public struct Figure: Hashable, Sendable {
        public var metric: String
        public var labels: [(String, String)]
        public var value: Double

        public static func == (a: Figure, b: Figure) -> Bool {
            a.metric == b.metric && a.value.bitPattern == b.value.bitPattern && a.labels.map { "\($0)=\($1)" } == b.labels.map { "\($0)=\($1)" }
        }
        public func hash(into h: inout Hasher) {
            h.combine(metric)
            h.combine(value.bitPattern)
        }
    }

    /// The task the rows are scored as: the configured one, else regression when no row has a
    /// predicted class and some have a predicted value.
    public static func task(of rows: JoinedRows, settings: LabelSettings) -> PredictionTask {
        if let t = settings.task { return t }
        if rows.predictedLabels.allSatisfy({ $0 == nil }) && rows.values.contains(where: { $0.isFinite }) { return .regression }
        return .classification
    }

    /// The positive class: configured, or `1`/`true` for 0/1 and false/true classes; nil otherwise.
    public static func positiveClass(classes: [String], settings: LabelSettings) -> String? {
        if let p = settings.positiveClass { return p }
        let set = Set(classes)
        if !set.isEmpty, set.isSubset(of: ["0", "1"]) { return "1" }
        if !set.isEmpty, set.isSubset(of: ["false", "true"]) { return "true" }
        return nil
    }

    /// Every figure the rows define (performance only; no counts).
    public static func figures(_ rows: JoinedRows, settings: LabelSettings) -> [Figure] {
        switch task(of: rows, settings: settings) {
        case .classification: return classification(rows, settings: settings)
        case .regression: return regression(rows)
        }
    }

    static func classification(_ rows: JoinedRows, settings: LabelSettings) -> [Figure] {
        var pairs: [(String, String)] = []
        for i in 0..<rows.count {
            if let p = rows.predictedLabels[i], let l = rows.labels[i] { pairs.append((l, p)) }
        }
        var classSet = Set(pairs.map(\.0)).union(pairs.map(\.1))
        let positive = positiveClass(classes: Array(classSet), settings: settings)
        guard !pairs.isEmpty else { return scoreFigures(rows, positive: positive) }
        if let positive { classSet.insert(positive) }
        let classes = classSet.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let code = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element, Int32($0.offset)) })
        let actual = pairs.map { code[$0.0]! }
        let predicted = pairs.map { code[$0.1]! }
        guard let matrix = try? ConfusionMatrix(actual: actual, predicted: predicted, classCount: classes.count) else { return [] }
        var out: [Figure] = []
        if let a = try? matrix.accuracy() { out.append(Figure(metric: SeriesName.accuracy, labels: [], value: a)) }
        func add(_ s: PrecisionRecallF1, _ label: (String, String)) {
            if let v = s.precision { out.append(Figure(metric: SeriesName.precision, labels: [label], value: v)) }
            if let v = s.recall { out.append(Figure(metric: SeriesName.recall, labels: [label], value: v)) }
            if let v = s.f1 { out.append(Figure(metric: SeriesName.f1, labels: [label], value: v)) }
        }
        if let positive {
            add(matrix.scores(positive: Int(code[positive]!)), (LabelName.class, positive))
        } else {
            for avg in ClassAverage.allCases { add(matrix.scores(average: avg), (LabelName.average, avg.rawValue)) }
        }
        out += scoreFigures(rows, positive: positive)
        let full = classes.count <= fullConfusionClasses
        for (a, actualClass) in classes.enumerated() {
            for (p, predictedClass) in classes.enumerated() {
                let n = matrix[actual: a, predicted: p]
                if full || n > 0 {
                    out.append(Figure(metric: SeriesName.confusionMatrix,
                                      labels: [(LabelName.class, actualClass), (LabelName.predicted, predictedClass)], value: Double(n)))
                }
            }
        }
        return out
    }

    /// AUC, log loss and Brier from the rows whose score is a probability, for a positive class.
    static func scoreFigures(_ rows: JoinedRows, positive: String?) -> [Figure] {
        guard let positive else { return [] }
        var scores: [Double] = []
        var isPositive: [Bool] = []
        for i in 0..<rows.count {
            guard let l = rows.labels[i] else { continue }
            let s = rows.scores[i]
            guard s >= 0 && s <= 1 else { continue }
            scores.append(s)
            isPositive.append(l == positive)
        }
        guard !scores.isEmpty else { return [] }
        var out: [Figure] = []
        if let auc = try? rocAUC(scores: scores, positive: isPositive) {
            out.append(Figure(metric: SeriesName.auc, labels: [], value: auc))
        }
        if let ll = try? logLoss(probabilities: scores, positive: isPositive) {
            out.append(Figure(metric: SeriesName.logLoss, labels: [], value: ll))
        }
        if let b = try? brierScore(probabilities: scores, positive: isPositive) {
            out.append(Figure(metric: SeriesName.brier, labels: [], value: b))
        }
        return out
    }

    static func regression(_ rows: JoinedRows) -> [Figure] {
        var actual: [Double] = []
        var predicted: [Double] = []
        for i in 0..<rows.count where rows.values[i].isFinite && rows.labelValues[i].isFinite {
            actual.append(rows.labelValues[i])
            predicted.append(rows.values[i])
        }
        guard let e = try? RegressionErrors(actual: actual, predicted: predicted) else { return [] }
        var out = [
            Figure(metric: SeriesName.mae, labels: [], value: e.meanAbsoluteError),
            Figure(metric: SeriesName.rmse, labels: [], value: e.rootMeanSquaredError),
            Figure(metric: SeriesName.mape, labels: [], value: e.meanAbsolutePercentageError),
        ]
        if let r2 = e.r2 { out.append(Figure(metric: SeriesName.r2, labels: [], value: r2)) }
        return out
    }

    /// The samples a window emits at maturity or restatement.
    /// - Parameters:
    ///   - key: the window.
    ///   - predictions: predictions counted in the window (the coverage denominator).
    ///   - rows: its joined rows.
    ///   - settings: task and positive class.
    ///   - reference: the reference profile's performance figures (plain metric names), emitted
    ///     as `reference_<metric>` with the window's labels.
    /// - Returns: `labeled_count`, `label_coverage`, the figures, then the reference's; all at
    ///   the window's end.
    public static func samples(key: WindowKey, predictions: Int, rows: JoinedRows, settings: LabelSettings,
                               reference: [Sample] = []) -> [Sample] {
        let base = key.labels
        var out = [
            Sample(metric: SeriesName.labeledCount, labels: base, value: Double(rows.count), timestamp: key.end),
        ]
        if predictions > 0 {
            out.append(Sample(metric: SeriesName.labelCoverage, labels: base, value: Double(rows.count) / Double(predictions), timestamp: key.end))
        }
        for f in figures(rows, settings: settings) {
            out.append(Sample(metric: f.metric, labels: f.labels.isEmpty ? base : base.merging(Labels(f.labels)), value: f.value, timestamp: key.end))
        }
        for r in reference where SeriesName.performance.contains(r.metric) {
            out.append(Sample(metric: SeriesName.reference(r.metric), labels: base.merging(r.labels), value: r.value, timestamp: key.end))
        }
        return out
    }

    /// A reference dataset's performance, as `PerformanceStore.saveReferencePerformance`
    /// records it: plain metric names with their extra labels, no window labels, timestamp 0.
    public static func referenceSamples(_ rows: JoinedRows, settings: LabelSettings) -> [Sample] {
        figures(rows, settings: settings).filter { SeriesName.performance.contains($0.metric) }.map {
            Sample(metric: $0.metric, labels: Labels($0.labels), value: $0.value, timestamp: Timestamp(milliseconds: 0))
        }
    }
}
