/// A model and one of its versions: the stream a prediction belongs to.
public struct ModelVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var model: String
    public var version: String

    public init(model: String, version: String) {
        self.model = model
        self.version = version
    }

    public static func < (a: ModelVersion, b: ModelVersion) -> Bool { (a.model, a.version) < (b.model, b.version) }

    public var description: String { "\(model)/\(version)" }
}

/// Decoded label records (DESIGN §3: `{"id","ts","label"}`), columnar.
///
/// Invariants: every column has `count` entries; `timestamps` are ms since the epoch,
/// `Int64.min` when absent or unparsable; `labels` hold the label as text (a JSON string as
/// decoded, a number or boolean as its JSON text, so `1` and `"1"` are the same class), `nil`
/// when absent or `null`; `values` hold the label as a number (regression), NaN when it is not one.
public struct LabelBatch: Sendable, Hashable {
    public var ids: [String] = []
    public var timestamps: [Int64] = []
    public var labels: [String?] = []
    public var values: [Double] = []

    public init() {}

    /// Records in the batch.
    public var count: Int { ids.count }

    /// Appends one record.
    public mutating func append(id: String, timestamp: Int64, label: String?, value: Double) {
        ids.append(id)
        timestamps.append(timestamp)
        labels.append(label)
        values.append(value)
    }
}

/// Predictions handed to the delayed-label join: what the performance metrics need of each,
/// columnar. Built by `MonitorWindowing` from a decoded `Batch`.
///
/// Invariants: every column has `count` entries; `streams[i]` indexes `streamNames`;
/// `windowGroups[i]` is a bit set of the slide groups whose windows counted the prediction (the
/// join hands it back with the label so that the label is counted in the same windows).
public struct PredictionRows: Sendable, Hashable {
    public var ids: [String] = []
    public var timestamps: [Int64] = []
    public var streams: [Int32] = []
    public var streamNames: [ModelVersion] = []
    /// The predicted class as text, nil when the record has none.
    public var predictedLabels: [String?] = []
    /// `prediction.score` (the positive class's probability), NaN when absent.
    public var scores: [Double] = []
    /// `prediction.value` (regression), NaN when absent.
    public var values: [Double] = []
    public var windowGroups: [UInt64] = []

    public init() {}

    /// Rows in the batch.
    public var count: Int { ids.count }
}

/// What the join did with one prediction.
public enum PredictionJoinOutcome: UInt8, Sendable, Hashable {
    /// Stored; it waits for its label.
    case pending = 0
    /// Its label had arrived first: joined at once.
    case joined = 1
    /// A pending prediction with the same id exists, or this exact prediction (same id and
    /// event time) was stored before: the first one wins, this one is counted and dropped.
    case duplicate = 2
}

/// A prediction that got its label: where its windows are.
public struct JoinedPrediction: Hashable, Sendable {
    public var stream: ModelVersion
    /// The prediction's event time.
    public var timestamp: Int64
    /// `PredictionRows.windowGroups` of the prediction.
    public var windowGroups: UInt64

    public init(stream: ModelVersion, timestamp: Int64, windowGroups: UInt64) {
        self.stream = stream
        self.timestamp = timestamp
        self.windowGroups = windowGroups
    }
}

/// What the join did with a batch of labels.
public struct LabelJoinResult: Sendable, Hashable {
    /// Labels that found their pending prediction, with where the prediction's windows are.
    public var joined: [JoinedPrediction] = []
    /// Labels stored to wait for their prediction.
    public var pending = 0
    /// Labels for an id already labeled within the horizon, or already waiting: dropped (first wins).
    public var duplicates = 0
    /// Labels that arrived more than the horizon after their pending prediction: the prediction
    /// expires (counted in `expiredPredictions`) and the label waits, as if it had come first.
    public var beyondHorizon = 0
    /// Pending predictions expired by `beyondHorizon` labels.
    public var expiredPredictions = 0

    public init() {}
}

/// How many entries wait in the join.
public struct LabelJoinCounts: Sendable, Hashable {
    public var pendingPredictions = 0
    public var pendingLabels = 0
    /// Labeled and expired predictions kept until their windows' figures are final.
    public var settledPredictions = 0

    public init() {}
}

/// The joined (prediction, label) rows of one window: the input of its performance metrics.
public struct JoinedRows: Sendable, Hashable {
    public var timestamps: [Int64] = []
    public var predictedLabels: [String?] = []
    public var scores: [Double] = []
    public var values: [Double] = []
    public var labels: [String?] = []
    public var labelValues: [Double] = []

    public init() {}

    public var count: Int { timestamps.count }
}

/// One version of a window's performance figures: revision 1 when the window matured, 2, 3, …
/// for each restatement as late labels arrived. Stored as new rows, never edited.
public struct PerformanceResult: Hashable, Sendable {
    public var key: WindowKey
    /// 1 at maturity, then one more per restatement.
    public var revision: Int
    /// The join clock (event time) when the figures were computed.
    public var computedAt: Timestamp
    /// Predictions in the window (the coverage denominator).
    public var predictionCount: Int
    /// Predictions with a label when the figures were computed.
    public var labeledCount: Int
    /// Every series value (timestamp = the window's end).
    public var samples: [Sample]

    public init(key: WindowKey, revision: Int, computedAt: Timestamp, predictionCount: Int, labeledCount: Int, samples: [Sample]) {
        self.key = key
        self.revision = revision
        self.computedAt = computedAt
        self.predictionCount = predictionCount
        self.labeledCount = labeledCount
        self.samples = samples
    }
}

/// Cumulative counters of the label join (self-metrics, the run summary).
public struct LabelTotals: Hashable, Sendable {
    /// Predictions stored in the join (duplicates excluded).
    public var predictions = 0
    public var duplicatePredictions = 0
    public var latePredictions = 0
    public var predictionsWithoutID = 0
    public var predictionsWithoutTime = 0
    /// Labels handed to the join (with an id and a time).
    public var labels = 0
    public var labelsWithoutID = 0
    public var labelsWithoutTime = 0
    /// Labels joined to their prediction (either order of arrival).
    public var joined = 0
    /// Labels stored to wait for their prediction.
    public var waitingLabels = 0
    public var duplicateLabels = 0
    public var labelsBeyondHorizon = 0
    /// Predictions that expired without a label.
    public var expiredPredictions = 0
    /// Waiting labels that expired without a prediction.
    public var expiredLabels = 0
    /// Windows released (revision 1) and restatements emitted.
    public var released = 0
    public var restated = 0

    public init() {}
}
