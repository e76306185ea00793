/// Event and window counters of one model (all its versions), for the service's self-metrics
/// (`monitor_events_total`, `monitor_late_events_total{model,window}`, …).
public struct WindowCounters: Sendable, Hashable {
    /// Events that entered at least one window.
    public var accepted = 0
    /// Late events by window configuration name: the event's pane had ended at or before the
    /// watermark (see ``WindowManager``); they are excluded from that configuration's windows.
    public var late: [String: Int] = [:]
    /// Events without a usable timestamp (`Int64.min`, or beyond ±2⁶¹ ms); dropped.
    public var noTimestamp = 0
    /// Events of a model/version with no profile in force; dropped.
    public var unprofiled = 0
    /// Windows closed (results emitted).
    public var windowsClosed = 0

    /// Zero counters.
    public init() {}

    mutating func add(_ other: WindowCounters) {
        accepted += other.accepted
        for (k, v) in other.late { late[k, default: 0] += v }
        noTimestamp += other.noTimestamp
        unprofiled += other.unprofiled
        windowsClosed += other.windowsClosed
    }
}

/// What one ``WindowManager/ingest(_:rows:)`` call did with its rows.
public struct IngestSummary: Sendable, Hashable {
    /// Rows that entered at least one window.
    public var accepted = 0
    /// Rows late for at least one window configuration (not necessarily all).
    public var late = 0
    /// Rows without a usable timestamp.
    public var noTimestamp = 0
    /// Rows of a model/version with no profile in force.
    public var unprofiled = 0

    /// Zero counts.
    public init() {}
}
