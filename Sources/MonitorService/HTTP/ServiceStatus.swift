public import MonitorCore
import Synchronization

/// What the HTTP endpoints show, published by the pipeline after each step. Readers take a
/// snapshot under a lock; the pipeline never waits on a scrape for longer than a copy.
public final class ServiceStatus: Sendable {
    struct State {
        var samples: [Sample] = []
        var alerts: [Alert] = []
        var notReady: [String: String] = ["store": "not open yet", "sources": "not started yet"]
        var watermark: Timestamp?
    }
    private let state = Mutex(State())
    /// The service's own metrics.
    public let metrics: SelfMetrics

    public init(metrics: SelfMetrics) { self.metrics = metrics }

    /// Replaces the latest series samples (what `/metrics` shows).
    public func publish(samples: [Sample], alerts: [Alert], watermark: Timestamp?) {
        state.withLock {
            $0.samples = samples
            $0.alerts = alerts
            $0.watermark = watermark
        }
    }

    /// Marks a component ready (nil reason) or not (with the reason `/readyz` reports).
    public func setReady(_ component: String, _ reasonNotReady: String?) {
        state.withLock { $0.notReady[component] = reasonNotReady }
    }

    /// Components that are not ready, with reasons (empty = ready).
    public var notReady: [String: String] { state.withLock { $0.notReady } }

    public var alerts: [Alert] { state.withLock { $0.alerts } }

    /// The full `/metrics` body: window series, then the service's own metrics.
    public func exposition() -> [UInt8] {
        let samples = state.withLock { $0.samples }
        var out: [UInt8] = []
        out.reserveCapacity(64 * samples.count + 8192)
        SeriesExposition.render(samples, into: &out)
        metrics.render(into: &out)
        return out
    }
}
