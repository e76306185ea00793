public import MonitorCore
import Prometheus
import Synchronization

/// The service's own metrics (`monitor_<subsystem>_<name>_<unit|total>`), kept in a
/// swift-prometheus registry that `/metrics` renders after the window series.
///
/// Metrics with dynamic labels (a decode-error reason, a model) are created on first use and
/// cached; label sets are bounded by the config (sources, windows) or by closed enums (reasons).
/// Models come from the data: at most `maxModels` distinct values get their own label, the rest
/// are counted under `model="other"`, so a producer cannot blow up the exposition.
public final class SelfMetrics: Sendable {
    /// The registry the metrics live in.
    let registry = PrometheusCollectorRegistry()
    /// Distinct `model` label values before folding into `other`.
    public static let maxModels = 100

    private struct Cache {
        var counters: [String: Prometheus.Counter] = [:]
        var gauges: [String: Prometheus.Gauge] = [:]
        var models: Set<String> = []
    }
    private let cache = Mutex(Cache())
    private let checkpointSeconds: ValueHistogram
    private let ruleEvalSeconds: ValueHistogram
    private let windowCloseSeconds: ValueHistogram
    private let notificationLatency: ValueHistogram

    public init() {
        let buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
        checkpointSeconds = registry.makeValueHistogram(descriptor: Self.descriptor("monitor_checkpoint_duration_seconds", "Time to commit one checkpoint (window state, results, alerts and source positions in one transaction)."), buckets: buckets)
        ruleEvalSeconds = registry.makeValueHistogram(descriptor: Self.descriptor("monitor_rule_evaluation_duration_seconds", "Time to evaluate all rules at one window close."), buckets: buckets)
        windowCloseSeconds = registry.makeValueHistogram(descriptor: Self.descriptor("monitor_window_close_duration_seconds", "Time to compute the statistics of the windows closing at one instant."), buckets: buckets)
        notificationLatency = registry.makeValueHistogram(
            descriptor: Self.descriptor("monitor_notification_latency_seconds", "Time from a notification's commit to the outbox to its delivery (wall clock)."),
            buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600])
        // Always present, so dashboards and `absent()` alerts work from the first scrape.
        _ = gauge("monitor_up", [], help: "1 while the service runs.")
        set("monitor_up", [], 1)
    }

    func model(_ m: String) -> String {
        cache.withLock { c in
            if c.models.contains(m) { return m }
            if c.models.count < Self.maxModels {
                c.models.insert(m)
                return m
            }
            return "other"
        }
    }

    private static let help: [String: String] = [
        "monitor_events_total": "Records read from a source and accepted by the decoder.",
        "monitor_decode_errors_total": "Records (or fields) rejected or treated as missing, by reason.",
        "monitor_late_events_total": "Events whose window had already closed (event time behind the watermark); kept out of distributions.",
        "monitor_untimed_events_total": "Events without a usable timestamp; dropped by windowed runs.",
        "monitor_windows_closed_total": "Windows closed and evaluated.",
        "monitor_source_bytes_total": "Bytes read from a source.",
        "monitor_source_truncations_total": "Times a followed file was truncated (copytruncate) and re-read from the start.",
        "monitor_source_rotations_total": "Times a followed file was rotated (renamed and replaced).",
        "monitor_alert_transitions_total": "Alert state changes, by the state entered.",
        "monitor_notifications_total": "Notification outcomes by receiver: delivered, failed (an attempt that will be retried or gave up), dead, silenced, inhibited.",
        "monitor_notifications_dead_total": "Notifications given up on (permanent failure or max_attempts reached), by receiver.",
        "monitor_notifications_enqueued_total": "Notifications written to the outbox, by receiver.",
        "monitor_outbox_pending": "Notifications in the outbox waiting for delivery.",
        "monitor_checkpoints_total": "Checkpoints committed to the store.",
        "monitor_watermark_seconds": "The current watermark (max event time seen minus allowed lateness), seconds since the epoch.",
        "monitor_open_windows": "Windows (panes) currently accumulating.",
        "monitor_alerts": "Active alert instances, by state.",
        "monitor_up": "1 while the service runs.",
        "monitor_rules_loaded": "Alerting rules loaded.",
        "monitor_consumer_lag": "Kafka: messages between a partition's high watermark and the next offset checkpointed, per assigned partition.",
        "monitor_kafka_errors_total": "Kafka: librdkafka errors (error_cb, commits, fetches), by error name.",
        "monitor_kafka_rebalances_total": "Kafka: partition assignments and revocations.",
        "monitor_kafka_assigned_partitions": "Kafka: partitions assigned to this instance.",
        "monitor_kafka_offset_resets_total": "Kafka: auto_offset_reset uses (no stored or committed offset, or an offset out of range).",
        "monitor_kafka_paused": "Kafka: 1 while fetching is paused by back-pressure.",
        "monitor_kafka_split_models": "Kafka: models that also arrive on partitions owned by another instance (partition-by-model violated).",
        "monitor_dead_letters_total": "Poison records produced to the dead-letter topic.",
        "monitor_config_last_reload_successful": "1 when the last config reload (SIGHUP, POST /-/reload) was valid and applied, 0 when it was rejected.",
        "monitor_config_last_reload_success_timestamp_seconds": "When the last valid config reload was accepted, seconds since the epoch.",
        "monitor_config_reloads_total": "Config reloads by result (success, failure).",
        "monitor_labels_joined_total": "Labels joined to their prediction.",
        "monitor_labels_late_total": "Labels that arrived after their prediction's horizon passed.",
        "monitor_labels_expired_total": "Predictions (side=prediction) or labels (side=label) that waited past the horizon for their counterpart.",
        "monitor_labels_duplicates_total": "Records whose id was already waiting on the same side, by side.",
        "monitor_performance_windows_total": "Windows whose performance was emitted (kind=matured) or restated by later labels (kind=restated).",
        "monitor_performance_windows_immature": "Windows whose performance awaits labels.",
        "monitor_label_join_index_bytes": "Memory of the label join's in-memory id index (16-32 bytes per prediction or label the join keeps).",
        "monitor_retrain_triggers_total": "Retraining-trigger deliveries by model, sink and status (delivered, failed, dead).",
    ]

    /// The histograms (exposed as `_bucket`, `_sum` and `_count`).
    static let histograms = ["monitor_checkpoint_duration_seconds", "monitor_rule_evaluation_duration_seconds",
                             "monitor_window_close_duration_seconds", "monitor_notification_latency_seconds"]

    /// Every metric name the service can expose, its own and the window series (`/metrics`), for
    /// dashboards and their tests (a metric without a help text here is not in the list).
    public static var exportedNames: Set<String> {
        var names = Set(help.keys).union(["monitor_up"]).union(SeriesName.all).union(["ALERTS"])
        for h in histograms { names.formUnion([h + "_bucket", h + "_sum", h + "_count"]) }
        return names
    }

    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private func key(_ name: String, _ labels: [(String, String)]) -> String {
        name + "{" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }

    private func counter(_ name: String, _ labels: [(String, String)]) -> Prometheus.Counter {
        let k = key(name, labels)
        return cache.withLock { c in
            if let x = c.counters[k] { return x }
            let x = registry.makeCounter(descriptor: Self.descriptor(name, Self.help[name] ?? name), labels: labels)
            c.counters[k] = x
            return x
        }
    }

    private func gauge(_ name: String, _ labels: [(String, String)], help: String? = nil) -> Prometheus.Gauge {
        let k = key(name, labels)
        return cache.withLock { c in
            if let x = c.gauges[k] { return x }
            let x = registry.makeGauge(descriptor: Self.descriptor(name, help ?? Self.help[name] ?? name), labels: labels)
            c.gauges[k] = x
            return x
        }
    }

    /// Adds to a counter.
    public func add(_ name: String, _ labels: [(String, String)], _ amount: Int) {
        guard amount > 0 else { return }
        counter(name, labels).increment(by: Int64(amount))
    }

    /// Sets a gauge.
    public func set(_ name: String, _ labels: [(String, String)], _ value: Double) {
        gauge(name, labels).set(to: value)
    }

    /// Removes a gauge (e.g. the lag of a partition no longer assigned).
    public func remove(_ name: String, _ labels: [(String, String)]) {
        let k = key(name, labels)
        let g = cache.withLock { c in c.gauges.removeValue(forKey: k) }
        if let g { registry.unregisterGauge(g) }
    }

    /// Makes a counter exist at 0 (so a rate() has a starting point).
    public func declare(_ name: String, _ labels: [(String, String)]) {
        _ = counter(name, labels)
    }

    public func observeCheckpoint(seconds: Double) { checkpointSeconds.record(seconds) }
    public func observeRuleEvaluation(seconds: Double) { ruleEvalSeconds.record(seconds) }
    public func observeWindowClose(seconds: Double) { windowCloseSeconds.record(seconds) }
    public func observeNotificationLatency(seconds: Double) { notificationLatency.record(seconds) }

    /// Records a decoder report for a source.
    public func record(decode report: DecodeReport, source: String) {
        add("monitor_events_total", [("source", source)], report.recordsDecoded)
        for (reason, n) in report.counts where reason != .emptyLine {
            add("monitor_decode_errors_total", [("source", source), ("reason", reason.rawValue)], n)
        }
    }

    /// The registry's exposition text.
    public func render(into buffer: inout [UInt8]) { registry.emit(into: &buffer) }
}
