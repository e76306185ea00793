public import MonitorCore
import MonitorStats

/// A reference, frozen: what every window of a model (version) is compared with (DESIGN §5).
///
/// Built once from a decoded reference `Batch` (a training or validation file, `monitor
/// baseline`), stored as bytes (``encode()``, ``decode(_:)``) and loaded by the windows. It fixes
/// the PSI bin edges, the category lists and the reference distributions, so every window is
/// measured with the same ruler; the statistics a window computes against it are those of
/// `monitor compare` on the same data (same kernels).
///
/// ## Invariants
/// - `numerical` and `categorical` follow the feature list the profile was built with, in order,
///   kind by kind (the decoder's column order, hence `monitor compare`'s feature order).
/// - `predictionScore` (feature name `prediction.score`) and `predictedLabel`
///   (`prediction.label`) are present when the reference had at least one such value. They are
///   compared like features but kept apart: prediction drift does not count towards
///   `drifted_feature_share`, as in `monitor compare`.
/// - `fingerprint` identifies the data the profile was built from (the caller's SHA-256 of the
///   file); it is carried, never computed here.
public struct ReferenceProfile: Sendable {
    /// The feature name of the prediction score in series labels.
    public static let predictionScoreName = "prediction.score"
    /// The feature name of the predicted label in series labels.
    public static let predictedLabelName = "prediction.label"

    /// SHA-256 (hex) of the data the profile was built from, as given by the caller.
    public var fingerprint: String
    /// Records in the reference.
    public let rowCount: Int
    /// The number of quantile bins the edges were fitted with (before deduplication).
    public let bins: Int
    /// The exact limit the profile was built with: features with more finite values keep only a sketch.
    public let exactLimit: Int
    /// Numerical features, in schema order.
    public let numerical: [NumericalReference]
    /// Categorical features, in schema order.
    public let categorical: [CategoricalReference]
    /// The prediction score, when the reference has one.
    public let predictionScore: NumericalReference?
    /// The predicted label, when the reference has one.
    public let predictedLabel: CategoricalReference?

    init(
        fingerprint: String, rowCount: Int, bins: Int, exactLimit: Int, numerical: [NumericalReference],
        categorical: [CategoricalReference], predictionScore: NumericalReference?, predictedLabel: CategoricalReference?
    ) {
        self.fingerprint = fingerprint
        self.rowCount = rowCount
        self.bins = bins
        self.exactLimit = exactLimit
        self.numerical = numerical
        self.categorical = categorical
        self.predictionScore = predictionScore
        self.predictedLabel = predictedLabel
    }

    /// Profiles a decoded reference.
    ///
    /// - Parameters:
    ///   - batch: the decoded reference records (all of them; event times are ignored).
    ///   - features: the schema's features, in column order; a feature the batch lacks is
    ///     profiled as all-missing (windows then report it as not comparable).
    ///   - settings: `bins` fixes the quantile edges; `exactLimit` decides whether a numerical
    ///     feature keeps its whole sorted sample (8 bytes per value) or only a sketch.
    ///   - fingerprint: the caller's SHA-256 (hex) of the reference data.
    /// - Complexity: O(rows) per feature (a radix sort and a sketch per numerical feature).
    public init(reference batch: Batch, features: [FeatureSpec], settings: DriftSettings, fingerprint: String) {
        let workspace = ComparisonWorkspace()
        var numerical: [NumericalReference] = []
        var categorical: [CategoricalReference] = []
        let allMissing = [Double](repeating: .nan, count: batch.count)
        let allMissingCodes = [UInt32](repeating: CategoryDictionary.missingCode, count: batch.count)
        for f in features {
            switch f.kind {
            case .numerical:
                let j = batch.numericalNames.firstIndex(of: f.name).flatMap { $0 < batch.numerical.count ? $0 : nil }
                let column = j.map { batch.numerical[$0].count == batch.count ? batch.numerical[$0] : allMissing } ?? allMissing
                numerical.append(column.withUnsafeBufferPointer {
                    NumericalReference(name: f.name, column: $0, settings: settings, workspace: workspace)
                })
            case .categorical:
                if let j = batch.categoricalNames.firstIndex(of: f.name), j < batch.categorical.count,
                    j < batch.categoricalDictionaries.count, batch.categorical[j].count == batch.count
                {
                    categorical.append(batch.categorical[j].withUnsafeBufferPointer {
                        CategoricalReference(name: f.name, codes: $0, dictionary: batch.categoricalDictionaries[j])
                    })
                } else {
                    categorical.append(allMissingCodes.withUnsafeBufferPointer {
                        CategoricalReference(name: f.name, codes: $0, dictionary: CategoryDictionary())
                    })
                }
            }
        }
        var score: NumericalReference? = nil
        if batch.scores.count == batch.count, batch.scores.contains(where: { $0.isFinite }) {
            score = batch.scores.withUnsafeBufferPointer {
                NumericalReference(name: Self.predictionScoreName, column: $0, settings: settings, workspace: workspace)
            }
        }
        var label: CategoricalReference? = nil
        if batch.predictedLabels.count == batch.count, batch.predictedLabels.contains(where: { $0 != CategoryDictionary.missingCode }) {
            label = batch.predictedLabels.withUnsafeBufferPointer {
                CategoricalReference(name: Self.predictedLabelName, codes: $0, dictionary: batch.labelDictionary)
            }
        }
        self.init(
            fingerprint: fingerprint, rowCount: batch.count, bins: settings.bins, exactLimit: settings.exactLimit,
            numerical: numerical, categorical: categorical, predictionScore: score, predictedLabel: label)
    }

    /// Every numerical reference a window accumulates, features first, then the score.
    var accumulatedNumerical: [NumericalReference] { numerical + (predictionScore.map { [$0] } ?? []) }
    /// Every categorical reference a window accumulates, features first, then the label.
    var accumulatedCategorical: [CategoricalReference] { categorical + (predictedLabel.map { [$0] } ?? []) }
}
