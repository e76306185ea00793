public import MonitorCore

/// The latest sample of every series, each visible for a validity duration chosen when it was
/// added: the sample source the service evaluates rules over.
///
/// A sample is visible at `T` iff `sample.timestamp <= T && T - sample.timestamp < validFor`.
/// The service adds a window's samples with the window slide as validity, so a series from the
/// last window is seen until the next window closes, and the series of a model that stopped
/// sending goes stale instead of alerting forever.
///
/// Invariants: at most one entry per series identity (`metric`, `labels`); an entry is only
/// replaced by a sample with an equal or later timestamp; series of a metric keep the order in
/// which they were first added (so evaluation is deterministic).
public struct LatestSamples: SampleSource, Sendable {
    struct Entry: Sendable {
        var sample: Sample
        var validFor: Int64
    }
    struct Series: Sendable {
        var index: [Labels: Int] = [:]
        var entries: [Entry] = []
    }
    private var metrics: [String: Series] = [:]
    private var metricOrder: [String] = []

    /// An empty source.
    public init() {}

    /// Adds samples, replacing older samples of the same series.
    /// - Parameters:
    ///   - samples: New samples; a sample older than the one held for its series is ignored.
    ///   - validFor: How long (milliseconds) each stays visible after its timestamp; must be > 0.
    public mutating func add(_ samples: [Sample], validFor: Int64) {
        precondition(validFor > 0, "LatestSamples.add: validFor must be positive, got \(validFor)")
        for s in samples {
            let entry = Entry(sample: s, validFor: validFor)
            if metrics[s.metric] == nil {
                metrics[s.metric] = Series()
                metricOrder.append(s.metric)
            }
            if let i = metrics[s.metric]!.index[s.labels] {
                if metrics[s.metric]!.entries[i].sample.timestamp <= s.timestamp {
                    metrics[s.metric]!.entries[i] = entry
                }
            } else {
                metrics[s.metric]!.index[s.labels] = metrics[s.metric]!.entries.count
                metrics[s.metric]!.entries.append(entry)
            }
        }
    }

    /// Drops every series whose latest sample is no longer visible at `time` (or ever again), to
    /// bound memory when models or features disappear. Samples in the future of `time` are kept.
    /// - Parameter time: The current evaluation time.
    public mutating func removeExpired(at time: Timestamp) {
        for name in metricOrder {
            guard let series = metrics[name] else { continue }
            let kept = series.entries.filter { time.milliseconds - $0.sample.timestamp.milliseconds < $0.validFor }
            if kept.count == series.entries.count { continue }
            var fresh = Series()
            for e in kept {
                fresh.index[e.sample.labels] = fresh.entries.count
                fresh.entries.append(e)
            }
            metrics[name] = fresh
        }
        metricOrder.removeAll { metrics[$0]?.entries.isEmpty ?? true }
        metrics = metrics.filter { !$0.value.entries.isEmpty }
    }

    /// The samples of `metric` visible at `at`.
    /// - Parameters:
    ///   - metric: The metric name.
    ///   - at: The evaluation time.
    /// - Returns: Visible samples in first-added order.
    public func samples(metric: String, at: Timestamp) -> [Sample] {
        guard let series = metrics[metric] else { return [] }
        var out: [Sample] = []
        out.reserveCapacity(series.entries.count)
        for e in series.entries where LatestSamples.isVisible(e, at: at) { out.append(e.sample) }
        return out
    }

    /// Metric names with at least one stored series.
    public func metricNames(at: Timestamp) -> [String] { metricOrder }

    /// Every sample visible at `at` (for `/metrics`), sorted by metric name then labels.
    /// - Parameter at: The export time.
    /// - Returns: The visible samples.
    public func all(at: Timestamp) -> [Sample] {
        metricOrder.sorted().flatMap { name in
            samples(metric: name, at: at).sorted { $0.labels < $1.labels }
        }
    }

    /// The number of stored series, visible or not.
    public var seriesCount: Int { metrics.values.reduce(0) { $0 + $1.entries.count } }

    private static func isVisible(_ e: Entry, at: Timestamp) -> Bool {
        e.sample.timestamp <= at && at.milliseconds - e.sample.timestamp.milliseconds < e.validFor
    }
}
